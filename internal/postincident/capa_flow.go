package postincident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// The life of CAPA after they are proposed: leadership approves the set
// (纠正预防措施进行审批), the owner carries each out, someone else verifies.

// SubmitCAPAs asks leadership to approve the incident's draft CAPA as one
// set: one approval covers them, so leadership sees the measures together.
// Refused while an earlier set still waits.
func (s *Service) SubmitCAPAs(ctx context.Context, incidentID int64) (workflow.Approval, error) {
	actor, err := auth.Require(ctx, auth.PermReviewWrite)
	if err != nil {
		return workflow.Approval{}, err
	}
	now := s.now()
	var out workflow.Approval
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		inc, err := openIncident(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		list, err := s.listCAPA(ctx, tx, `c.org_id = $1 AND c.incident_id = $2 ORDER BY c.id`, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(list, func(c CAPA) bool { return c.Status == CAPASubmitted }) {
			return apperr.New(apperr.Conflict, "err.capa_set_pending")
		}
		var drafts []CAPA
		for _, c := range list {
			if c.Status == CAPADraft {
				drafts = append(drafts, c)
			}
		}
		if len(drafts) == 0 {
			return apperr.New(apperr.Conflict, "err.capa_none_draft")
		}
		out, err = s.Approvals.Request(ctx, tx, workflow.Request{ObjectType: CAPASetObject,
			ObjectID: strconv.FormatInt(incidentID, 10), Step: "capa_set",
			// Stored text shown in the inbox as written, so in the working language.
			Title: fmt.Sprintf("%s 纠正预防措施 %d 项", inc.Number, len(drafts)), Roles: ApproverRoles})
		if err != nil {
			return err
		}
		recs := make([]audit.Record, 0, len(drafts))
		for _, before := range drafts {
			if _, err := tx.ExecContext(ctx, `UPDATE incident_capas SET status = $1, approval_id = $2, reject_reason = '',
				updated_at = $3 WHERE org_id = $4 AND id = $5 AND status = $6`, CAPASubmitted, out.ID, store.Micros(now),
				actor.OrgID, before.ID, CAPADraft); err != nil {
				return fmt.Errorf("submit capa %d: %w", before.ID, err)
			}
			after := before
			after.Status, after.ApprovalID, after.RejectReason, after.UpdatedAt = CAPASubmitted, out.ID, "", now
			recs = append(recs, actor.Audit("capa.submit", CAPAObject, capaID(after), before, after))
		}
		return audit.AppendBatch(ctx, tx, now, recs)
	})
	if err != nil {
		return workflow.Approval{}, apperr.Wrap(err, "submit capa")
	}
	return out, nil
}

// onCAPASetDecided moves the set's CAPA with leadership's decision, in the
// decision's transaction: approved ones open (and their due dates become
// deadlines); rejected or withdrawn ones go back to draft with the reason.
func (s *Service) onCAPASetDecided(ctx context.Context, tx *store.Tx, a workflow.Approval) error {
	list, err := s.listCAPA(ctx, tx, `c.org_id = $1 AND c.approval_id = $2 AND c.status = $3 ORDER BY c.id`,
		a.OrgID, a.ID, CAPASubmitted)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return apperr.New(apperr.Conflict, "err.capa_state")
	}
	actor := auth.FromContext(ctx)
	now := s.now()
	status, reason, action := CAPAOpen, "", "capa.approved"
	if a.Status != workflow.StatusApproved {
		status, reason, action = CAPADraft, a.Reason, "capa.returned"
	}
	recs := make([]audit.Record, 0, len(list))
	for _, before := range list {
		if _, err := tx.ExecContext(ctx, `UPDATE incident_capas SET status = $1, reject_reason = $2, updated_at = $3
			WHERE org_id = $4 AND id = $5`, status, reason, store.Micros(now), a.OrgID, before.ID); err != nil {
			return fmt.Errorf("decide capa %d: %w", before.ID, err)
		}
		after := before
		after.Status, after.RejectReason, after.UpdatedAt = status, reason, now
		if status == CAPAOpen {
			if err := s.setDeadline(ctx, tx, after); err != nil {
				return err
			}
		}
		recs = append(recs, actor.Audit(action, CAPAObject, capaID(after), before, after))
	}
	return audit.AppendBatch(ctx, tx, now, recs)
}

