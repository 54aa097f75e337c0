package incident

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/store"
)

// Deadline kinds of an incident's reports to the regulator.
const (
	DeadlineFirst    = "report.first"    // first report: 1/2/4 h after discovery (art. 4)
	DeadlineFollowup = "report.followup" // supplementary report after a partial first report (art. 7)
	DeadlineSummary  = "report.summary"  // summary report: 30 days after handling ends (art. 8)
)

// The incident's own columns are the record of what it owes: report_due_at
// and reported_at for the first report, summary_due_at and
// summary_reported_at for the summary (the API, the list and the
// countdown read them). The deadline table is derived from them, written
// by syncDeadlines in the same transaction as every change of those
// columns, because the deadline table is what the scanner announces from
// once across restarts and nodes. The supplementary report's deadline has
// no column: it exists only in the deadline table and on the report that
// asked for it.

// syncDeadlines makes the deadline rows of after match its columns; before
// (nil at creation) is only used to skip work when nothing changed.
func (x *Escalation) syncDeadlines(ctx context.Context, tx *store.Tx, before *Incident, after Incident) error {
	if x == nil || x.Deadlines == nil {
		return nil
	}
	if before != nil && sameTime(before.ReportDueAt, after.ReportDueAt) && sameTime(before.ReportedAt, after.ReportedAt) &&
		before.DiscoveredAt.Equal(after.DiscoveredAt) && sameTime(before.SummaryDueAt, after.SummaryDueAt) &&
		sameTime(before.SummaryReportedAt, after.SummaryReportedAt) && sameTime(before.HandlingEndedAt, after.HandlingEndedAt) {
		return nil
	}
	id := strconv.FormatInt(after.ID, 10)
	if after.ReportDueAt == nil {
		// Below 较大 (or ungraded) nothing is reported: neither the
		// first report nor a supplementary one is owed any longer.
		for _, kind := range []string{DeadlineFirst, DeadlineFollowup} {
			if _, err := x.Deadlines.Clear(ctx, tx, "incident", id, kind); err != nil {
				return fmt.Errorf("clear %s of incident %d: %w", kind, after.ID, err)
			}
		}
	} else if err := x.ensure(ctx, tx, id, DeadlineFirst, after.DiscoveredAt, *after.ReportDueAt, after.ReportedAt); err != nil {
		return err
	}
	if after.SummaryDueAt == nil || after.HandlingEndedAt == nil {
		if _, err := x.Deadlines.Clear(ctx, tx, "incident", id, DeadlineSummary); err != nil {
			return fmt.Errorf("clear %s of incident %d: %w", DeadlineSummary, after.ID, err)
		}
		return nil
	}
	return x.ensure(ctx, tx, id, DeadlineSummary, *after.HandlingEndedAt, *after.SummaryDueAt, after.SummaryReportedAt)
}

// ensure makes the deadline (incident id, kind) run from start to due and
// be met at met (nil: not met), touching the row only where it differs, so
// notices already sent for an unchanged deadline are not sent again.
func (x *Escalation) ensure(ctx context.Context, tx *store.Tx, id, kind string, start, due time.Time, met *time.Time) error {
	d, ok, err := x.Deadlines.Get(ctx, tx, "incident", id, kind)
	if err != nil {
		return fmt.Errorf("read %s of incident %s: %w", kind, id, err)
	}
	if due.Before(start) {
		start = due // a discovery time corrected past the window: due at once
	}
	moved := !ok || !d.StartAt.Equal(start.UTC().Truncate(time.Microsecond)) || !d.DueAt.Equal(due.UTC().Truncate(time.Microsecond))
	if moved || (met == nil && !d.MetAt.IsZero()) {
		// Set moves the deadline and re-arms it (met and notices reset).
		if d, err = x.Deadlines.Set(ctx, tx, deadline.Deadline{ObjectType: "incident", ObjectID: id, Kind: kind, StartAt: start, DueAt: due}); err != nil {
			return fmt.Errorf("set %s of incident %s: %w", kind, id, err)
		}
	}
	if met != nil && !d.MetAt.Equal(*met) {
		if _, err := x.Deadlines.Met(ctx, tx, "incident", id, kind, *met); err != nil {
			return fmt.Errorf("%s of incident %s met: %w", kind, id, err)
		}
	}
	return nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// ReportDeadlines returns the incident's reporting deadlines, soonest
// first.
func (x *Escalation) ReportDeadlines(ctx context.Context, incidentID int64) ([]deadline.Deadline, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	if _, err := get(ctx, x.DB.Read(), actor.OrgID, incidentID); err != nil {
		return nil, apperr.Wrap(err, "report deadlines")
	}
	return x.Deadlines.ForObject(ctx, "incident", strconv.FormatInt(incidentID, 10))
}
