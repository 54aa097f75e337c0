package incident

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
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

// isCategoryClass reports whether code names a first-level category (MP, not MP-07).
func isCategoryClass(code string) bool { return !strings.Contains(code, "-") }

// where builds the conditions of f other than its words, and their
// arguments, for org. Every condition has an index that also serves the
// sort (migration 0026); a class goes through the generated category_class
// column.
func (f Filter) where(orgID int64) (conds []string, args []any) {
	conds = []string{"i.org_id = $1"}
	args = []any{orgID}
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
		if isCategoryClass(f.Category) {
			add("i.category_class = $N", f.Category)
		} else {
			add("i.category = $N", f.Category)
		}
	}
	if f.Status != "" {
		add("i.status = $N", f.Status)
	}
	if num := f.number(); num != "" {
		add("i.number = $N", num)
	}
	return conds, args
}

// numberQuery is an incident number as people type it.
var numberQuery = regexp.MustCompile(`(?i)^\s*SJ-(\d{4})-(\d{4,})\s*$`)

// number is the incident number f's words are, if they are one: the list
// then finds it by the number's index instead of searching the text for
// "sj", "2026" and "0042" (30 ms at 200k incidents on SQLite, where every
// incident has the first term).
func (f Filter) number() string {
	m := numberQuery.FindStringSubmatch(f.Query)
	if m == nil {
		return ""
	}
	return "SJ-" + m[1] + "-" + m[2]
}

// terms are f's words as the store's search terms (nil: no words, or an
// incident number).
func (f Filter) terms() []store.Term {
	if f.number() != "" {
		return nil
	}
	parsed := search.ParseQuery(f.Query)
	if len(parsed) == 0 {
		return nil
	}
	st := make([]store.Term, len(parsed))
	for k, t := range parsed {
		st[k] = store.Term{Text: t.Text, Prefix: t.Prefix}
	}
	return st
}

