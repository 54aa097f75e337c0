package incident_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestBucketsMatchTheDatabase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		rows, err := db.Read().QueryContext(context.Background(), `SELECT bucket, upper_s FROM incident_duration_buckets ORDER BY bucket`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []int64
		for rows.Next() {
			var b int
			var u int64
			if err := rows.Scan(&b, &u); err != nil {
				t.Fatal(err)
			}
			if b != len(got) {
				t.Fatalf("bucket %d after %d buckets", b, len(got))
			}
			got = append(got, u)
		}
		if !reflect.DeepEqual(got, incident.BucketUpper) {
			t.Errorf("database buckets %v\nGo buckets %v", got, incident.BucketUpper)
		}
	})
	for secs, want := range map[int64]int{-5: 0, 0: 0, 59: 0, 60: 1, 70: 1, 71: 2, 3599: 24, 3600: 24, 62914559: 80, 62914560: 81, 1 << 40: 81} {
		if got := incident.BucketOf(secs); got != want {
			t.Errorf("BucketOf(%d) = %d, want %d", secs, got, want)
		}
	}
}

// metricsBed is an organisation with incidents in every state, built through
// the services, so the triggers behind the rollup see every kind of change.
type metricsBed struct {
	e            *servertest.Env
	resp, leader context.Context
	mgr          context.Context
	r            *rand.Rand
	categories   []string
}

func newMetricsBed(t *testing.T, e *servertest.Env, org int64, prefix string, seed uint64) *metricsBed {
	return &metricsBed{e: e, r: rand.New(rand.NewPCG(seed, 26)),
		resp:       e.Actor(e.CreateUser(prefix+"-resp", org, auth.RoleResponder), org),
		leader:     e.Actor(e.CreateUser(prefix+"-leader", org, auth.RoleLeadership), org),
		mgr:        e.Actor(e.CreateUser(prefix+"-mgr", org, auth.RoleSecurityManager), org),
		categories: []string{"", "NA", "NA-09", "NA-01", "MP-07", "DS-03", "IC-04", "OTH"},
	}
}

// populate records n incidents discovered over the last 14 months (some
// right after a month begins in Shanghai, which is the previous month in
// UTC) and works them: moves by leadership decision, regrades, edits of the
// reported facts, reopenings.
func (b *metricsBed) populate(t *testing.T, n int) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	now := b.e.Clock.Now()
	var ids []int64
	for k := range n {
		discovered := now.Add(-time.Duration(b.r.Int64N(int64(420 * 24 * time.Hour))))
		if k%7 == 0 {
			// 00:20 on the first of a month in Shanghai.
			m := time.Date(2026, time.Month(1+b.r.IntN(11)), 1, 0, 20, 0, 0, shanghai)
			discovered = m
		}
		in := incident.Input{Title: fmt.Sprintf("%s %d", bedTitles[b.r.IntN(len(bedTitles))], k), DiscoveredAt: discovered,
			Category: b.categories[b.r.IntN(len(b.categories))], Grade: b.r.IntN(5)}
		if b.r.IntN(2) == 0 {
			in.OccurredAt = discovered.Add(-time.Duration(b.r.Int64N(int64(72 * time.Hour))))
		}
		i, err := b.e.App.Incidents.Create(b.resp, in)
		must(err)
		ids = append(ids, i.ID)
	}
	l := b.e.App.Lifecycle
	targets := []incident.Phase{incident.PhaseContainment, incident.PhaseEradication, incident.PhaseRecovery,
		incident.PhaseSummary, incident.PhaseClosed}
	for _, id := range ids {
		b.e.Clock.Advance(time.Duration(b.r.IntN(600)) * time.Minute)
		switch b.r.IntN(6) {
		case 0: // still in detection
		case 1, 2, 3: // moved on, one or two steps
			to := targets[b.r.IntN(len(targets))]
			_, err := l.Exception(b.leader, id, to, "测试")
			must(err)
			if to != incident.PhaseClosed && b.r.IntN(2) == 0 {
				b.e.Clock.Advance(time.Duration(b.r.IntN(3000)) * time.Minute)
				_, err := l.Exception(b.leader, id, incident.PhaseClosed, "测试")
				must(err)
				if b.r.IntN(3) == 0 {
					_, err := l.Reopen(b.resp, id, "复发")
					must(err)
				}
			}
		case 4: // regraded
			i, err := b.e.App.Incidents.Get(b.resp, id)
			must(err)
			g := incident.GradeInput{Factors: incident.Factors{Importance: incident.ImportanceGeneral, Loss: incident.LossMinor,
				Impact: incident.ImpactGeneral}, Grade: 1 + b.r.IntN(4), Reason: "测试"}
			if i.GradeConfirmed {
				_, _, err = b.e.App.Incidents.Regrade(b.mgr, id, g)
			} else {
				_, _, err = b.e.App.Incidents.Grade(b.mgr, id, g)
			}
			must(err)
		case 5: // facts edited: another category, discovery a day earlier, no occurrence
			i, err := b.e.App.Incidents.Get(b.resp, id)
			must(err)
			_, err = b.e.App.Incidents.Update(b.resp, id, incident.Input{Title: i.Title, DiscoveredAt: i.DiscoveredAt.Add(-24 * time.Hour),
				Category: b.categories[b.r.IntN(len(b.categories))], Source: i.Source})
			must(err)
		}
	}
}

