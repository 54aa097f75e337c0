package postincident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/store"
)

// The owner's and the creator's names come along so lists need no second
// query; the incident's number too, for lists across incidents.
const capaColumns = `c.id, c.incident_id, i.number, c.kind, c.description, c.owner_id,
	COALESCE(NULLIF(u.display_name, ''), u.username, ''), c.due_at, c.status, c.approval_id, c.reject_reason,
	c.progress_notes, c.done_at, c.verified_by, c.verified_by_name, c.verified_at, c.verification_notes,
	c.created_by, c.created_by_name, c.created_at, c.updated_at`

const capaFrom = ` FROM incident_capas c JOIN incidents i ON i.id = c.incident_id AND i.org_id = c.org_id
	LEFT JOIN users u ON u.id = c.owner_id`

func (s *Service) scanCAPA(row interface{ Scan(...any) error }) (CAPA, error) {
	var c CAPA
	var due, done, verified, created, updated int64
	err := row.Scan(&c.ID, &c.IncidentID, &c.IncidentNumber, &c.Kind, &c.Description, &c.OwnerID, &c.OwnerName, &due,
		&c.Status, &c.ApprovalID, &c.RejectReason, &c.ProgressNotes, &done, &c.VerifiedBy, &c.VerifiedByName, &verified,
		&c.VerificationNotes, &c.CreatedBy, &c.CreatedByName, &created, &updated)
	c.DueAt, c.DoneAt, c.VerifiedAt = store.FromMicros(due), fromMicros(done), fromMicros(verified)
	c.CreatedAt, c.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	c.Overdue = c.OverdueAt(s.Clock.Now())
	return c, err
}

