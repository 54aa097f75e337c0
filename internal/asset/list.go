package asset

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/search"
	"bulwark/internal/store"
)

// Filter selects and orders assets. The zero value lists everything by number.
type Filter struct {
	Query          string // full-text, Chinese and Latin
	Type           Type
	Status         Status
	Department     string
	BusinessSystem string
	Tag            string
	MinValue       int
	Sort           string // number, name, type, status, value, updated; "-" prefix for descending
	Page           int    // 1-based
	PerPage        int
}

// Page is one page of a listing.
type Page struct {
	Items   []Asset `json:"items"`
	Total   int     `json:"total"`
	Page    int     `json:"page"`
	PerPage int     `json:"per_page"`
}

// SortKeys are the accepted sort names and their ORDER BY expressions. The
// id tiebreak keeps paging stable.
var sortKeys = map[string]string{
	"number":  "a.number",
	"name":    "a.name",
	"type":    "a.asset_type",
	"status":  "a.status",
	"value":   "a.asset_value",
	"updated": "a.updated_at",
	"dept":    "a.department",
}

// SortKeys lists the sort names (for the API's documentation and validation).
func SortKeys() []string {
	return []string{"number", "name", "type", "status", "value", "updated", "dept"}
}

// where builds the WHERE clause and its arguments for f in org. match is
// the full-text query bound in args ("" when f asks for none).
func (f Filter) where(d store.Dialect, orgID int64) (where string, args []any, match string) {
	conds := []string{"a.org_id = $1"}
	args = []any{orgID}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if terms := search.ParseQuery(f.Query); len(terms) > 0 {
		st := make([]store.Term, len(terms))
		for i, t := range terms {
			st[i] = store.Term{Text: t.Text, Prefix: t.Prefix}
		}
		match = d.OrgTermQuery(orgID, st)
		args = append(args, match)
		conds = append(conds, d.MatchOrgTerms("asset", "a", len(args)))
	}
	if f.Type != "" {
		add("a.asset_type = $%d", f.Type)
	}
	if f.Status != "" {
		add("a.status = $%d", f.Status)
	}
	if f.Department != "" {
		add("a.department = $%d", f.Department)
	}
	if f.BusinessSystem != "" {
		add("a.business_system = $%d", f.BusinessSystem)
	}
	if f.Tag != "" {
		// Tags are stored one per line; match a whole line.
		args = append(args, "\n")
		add(fmt.Sprintf(`($%d || a.tags || $%d) LIKE $%%d ESCAPE '\'`, len(args), len(args)), "%\n"+store.EscapeLike(f.Tag)+"\n%")
	}
	if f.MinValue > 0 {
		add("a.asset_value >= $%d", f.MinValue)
	}
	return strings.Join(conds, " AND "), args, match
}

func (f Filter) orderBy() (string, error) {
	key := f.Sort
	desc := strings.HasPrefix(key, "-")
	key = strings.TrimPrefix(key, "-")
	if key == "" {
		key = "number"
	}
	expr, ok := sortKeys[key]
	if !ok {
		return "", apperr.Fields([]apperr.FieldError{{Field: "sort", Key: "err.invalid_choice"}})
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return expr + dir + ", a.id" + dir, nil
}

// List returns one page of the actor's organisation's assets and the total.
//
// The page is read in two steps in one statement: the inner SELECT finds the
// page's ids in an index that serves both the filter and the sort (migration
// 0004), the outer one reads just those rows. Reading whole rows while
// skipping to a deep page or sorting would read every skipped or sorted row.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	actor, err := auth.Require(ctx, auth.PermAssetRead)
	if err != nil {
		return Page{}, err
	}
	order, err := f.orderBy()
	if err != nil {
		return Page{}, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 500)
	f.Page = max(f.Page, 1)
	where, args, match := f.where(s.DB.Dialect, actor.OrgID)
	p := Page{Page: f.Page, PerPage: f.PerPage, Items: []Asset{}}
	n := len(args)
	offset := (f.Page - 1) * f.PerPage
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+prefixed(columns)+` FROM assets a WHERE a.id IN (SELECT a.id FROM assets a WHERE `+
		where+` ORDER BY `+order+fmt.Sprintf(` LIMIT $%d OFFSET $%d) ORDER BY `, n+1, n+2)+order, append(args[:n:n], f.PerPage, offset)...)
	if err != nil {
		return Page{}, apperr.Wrap(err, "list assets")
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return Page{}, apperr.Wrap(err, "list assets")
		}
		p.Items = append(p.Items, a)
	}
	if err := rows.Err(); err != nil {
		return Page{}, apperr.Wrap(err, "list assets")
	}
	if p.Total, err = s.count(ctx, f, actor.OrgID, where, args, match, offset, len(p.Items)); err != nil {
		return Page{}, apperr.Wrap(err, "count assets")
	}
	return p, nil
}

