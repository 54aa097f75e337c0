package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// Lifecycle moves incidents through the PDCERF phases (准备 → 检测 → 抑制 →
// 根除 → 恢复 → 总结 → closed) and keeps the plans of the containment,
// eradication and recovery phases with their approvals, and the timeline.
// Every method checks the actor in ctx and works only in its organisation.
type Lifecycle struct {
	DB        *store.DB
	Clock     clock.Clock
	Approvals *workflow.Service

	closeChecks []CloseCheck     // see OnClose (close_gate.go)
	sources     []TimelineSource // see OnTimeline (timeline_stream.go)
	// Escalation gates leaving detection on plan activation and follows
	// phase changes (escalation.go); the app sets it.
	Escalation *Escalation
}

// NewLifecycle builds the lifecycle and hooks its plans into approvals: a
// decision moves the plan in the decision's own transaction, and the
// plan's author is refused as decider even when someone else submitted it.
func NewLifecycle(db *store.DB, c clock.Clock, approvals *workflow.Service) *Lifecycle {
	l := &Lifecycle{DB: db, Clock: c, Approvals: approvals}
	approvals.OnDecided(PlanObject, l.onDecided)
	approvals.AddRule(PlanObject, l.notAuthor)
	workflow.RegisterLink(PlanObject, func(id string) string { return "/incident-plans/" + id })
	l.OnTimeline(phaseTasks)
	return l
}

func (l *Lifecycle) now() time.Time { return l.Clock.Now().UTC().Truncate(time.Microsecond) }

// phaseIndex is p's place in Phases, -1 when unknown.
func phaseIndex(p Phase) int { return slices.Index(Phases, p) }