func (s *Service) listCAPA(ctx context.Context, q store.Querier, where string, args ...any) ([]CAPA, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+capaColumns+capaFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list capa: %w", err)
	}
	defer rows.Close()
	out := []CAPA{}
	for rows.Next() {
		c, err := s.scanCAPA(rows)
		if err != nil {
			return nil, fmt.Errorf("list capa: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// getCAPA reads one CAPA of the incident; one of another incident or
// organisation is not found.
func (s *Service) getCAPA(ctx context.Context, q store.Querier, orgID, incidentID, id int64) (CAPA, error) {
	c, err := s.scanCAPA(q.QueryRowContext(ctx, `SELECT `+capaColumns+capaFrom+` WHERE c.org_id = $1 AND c.incident_id = $2 AND c.id = $3`,
		orgID, incidentID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return c, fmt.Errorf("read capa %d: %w", id, err)
	}
	return c, nil
}

// CAPAs lists the incident's CAPA in the order they were proposed.
func (s *Service) CAPAs(ctx context.Context, incidentID int64) ([]CAPA, error) {
	actor, err := auth.Require(ctx, auth.PermReviewRead)
	if err != nil {
		return nil, err
	}
	if _, err := getIncident(ctx, s.DB.Read(), actor.OrgID, incidentID); err != nil {
		return nil, apperr.Wrap(err, "list capa")
	}
	out, err := s.listCAPA(ctx, s.DB.Read(), `c.org_id = $1 AND c.incident_id = $2 ORDER BY c.id`, actor.OrgID, incidentID)
	return out, apperr.Wrap(err, "list capa")
}

// OpenCAPAs lists the organisation's approved CAPA not yet verified,
// soonest due first, across incidents; mine narrows them to the caller's.
func (s *Service) OpenCAPAs(ctx context.Context, mine bool) ([]CAPA, error) {
	actor, err := auth.Require(ctx, auth.PermReviewRead)
	if err != nil {
		return nil, err
	}
	where := `c.org_id = $1 AND c.status IN ('open', 'in_progress', 'done')`
	args := []any{actor.OrgID}
	if mine {
		where += ` AND c.owner_id = $2`
		args = append(args, actor.UserID)
	}
	out, err := s.listCAPA(ctx, s.DB.Read(), where+` ORDER BY c.due_at, c.id LIMIT 1000`, args...)
	return out, apperr.Wrap(err, "list open capa")
}

// checkOwner adds a field error unless id is an account of the
// organisation that may own CAPA.
func checkOwner(ctx context.Context, q store.Querier, orgID, id int64, col *apperr.Collector) error {
	if id == 0 {
		return nil // already reported as required
	}
	p, ok, err := member(ctx, q, orgID, id)
	switch {
	case err != nil:
		return err
	case !ok:
		col.Add("owner_id", "err.review_person_unknown")
	case !p.CanOwn:
		col.Add("owner_id", "err.capa_owner_role")
	}
	return nil
}

func capaID(c CAPA) string { return strconv.FormatInt(c.ID, 10) }

// AddCAPA proposes a CAPA for an open incident, as a draft: it counts
// once leadership approved it with the others of the set.
func (s *Service) AddCAPA(ctx context.Context, incidentID int64, in CAPAInput) (CAPA, error) {
	actor, err := auth.Require(ctx, auth.PermReviewWrite)
	if err != nil {
		return CAPA{}, err
	}
	now := s.now()
	col := in.validate()
	if !in.DueAt.IsZero() && in.DueAt.Before(now) {
		col.Add("due_at", "err.capa_due_past")
	}
	var out CAPA
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := openIncident(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		if err := checkOwner(ctx, tx, actor.OrgID, in.OwnerID, col); err != nil {
			return err
		}
		if err := col.Err(); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO incident_capas (org_id, incident_id, kind, description, owner_id, due_at,
			status, created_by, created_by_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
			RETURNING id`, actor.OrgID, incidentID, in.Kind, in.Description, in.OwnerID, store.Micros(in.DueAt), CAPADraft,
			actor.UserID, actor.Username, store.Micros(now)).Scan(&id); err != nil {
			return fmt.Errorf("insert capa: %w", err)
		}
		if out, err = s.getCAPA(ctx, tx, actor.OrgID, incidentID, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("capa.create", CAPAObject, capaID(out), nil, out))
	})
	if err != nil {
		return CAPA{}, apperr.Wrap(err, "add capa")
	}
	return out, nil
}

// CAPAPatch is a change to a CAPA; nil fields stay as they are.
type CAPAPatch struct {
	Kind        *string
	Description *string
	OwnerID     *int64
	DueAt       *time.Time
}

// UpdateCAPA changes a CAPA. A draft changes freely while the incident is
// open. Once approved, what it is (kind, description) is what leadership
// approved and stays; its owner and due date may still change, audited,
// and the deadline moves with them. Under approval or finished, nothing
// changes.
func (s *Service) UpdateCAPA(ctx context.Context, incidentID, id int64, p CAPAPatch) (CAPA, error) {
	actor, err := auth.Require(ctx, auth.PermReviewWrite)
	if err != nil {
		return CAPA{}, err
	}
	now := s.now()
	var out CAPA
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		inc, err := getIncident(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		before, err := s.getCAPA(ctx, tx, actor.OrgID, incidentID, id)
		if err != nil {
			return err
		}
		in := CAPAInput{Kind: before.Kind, Description: before.Description, OwnerID: before.OwnerID, DueAt: before.DueAt}
		if p.Kind != nil {
			in.Kind = *p.Kind
		}
		if p.Description != nil {
			in.Description = *p.Description
		}
		if p.OwnerID != nil {
			in.OwnerID = *p.OwnerID
		}
		if p.DueAt != nil {
			in.DueAt = *p.DueAt
		}
		col := in.validate()
		switch {
		case before.Status == CAPASubmitted:
			return apperr.New(apperr.Conflict, "err.capa_under_approval")
		case before.Finished():
			return apperr.New(apperr.Conflict, "err.capa_finished")
		case before.Status == CAPADraft && inc.closed():
			return apperr.New(apperr.Conflict, "err.review_closed")
		case before.Approved() && (in.Kind != before.Kind || in.Description != before.Description):
			return apperr.New(apperr.Conflict, "err.capa_approved_fixed")
		}
		if !in.DueAt.IsZero() && !in.DueAt.Equal(before.DueAt) && in.DueAt.Before(now) {
			col.Add("due_at", "err.capa_due_past")
		}
		if in.OwnerID != before.OwnerID {
			if err := checkOwner(ctx, tx, actor.OrgID, in.OwnerID, col); err != nil {
				return err
			}
		}
		if err := col.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incident_capas SET kind = $1, description = $2, owner_id = $3, due_at = $4,
			updated_at = $5 WHERE org_id = $6 AND id = $7`, in.Kind, in.Description, in.OwnerID, store.Micros(in.DueAt),
			store.Micros(now), actor.OrgID, id); err != nil {
			return fmt.Errorf("update capa %d: %w", id, err)
		}
		if out, err = s.getCAPA(ctx, tx, actor.OrgID, incidentID, id); err != nil {
			return err
		}
		if out.Approved() && !out.DueAt.Equal(before.DueAt) {
			if err := s.setDeadline(ctx, tx, out); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, now, actor.Audit("capa.update", CAPAObject, capaID(out), before, out))
	})
	if err != nil {
		return CAPA{}, apperr.Wrap(err, "update capa")
	}
	return out, nil
}

// DeleteCAPA removes a draft proposed in error; the audit trail keeps it.
// Approved CAPA are never deleted: they are part of what leadership
// decided.
func (s *Service) DeleteCAPA(ctx context.Context, incidentID, id int64) error {
	actor, err := auth.Require(ctx, auth.PermReviewWrite)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := openIncident(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		before, err := s.getCAPA(ctx, tx, actor.OrgID, incidentID, id)
		if err != nil {
			return err
		}
		if before.Status != CAPADraft {
			return apperr.New(apperr.Conflict, "err.capa_not_draft")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_capas WHERE org_id = $1 AND id = $2 AND status = $3`,
			actor.OrgID, id, CAPADraft); err != nil {
			return fmt.Errorf("delete capa %d: %w", id, err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("capa.delete", CAPAObject, capaID(before), before, nil))
	})
	return apperr.Wrap(err, "delete capa")
}

// setDeadline arms the CAPA's due date as a deadline, so the scanner
// announces it near and overdue once each, across restarts.
func (s *Service) setDeadline(ctx context.Context, tx *store.Tx, c CAPA) error {
	_, err := s.Deadlines.Set(ctx, tx, deadline.Deadline{ObjectType: CAPAObject, ObjectID: capaID(c), Kind: CAPADeadline,
		StartAt: c.CreatedAt, DueAt: c.DueAt})
	return err
}
