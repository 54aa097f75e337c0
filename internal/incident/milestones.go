package incident

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/store"
)

// The milestones the incident metrics measure (issue 3, point 12). Each is
// recorded in the transaction that reaches it:
//
//   - occurred_at (事件发生时间): when it happened, entered by people when
//     known; time to detect = discovered − occurred.
//   - responded_at: the first move out of detection, to any phase. Leaving
//     detection is when the working group starts to act on the incident
//     (containment, normally); closing a false alarm straight from
//     detection is a response too. A reopened incident keeps its first
//     response. Time to respond = responded − discovered.
//   - contained_at: the first move into eradication, recovery or summary,
//     i.e. past containment. An incident closed without getting there (a
//     false alarm) has no time to contain. Reopening keeps it.
//   - closed_at: the last move to closed. Reopening clears it (an open
//     incident is not closed), and the next close sets it again, so time to
//     close counts the final close.
//
// Migration 0026 derives the three lifecycle milestones of older incidents
// from their audit records with the same rules.
const milestoneColumns = `occurred_at, responded_at, contained_at, closed_at`

// milestoneScan receives the milestone columns of a row.
type milestoneScan struct{ occurred, responded, contained, closed sql.NullInt64 }

func (m milestoneScan) fill(i *Incident) {
	i.OccurredAt, i.RespondedAt = nullTime(m.occurred), nullTime(m.responded)
	i.ContainedAt, i.ClosedAt = nullTime(m.contained), nullTime(m.closed)
}

// validateOccurred checks the optional occurrence time: not in the future,
// not after the discovery.
func validateOccurred(in *Input, now time.Time, c *apperr.Collector) {
	switch {
	case in.OccurredAt.IsZero():
	case in.OccurredAt.After(now.Add(5 * time.Minute)):
		c.Add("occurred_at", "err.incident_occurred_future")
	case !in.DiscoveredAt.IsZero() && in.OccurredAt.After(in.DiscoveredAt):
		c.Add("occurred_at", "err.incident_occurred_after_discovery")
	}
}

// recordMilestones sets the milestones the move to out.Phase reaches, in the
// move's transaction (endHandling calls it after every phase change). It
// needs only the state after the move: a milestone not yet set and now
// passed is reached for the first time.
func recordMilestones(ctx context.Context, tx *store.Tx, orgID int64, out *Incident, now time.Time) error {
	changed := false
	set := func(p **time.Time, v *time.Time) {
		*p, changed = v, true
	}
	at := now
	if out.RespondedAt == nil && phaseIndex(out.Phase) > phaseIndex(PhaseDetection) {
		set(&out.RespondedAt, &at)
	}
	switch out.Phase {
	case PhaseEradication, PhaseRecovery, PhaseSummary:
		if out.ContainedAt == nil {
			set(&out.ContainedAt, &at)
		}
	case PhaseClosed:
		set(&out.ClosedAt, &at)
	case PhaseDetection:
		if out.ClosedAt != nil { // reopened
			set(&out.ClosedAt, nil)
		}
	}
	if !changed {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET responded_at = $1, contained_at = $2, closed_at = $3
		WHERE org_id = $4 AND id = $5`, timeArg(out.RespondedAt), timeArg(out.ContainedAt), timeArg(out.ClosedAt),
		orgID, out.ID); err != nil {
		return fmt.Errorf("record milestones of incident %d: %w", out.ID, err)
	}
	return nil
}

// optTimePtr is t as an optional field: nil when zero.
func optTimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
