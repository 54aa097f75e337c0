package incident_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The benchmark fixture is what the service would have written: the
// milestones follow the lifecycle's rules, the derived columns are the
// service's (CatchUp finds nothing to fix), the list and the metrics read
// through the triggers' counts and rollup agree with the incidents, the
// timeline holds the entries asked for, and the next incident reported gets
// the next number.
func TestSeedFollowsTheService(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Incidents
		svc.Location = shanghai
		ctx := context.Background()
		seeded, err := incident.SeedBench(ctx, db, e.Org, 400, 4000, 9, e.Clock.Now(), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		resp := e.Actor(e.CreateUser("resp", e.Org, auth.RoleResponder), e.Org)
		incs := all(t, svc, resp)
		if len(incs) != len(seeded) {
			t.Fatalf("%d incidents read, %d seeded", len(incs), len(seeded))
		}
		idx := func(p incident.Phase) int { return slices.Index(incident.Phases, p) }
		phases := map[incident.Phase]int{}
		for _, i := range incs {
			phases[i.Phase]++
			closed := i.Phase == incident.PhaseClosed
			if (i.RespondedAt != nil) != (idx(i.Phase) > idx(incident.PhaseDetection)) || (i.ClosedAt != nil) != closed ||
				(i.ContainedAt != nil && idx(i.Phase) <= idx(incident.PhaseContainment)) || (i.Status == "closed") != closed ||
				(i.ContainedAt == nil && idx(i.Phase) > idx(incident.PhaseContainment) && !closed) {
				t.Fatalf("%s in %s/%s: responded %v contained %v closed %v", i.Number, i.Phase, i.Status, i.RespondedAt, i.ContainedAt, i.ClosedAt)
			}
			if i.OccurredAt != nil && i.OccurredAt.After(i.DiscoveredAt) || i.RespondedAt != nil && i.RespondedAt.Before(i.DiscoveredAt) {
				t.Fatalf("%s: times out of order", i.Number)
			}
		}
		if len(phases) < 5 || phases[incident.PhaseClosed] < len(incs)/2 {
			t.Errorf("phases %v", phases)
		}
		if n, err := svc.CatchUp(ctx); err != nil || n != 0 {
			t.Errorf("catch-up changed %d seeded incidents: %v", n, err)
		}
		classes, err := svc.Metrics(resp, incident.MetricsFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []incident.MetricsFilter{{}, {From: 202212}, {Category: "NA", From: 202301}, {Grade: 4}} {
			got, err := svc.Metrics(resp, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := expectMetrics(got, incs, classes.ByCategory, shanghai); !reflect.DeepEqual(got, want) {
				t.Errorf("metrics %+v:\n got %+v\nwant %+v", f, got, want)
			}
		}
		for _, f := range []incident.Filter{{}, {Status: "open"}, {Grade: 3, Category: "NA"}, {Query: "篡改"}, {Query: "门户网站", Status: "closed"}} {
			p, err := svc.List(resp, f)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, i := range incs {
				if matches(f, i) {
					want++
				}
			}
			if p.Total != want || want == 0 {
				t.Errorf("list %+v: %d, want %d", f, p.Total, want)
			}
		}
		var entries int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_timeline WHERE org_id = $1`, e.Org).Scan(&entries); err != nil || entries != 4000 {
			t.Errorf("%d timeline entries: %v", entries, err)
		}
		last := map[string]int{}
		for _, i := range incs {
			y, n, _ := strings.Cut(strings.TrimPrefix(i.Number, "SJ-"), "-")
			v, _ := strconv.Atoi(n) // not fmt.Sscan: "0119" would read as octal
			last[y] = max(last[y], v)
		}
		i, err := svc.Create(resp, incident.Input{Title: "新事件", DiscoveredAt: e.Clock.Now()})
		if err != nil || i.Number != fmt.Sprintf("SJ-2026-%04d", last["2026"]+1) {
			t.Errorf("next number %s (last seeded %d): %v", i.Number, last["2026"], err)
		}
	})
}
