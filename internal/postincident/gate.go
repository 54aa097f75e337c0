package postincident

import (
	"context"
	"fmt"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/store"
)

// Readiness says what the incident still needs before it may close
// (总结 → 关闭): the review complete and saved in the current round, every
// proposed CAPA approved by leadership, no recommendation undecided. CAPA
// need not be done: corrective work (a patch programme, training) often
// outlasts the incident, and is tracked to verification after it closes.
type Readiness struct {
	ReviewRecorded bool `json:"review_recorded"`
	// ReviewMissing lists the review's missing fields (Review.Missing).
	ReviewMissing []string `json:"review_missing"`
	// ReviewStale: the review was saved in an earlier round; a reopened
	// incident is reviewed again.
	ReviewStale bool `json:"review_stale"`
	// CAPAUnapproved counts CAPA still draft or waiting for approval.
	CAPAUnapproved int `json:"capa_unapproved"`
	// SanctionsPending counts recommendations leadership has not decided.
	SanctionsPending int  `json:"sanctions_pending"`
	Ready            bool `json:"ready"`
}

// Key is the catalogue key of the first thing missing, "" when ready.
func (r Readiness) Key() string {
	switch {
	case !r.ReviewRecorded:
		return "err.review_required"
	case len(r.ReviewMissing) > 0:
		return "err.review_incomplete"
	case r.ReviewStale:
		return "err.review_stale"
	case r.CAPAUnapproved > 0:
		return "err.review_capa_unapproved"
	case r.SanctionsPending > 0:
		return "err.review_sanction_pending"
	}
	return ""
}

func readiness(ctx context.Context, q store.Querier, orgID int64, inc incidentRef) (Readiness, error) {
	var r Readiness
	rev, err := getReview(ctx, q, orgID, inc.ID)
	if err != nil {
		return r, err
	}
	r.ReviewRecorded, r.ReviewMissing = rev.Recorded(), rev.Missing()
	r.ReviewStale = rev.Recorded() && rev.Round != inc.Round
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_capas WHERE org_id = $1 AND incident_id = $2 AND status IN ($3, $4)`,
		orgID, inc.ID, CAPADraft, CAPASubmitted).Scan(&r.CAPAUnapproved); err != nil {
		return r, fmt.Errorf("count unapproved capa of incident %d: %w", inc.ID, err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_sanctions WHERE org_id = $1 AND incident_id = $2 AND status = $3`,
		orgID, inc.ID, SanctionPending).Scan(&r.SanctionsPending); err != nil {
		return r, fmt.Errorf("count pending recommendations of incident %d: %w", inc.ID, err)
	}
	r.Ready = r.Key() == ""
	return r, nil
}

// Readiness reports what the incident still needs before it may close.
func (s *Service) Readiness(ctx context.Context, incidentID int64) (Readiness, error) {
	actor, err := auth.Require(ctx, auth.PermReviewRead)
	if err != nil {
		return Readiness{}, err
	}
	inc, err := getIncident(ctx, s.DB.Read(), actor.OrgID, incidentID)
	if err != nil {
		return Readiness{}, apperr.Wrap(err, "close readiness")
	}
	r, err := readiness(ctx, s.DB.Read(), actor.OrgID, inc)
	return r, apperr.Wrap(err, "close readiness")
}

// closeGate is the lifecycle's check on summary → closed, in the
// transition's transaction; leadership's exception does not pass here.
func (s *Service) closeGate(ctx context.Context, tx *store.Tx, inc incident.Incident, round int) error {
	ref, err := getIncident(ctx, tx, inc.OrgID, inc.ID) // locks the row on PostgreSQL
	if err != nil {
		return err
	}
	ref.Round = round
	r, err := readiness(ctx, tx, inc.OrgID, ref)
	if err != nil {
		return err
	}
	if k := r.Key(); k != "" {
		return apperr.New(apperr.Conflict, k)
	}
	return nil
}
