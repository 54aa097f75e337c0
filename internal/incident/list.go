package incident

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Filter selects incidents; the zero value lists all, newest discovery first.
type Filter struct {
	Phase    Phase
	Grade    int    // 1-4; 0 = any
	Category string // a class code matches its sub-categories too
	Query    string // words in the number, title or description
	Page     int
	PerPage  int
}

// Page is one page of incidents.
type Page struct {
	Items   []Incident `json:"items"`
	Total   int        `json:"total"`
	Page    int        `json:"page"`
	PerPage int        `json:"per_page"`
}

// FilterFromQuery reads the filter from URL parameters (UI and API alike).
func FilterFromQuery(q url.Values) Filter {
	f := Filter{Phase: Phase(q.Get("phase")), Category: strings.ToUpper(strings.TrimSpace(q.Get("category"))), Query: q.Get("q")}
	f.Grade, _ = strconv.Atoi(q.Get("grade"))
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	return f
}

func (f Filter) where(orgID int64) (string, []any) {
	conds := []string{"i.org_id = $1"}
	args := []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$N", fmt.Sprintf("$%d", len(args))))
	}
	if f.Phase != "" {
		add("i.phase = $N", f.Phase)
	}
	if f.Grade != 0 {
		add("i.grade = $N", f.Grade)
	}
	if f.Category != "" {
		args = append(args, f.Category, store.EscapeLike(f.Category)+"-%")
		conds = append(conds, fmt.Sprintf(`(i.category = $%d OR i.category LIKE $%d ESCAPE '\')`, len(args)-1, len(args)))
	}
	for _, w := range strings.Fields(f.Query) {
		add(`(i.number LIKE $N ESCAPE '\' OR i.title LIKE $N ESCAPE '\' OR i.description LIKE $N ESCAPE '\')`,
			"%"+store.EscapeLike(w)+"%")
	}
	return strings.Join(conds, " AND "), args
}

// List returns one page of the actor's organisation's incidents.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return Page{}, err
	}
	var c apperr.Collector
	if f.Phase != "" && !validPhase(f.Phase) {
		c.Add("phase", "err.invalid_choice")
	}
	if f.Grade != 0 && !ValidGrade(f.Grade) {
		c.Add("grade", "err.invalid_choice")
	}
	if err := c.Err(); err != nil {
		return Page{}, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 500)
	f.Page = max(f.Page, 1)
	where, args := f.where(actor.OrgID)
	p := Page{Page: f.Page, PerPage: f.PerPage, Items: []Incident{}}
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents i WHERE `+where, args...).Scan(&p.Total); err != nil {
		return Page{}, apperr.Wrap(err, "count incidents")
	}
	n := len(args)
	args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+prefixed(columns)+` FROM incidents i WHERE `+where+
		fmt.Sprintf(` ORDER BY i.discovered_at DESC, i.id DESC LIMIT $%d OFFSET $%d`, n+1, n+2), args...)
	if err != nil {
		return Page{}, apperr.Wrap(err, "list incidents")
	}
	defer rows.Close()
	for rows.Next() {
		i, err := scan(rows)
		if err != nil {
			return Page{}, apperr.Wrap(err, "list incidents")
		}
		p.Items = append(p.Items, i)
	}
	if err := rows.Err(); err != nil {
		return Page{}, apperr.Wrap(err, "list incidents")
	}
	return p, apperr.Wrap(fillAssets(ctx, s.DB.Read(), actor.OrgID, p.Items), "list incidents")
}

func validPhase(p Phase) bool {
	for _, x := range Phases {
		if x == p {
			return true
		}
	}
	return false
}
