package incident_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Benchmarks of the incident register at scale (issue 3, point 12): one
// organisation with 200 000 incidents over four years and 2 000 000 timeline
// entries, beside a second organisation with a tenth of that in the same
// tables. Target on the 2-core reference machine (docs/benchmarks.md): a
// filtered list page and the dashboard each in ≤ 50 ms median. The fixture
// is seeded once per engine per test binary, only when a benchmark asks for
// it, and dropped by TestMain; `go test ./...` never builds it.
//
//	go test ./internal/incident/ -run '^$' -bench 'Scale' -benchtime 50x -count 5 -timeout 90m

var (
	scaleIncidents = flag.Int("incident.n", 200_000, "incidents in the benchmark organisation")
	scaleEntries   = flag.Int("incident.entries", 2_000_000, "timeline entries in the benchmark organisation")
)

// bigEntries is the timeline of the one incident whose pages are measured.
const bigEntries = 10_000

var benchNow = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// scaleFixture is one seeded database.
type scaleFixture struct {
	once   sync.Once
	db     *store.DB
	org    int64
	big    int64 // the incident with bigEntries timeline entries
	sample incident.Incident
	close  func()
	err    error
}

var scaleFixtures = map[store.Dialect]*scaleFixture{store.SQLite: {}, store.Postgres: {}}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range scaleFixtures {
		if f.close != nil {
			f.close()
		}
	}
	os.Exit(code)
}

func scaled(b *testing.B, engine store.Dialect) *scaleFixture {
	b.Helper()
	f := scaleFixtures[engine]
	f.once.Do(func() { f.err = f.seed(engine) })
	if errors.Is(f.err, storetest.ErrNoPostgres) {
		b.Skip("BULWARK_TEST_POSTGRES not set; skipping the PostgreSQL run")
	}
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f
}

func (f *scaleFixture) seed(engine store.Dialect) error {
	ctx := context.Background()
	db, closeDB, err := storetest.Lasting(ctx, engine)
	if err != nil {
		return err
	}
	f.db, f.close = db, closeDB
	start := time.Now()
	opt := app.DefaultOptions()
	opt.Location = shanghai
	a := app.New(db, clock.NewFake(benchNow), opt)
	if f.org, _, err = a.Bootstrap(ctx); err != nil {
		return err
	}
	other, err := a.Orgs.Create(app.SystemContext(ctx, f.org), "其他单位", "other")
	if err != nil {
		return err
	}
	incs, err := incident.SeedBench(ctx, db, f.org, *scaleIncidents, *scaleEntries-bigEntries, 1, benchNow, shanghai)
	if err != nil {
		return err
	}
	if _, err := incident.SeedBench(ctx, db, other.ID, *scaleIncidents/10, *scaleEntries/10, 2, benchNow, shanghai); err != nil {
		return err
	}
	f.sample = incs[len(incs)/2].Incident
	// The big incident goes through the service: reported, graded by the
	// reporter, its response begun; then its entries.
	actor := auth.WithActor(ctx, &auth.Actor{UserID: 1, Username: "bench", OrgID: f.org, Roles: []auth.Role{auth.RoleResponder}})
	big, err := a.Incidents.Create(actor, incident.Input{Title: "核心交换网遭受勒索软件攻击", Description: "大量终端文件被加密",
		DiscoveredAt: benchNow.Add(-72 * time.Hour), Category: "MP-07", Grade: 2})
	if err != nil {
		return err
	}
	if _, err := a.Lifecycle.Transition(actor, big.ID, incident.PhaseContainment, ""); err != nil {
		return err
	}
	if err := incident.SeedTimeline(ctx, db, f.org, big.ID, bigEntries, big.DiscoveredAt); err != nil {
		return err
	}
	f.big = big.ID
	if engine == store.Postgres {
		// What autovacuum does to freshly loaded tables within a minute.
		for _, t := range []string{"incidents", "incident_timeline", "incident_counts", "incident_rollup", "audit_log"} {
			if _, err := db.Write().ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
				return fmt.Errorf("vacuum analyze %s: %w", t, err)
			}
		}
	} else if _, err := db.Write().ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d incidents and %d timeline entries (plus %d and %d in another organisation) on %s in %s\n",
		*scaleIncidents, *scaleEntries, *scaleIncidents/10, *scaleEntries/10, engine, time.Since(start).Round(time.Second))
	return nil
}

// scaleEnv is the application over the fixture, with a user of the
// organisation (a fresh one per benchmark).
func (f *scaleFixture) env(b *testing.B) (*servertest.Env, context.Context, *servertest.Client) {
	b.Helper()
	e := servertest.NewOn(b, f.db)
	e.App.Incidents.Location = shanghai
	u := e.CreateUser(fmt.Sprintf("bench-%d", time.Now().UnixNano()), f.org, auth.RoleResponder)
	return e, e.Actor(u, f.org), e.SessionClient(u, f.org)
}

// scaleEngines runs fn as sub-benchmarks sqlite and postgres.
func scaleEngines(b *testing.B, fn func(b *testing.B, f *scaleFixture)) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) { fn(b, scaled(b, engine)) })
	}
}

// measure runs fn b.N times and reports the median and 95th percentile of
// the single calls beside the mean that ns/op gives.
func measure(b *testing.B, fn func() error) {
	b.Helper()
	durs := make([]time.Duration, 0, 256)
	for b.Loop() {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t0))
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2])/1e6, "median-ms")
	b.ReportMetric(float64(durs[len(durs)*95/100])/1e6, "p95-ms")
}

