package asset

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/search"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// List finds its pages and totals by several paths (migration 0004 and
// count): ids from a filter-and-sort index, totals from asset_counts, from
// FTS5 alone, from a short page, or by COUNT. This test holds every path to
// the plain meaning of the filter: for many filters and sorts, walking all
// pages must give exactly the matching assets in the sort's order, and every
// page the right total, after creates, updates that move assets between
// counters, and deletes, with a second organisation's look-alike assets in
// the same tables.
func TestListPathsAgreeWithFilter(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		svc := &Service{DB: db, Clock: clock.NewFake(now), ValueMethod: ValueFormula}
		var actx [2]context.Context
		for i := range actx {
			orgID, err := benchSeedOrg(ctx, db, fmt.Sprint("org", i), now)
			if err != nil {
				t.Fatal(err)
			}
			actx[i] = auth.WithActor(ctx, &auth.Actor{UserID: 1, Username: "sec", OrgID: orgID, Roles: []auth.Role{auth.RoleSecurityManager}})
		}
		// Both organisations get the same register, so every filter matches
		// in both and a leak shows as a wrong total.
		mine := map[int64]Asset{}
		for i := range actx {
			for _, a := range benchAssets(240, now) {
				a.Number = ""
				out, err := svc.Create(actx[i], a)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					mine[out.ID] = out
				}
			}
		}
		// Move some assets between counters and delete others.
		ids := slices.Sorted(func(yield func(int64) bool) {
			for id := range mine {
				if !yield(id) {
					return
				}
			}
		})
		for k, id := range ids[:60] {
			a := mine[id]
			switch k % 4 {
			case 0:
				a.Type, a.Status = TypeStorage, StatusRetired
			case 1:
				a.Department = "新成立部门"
			case 2:
				a.Name = "核心交换机-改名"
			case 3:
				if err := svc.Delete(actx[0], id); err != nil {
					t.Fatal(err)
				}
				delete(mine, id)
				continue
			}
			out, err := svc.Update(actx[0], id, a)
			if err != nil {
				t.Fatal(err)
			}
			mine[id] = out
		}

		filters := []Filter{
			{},
			{Type: TypeServer},
			{Type: TypeStorage, Status: StatusRetired},
			{Status: StatusInUse},
			{Department: "新成立部门"},
			{Department: "信息技术部", Type: TypeTerminal},
			{BusinessSystem: benchSystems()[3]},
			{Tag: "等保三级"},
			{MinValue: 4},
			{Query: "交换"},
			{Query: "数据库服务器"},
			{Query: "cent"},
			{Query: "10"},
			{Query: "c"},
			{Query: "cen 10.20"},
			{Query: "corp.example"},
			{Query: "交换", Status: StatusInUse},
			{Query: "没有这种资产"},
			{Query: "o1"}, // a word, not the org column of the full-text index
		}
		sorts := []string{"", "name", "-name", "value", "-value", "-updated", "type", "status", "dept", "-number"}
		for _, f := range filters {
			for _, sort := range sorts {
				f.Sort = sort
				want := expectedOrder(t, db, svc, actx[0], f, mine)
				for _, per := range []int{11, 50} {
					f.PerPage = per
					var got []int64
					for page := 1; page <= len(want)/per+2; page++ {
						f.Page = page
						p, err := svc.List(actx[0], f)
						if err != nil {
							t.Fatalf("%+v: %v", f, err)
						}
						if p.Total != len(want) {
							t.Fatalf("%+v: total %d, want %d", f, p.Total, len(want))
						}
						for _, a := range p.Items {
							got = append(got, a.ID)
						}
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%+v: pages give\n%v\nwant\n%v", f, got, want)
					}
				}
			}
		}
	})
}

// expectedOrder returns the ids of the assets in mine that match f, in f's
// order. Which assets match is decided here in Go; the order comes from the
// database over the whole organisation (the engine's collation orders
// names), filtered by that set.
func expectedOrder(t *testing.T, db *store.DB, svc *Service, ctx context.Context, f Filter, mine map[int64]Asset) []int64 {
	t.Helper()
	order, err := f.orderBy()
	if err != nil {
		t.Fatal(err)
	}
	actor := auth.FromContext(ctx)
	rows, err := db.Read().QueryContext(ctx, `SELECT a.id FROM assets a WHERE a.org_id = $1 ORDER BY `+order, actor.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		a, ok := mine[id]
		if !ok {
			t.Fatalf("asset %d listed but not the organisation's", id)
		}
		if matches(f, a) {
			out = append(out, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// matches is the meaning of a filter, written plainly.
func matches(f Filter, a Asset) bool {
	if f.Type != "" && a.Type != f.Type || f.Status != "" && a.Status != f.Status ||
		f.Department != "" && a.Department != f.Department || f.BusinessSystem != "" && a.BusinessSystem != f.BusinessSystem ||
		f.Tag != "" && !slices.Contains(a.Tags, f.Tag) || f.MinValue > 0 && a.Value < f.MinValue {
		return false
	}
	indexed := strings.Fields(a.searchTerms())
	for _, term := range search.ParseQuery(f.Query) {
		if !slices.ContainsFunc(indexed, func(s string) bool {
			return s == term.Text || term.Prefix && strings.HasPrefix(s, term.Text)
		}) {
			return false
		}
	}
	return true
}