// notCAPAAuthor refuses as decider anyone who proposed one of the set's
// CAPA, even when someone else submitted the set (the approval's own
// check covers the submitter).
func (s *Service) notCAPAAuthor(ctx context.Context, tx *store.Tx, a workflow.Approval, actor *auth.Actor) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_capas WHERE org_id = $1 AND approval_id = $2 AND created_by = $3`,
		a.OrgID, a.ID, actor.UserID).Scan(&n); err != nil {
		return fmt.Errorf("check capa authors: %w", err)
	}
	if n > 0 {
		return apperr.New(apperr.Forbidden, "err.approval_own")
	}
	return nil
}

// moveCAPA loads a CAPA in a transaction, lets change check and alter it,
// saves its status and notes, and audits action.
func (s *Service) moveCAPA(ctx context.Context, perm auth.Perm, incidentID, id int64, action string,
	change func(tx *store.Tx, actor *auth.Actor, c *CAPA) error) (CAPA, error) {
	actor, err := auth.Require(ctx, perm)
	if err != nil {
		return CAPA{}, err
	}
	now := s.now()
	var out CAPA
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := getIncident(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		before, err := s.getCAPA(ctx, tx, actor.OrgID, incidentID, id)
		if err != nil {
			return err
		}
		out = before
		out.UpdatedAt = now
		if err := change(tx, actor, &out); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE incident_capas SET status = $1, progress_notes = $2, done_at = $3,
			verified_by = $4, verified_by_name = $5, verified_at = $6, verification_notes = $7, updated_at = $8
			WHERE org_id = $9 AND id = $10 AND status = $11`, out.Status, out.ProgressNotes, micros(out.DoneAt),
			out.VerifiedBy, out.VerifiedByName, micros(out.VerifiedAt), out.VerificationNotes, store.Micros(now),
			actor.OrgID, id, before.Status)
		if err != nil {
			return fmt.Errorf("move capa %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("move capa %d: %w", id, err)
		} else if n == 0 {
			return apperr.New(apperr.Conflict, "err.capa_state") // moved concurrently
		}
		out.Overdue = out.OverdueAt(now)
		return audit.Append(ctx, tx, now, actor.Audit(action, CAPAObject, capaID(out), before, out))
	})
	if err != nil {
		return CAPA{}, apperr.Wrap(err, action)
	}
	return out, nil
}

// Progress is the owner reporting on their own approved CAPA: in_progress
// (started) or done. Done needs notes on what was done and meets the
// deadline; a done CAPA waits for verification by someone else.
func (s *Service) Progress(ctx context.Context, incidentID, id int64, status, notes string) (CAPA, error) {
	var col apperr.Collector
	notes = text(&col, "notes", notes, maxText, status == CAPADone)
	if status != CAPAInProgress && status != CAPADone {
		col.Add("status", "err.invalid_choice")
	}
	if _, err := auth.Require(ctx, auth.PermCAPAWork); err != nil {
		return CAPA{}, err
	}
	if err := col.Err(); err != nil {
		return CAPA{}, err
	}
	return s.moveCAPA(ctx, auth.PermCAPAWork, incidentID, id, "capa."+status, func(tx *store.Tx, actor *auth.Actor, c *CAPA) error {
		switch {
		case c.OwnerID != actor.UserID:
			return apperr.New(apperr.Forbidden, "err.capa_not_owner")
		case !c.Approved():
			return apperr.New(apperr.Conflict, "err.capa_not_approved")
		case c.Finished(), status == CAPAInProgress && c.Status != CAPAOpen:
			return apperr.New(apperr.Conflict, "err.capa_state")
		}
		if notes != "" {
			c.ProgressNotes = notes
		}
		c.Status = status
		if status == CAPADone {
			c.DoneAt = c.UpdatedAt
			_, err := s.Deadlines.Met(ctx, tx, CAPAObject, capaID(*c), CAPADeadline, c.UpdatedAt)
			return err
		}
		return nil
	})
}

// Verify is someone other than the owner checking a done CAPA: accepted,
// it is verified (closed); not accepted, it goes back to in_progress with
// the notes, and its deadline is armed again. Notes are required either
// way: they are the verification record.
func (s *Service) Verify(ctx context.Context, incidentID, id int64, accept bool, notes string) (CAPA, error) {
	if _, err := auth.Require(ctx, auth.PermCAPAVerify); err != nil {
		return CAPA{}, err
	}
	var col apperr.Collector
	notes = text(&col, "notes", notes, maxText, true)
	if err := col.Err(); err != nil {
		return CAPA{}, err
	}
	action := "capa.verify"
	if !accept {
		action = "capa.reopen"
	}
	return s.moveCAPA(ctx, auth.PermCAPAVerify, incidentID, id, action, func(tx *store.Tx, actor *auth.Actor, c *CAPA) error {
		switch {
		case c.Status != CAPADone:
			return apperr.New(apperr.Conflict, "err.capa_not_done")
		case c.OwnerID == actor.UserID:
			return apperr.New(apperr.Forbidden, "err.capa_verify_own")
		}
		c.VerificationNotes, c.VerifiedBy, c.VerifiedByName = notes, actor.UserID, actor.Username
		if accept {
			c.Status, c.VerifiedAt = CAPAVerified, c.UpdatedAt
			return nil
		}
		// Sent back: who checked stays recorded with the notes, the work
		// goes on and is due again.
		c.Status, c.DoneAt, c.VerifiedAt = CAPAInProgress, time.Time{}, c.UpdatedAt
		return s.setDeadline(ctx, tx, *c)
	})
}
