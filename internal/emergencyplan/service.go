package emergencyplan

import (
	"context"
	"fmt"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// Approvers are the roles whose holders approve a revision: the
// leadership group (领导小组), who issue the plan. (A platform admin may
// decide any approval, as everywhere.)
var Approvers = []auth.Role{auth.RoleLeadership}

func lang(actor *auth.Actor) string {
	if actor != nil && i18n.Valid(actor.Locale) {
		return actor.Locale
	}
	return i18n.Languages[0]
}

// Current returns the plan in force: the approved revision with the
// highest version whose effective time has come, with its chapters. ok is
// false while no revision is in force.
func (s *Service) Current(ctx context.Context) (rev Revision, ok bool, err error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Revision{}, false, err
	}
	q := s.DB.Read()
	list, err := listRevisions(ctx, q, actor.OrgID, ` AND status = 'approved' AND effective_at <= $2`,
		`major DESC, minor DESC LIMIT 1`, store.Micros(s.now()))
	if err != nil || len(list) == 0 {
		return Revision{}, false, apperr.Wrap(err, "current plan")
	}
	rev = list[0]
	rev.Chapters, err = chaptersOf(ctx, q, actor.OrgID, rev.ID)
	return rev, err == nil, apperr.Wrap(err, "current plan")
}

// Open returns the draft or submitted revision, with its chapters.
func (s *Service) Open(ctx context.Context) (Revision, bool, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Revision{}, false, err
	}
	rev, ok, err := openRevision(ctx, s.DB.Read(), actor.OrgID)
	if err == nil && ok {
		rev.Chapters, err = chaptersOf(ctx, s.DB.Read(), actor.OrgID, rev.ID)
	}
	return rev, ok && err == nil, apperr.Wrap(err, "open plan revision")
}

// Revisions returns every revision, the open one included, newest first,
// without chapters.
func (s *Service) Revisions(ctx context.Context) ([]Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	out, err := listRevisions(ctx, s.DB.Read(), actor.OrgID, ``, `id DESC`)
	return out, apperr.Wrap(err, "plan revisions")
}

// Record returns the revision record (文件制修订记录): the approved
// revisions, oldest version first, without chapters.
func (s *Service) Record(ctx context.Context) ([]Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	out, err := listRevisions(ctx, s.DB.Read(), actor.OrgID, ` AND status = 'approved'`, `major, minor`)
	return out, apperr.Wrap(err, "plan revision record")
}

// RevisionsForIncident returns the revisions (any state) that name the
// incident among their reasons, newest first: the revision a
// post-incident review links to.
func (s *Service) RevisionsForIncident(ctx context.Context, incidentID int64) ([]Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	out, err := listRevisions(ctx, s.DB.Read(), actor.OrgID, ` AND id IN (SELECT revision_id FROM emergency_plan_revision_incidents
		WHERE org_id = $1 AND incident_id = $2)`, `id DESC`, incidentID)
	return out, apperr.Wrap(err, "plan revisions of incident")
}

// Get returns one revision with its chapters.
func (s *Service) Get(ctx context.Context, id int64) (Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Revision{}, err
	}
	r, err := loadRevision(ctx, s.DB.Read(), actor.OrgID, id)
	return r, apperr.Wrap(err, "get plan revision")
}

// StartDraft opens a new revision: a copy of the latest approved revision
// with the next minor version, or the default plan (V1.0, in the actor's
// language) when nothing is approved yet. incidentIDs, when given, are
// the incidents that prompt the revision. Only one revision is open at a
// time.
func (s *Service) StartDraft(ctx context.Context, incidentIDs ...int64) (Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Revision{}, err
	}
	now := s.now()
	var out Revision
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, ok, err := openRevision(ctx, tx, actor.OrgID); err != nil {
			return err
		} else if ok {
			return apperr.New(apperr.Conflict, "err.eplan_open_exists")
		}
		base, ok, err := latestApproved(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		if ok {
			out = Revision{Title: base.Title, BasedOn: base.ID}
			if out.Chapters, err = chaptersOf(ctx, tx, actor.OrgID, base.ID); err != nil {
				return err
			}
		} else {
			out = DefaultRevision(lang(actor))
		}
		out.Major, out.Minor = NextVersion(base.Major, base.Minor, false)
		out.Version, out.Status = FormatVersion(out.Major, out.Minor), StatusDraft
		out.AuthorID, out.AuthorName, out.CreatedAt, out.UpdatedAt = actor.UserID, actor.Username, now, now
		var c apperr.Collector
		if out.Incidents, err = resolveIncidents(ctx, tx, actor.OrgID, incidentIDs, nil, &c); err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, actor.OrgID, &out); err != nil {
			return err
		}
		if err := replaceContent(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("emergency_plan.create", Object, revisionID(out), nil, out))
	})
	return out, apperr.Wrap(err, "start plan revision")
}

