package postincident

import (
	"context"
	"database/sql"
	"errors"
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

// Kinds of recommendation (奖惩意见).
const (
	SanctionReward  = "reward"
	SanctionPenalty = "penalty"
)

// SanctionKinds lists them in display order.
var SanctionKinds = []string{SanctionReward, SanctionPenalty}

// Sanction states: pending while leadership's approval waits.
const (
	SanctionPending   = "pending"
	SanctionApproved  = "approved"
	SanctionRejected  = "rejected"
	SanctionWithdrawn = "withdrawn"
)

// Sanction is a reward or penalty recommendation about one person, with
// leadership's decision.
type Sanction struct {
	ID         int64  `json:"id"`
	IncidentID int64  `json:"incident_id"`
	Kind       string `json:"kind"`
	// PersonID is the account concerned, 0 for someone without one;
	// PersonName is always set.
	PersonID   int64  `json:"person_id"`
	PersonName string `json:"person_name"`
	Reason     string `json:"reason"`
	// Measure is what is recommended: a commendation, a bonus, a warning...
	Measure        string    `json:"measure"`
	Status         string    `json:"status"`
	ApprovalID     int64     `json:"approval_id"`
	DecidedByName  string    `json:"decided_by_name"`
	DecidedAt      time.Time `json:"decided_at"`
	DecisionReason string    `json:"decision_reason"`
	AuthorID       int64     `json:"author_id"`
	AuthorName     string    `json:"author_name"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// SanctionInput is a recommendation as proposed.
type SanctionInput struct {
	Kind       string
	PersonID   int64
	PersonName string
	Reason     string
	Measure    string
}

const sanctionColumns = `id, incident_id, kind, person_id, person_name, reason, measure, status, approval_id,
	decided_by_name, decided_at, decision_reason, author_id, author_name, created_at, updated_at`

func scanSanction(row interface{ Scan(...any) error }) (Sanction, error) {
	var x Sanction
	var decided, created, updated int64
	err := row.Scan(&x.ID, &x.IncidentID, &x.Kind, &x.PersonID, &x.PersonName, &x.Reason, &x.Measure, &x.Status,
		&x.ApprovalID, &x.DecidedByName, &decided, &x.DecisionReason, &x.AuthorID, &x.AuthorName, &created, &updated)
	x.DecidedAt, x.CreatedAt, x.UpdatedAt = fromMicros(decided), store.FromMicros(created), store.FromMicros(updated)
	return x, err
}

func getSanction(ctx context.Context, q store.Querier, orgID, id int64) (Sanction, error) {
	x, err := scanSanction(q.QueryRowContext(ctx, `SELECT `+sanctionColumns+` FROM incident_sanctions WHERE org_id = $1 AND id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return x, fmt.Errorf("read recommendation %d: %w", id, err)
	}
	return x, nil
}

func sanctionID(x Sanction) string { return strconv.FormatInt(x.ID, 10) }

// Sanctions lists the incident's recommendations, oldest first.
func (s *Service) Sanctions(ctx context.Context, incidentID int64) ([]Sanction, error) {
	actor, err := auth.Require(ctx, auth.PermSanctionRead)
	if err != nil {
		return nil, err
	}
	q := s.DB.Read()
	if _, err := getIncident(ctx, q, actor.OrgID, incidentID); err != nil {
		return nil, apperr.Wrap(err, "list recommendations")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+sanctionColumns+` FROM incident_sanctions WHERE org_id = $1 AND incident_id = $2
		ORDER BY id`, actor.OrgID, incidentID)
	if err != nil {
		return nil, apperr.Wrap(err, "list recommendations")
	}
	defer rows.Close()
	out := []Sanction{}
	for rows.Next() {
		x, err := scanSanction(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "list recommendations")
		}
		out = append(out, x)
	}
	return out, apperr.Wrap(rows.Err(), "list recommendations")
}

// SanctionIncident returns the incident a recommendation belongs to (the
// approval inbox links to recommendations by their own id).
func (s *Service) SanctionIncident(ctx context.Context, id int64) (int64, error) {
	actor, err := auth.Require(ctx, auth.PermReviewRead)
	if err != nil {
		return 0, err
	}
	x, err := getSanction(ctx, s.DB.Read(), actor.OrgID, id)
	return x.IncidentID, apperr.Wrap(err, "incident of recommendation")
}

