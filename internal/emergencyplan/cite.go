package emergencyplan

import (
	"context"
	"slices"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// ReviseFor is the post-incident review's "revise the plan" (修订应急响应
// 计划): the incident is named among the reasons of the open draft, or of a
// new draft when none is open, and that draft is returned. A revision
// already submitted to leadership is not changed under it (withdraw or
// wait for the decision first).
func (s *Service) ReviseFor(ctx context.Context, incidentID int64) (Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Revision{}, err
	}
	open, ok, err := openRevision(ctx, s.DB.Read(), actor.OrgID)
	if err != nil {
		return Revision{}, apperr.Wrap(err, "revise plan for incident")
	}
	if !ok {
		return s.StartDraft(ctx, incidentID)
	}
	now := s.now()
	var out Revision
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := loadRevision(ctx, tx, actor.OrgID, open.ID)
		if err != nil {
			return err
		}
		if err := mustBeDraft(before); err != nil {
			return err
		}
		out = before
		if slices.ContainsFunc(before.Incidents, func(r IncidentRef) bool { return r.ID == incidentID }) {
			return nil
		}
		var c apperr.Collector
		added, err := resolveIncidents(ctx, tx, actor.OrgID, []int64{incidentID}, nil, &c)
		if err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		out.Incidents = append(slices.Clone(before.Incidents), added...)
		out.UpdatedAt = now
		if err := saveRevision(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		if err := replaceContent(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("emergency_plan.update", Object, revisionID(out), before, out))
	})
	return out, apperr.Wrap(err, "revise plan for incident")
}
