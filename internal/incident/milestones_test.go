package incident_test

import (
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// at is a time as the store gives it back.
func at(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func sameTime(p *time.Time, want time.Time) bool { return p != nil && p.Equal(at(want)) }

// The milestones follow the lifecycle: the first move out of detection is the
// response, the first move past containment the containment, every close the
// close; reopening keeps the first two and clears the close, which the next
// close sets again.
func TestMilestonesFollowTheLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		get := func() incident.Incident {
			t.Helper()
			i, err := c.e.App.Incidents.Get(c.viewer, c.inc.ID)
			c.must(err)
			return i
		}
		if i := get(); i.RespondedAt != nil || i.ContainedAt != nil || i.ClosedAt != nil || i.OccurredAt != nil {
			t.Fatalf("new incident has milestones: %+v", i)
		}
		c.move(incident.PhaseContainment)
		responded := c.e.Clock.Now()
		if i := get(); !sameTime(i.RespondedAt, responded) || i.ContainedAt != nil {
			t.Fatalf("after containment started: responded %v contained %v", i.RespondedAt, i.ContainedAt)
		}
		c.workPlan(incident.EffectEffective)
		c.move(incident.PhaseEradication)
		contained := c.e.Clock.Now()
		c.workPlan(incident.EffectEffective)
		c.move(incident.PhaseRecovery)
		c.workPlan(incident.EffectEffective)
		c.move(incident.PhaseSummary)
		// Closing waits for the post-incident review.
		held := c.e.Clock.Now()
		_, err := c.e.App.Reviews.SaveReview(c.resp, c.inc.ID, postincident.ReviewInput{HeldAt: &held, AttendeeNames: []string{"应急小组"},
			RootCause: "弱口令", Impact: "首页被篡改", Lessons: "启用多因素认证"})
		c.must(err)
		c.move(incident.PhaseClosed)
		closed := c.e.Clock.Now()
		i := get()
		if !sameTime(i.RespondedAt, responded) || !sameTime(i.ContainedAt, contained) || !sameTime(i.ClosedAt, closed) {
			t.Fatalf("closed: responded %v contained %v closed %v", i.RespondedAt, i.ContainedAt, i.ClosedAt)
		}

		c.e.Clock.Advance(time.Hour)
		reopened, err := c.e.App.Lifecycle.Reopen(c.resp, c.inc.ID, "同类告警再次出现")
		c.must(err)
		if reopened.ClosedAt != nil || !sameTime(reopened.RespondedAt, responded) || !sameTime(reopened.ContainedAt, contained) {
			t.Fatalf("reopen returned %v / %v / %v", reopened.RespondedAt, reopened.ContainedAt, reopened.ClosedAt)
		}
		if i := get(); i.ClosedAt != nil || !sameTime(i.RespondedAt, responded) || !sameTime(i.ContainedAt, contained) {
			t.Fatalf("reopened: responded %v contained %v closed %v", i.RespondedAt, i.ContainedAt, i.ClosedAt)
		}
		// Leadership closes it again from detection: only the close moves.
		c.e.Clock.Advance(time.Hour)
		again, err := c.e.App.Lifecycle.Exception(c.leader, c.inc.ID, incident.PhaseClosed, "确认为误报")
		c.must(err)
		if !sameTime(again.ClosedAt, c.e.Clock.Now()) || !sameTime(again.RespondedAt, responded) {
			t.Fatalf("closed again: %v / %v", again.RespondedAt, again.ClosedAt)
		}
		if i := get(); !sameTime(i.ClosedAt, c.e.Clock.Now()) || !sameTime(i.ContainedAt, contained) {
			t.Fatalf("closed again reads %v / %v", i.ContainedAt, i.ClosedAt)
		}
	})
}

// A false alarm closed straight from detection was responded to and closed,
// never contained; a jump into recovery counts as containment.
func TestMilestonesOfExceptions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		l := c.e.App.Lifecycle
		c.e.Clock.Advance(10 * time.Minute)
		i, err := l.Exception(c.leader, c.inc.ID, incident.PhaseClosed, "误报")
		c.must(err)
		now := c.e.Clock.Now()
		if !sameTime(i.RespondedAt, now) || i.ContainedAt != nil || !sameTime(i.ClosedAt, now) {
			t.Errorf("false alarm: %v / %v / %v", i.RespondedAt, i.ContainedAt, i.ClosedAt)
		}
		other, err := c.e.App.Incidents.Create(c.resp, incident.Input{Title: "病毒", DiscoveredAt: now})
		c.must(err)
		c.e.Clock.Advance(time.Minute)
		j, err := l.Exception(c.leader, other.ID, incident.PhaseRecovery, "已由厂商处置")
		c.must(err)
		if !sameTime(j.RespondedAt, c.e.Clock.Now()) || !sameTime(j.ContainedAt, c.e.Clock.Now()) || j.ClosedAt != nil {
			t.Errorf("jump to recovery: %v / %v / %v", j.RespondedAt, j.ContainedAt, j.ClosedAt)
		}
	})
}

// The occurrence time is optional, kept by edits that do not name it, and
// refused in the future or after the discovery.
func TestOccurredAt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		now := e.Clock.Now()
		in := incident.Input{Title: "数据泄露", DiscoveredAt: now.Add(-time.Hour), OccurredAt: now.Add(-26 * time.Hour)}
		i, err := e.App.Incidents.Create(e.resp, in)
		if err != nil || !sameTime(i.OccurredAt, in.OccurredAt) {
			t.Fatalf("create: %v %v", i.OccurredAt, err)
		}
		got, err := e.App.Incidents.Get(e.resp, i.ID)
		if err != nil || !sameTime(got.OccurredAt, in.OccurredAt) {
			t.Fatalf("get: %v %v", got.OccurredAt, err)
		}
		for name, c := range map[string]struct {
			occurred time.Time
			key      string
		}{
			"future":          {now.Add(time.Hour), "err.incident_occurred_future"},
			"after discovery": {now.Add(-30 * time.Minute), "err.incident_occurred_after_discovery"},
		} {
			bad := in
			bad.OccurredAt = c.occurred
			_, err := e.App.Incidents.Create(e.resp, bad)
			if ae := apperr.As(err); ae == nil || len(ae.Fields) != 1 || ae.Fields[0].Field != "occurred_at" || ae.Fields[0].Key != c.key {
				t.Errorf("%s: %v", name, err)
			}
		}
		in.OccurredAt = time.Time{}
		u, err := e.App.Incidents.Update(e.resp, i.ID, in)
		if err != nil || u.OccurredAt != nil {
			t.Fatalf("cleared: %v %v", u.OccurredAt, err)
		}
		if got, _ := e.App.Incidents.Get(e.resp, i.ID); got.OccurredAt != nil {
			t.Errorf("cleared occurrence reads %v", got.OccurredAt)
		}
	})
}