// bedTitles are what the incidents are called.
var bedTitles = []string{"门户首页被篡改", "勒索病毒感染 db01", "Phishing mail to finance", "数据库数据泄露", "DDoS 攻击导致门户无法访问"}

// all reads every incident of ctx's organisation.
func all(t *testing.T, svc *incident.Service, ctx context.Context) []incident.Incident {
	t.Helper()
	var out []incident.Incident
	for page := 1; ; page++ {
		p, err := svc.List(ctx, incident.Filter{Page: page, PerPage: 500})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if len(out) >= p.Total {
			return out
		}
	}
}

func classOf(category string) string {
	class, _, _ := strings.Cut(category, "-")
	return class
}

func secs(a, b *time.Time) (int64, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	return int64(a.Sub(*b) / time.Second), true
}

// expectMetrics computes what Metrics must say from the incidents themselves.
func expectMetrics(got incident.Metrics, incs []incident.Incident, classes []incident.CategoryCount, loc *time.Location) incident.Metrics {
	from, _ := incident.ParseMonth(got.From)
	to, _ := incident.ParseMonth(got.To)
	want := incident.Metrics{From: got.From, To: got.To, Category: got.Category, Grade: got.Grade, TimeZone: loc.String()}
	grades := []int{1, 2, 3, 4, 0}
	if got.Grade != 0 {
		grades = []int{got.Grade}
	}
	byMonth := map[incident.Month]map[int]int64{}
	byClass := map[string]int64{}
	byGrade := map[int]int64{}
	durs := map[string][]int64{}
	for _, i := range incs {
		m := incident.MonthOf(i.DiscoveredAt, loc)
		if m < from || m > to || (got.Category != "" && classOf(i.Category) != got.Category) || (got.Grade != 0 && i.GradeValue() != got.Grade) {
			continue
		}
		if byMonth[m] == nil {
			byMonth[m] = map[int]int64{}
		}
		byMonth[m][i.GradeValue()]++
		byClass[classOf(i.Category)]++
		byGrade[i.GradeValue()]++
		d := i.DiscoveredAt
		for metric, pair := range map[string][2]*time.Time{incident.MetricDetect: {&d, i.OccurredAt},
			incident.MetricRespond: {i.RespondedAt, &d}, incident.MetricContain: {i.ContainedAt, &d}, incident.MetricClose: {i.ClosedAt, &d}} {
			if s, ok := secs(pair[0], pair[1]); ok {
				durs[metric] = append(durs[metric], s)
			}
		}
	}
	for m := from; m <= to; m = m.Add(1) {
		mc := incident.MonthCount{Month: m.String(), ByGrade: []incident.GradeCount{}}
		for _, g := range grades {
			mc.ByGrade = append(mc.ByGrade, incident.GradeCount{Grade: g, Count: byMonth[m][g]})
			mc.Total += byMonth[m][g]
		}
		want.ByMonth = append(want.ByMonth, mc)
		want.Incidents += mc.Total
	}
	for _, g := range grades {
		want.ByGrade = append(want.ByGrade, incident.GradeCount{Grade: g, Count: byGrade[g]})
	}
	for _, c := range classes {
		if got.Category == "" || c.Code == got.Category {
			c.Count = byClass[c.Code]
			want.ByCategory = append(want.ByCategory, c)
		}
	}
	for _, name := range incident.MetricNames {
		want.Durations = append(want.Durations, incident.Summarize(name, durs[name]))
	}
	return want
}

// The dashboard's figures, read from the rollup the triggers keep, are the
// figures computed from the incidents themselves, for every filter, after
// creates, moves, reopenings, regrades and edits, in two organisations.
func TestMetricsAgreeWithTheIncidents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Incidents
		svc.Location = shanghai
		a := newMetricsBed(t, e, e.Org, "a", 1)
		orgB := e.CreateOrg("客户B")
		b := newMetricsBed(t, e, orgB, "b", 2)
		a.populate(t, 90)
		b.populate(t, 25)
		classes := func() []incident.CategoryCount {
			m, err := svc.Metrics(a.resp, incident.MetricsFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return m.ByCategory
		}()
		filters := []incident.MetricsFilter{
			{},
			{From: 202509, To: 202612},
			{From: 202611, To: 202611},
			{Category: "NA"},
			{Category: "MP", From: 202501},
			{Grade: 3},
			{Category: "NA", Grade: 2, From: 202510},
		}
		for _, bed := range []*metricsBed{a, b} {
			incs := all(t, svc, bed.resp)
			for _, f := range filters {
				got, err := svc.Metrics(bed.resp, f)
				if err != nil {
					t.Fatalf("%+v: %v", f, err)
				}
				want := expectMetrics(got, incs, classes, shanghai)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("filter %+v:\n got %+v\nwant %+v", f, got, want)
				}
			}
		}
		// Organisation B's figures hold none of A's incidents.
		ma, _ := svc.Metrics(a.resp, incident.MetricsFilter{From: 202401})
		mb, _ := svc.Metrics(b.resp, incident.MetricsFilter{From: 202401})
		if ma.Incidents != 90 || mb.Incidents != 25 {
			t.Errorf("incidents counted: A %d (want 90), B %d (want 25)", ma.Incidents, mb.Incidents)
		}
	})
}