// SaveDraft replaces a draft's content with in. A submitted revision must
// be withdrawn (or returned) first; an approved one never changes.
func (s *Service) SaveDraft(ctx context.Context, id int64, in DraftInput) (Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Revision{}, err
	}
	in.normalize()
	var c apperr.Collector
	from := in.validate(&c, s.loc())
	now := s.now()
	var out Revision
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := loadRevision(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if err := mustBeDraft(before); err != nil {
			return err
		}
		incidents, err := resolveIncidents(ctx, tx, actor.OrgID, in.IncidentIDs, in.IncidentNumbers, &c)
		if err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		base, _, err := latestApproved(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		out = before
		out.Major, out.Minor = NextVersion(base.Major, base.Minor, in.MajorChange)
		out.Version, out.MajorChange = FormatVersion(out.Major, out.Minor), in.MajorChange
		out.Title, out.Summary, out.Reason, out.EffectiveFrom = in.Title, in.Summary, in.Reason, from
		out.Chapters, out.Incidents, out.UpdatedAt = in.Chapters, incidents, now
		if err := saveRevision(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		if err := replaceContent(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("emergency_plan.update", Object, revisionID(out), before, out))
	})
	return out, apperr.Wrap(err, "save plan draft")
}

func mustBeDraft(r Revision) error {
	switch r.Status {
	case StatusDraft:
		return nil
	case StatusSubmitted:
		return apperr.New(apperr.Conflict, "err.eplan_submitted")
	}
	return apperr.New(apperr.Conflict, "err.eplan_approved_readonly")
}

// Submit sends a draft to the leadership group for approval. The revision
// record needs its summary and reason by then.
func (s *Service) Submit(ctx context.Context, id int64) (Revision, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Revision{}, err
	}
	now := s.now()
	var out Revision
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := loadRevision(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if err := mustBeDraft(before); err != nil {
			return err
		}
		var c apperr.Collector
		if before.Summary == "" {
			c.Add("summary", "err.eplan_submit_needs")
		}
		if before.Reason == "" {
			c.Add("reason", "err.eplan_submit_needs")
		}
		if len(before.Chapters) == 0 {
			c.Add("chapters", "err.eplan_no_chapters")
		}
		if err := c.Err(); err != nil {
			return err
		}
		a, err := s.Approvals.Request(ctx, tx, workflow.Request{ObjectType: Object, ObjectID: revisionID(before),
			Step: "plan_revision", Title: before.Title + " " + before.Version, Roles: Approvers})
		if err != nil {
			return err
		}
		out = before
		out.Status, out.ApprovalID, out.RejectReason, out.UpdatedAt = StatusSubmitted, a.ID, "", now
		if err := saveRevision(ctx, tx, actor.OrgID, out); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("emergency_plan.submit", Object, revisionID(out), before, out))
	})
	return out, apperr.Wrap(err, "submit plan revision")
}

// Discard deletes a draft that is not wanted after all.
func (s *Service) Discard(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := loadRevision(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if err := mustBeDraft(before); err != nil {
			return err
		}
		if err := deleteRevision(ctx, tx, actor.OrgID, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.now(), actor.Audit("emergency_plan.delete", Object, revisionID(before), before, nil))
	})
	return apperr.Wrap(err, "discard plan draft")
}

// onDecided moves a submitted revision with its approval's decision, in
// the decision's transaction: approved (its version final, effective from
// the approval or the day asked for, whichever is later), or back to
// draft with the reason.
func (s *Service) onDecided(ctx context.Context, tx *store.Tx, a workflow.Approval) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("plan revision id %q: %w", a.ObjectID, err)
	}
	before, err := loadRevision(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	if before.Status != StatusSubmitted || before.ApprovalID != a.ID {
		return apperr.New(apperr.Conflict, "err.eplan_not_submitted")
	}
	r := before
	r.UpdatedAt = s.now()
	action := "emergency_plan.approved"
	switch a.Status {
	case workflow.StatusApproved:
		base, _, err := latestApproved(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		r.Major, r.Minor = NextVersion(base.Major, base.Minor, r.MajorChange)
		r.Version = FormatVersion(r.Major, r.Minor)
		decided := a.DecidedAt.UTC()
		effective := decided
		if r.EffectiveFrom != nil && r.EffectiveFrom.After(decided) {
			effective = *r.EffectiveFrom
		}
		r.Status, r.ApprovedBy, r.ApprovedByName = StatusApproved, a.DecidedBy, a.DecidedByName
		r.ApprovedAt, r.EffectiveAt = &decided, &effective
	default: // rejected or withdrawn: back to the drafting table
		r.Status, r.RejectReason, action = StatusDraft, a.Reason, "emergency_plan.returned"
	}
	if err := saveRevision(ctx, tx, a.OrgID, r); err != nil {
		return err
	}
	actor := auth.FromContext(ctx)
	return audit.Append(ctx, tx, r.UpdatedAt, actor.Audit(action, Object, revisionID(r), before, r))
}

// notAuthor refuses the revision's author as decider, even when someone
// else submitted it (the approval's own check covers the submitter).
func (s *Service) notAuthor(ctx context.Context, tx *store.Tx, a workflow.Approval, actor *auth.Actor) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("plan revision id %q: %w", a.ObjectID, err)
	}
	r, err := getRevision(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	if r.AuthorID == actor.UserID {
		return apperr.New(apperr.Forbidden, "err.approval_own")
	}
	return nil
}

func revisionID(r Revision) string { return strconv.FormatInt(r.ID, 10) }
