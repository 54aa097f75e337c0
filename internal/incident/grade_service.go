package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// GradeInput is a grader's answer: the factors, the annex figures, and the
// grade chosen (0 = take Bulwark's proposal) with the reason when it differs
// from the proposal or changes a confirmed grade.
type GradeInput struct {
	Factors Factors          `json:"factors"`
	Figures map[string]int64 `json:"figures"`
	Grade   int              `json:"grade"`
	Reason  string           `json:"reason"`
}

// gradeRecord is what the audit trail keeps of a grading: before and after.
type gradeRecord struct {
	Grade       *int             `json:"grade"`
	Confirmed   bool             `json:"grade_confirmed"`
	Rule        *Rule            `json:"grade_rule,omitempty"`
	Reason      string           `json:"grade_reason,omitempty"`
	Factors     *Factors         `json:"factors,omitempty"`
	Figures     map[string]int64 `json:"figures,omitempty"`
	ReportDueAt *time.Time       `json:"report_due_at"`
}

func recordOf(i Incident) gradeRecord {
	return gradeRecord{Grade: i.Grade, Confirmed: i.GradeConfirmed, Rule: i.GradeRule, Reason: i.GradeReason,
		Factors: i.Factors, Figures: i.Figures, ReportDueAt: i.ReportDueAt}
}

// propose computes the proposal for incident i inside q.
func propose(ctx context.Context, q store.Querier, i Incident, in GradeInput) (Proposal, error) {
	criteria, err := readCriteria(ctx, q)
	if err != nil {
		return Proposal{}, err
	}
	values, _, err := assetValues(ctx, q, i.OrgID, i.AssetIDs)
	if err != nil {
		return Proposal{}, err
	}
	return Propose(in.Factors, in.Figures, criteria, values)
}

// Propose returns the grade Bulwark proposes for an incident from the
// answers, without recording anything.
func (s *Service) Propose(ctx context.Context, id int64, in GradeInput) (Proposal, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentGrade)
	if err != nil {
		return Proposal{}, err
	}
	i, err := get(ctx, s.DB.Read(), actor.OrgID, id)
	if err != nil {
		return Proposal{}, apperr.Wrap(err, "propose grade")
	}
	p, err := propose(ctx, s.DB.Read(), i, in)
	return p, apperr.Wrap(err, "propose grade")
}

// Grade confirms Bulwark's proposal or overrides it (a reason is then
// required). Grading an incident whose grade was already confirmed is a
// regrade (see Regrade).
func (s *Service) Grade(ctx context.Context, id int64, in GradeInput) (Incident, Proposal, error) {
	return s.grade(ctx, id, in, false)
}

// Regrade changes a confirmed grade; it always needs a reason and the audit
// trail keeps the grade before and after.
func (s *Service) Regrade(ctx context.Context, id int64, in GradeInput) (Incident, Proposal, error) {
	return s.grade(ctx, id, in, true)
}

func (s *Service) grade(ctx context.Context, id int64, in GradeInput, regrade bool) (Incident, Proposal, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentGrade)
	if err != nil {
		return Incident{}, Proposal{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Grade != 0 && !ValidGrade(in.Grade) {
		return Incident{}, Proposal{}, apperr.Fields([]apperr.FieldError{{Field: "grade", Key: "err.invalid_choice"}})
	}
	if utf8.RuneCountInString(in.Reason) > 2000 {
		return Incident{}, Proposal{}, apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.too_long", Args: []any{2000}}})
	}
	if in.Figures == nil {
		in.Figures = map[string]int64{}
	}
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	var out Incident
	var p Proposal
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if before.GradeConfirmed {
			regrade = true
		} else if regrade {
			return apperr.New(apperr.Conflict, "err.incident_not_graded")
		}
		if p, err = propose(ctx, tx, before, in); err != nil {
			return err
		}
		chosen, rule := p.Grade, p.Rule
		if in.Grade != 0 && in.Grade != p.Grade {
			chosen, rule = in.Grade, Rule{Kind: "manual"}
			if in.Reason == "" {
				return apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.incident_override_reason"}})
			}
		}
		if regrade && in.Reason == "" {
			return apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.incident_regrade_reason"}})
		}
		typ, err := orgType(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		out = before
		f := in.Factors
		out.Grade, out.GradeConfirmed, out.GradeRule, out.GradeReason = &chosen, true, &rule, in.Reason
		out.Factors, out.Figures, out.GradedBy, out.GradedAt, out.UpdatedAt = &f, in.Figures, actor.UserID, &now, now
		out.ReportDueAt = nil
		if due := ReportDue(chosen, out.DiscoveredAt, typ); !due.IsZero() {
			out.ReportDueAt = &due
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET grade = $1, grade_confirmed = TRUE, grade_rule = $2,
			grade_reason = $3, grade_factors = $4, grade_figures = $5, graded_by = $6, graded_at = $7, report_due_at = $8,
			updated_at = $9 WHERE org_id = $10 AND id = $11`, chosen, jsonOrEmpty(out.GradeRule), out.GradeReason,
			jsonOrEmpty(out.Factors), jsonOrEmpty(out.Figures), actor.UserID, store.Micros(now), timeArg(out.ReportDueAt),
			store.Micros(now), actor.OrgID, id); err != nil {
			return fmt.Errorf("grade incident %d: %w", id, err)
		}
		action := "incident.grade"
		if regrade {
			action = "incident.regrade"
		}
		if err := audit.Append(ctx, tx, now, actor.Audit(action, "incident", fmt.Sprint(id), recordOf(before), recordOf(out))); err != nil {
			return err
		}
		return s.Escalation.afterGrade(ctx, tx, &before, out)
	})
	return out, p, apperr.Wrap(err, "grade incident")
}

// History returns the incident's own audit records, newest first.
func (s *Service) History(ctx context.Context, id int64) ([]audit.Change, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	if _, err := get(ctx, s.DB.Read(), actor.OrgID, id); err != nil {
		return nil, apperr.Wrap(err, "incident history")
	}
	entries, _, err := audit.List(ctx, s.DB.Read(), audit.Filter{OrgID: actor.OrgID, ObjectType: "incident", ObjectID: fmt.Sprint(id), Limit: 200})
	if err != nil {
		return nil, apperr.Wrap(err, "incident history")
	}
	return audit.Changes(entries), nil
}
