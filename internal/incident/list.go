package incident

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/search"
	"bulwark/internal/store"
)

// Filter selects incidents; the zero value lists all, newest discovery first.
type Filter struct {
	Phase    Phase
	Grade    int    // 1-4; 0 = any
	Category string // a class code matches its sub-categories too
	Status   string // open or closed; "" = any
	Query    string // words in the number, title, description or business systems
	Page     int
	PerPage  int
}

// Statuses are the values of Filter.Status.
var Statuses = []string{"open", "closed"}

// Page is one page of incidents.
type Page struct {
	Items   []Incident `json:"items"`
	Total   int        `json:"total"`
	Page    int        `json:"page"`
	PerPage int        `json:"per_page"`
}

// FilterFromQuery reads the filter from URL parameters (UI and API alike).
func FilterFromQuery(q url.Values) Filter {
	f := Filter{Phase: Phase(q.Get("phase")), Category: strings.ToUpper(strings.TrimSpace(q.Get("category"))),
		Status: q.Get("status"), Query: q.Get("q")}
	f.Grade, _ = strconv.Atoi(q.Get("grade"))
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	return f
}

// isClass reports whether code names a first-level category (MP, not MP-07).
func isClass(code string) bool { return !strings.Contains(code, "-") }

// where builds the condition and its arguments for f in org. match is the
// full-text query bound in args ("" when f asks for none). Every condition
// has an index that also serves the sort (migration 0026): a class through
// the generated category_class column, words through the search terms, as
// the asset register does (FTS5 on SQLite, a GIN tsvector on PostgreSQL).
func (f Filter) where(d store.Dialect, orgID int64) (where string, args []any, match string) {
	conds := []string{"i.org_id = $1"}
	args = []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$N", fmt.Sprintf("$%d", len(args))))
	}
	if terms := search.ParseQuery(f.Query); len(terms) > 0 {
		st := make([]store.Term, len(terms))
		for k, t := range terms {
			st[k] = store.Term{Text: t.Text, Prefix: t.Prefix}
		}
		match = d.OrgTermQuery(orgID, st)
		args = append(args, match)
		conds = append(conds, d.MatchOrgTerms("incident", "i", len(args)))
	}
	if f.Phase != "" {
		add("i.phase = $N", f.Phase)
	}
	if f.Grade != 0 {
		add("i.grade = $N", f.Grade)
	}
	if f.Category != "" {
		if isClass(f.Category) {
			add("i.category_class = $N", f.Category)
		} else {
			add("i.category = $N", f.Category)
		}
	}
	if f.Status != "" {
		add("i.status = $N", f.Status)
	}
	return strings.Join(conds, " AND "), args, match
}

// List returns one page of the actor's organisation's incidents.
//
// As in the asset register, the page is read in two steps in one
// statement: the inner SELECT finds the page's ids on an index that serves
// the filter and the sort, the outer one reads just those rows.
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
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		c.Add("status", "err.invalid_choice")
	}
	if err := c.Err(); err != nil {
		return Page{}, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 500)
	f.Page = max(f.Page, 1)
	where, args, match := f.where(s.DB.Dialect, actor.OrgID)
	p := Page{Page: f.Page, PerPage: f.PerPage, Items: []Incident{}}
	n := len(args)
	offset := (f.Page - 1) * f.PerPage
	const order = ` ORDER BY i.discovered_at DESC, i.id DESC`
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+prefixed(columns)+` FROM incidents i WHERE i.id IN (SELECT i.id FROM incidents i WHERE `+
		where+order+fmt.Sprintf(` LIMIT $%d OFFSET $%d)`, n+1, n+2)+order, append(args[:n:n], f.PerPage, offset)...)
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
	if p.Total, err = s.count(ctx, f, actor.OrgID, where, args, match, offset, len(p.Items)); err != nil {
		return Page{}, apperr.Wrap(err, "count incidents")
	}
	return p, apperr.Wrap(fillAssets(ctx, s.DB.Read(), actor.OrgID, p.Items), "list incidents")
}

// count returns the number of incidents matching f, the cheapest exact
// way: a page that is not full tells by itself; a filter without words sums
// incident_counts (a few rows per phase, grade and category); words alone
// are counted inside the full-text index where the engine can (SQLite);
// anything else counts the rows.
func (s *Service) count(ctx context.Context, f Filter, orgID int64, where string, args []any, match string, offset, got int) (int, error) {
	if got < f.PerPage && (got > 0 || offset == 0) {
		return offset + got, nil
	}
	var total int
	if match == "" {
		conds, cargs := []string{"org_id = $1"}, []any{orgID}
		add := func(cond string, v any) {
			cargs = append(cargs, v)
			conds = append(conds, strings.ReplaceAll(cond, "$N", fmt.Sprintf("$%d", len(cargs))))
		}
		if f.Phase != "" {
			add("phase = $N", f.Phase)
		}
		if f.Status != "" {
			add("status = $N", f.Status)
		}
		if f.Grade != 0 {
			add("grade = $N", f.Grade)
		}
		if f.Category != "" {
			if isClass(f.Category) {
				cargs = append(cargs, f.Category, store.EscapeLike(f.Category)+"-%")
				conds = append(conds, fmt.Sprintf(`(category = $%d OR category LIKE $%d ESCAPE '\')`, len(cargs)-1, len(cargs)))
			} else {
				add("category = $N", f.Category)
			}
		}
		err := s.DB.Read().QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM incident_counts WHERE `+
			strings.Join(conds, " AND "), cargs...).Scan(&total)
		return total, err
	}
	onlyMatch := f.Phase == "" && f.Grade == 0 && f.Category == "" && f.Status == ""
	if q := s.DB.Dialect.CountOrgTerms("incident"); onlyMatch && q != "" {
		err := s.DB.Read().QueryRowContext(ctx, q, match).Scan(&total)
		return total, err
	}
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents i WHERE `+where, args...).Scan(&total)
	return total, err
}

func validPhase(p Phase) bool {
	for _, x := range Phases {
		if x == p {
			return true
		}
	}
	return false
}