// List returns one page of the actor's organisation's incidents.
//
// As in the asset register, the page is read in two steps in one
// statement: the inner SELECT finds the page's ids on an index that serves
// the filter and the sort, the outer one reads just those rows. Words are
// looked up in the full-text index (FTS5 on SQLite, a GIN tsvector on
// PostgreSQL, as for assets); see searchPaths for how SQLite combines them
// with the sort.
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
	offset := (f.Page - 1) * f.PerPage
	q := s.DB.Read()
	conds, args := f.where(actor.OrgID)
	paths := listPaths{page: strings.Join(conds, " AND "), pageArgs: args, total: -1}
	if f.number() != "" {
		// Not in incident_counts: counted from its rows (one at most).
		paths.count, paths.countArgs = paths.page, args
	}
	if terms := f.terms(); terms != nil {
		if paths, err = s.searchPaths(ctx, f, actor.OrgID, conds, args, terms, offset); err != nil {
			return Page{}, apperr.Wrap(err, "search incidents")
		}
	}
	p := Page{Page: f.Page, PerPage: f.PerPage, Items: []Incident{}}
	n := len(paths.pageArgs)
	const order = ` ORDER BY i.discovered_at DESC, i.id DESC`
	rows, err := q.QueryContext(ctx, `SELECT `+prefixed(columns)+` FROM incidents i WHERE i.id IN (SELECT i.id FROM incidents i WHERE `+
		paths.page+order+fmt.Sprintf(` LIMIT $%d OFFSET $%d)`, n+1, n+2)+order, append(paths.pageArgs[:n:n], f.PerPage, offset)...)
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
	switch got := len(p.Items); {
	case got < f.PerPage && (got > 0 || offset == 0):
		// A page that is not full gives the total by itself.
		p.Total = offset + got
	case paths.total >= 0:
		p.Total = paths.total
	case paths.count == "":
		if p.Total, err = s.countFiltered(ctx, f, actor.OrgID); err != nil {
			return Page{}, apperr.Wrap(err, "count incidents")
		}
	default:
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents i WHERE `+paths.count, paths.countArgs...).Scan(&p.Total); err != nil {
			return Page{}, apperr.Wrap(err, "count incidents")
		}
	}
	return p, apperr.Wrap(fillAssets(ctx, q, actor.OrgID, p.Items), "list incidents")
}

// listPaths are the conditions a list reads its page and counts its total
// with (the same rows, possibly found different ways) with their arguments,
// and the total when it is already known (-1 when not).
type listPaths struct {
	page, count         string
	pageArgs, countArgs []any
	total               int
}

// The costs of SQLite's two ways of a search per row, as measured at 200k
// incidents (docs/benchmarks.md): walking an index entry and checking it
// against the matches, and reading a match's row to check and sort it.
const (
	walkCostNs = 300
	readCostNs = 3700
)

// searchPaths picks how a list with words is read. PostgreSQL's planner
// weighs the ways itself from its statistics. SQLite's does not know how
// many rows the words match, and always reads every match's row and sorts
// them (50 ms for the 12 000 incidents 篡改 matches). So here the matches
// are counted in the full-text index first (the pager needs the number
// anyway), and when they are many the page walks the filter's index in sort
// order instead, checking each row against the matches, and stops at the
// page's end (store.Dialect.WalkTerms): 6 ms for 篡改. The total of a
// filtered search is counted the cheaper way likewise.
func (s *Service) searchPaths(ctx context.Context, f Filter, orgID int64, conds []string, args []any, terms []store.Term, offset int) (listPaths, error) {
	d := s.DB.Dialect
	with := func(cond string, arg any) (string, []any) {
		return strings.Join(append(conds[:len(conds):len(conds)], cond), " AND "), append(args[:len(args):len(args)], arg)
	}
	orgQuery := d.OrgTermQuery(orgID, terms)
	match, matchArgs := with(d.MatchOrgTerms("incident", "i", len(args)+1), orgQuery)
	paths := listPaths{page: match, count: match, pageArgs: matchArgs, countArgs: matchArgs, total: -1}
	countQuery, walkCond := d.CountOrgTerms("incident"), d.WalkTerms("incident", "i", len(args)+1)
	if countQuery == "" || walkCond == "" {
		return paths, nil
	}
	var matches int
	if err := s.DB.Read().QueryRowContext(ctx, countQuery, orgQuery).Scan(&matches); err != nil {
		return paths, fmt.Errorf("count matches: %w", err)
	}
	filtered := len(conds) > 1
	if !filtered {
		paths.total = matches
	}
	if matches == 0 {
		paths.total = 0
		return paths, nil
	}
	walk, walkArgs := with(walkCond, d.TermQuery(terms))
	all, err := s.countFiltered(ctx, Filter{}, orgID)
	if err != nil {
		return paths, err
	}
	// Walking meets a match every all/matches entries (when the words and
	// the filter are independent); reading costs a row per match.
	if float64(offset+f.PerPage)*float64(all)/float64(matches)*walkCostNs < float64(matches)*readCostNs {
		paths.page, paths.pageArgs = walk, walkArgs
	}
	if filtered {
		inFilter, err := s.countFiltered(ctx, f, orgID)
		if err != nil {
			return paths, err
		}
		if float64(inFilter)*walkCostNs < float64(matches)*readCostNs {
			paths.count, paths.countArgs = walk, walkArgs
		}
	}
	return paths, nil
}

// countFiltered sums incident_counts for a filter without words (a few
// rows per phase, status, grade and category instead of a count of rows).
func (s *Service) countFiltered(ctx context.Context, f Filter, orgID int64) (int, error) {
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
		if isCategoryClass(f.Category) {
			cargs = append(cargs, f.Category, store.EscapeLike(f.Category)+"-%")
			conds = append(conds, fmt.Sprintf(`(category = $%d OR category LIKE $%d ESCAPE '\')`, len(cargs)-1, len(cargs)))
		} else {
			add("category = $N", f.Category)
		}
	}
	var total int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM incident_counts WHERE `+
		strings.Join(conds, " AND "), cargs...).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("count incidents: %w", err)
	}
	return total, nil
}

func validPhase(p Phase) bool {
	for _, x := range Phases {
		if x == p {
			return true
		}
	}
	return false
}
