package incident_test

import (
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// BenchmarkTimeline reads the timeline of an incident that went through
// containment with a plan (about 12 audit records over incident, plan and
// approval) and has 1,000 manual entries, through the service.
func BenchmarkTimeline(b *testing.B) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			e := servertest.New(b, engine)
			resp := e.Actor(e.CreateUser("resp", e.Org, auth.RoleResponder), e.Org)
			mgr := e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
			inc, err := e.App.Incidents.Create(resp, incident.Input{Title: "bench", DiscoveredAt: e.Clock.Now()})
			if err != nil {
				b.Fatal(err)
			}
			l := e.App.Lifecycle
			if _, err := l.Transition(resp, inc.ID, incident.PhaseContainment, ""); err != nil {
				b.Fatal(err)
			}
			p, err := l.Draft(resp, inc.ID, incident.PlanInput{Measures: "m"})
			if err == nil {
				p, err = l.Submit(resp, inc.ID, p.ID)
			}
			if err == nil {
				_, err = e.App.Approvals.Decide(mgr, p.ApprovalID, true, "")
			}
			if err != nil {
				b.Fatal(err)
			}
			const n = 1000
			for k := range n {
				if _, err := l.AddEntry(resp, inc.ID, incident.EntryInput{Kind: incident.EntryManual, Body: "entry",
					HappenedAt: e.Clock.Now().Add(-time.Duration(k) * time.Minute)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				ev, err := l.Timeline(resp, inc.ID)
				if err != nil || len(ev) != 500 {
					b.Fatalf("%d events, %v", len(ev), err)
				}
			}
		})
	}
}
