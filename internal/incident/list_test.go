package incident_test

import (
	"slices"
	"strings"
	"testing"

	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// matches is what a filter means, written plainly: the list must return
// exactly these incidents, newest discovery first, whichever of its paths
// (indexes, counts table, full-text index) it takes.
func matches(f incident.Filter, i incident.Incident) bool {
	if f.Phase != "" && i.Phase != f.Phase || f.Grade != 0 && i.GradeValue() != f.Grade || f.Status != "" && i.Status != f.Status {
		return false
	}
	if f.Category != "" && i.Category != f.Category && !strings.HasPrefix(i.Category, f.Category+"-") {
		return false
	}
	text := strings.ToLower(i.Number + " " + i.Title + " " + i.Description + " " + strings.Join(i.BusinessSystems, " "))
	for _, w := range strings.Fields(strings.ToLower(f.Query)) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func TestListPathsAgreeWithFilter(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Incidents
		a := newMetricsBed(t, e, e.Org, "a", 3)
		a.populate(t, 70)
		// A second organisation's look-alikes share every table and index.
		b := newMetricsBed(t, e, e.CreateOrg("客户B"), "b", 4)
		b.populate(t, 30)
		incs := all(t, svc, a.resp)
		if len(incs) != 70 {
			t.Fatalf("%d incidents", len(incs))
		}
		var filters []incident.Filter
		for _, p := range append([]incident.Phase{""}, incident.Phases...) {
			filters = append(filters, incident.Filter{Phase: p})
		}
		for g := range 5 {
			filters = append(filters, incident.Filter{Grade: g})
		}
		for _, c := range []string{"NA", "NA-09", "MP", "MP-07", "OTH", "DE"} {
			filters = append(filters, incident.Filter{Category: c}, incident.Filter{Category: c, Status: "open"})
		}
		for _, q := range []string{"篡改", "门户", "门户 篡改", "phish", "db01", "数据泄露", "攻击", "finance mail", "SJ-2026", "nothing", "SJ-2026-0005", " sj-2026-0042 "} {
			filters = append(filters, incident.Filter{Query: q}, incident.Filter{Query: q, Status: "closed"}, incident.Filter{Query: q, Grade: 3})
		}
		filters = append(filters, incident.Filter{Status: "open"}, incident.Filter{Status: "closed"},
			incident.Filter{Phase: incident.PhaseClosed, Grade: 4, Category: "NA"}, incident.Filter{Status: "open", Grade: 2})
		for _, f := range filters {
			var want []int64
			for _, i := range incs {
				if matches(f, i) {
					want = append(want, i.ID)
				}
			}
			for _, per := range []int{7, 50} {
				f := f
				f.PerPage = per
				for page := 1; page <= len(want)/per+2; page++ {
					f.Page = page
					p, err := svc.List(a.resp, f)
					if err != nil {
						t.Fatalf("%+v: %v", f, err)
					}
					var got []int64
					for _, i := range p.Items {
						got = append(got, i.ID)
					}
					lo, hi := min((page-1)*per, len(want)), min(page*per, len(want))
					if p.Total != len(want) || !slices.Equal(got, want[lo:hi]) {
						t.Errorf("%+v: total %d ids %v, want %d %v", f, p.Total, got, len(want), want[lo:hi])
					}
				}
			}
		}
		// The example of the issue: two characters find the defacement.
		p, err := svc.List(a.resp, incident.Filter{Query: "篡改"})
		if err != nil || p.Total == 0 || !strings.Contains(p.Items[0].Title, "门户首页被篡改") {
			t.Errorf("篡改: %d %v", p.Total, err)
		}
		if _, err := svc.List(a.resp, incident.Filter{Status: "pending"}); err == nil {
			t.Error("unknown status accepted")
		}
	})
}