// state is an incident with its lifecycle round.
func state(ctx context.Context, q store.Querier, orgID, id int64) (Incident, int, error) {
	i, err := get(ctx, q, orgID, id)
	if err != nil {
		return i, 0, err
	}
	var round int
	if err := q.QueryRowContext(ctx, `SELECT lifecycle_round FROM incidents WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&round); err != nil {
		return i, 0, fmt.Errorf("read lifecycle round of incident %d: %w", id, err)
	}
	return i, round, nil
}

// Missing names what the phase still lacks before it may be left: a
// catalogue key (err.lifecycle_need_*), or "" when nothing is missing.
// plans are the incident's plans; only those of the phase and round count.
func Missing(plans []Plan, phase Phase, round int) string {
	if !NeedsPlan(phase) {
		return ""
	}
	rank := map[string]int{"err.lifecycle_need_plan": 0, "err.lifecycle_need_submit": 1, "err.lifecycle_need_approval": 2,
		"err.lifecycle_need_execution": 3, "err.lifecycle_need_effect": 4}
	best := "err.lifecycle_need_plan"
	for _, p := range plans {
		if p.Phase != phase || p.Round != round {
			continue
		}
		var m string
		switch p.Status {
		case PlanDraft:
			m = "err.lifecycle_need_submit"
		case PlanSubmitted:
			m = "err.lifecycle_need_approval"
		case PlanApproved:
			m = "err.lifecycle_need_execution"
		case PlanExecuted:
			m = "err.lifecycle_need_effect"
		case PlanJudged:
			if p.Effect == EffectEffective {
				return ""
			}
			continue // a plan that did not work calls for a new one
		}
		if rank[m] > rank[best] {
			best = m
		}
	}
	return best
}

// setPhase moves the incident from before.Phase to to; the phase condition
// makes a concurrent move find nothing and fail as a conflict.
func setPhase(ctx context.Context, tx *store.Tx, orgID int64, before Incident, to Phase, round int, now time.Time) error {
	status := "open"
	if to == PhaseClosed {
		status = "closed"
	}
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET phase = $1, status = $2, lifecycle_round = $3, updated_at = $4
		WHERE org_id = $5 AND id = $6 AND phase = $7`, to, status, round, store.Micros(now), orgID, before.ID, before.Phase)
	if err != nil {
		return fmt.Errorf("move incident %d to %s: %w", before.ID, to, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("move incident %d to %s: %w", before.ID, to, err)
	} else if n == 0 {
		return apperr.New(apperr.Conflict, "err.lifecycle_moved")
	}
	return nil
}

// endHandling records, when the incident first moves past recovery, that
// handling ended, and for incidents that are reported (较大 and above: a
// first report is due) when the summary report is due (art. 8, 30 days).
// Reopening clears both while no summary report was made. It runs after
// every phase change, so it also records the metrics' milestones.
func endHandling(ctx context.Context, tx *store.Tx, orgID int64, out *Incident, now time.Time) error {
	if err := recordMilestones(ctx, tx, orgID, out, now); err != nil {
		return err
	}
	var ended, due *time.Time
	switch {
	case phaseIndex(out.Phase) >= phaseIndex(PhaseSummary) && out.HandlingEndedAt == nil:
		ended = &now
		if out.ReportDueAt != nil {
			d := now.Add(SummaryWindow)
			due = &d
		}
	case out.Phase == PhaseDetection && out.HandlingEndedAt != nil && out.SummaryReportedAt == nil:
		// reopened: handling goes on, the summary waits for its new end
	default:
		return nil
	}
	out.HandlingEndedAt, out.SummaryDueAt = ended, due
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET handling_ended_at = $1, summary_due_at = $2 WHERE org_id = $3 AND id = $4`,
		timeArg(ended), timeArg(due), orgID, out.ID); err != nil {
		return fmt.Errorf("record end of handling of incident %d: %w", out.ID, err)
	}
	return nil
}

// phaseChange is what the audit trail keeps of a move between phases.
type phaseChange struct {
	Phase     Phase   `json:"phase"`
	Round     int     `json:"round"`
	Reason    string  `json:"reason,omitempty"`
	Exception bool    `json:"exception,omitempty"`
	Waived    []Phase `json:"waived,omitempty"`
}

func checkReason(reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	if required && reason == "" {
		return "", apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.lifecycle_reason_required"}})
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return "", apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.too_long", Args: []any{2000}}})
	}
	return reason, nil
}

// Transition moves the incident to the next phase. It refuses skipping a
// phase, moving back, and leaving a plan phase whose plan is not approved,
// carried out and judged effective; the error names what is missing.
func (l *Lifecycle) Transition(ctx context.Context, id int64, to Phase, reason string) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentTransition)
	if err != nil {
		return Incident{}, err
	}
	if reason, err = checkReason(reason, false); err != nil {
		return Incident{}, err
	}
	now := l.now()
	var out Incident
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		before, round, err := state(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if err := checkTarget(before.Phase, to); err != nil {
			return err
		}
		if phaseIndex(to) != phaseIndex(before.Phase)+1 {
			return apperr.New(apperr.Conflict, "err.lifecycle_skip")
		}
		plans, err := plansOf(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if m := Missing(plans, before.Phase, round); m != "" {
			return apperr.New(apperr.Conflict, m)
		}
		if err := l.Escalation.checkActivation(ctx, tx, before, to); err != nil {
			return err
		}
		if err := l.checkClose(ctx, tx, before, to, round); err != nil {
			return err
		}
		if err := setPhase(ctx, tx, actor.OrgID, before, to, round, now); err != nil {
			return err
		}
		out = before
		out.Phase, out.UpdatedAt = to, now
		if to == PhaseClosed {
			out.Status = "closed"
		}
		if err := endHandling(ctx, tx, actor.OrgID, &out, now); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, actor.Audit("incident.transition", "incident", fmt.Sprint(id),
			phaseChange{Phase: before.Phase, Round: round}, phaseChange{Phase: to, Round: round, Reason: reason})); err != nil {
			return err
		}
		return l.Escalation.afterPhase(ctx, tx, before, out)
	})
	return out, apperr.Wrap(err, "move incident")
}

// checkTarget refuses unknown phases, moves of a closed incident and moves
// that are not forward.
func checkTarget(from, to Phase) error {
	switch {
	case phaseIndex(to) < 0:
		return apperr.Fields([]apperr.FieldError{{Field: "to", Key: "err.invalid_choice"}})
	case from == PhaseClosed:
		return apperr.New(apperr.Conflict, "err.lifecycle_closed")
	case phaseIndex(to) <= phaseIndex(from):
		return apperr.New(apperr.Conflict, "err.lifecycle_backward")
	}
	return nil
}

// Exception is leadership's explicit decision to move the incident forward
// although plans are missing or phases are skipped (a false alarm closed
// from detection, say). The reason is required; the waived phases are
// recorded in the audit trail and shown on the timeline.
func (l *Lifecycle) Exception(ctx context.Context, id int64, to Phase, reason string) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentException)
	if err != nil {
		return Incident{}, err
	}
	if reason, err = checkReason(reason, true); err != nil {
		return Incident{}, err
	}
	now := l.now()
	var out Incident
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		before, round, err := state(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if err := checkTarget(before.Phase, to); err != nil {
			return err
		}
		plans, err := plansOf(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		var waived []Phase
		for _, p := range Phases[phaseIndex(before.Phase):phaseIndex(to)] {
			if Missing(plans, p, round) != "" || p != before.Phase {
				waived = append(waived, p)
			}
		}
		if err := setPhase(ctx, tx, actor.OrgID, before, to, round, now); err != nil {
			return err
		}
		out = before
		out.Phase, out.UpdatedAt = to, now
		if to == PhaseClosed {
			out.Status = "closed"
		}
		if err := endHandling(ctx, tx, actor.OrgID, &out, now); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, actor.Audit("incident.exception", "incident", fmt.Sprint(id),
			phaseChange{Phase: before.Phase, Round: round},
			phaseChange{Phase: to, Round: round, Reason: reason, Exception: true, Waived: waived})); err != nil {
			return err
		}
		return l.Escalation.afterPhase(ctx, tx, before, out)
	})
	return out, apperr.Wrap(err, "lifecycle exception")
}

// Reopen brings a closed incident back to detection for a new round: it is
// assessed again, and its plan phases need new plans.
func (l *Lifecycle) Reopen(ctx context.Context, id int64, reason string) (Incident, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentTransition)
	if err != nil {
		return Incident{}, err
	}
	if reason, err = checkReason(reason, true); err != nil {
		return Incident{}, err
	}
	now := l.now()
	var out Incident
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		before, round, err := state(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if before.Phase != PhaseClosed {
			return apperr.New(apperr.Conflict, "err.lifecycle_not_closed")
		}
		if err := setPhase(ctx, tx, actor.OrgID, before, PhaseDetection, round+1, now); err != nil {
			return err
		}
		out = before
		out.Phase, out.Status, out.UpdatedAt = PhaseDetection, "open", now
		if err := endHandling(ctx, tx, actor.OrgID, &out, now); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, actor.Audit("incident.reopen", "incident", fmt.Sprint(id),
			phaseChange{Phase: before.Phase, Round: round}, phaseChange{Phase: PhaseDetection, Round: round + 1, Reason: reason})); err != nil {
			return err
		}
		return l.Escalation.afterPhase(ctx, tx, before, out)
	})
	return out, apperr.Wrap(err, "reopen incident")
}

// Round returns the incident's lifecycle round (0, one more per reopening).
func (l *Lifecycle) Round(ctx context.Context, id int64) (int, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return 0, err
	}
	_, round, err := state(ctx, l.DB.Read(), actor.OrgID, id)
	return round, apperr.Wrap(err, "incident round")
}
