package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// Plans returns the incident's plans, oldest first.
func (l *Lifecycle) Plans(ctx context.Context, incidentID int64) ([]Plan, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	if _, err := get(ctx, l.DB.Read(), actor.OrgID, incidentID); err != nil {
		return nil, apperr.Wrap(err, "plans of incident")
	}
	out, err := plansOf(ctx, l.DB.Read(), actor.OrgID, incidentID)
	return out, apperr.Wrap(err, "plans of incident")
}

// PlanIncident returns the incident a plan belongs to (the approval inbox
// links to plans by their own id).
func (l *Lifecycle) PlanIncident(ctx context.Context, planID int64) (int64, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return 0, err
	}
	p, err := getPlan(ctx, l.DB.Read(), actor.OrgID, planID)
	return p.IncidentID, apperr.Wrap(err, "incident of plan")
}

// Draft writes the plan of the incident's current phase (方案的确定): a new
// draft, or the text of the phase's open draft (after a rejection, say).
// It is refused outside the plan phases and while a plan of the phase is
// under approval or being carried out, or has already worked.
func (l *Lifecycle) Draft(ctx context.Context, incidentID int64, in PlanInput) (Plan, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentPlan)
	if err != nil {
		return Plan{}, err
	}
	if err := in.validate(); err != nil {
		return Plan{}, err
	}
	now := l.now()
	var out Plan
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		inc, round, err := state(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		if !NeedsPlan(inc.Phase) {
			return apperr.New(apperr.Conflict, "err.lifecycle_no_plan_phase")
		}
		plans, err := plansOf(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		for _, p := range plans {
			if p.Phase != inc.Phase || p.Round != round {
				continue
			}
			switch {
			case p.Done():
				return apperr.New(apperr.Conflict, "err.lifecycle_plan_done")
			case p.Status == PlanDraft:
				before := p
				out = p
				out.Measures, out.Scope, out.Risks, out.Resources, out.UpdatedAt = in.Measures, in.Scope, in.Risks, in.Resources, now
				if err := savePlan(ctx, tx, actor.OrgID, out); err != nil {
					return err
				}
				return audit.Append(ctx, tx, now, actor.Audit("incident_plan.update", PlanObject, planID(out), before, out))
			case p.Open():
				return apperr.New(apperr.Conflict, "err.lifecycle_plan_open")
			}
		}
		out = Plan{IncidentID: incidentID, Round: round, Phase: inc.Phase, Status: PlanDraft, Measures: in.Measures,
			Scope: in.Scope, Risks: in.Risks, Resources: in.Resources, AuthorID: actor.UserID, AuthorName: actor.Username,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.QueryRowContext(ctx, `INSERT INTO incident_plans (org_id, incident_id, round, phase, status, measures,
			scope, risks, resources, author_id, author_name, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			actor.OrgID, incidentID, round, out.Phase, out.Status, out.Measures, out.Scope, out.Risks, out.Resources,
			out.AuthorID, out.AuthorName, store.Micros(now), store.Micros(now)).Scan(&out.ID); err != nil {
			return fmt.Errorf("insert plan: %w", err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("incident_plan.create", PlanObject, planID(out), nil, out))
	})
	return out, apperr.Wrap(err, "draft plan")
}

// move loads a plan of the incident in a transaction, checks it is in
// state from and in the incident's current phase, lets change alter it,
// saves it and audits action.
func (l *Lifecycle) move(ctx context.Context, perm auth.Perm, incidentID, id int64, from, action string,
	change func(tx *store.Tx, actor *auth.Actor, inc Incident, p *Plan) error) (Plan, error) {
	actor, err := auth.Require(ctx, perm)
	if err != nil {
		return Plan{}, err
	}
	now := l.now()
	var out Plan
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		inc, round, err := state(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		before, err := requireIncidentPlan(ctx, tx, actor, incidentID, id)
		if err != nil {
			return err
		}
		if before.Phase != inc.Phase || before.Round != round {
			return apperr.New(apperr.Conflict, "err.lifecycle_plan_stale")
		}
		if before.Status != from {
			return apperr.New(apperr.Conflict, "err.lifecycle_plan_state")
		}
		out = before
		out.UpdatedAt = now
		if err := change(tx, actor, inc, &out); err != nil {
			return err
		}
		if err := savePlan(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit(action, PlanObject, planID(out), before, out))
	})
	return out, apperr.Wrap(err, "plan "+action)
}

// Submit sends a draft for approval (方案的认可) by the roles the
// organisation names for the phase.
func (l *Lifecycle) Submit(ctx context.Context, incidentID, id int64) (Plan, error) {
	return l.move(ctx, auth.PermIncidentPlan, incidentID, id, PlanDraft, "incident_plan.submit",
		func(tx *store.Tx, actor *auth.Actor, inc Incident, p *Plan) error {
			roles, err := approvers(ctx, tx, actor.OrgID, p.Phase)
			if err != nil {
				return err
			}
			a, err := l.Approvals.Request(ctx, tx, workflow.Request{ObjectType: PlanObject, ObjectID: planID(*p),
				Step: string(p.Phase) + "_plan", Title: fmt.Sprintf("%s %s方案 #%d", inc.Number, phaseZh[p.Phase], p.ID), Roles: roles})
			if err != nil {
				return err
			}
			p.Status, p.ApprovalID, p.RejectReason = PlanSubmitted, a.ID, ""
			return nil
		})
}

// phaseZh names the plan phases in approval titles, which are stored text
// (the inbox shows them as written), so in the working language, Chinese.
var phaseZh = map[Phase]string{PhaseContainment: "抑制", PhaseEradication: "根除", PhaseRecovery: "恢复"}

// notes checks a required free text.
func notes(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", apperr.Fields([]apperr.FieldError{{Field: field, Key: "err.required"}})
	case n > 10000:
		return "", apperr.Fields([]apperr.FieldError{{Field: field, Key: "err.too_long", Args: []any{10000}}})
	}
	return s, nil
}

// Executed records that the working group carried out an approved plan
// (方案的实施), with what was done.
func (l *Lifecycle) Executed(ctx context.Context, incidentID, id int64, text string) (Plan, error) {
	if _, err := auth.Require(ctx, auth.PermIncidentPlan); err != nil {
		return Plan{}, err
	}
	text, err := notes("notes", text)
	if err != nil {
		return Plan{}, err
	}
	return l.move(ctx, auth.PermIncidentPlan, incidentID, id, PlanApproved, "incident_plan.execute",
		func(tx *store.Tx, actor *auth.Actor, inc Incident, p *Plan) error {
			p.Status, p.ExecutedBy, p.ExecutedAt, p.ExecutionNotes = PlanExecuted, actor.Username, p.UpdatedAt, text
			return nil
		})
}

// Judge records the effect of a carried-out plan (效果的判定). Only an
// effective plan lets the phase be left; after any other effect the phase
// needs a new plan.
func (l *Lifecycle) Judge(ctx context.Context, incidentID, id int64, effect, text string) (Plan, error) {
	if _, err := auth.Require(ctx, auth.PermIncidentPlan); err != nil {
		return Plan{}, err
	}
	if !slices.Contains(Effects, effect) {
		return Plan{}, apperr.Fields([]apperr.FieldError{{Field: "effect", Key: "err.invalid_choice"}})
	}
	text, err := notes("notes", text)
	if err != nil {
		return Plan{}, err
	}
	return l.move(ctx, auth.PermIncidentPlan, incidentID, id, PlanExecuted, "incident_plan.judge",
		func(tx *store.Tx, actor *auth.Actor, inc Incident, p *Plan) error {
			p.Status, p.Effect, p.EffectNotes, p.JudgedBy, p.JudgedAt = PlanJudged, effect, text, actor.Username, p.UpdatedAt
			return nil
		})
}

// onDecided moves a plan with its approval's decision, in the decision's
// transaction: approved, or back to draft with the reason.
func (l *Lifecycle) onDecided(ctx context.Context, tx *store.Tx, a workflow.Approval) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("plan id %q: %w", a.ObjectID, err)
	}
	before, err := getPlan(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	if before.Status != PlanSubmitted || before.ApprovalID != a.ID {
		return apperr.New(apperr.Conflict, "err.lifecycle_plan_state")
	}
	p := before
	p.UpdatedAt = l.now()
	action := "incident_plan.approved"
	switch a.Status {
	case workflow.StatusApproved:
		p.Status = PlanApproved
	default: // rejected or withdrawn: back to the drafting table
		p.Status, p.RejectReason, action = PlanDraft, a.Reason, "incident_plan.returned"
	}
	if err := savePlan(ctx, tx, a.OrgID, p); err != nil {
		return err
	}
	actor := auth.FromContext(ctx)
	return audit.Append(ctx, tx, p.UpdatedAt, actor.Audit(action, PlanObject, planID(p), before, p))
}

// notAuthor refuses the plan's author as decider, even when someone else
// submitted it (the approval's own author check covers the submitter).
func (l *Lifecycle) notAuthor(ctx context.Context, tx *store.Tx, a workflow.Approval, actor *auth.Actor) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("plan id %q: %w", a.ObjectID, err)
	}
	p, err := getPlan(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	if p.AuthorID == actor.UserID {
		return apperr.New(apperr.Forbidden, "err.approval_own")
	}
	return nil
}