// The median and 90th percentile read off the histogram stay within one
// bucket (2^(1/4), 19%) of the exact values.
func TestPercentilesAreClose(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for k := range 200 {
		var xs []int64
		n := 1 + r.IntN(500)
		for range n {
			xs = append(xs, int64(60*r.ExpFloat64()*float64(1+k%50)*60))
		}
		d := incident.Summarize(incident.MetricRespond, xs)
		sorted := append([]int64(nil), xs...)
		slices.Sort(sorted)
		for _, c := range []struct {
			q   float64
			got *int64
		}{{0.5, d.MedianSeconds}, {0.9, d.P90Seconds}} {
			exact := sorted[max(0, int(c.q*float64(n)+0.999999)-1)]
			lo, hi := float64(exact)/1.19-60, float64(exact)*1.19+60
			if g := float64(*c.got); g < lo || g > hi {
				t.Errorf("q%.1f of %d values: %d, exact %d", c.q, n, *c.got, exact)
			}
		}
		var sum int64
		for _, x := range xs {
			sum += x
		}
		if want := int64(float64(sum)/float64(n) + 0.5); *d.MeanSeconds != want {
			t.Errorf("mean %d, want %d", *d.MeanSeconds, want)
		}
	}
}

func TestMetricsFilterChecks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		for name, c := range map[string]struct {
			f     incident.MetricsFilter
			field string
			key   string
		}{
			"reversed":     {incident.MetricsFilter{From: 202612, To: 202601}, "from", "err.incident_metrics_order"},
			"too long":     {incident.MetricsFilter{From: 201001, To: 202612}, "from", "err.incident_metrics_span"},
			"sub-category": {incident.MetricsFilter{Category: "NA-09"}, "category", "err.incident_metrics_class"},
			"unknown":      {incident.MetricsFilter{Category: "ZZ"}, "category", "err.incident_category_unknown"},
			"grade":        {incident.MetricsFilter{Grade: 7}, "grade", "err.invalid_choice"},
		} {
			_, err := e.App.Incidents.Metrics(e.resp, c.f)
			if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != c.field || ae.Fields[0].Key != c.key {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := e.App.Incidents.Metrics(context.Background(), incident.MetricsFilter{}); !apperr.Is(err, apperr.Unauthenticated) && !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("no actor: %v", err)
		}
		m, err := e.App.Incidents.Metrics(e.resp, incident.MetricsFilter{})
		if err != nil || m.From != "2025-12" || m.To != "2026-11" || len(m.ByMonth) != 12 || m.Incidents != 0 || m.Durations[0].MeanSeconds != nil {
			t.Errorf("empty default: %+v %v", m, err)
		}
	})
}

func TestParseMonth(t *testing.T) {
	for s, want := range map[string]incident.Month{"2026-11": 202611, "1999-01": 199901, " 2026-12 ": 202612} {
		if got, err := incident.ParseMonth(s); err != nil || got != want {
			t.Errorf("ParseMonth(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "2026-13", "2026-00", "26-01", "2026-1", "2026/01", "abcd-ef", "1969-12"} {
		if _, err := incident.ParseMonth(s); err == nil {
			t.Errorf("ParseMonth(%q) accepted", s)
		}
	}
	if m := incident.Month(202611); m.Add(2) != 202701 || m.Add(-11) != 202512 || m.Add(-23) != 202412 || m.String() != "2026-11" {
		t.Errorf("month arithmetic: %d %d %d %s", m.Add(2), m.Add(-11), m.Add(-23), m)
	}
}

// A month read back prints as it was typed, and anything else is refused.
func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-11", "1970-01", "9999-12", "2026-13", "", "-", "2026-1a", "２０２６-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := incident.ParseMonth(s)
		if err != nil {
			return
		}
		if m.Mon() < 1 || m.Mon() > 12 || m.Year() < 1970 || m.Year() > 9999 {
			t.Fatalf("%q parsed to %d", s, m)
		}
		if back, err := incident.ParseMonth(m.String()); err != nil || back != m || m.String() != strings.TrimSpace(s) {
			t.Fatalf("%q -> %d -> %q -> %d %v", s, m, m.String(), back, err)
		}
	})
}