// listCases are the filtered first pages measured, each sorted by discovery.
var listCases = []struct {
	name string
	f    incident.Filter
}{
	{"all", incident.Filter{}},
	{"open", incident.Filter{Status: "open"}},
	{"phase=containment", incident.Filter{Phase: incident.PhaseContainment}},
	{"grade=II", incident.Filter{Grade: 2}},
	{"class=NA", incident.Filter{Category: "NA"}},
	{"sub=NA-09", incident.Filter{Category: "NA-09"}},
	{"closed+grade=IV+class=NA", incident.Filter{Status: "closed", Grade: 4, Category: "NA"}},
	{"grade=I+class=DS", incident.Filter{Grade: 1, Category: "DS"}},
	{"search=篡改", incident.Filter{Query: "篡改"}},
	{"search=勒索+open", incident.Filter{Query: "勒索", Status: "open"}},
	{"search=门户网站首页", incident.Filter{Query: "门户网站首页"}},
	{"search=number", incident.Filter{}}, // the sample's number, filled in
	{"all/page200", incident.Filter{Page: 200}},
}

func BenchmarkScaleList(b *testing.B) {
	scaleEngines(b, func(b *testing.B, f *scaleFixture) {
		e, ctx, _ := f.env(b)
		for _, c := range listCases {
			if c.name == "search=number" {
				c.f.Query = f.sample.Number
			}
			b.Run(c.name, func(b *testing.B) {
				measure(b, func() error {
					p, err := e.App.Incidents.List(ctx, c.f)
					if err == nil && (len(p.Items) == 0 || p.Total < len(p.Items)) {
						err = fmt.Errorf("filter %+v: %d items of %d", c.f, len(p.Items), p.Total)
					}
					return err
				})
			})
		}
	})
}

// metricsCases are the dashboards measured.
var metricsCases = []struct {
	name string
	f    incident.MetricsFilter
}{
	{"last12months", incident.MetricsFilter{}},
	{"last12months+class=NA", incident.MetricsFilter{Category: "NA"}},
	{"last12months+grade=III", incident.MetricsFilter{Grade: 3}},
	{"last12months+class+grade", incident.MetricsFilter{Category: "MP", Grade: 4}},
	{"48months", incident.MetricsFilter{From: 202212}},
}

func BenchmarkScaleMetrics(b *testing.B) {
	scaleEngines(b, func(b *testing.B, f *scaleFixture) {
		e, ctx, _ := f.env(b)
		for _, c := range metricsCases {
			b.Run(c.name, func(b *testing.B) {
				measure(b, func() error {
					m, err := e.App.Incidents.Metrics(ctx, c.f)
					if err == nil && m.Incidents == 0 {
						err = fmt.Errorf("metrics %+v: no incidents", c.f)
					}
					return err
				})
			})
		}
	})
}

// BenchmarkScaleIncident reads the incident with 10 000 timeline entries as
// its pages do: the incident with its history and suspected duplicates, and
// its timeline.
func BenchmarkScaleIncident(b *testing.B) {
	scaleEngines(b, func(b *testing.B, f *scaleFixture) {
		e, ctx, _ := f.env(b)
		b.Run("get+history", func(b *testing.B) {
			measure(b, func() error {
				i, err := e.App.Incidents.Get(ctx, f.big)
				if err == nil {
					_, err = e.App.Incidents.History(ctx, f.big)
				}
				if err == nil {
					_, err = e.App.Incidents.Duplicates(ctx, i.AssetIDs, i.ID)
				}
				return err
			})
		})
		b.Run("timeline", func(b *testing.B) {
			measure(b, func() error {
				ev, err := e.App.Lifecycle.Timeline(ctx, f.big)
				if err == nil && len(ev) != 500 {
					err = fmt.Errorf("%d events", len(ev))
				}
				return err
			})
		})
	})
}

// BenchmarkScalePages fetches whole pages over HTTP as a signed-in
// responder: session, service calls, template and all.
func BenchmarkScalePages(b *testing.B) {
	scaleEngines(b, func(b *testing.B, f *scaleFixture) {
		_, _, c := f.env(b)
		for _, p := range []struct{ name, path string }{
			{"list", "/incidents"},
			{"list+grade+class", "/incidents?grade=3&category=NA"},
			{"list+search", "/incidents?q=" + url.QueryEscape("篡改")},
			{"dashboard", "/incidents/dashboard"},
			{"dashboard+class", "/incidents/dashboard?category=NA"},
			{"incident", fmt.Sprintf("/incidents/%d", f.big)},
			{"timeline", fmt.Sprintf("/incidents/%d/timeline", f.big)},
		} {
			b.Run(p.name, func(b *testing.B) {
				measure(b, func() error {
					if res := c.Get(p.path); res.StatusCode != 200 {
						return fmt.Errorf("GET %s: %d", p.path, res.StatusCode)
					}
					return nil
				})
			})
		}
	})
}

// BenchmarkScaleWrite is what the counts, the rollup and the search index
// cost each write at scale: reporting an incident (row, counts, rollup,
// full-text terms, audit record) and starting its response (the phase,
// the milestone, the rollup again). It runs last: it adds incidents.
func BenchmarkScaleWrite(b *testing.B) {
	scaleEngines(b, func(b *testing.B, f *scaleFixture) {
		e, ctx, _ := f.env(b)
		b.Run("report+respond", func(b *testing.B) {
			measure(b, func() error {
				i, err := e.App.Incidents.Create(ctx, incident.Input{Title: "门户网站首页被篡改", Description: "监测发现首页出现不当言论",
					DiscoveredAt: benchNow.Add(-time.Hour), Category: "NA-09", Grade: 3})
				if err == nil {
					_, err = e.App.Lifecycle.Transition(ctx, i.ID, incident.PhaseContainment, "")
				}
				return err
			})
		})
	})
}