// ProposeSanction records a recommendation on an open incident and asks
// leadership to decide it at once: there is no draft, the proposal is the
// request. Its author never decides it (the approval refuses them), and
// neither does the person it is about.
func (s *Service) ProposeSanction(ctx context.Context, incidentID int64, in SanctionInput) (Sanction, error) {
	actor, err := auth.Require(ctx, auth.PermSanctionPropose)
	if err != nil {
		return Sanction{}, err
	}
	var col apperr.Collector
	if !slices.Contains(SanctionKinds, in.Kind) {
		col.Add("kind", "err.invalid_choice")
	}
	in.PersonName = text(&col, "person_name", in.PersonName, maxName, false)
	in.Reason = text(&col, "reason", in.Reason, maxText, true)
	in.Measure = text(&col, "measure", in.Measure, 2000, false)
	if in.PersonID == 0 && in.PersonName == "" {
		col.Add("person_name", "err.required")
	}
	now := s.now()
	var out Sanction
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		inc, err := openIncident(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		if in.PersonID != 0 {
			p, ok, err := member(ctx, tx, actor.OrgID, in.PersonID)
			if err != nil {
				return err
			}
			if !ok {
				col.Add("person_id", "err.review_person_unknown")
			}
			in.PersonName = p.Name
		}
		if err := col.Err(); err != nil {
			return err
		}
		out = Sanction{IncidentID: incidentID, Kind: in.Kind, PersonID: in.PersonID, PersonName: in.PersonName,
			Reason: in.Reason, Measure: in.Measure, Status: SanctionPending, AuthorID: actor.UserID,
			AuthorName: actor.Username, CreatedAt: now, UpdatedAt: now}
		if err := tx.QueryRowContext(ctx, `INSERT INTO incident_sanctions (org_id, incident_id, kind, person_id, person_name,
			reason, measure, status, author_id, author_name, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			actor.OrgID, incidentID, out.Kind, out.PersonID, out.PersonName, out.Reason, out.Measure, out.Status,
			out.AuthorID, out.AuthorName, store.Micros(now)).Scan(&out.ID); err != nil {
			return fmt.Errorf("insert recommendation: %w", err)
		}
		// The title names no one: approvals are read more widely than
		// recommendations about people.
		a, err := s.Approvals.Request(ctx, tx, workflow.Request{ObjectType: SanctionObject, ObjectID: sanctionID(out),
			Step: "sanction", Title: fmt.Sprintf("%s 奖惩意见 #%d", inc.Number, out.ID), Roles: ApproverRoles})
		if err != nil {
			return err
		}
		out.ApprovalID = a.ID
		if _, err := tx.ExecContext(ctx, `UPDATE incident_sanctions SET approval_id = $1 WHERE org_id = $2 AND id = $3`,
			a.ID, actor.OrgID, out.ID); err != nil {
			return fmt.Errorf("link recommendation %d to approval: %w", out.ID, err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("sanction.propose", SanctionObject, sanctionID(out), nil, out))
	})
	if err != nil {
		return Sanction{}, apperr.Wrap(err, "propose recommendation")
	}
	return out, nil
}

// onSanctionDecided records leadership's decision (or the author's
// withdrawal) on the recommendation, in the decision's transaction.
func (s *Service) onSanctionDecided(ctx context.Context, tx *store.Tx, a workflow.Approval) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("recommendation id %q: %w", a.ObjectID, err)
	}
	before, err := getSanction(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	if before.Status != SanctionPending || before.ApprovalID != a.ID {
		return apperr.New(apperr.Conflict, "err.sanction_state")
	}
	after := before
	after.Status = map[string]string{workflow.StatusApproved: SanctionApproved, workflow.StatusRejected: SanctionRejected,
		workflow.StatusWithdrawn: SanctionWithdrawn}[a.Status]
	if after.Status == "" {
		return fmt.Errorf("recommendation %d: unexpected decision %q", id, a.Status)
	}
	after.DecidedByName, after.DecidedAt, after.DecisionReason, after.UpdatedAt = a.DecidedByName, a.DecidedAt, a.Reason, s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE incident_sanctions SET status = $1, decided_by_name = $2, decided_at = $3,
		decision_reason = $4, updated_at = $5 WHERE org_id = $6 AND id = $7`, after.Status, after.DecidedByName,
		micros(after.DecidedAt), after.DecisionReason, store.Micros(after.UpdatedAt), a.OrgID, id); err != nil {
		return fmt.Errorf("decide recommendation %d: %w", id, err)
	}
	actor := auth.FromContext(ctx)
	return audit.Append(ctx, tx, after.UpdatedAt, actor.Audit("sanction."+after.Status, SanctionObject, sanctionID(after), before, after))
}

// notSanctionParty refuses as decider the recommendation's author (even
// when someone else filed it) and the person it is about.
func (s *Service) notSanctionParty(ctx context.Context, tx *store.Tx, a workflow.Approval, actor *auth.Actor) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("recommendation id %q: %w", a.ObjectID, err)
	}
	x, err := getSanction(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	switch {
	case actor.UserID == x.AuthorID:
		return apperr.New(apperr.Forbidden, "err.approval_own")
	case x.PersonID != 0 && actor.UserID == x.PersonID:
		return apperr.New(apperr.Forbidden, "err.sanction_own_person")
	}
	return nil
}