// count returns the number of assets matching f, which List needs for the
// pager, by the cheapest exact way: a page that is not full already tells
// (the rows end on it); a filter on type, status and department only sums
// asset_counts; a search only counts in the full-text index where the
// engine can; anything else counts the rows.
func (s *Service) count(ctx context.Context, f Filter, orgID int64, where string, args []any, match string, offset, got int) (int, error) {
	if got < f.PerPage && (got > 0 || offset == 0) {
		return offset + got, nil
	}
	var total int
	if match == "" && f.BusinessSystem == "" && f.Tag == "" && f.MinValue <= 0 {
		conds, cargs := []string{"org_id = $1"}, []any{orgID}
		for _, c := range []struct{ col, v string }{{"asset_type", string(f.Type)}, {"status", string(f.Status)}, {"department", f.Department}} {
			if c.v != "" {
				cargs = append(cargs, c.v)
				conds = append(conds, fmt.Sprintf("%s = $%d", c.col, len(cargs)))
			}
		}
		err := s.DB.Read().QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM asset_counts WHERE `+
			strings.Join(conds, " AND "), cargs...).Scan(&total)
		return total, err
	}
	onlyMatch := f.Type == "" && f.Status == "" && f.Department == "" && f.BusinessSystem == "" && f.Tag == "" && f.MinValue <= 0
	if q := s.DB.Dialect.CountOrgTerms("asset"); match != "" && onlyMatch && q != "" {
		err := s.DB.Read().QueryRowContext(ctx, q, match).Scan(&total)
		return total, err
	}
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM assets a WHERE `+where, args...).Scan(&total)
	return total, err
}

// Each calls fn for every asset matching f (no paging), in f's order. Export
// uses it to stream large registers without holding them in memory.
func (s *Service) Each(ctx context.Context, f Filter, fn func(Asset) error) error {
	actor, err := auth.Require(ctx, auth.PermAssetRead)
	if err != nil {
		return err
	}
	order, err := f.orderBy()
	if err != nil {
		return err
	}
	where, args, _ := f.where(s.DB.Dialect, actor.OrgID)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+prefixed(columns)+` FROM assets a WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return apperr.Wrap(err, "read assets")
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return apperr.Wrap(err, "read assets")
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return apperr.Wrap(rows.Err(), "read assets")
}

// prefixed qualifies the column list with the alias a.
func prefixed(cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = "a." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// Distinct returns the distinct non-empty values of a filterable column, for
// the filter drop-downs (department or business system).
func (s *Service) Distinct(ctx context.Context, field string) ([]string, error) {
	actor, err := auth.Require(ctx, auth.PermAssetRead)
	if err != nil {
		return nil, err
	}
	col := map[string]string{"department": "department", "business_system": "business_system"}[field]
	if col == "" {
		return nil, apperr.New(apperr.Invalid, "err.invalid_choice")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT DISTINCT `+col+` FROM assets WHERE org_id = $1 AND `+col+` <> '' ORDER BY 1 LIMIT 500`, actor.OrgID)
	if err != nil {
		return nil, apperr.Wrap(err, "distinct "+field)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, apperr.Wrap(err, "distinct "+field)
		}
		out = append(out, v)
	}
	return out, apperr.Wrap(rows.Err(), "distinct "+field)
}

// FilterFromQuery reads the list filter from URL query parameters; the
// UI, the exports and the API use the same names.
func FilterFromQuery(q url.Values) Filter {
	f := Filter{
		Query: q.Get("q"), Type: Type(q.Get("type")), Status: Status(q.Get("status")),
		Department: q.Get("department"), BusinessSystem: q.Get("business_system"), Tag: q.Get("tag"),
		Sort: q.Get("sort"),
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.PerPage, _ = strconv.Atoi(q.Get("per_page"))
	f.MinValue, _ = strconv.Atoi(q.Get("min_value"))
	return f
}
