package deadline

import (
	"context"
	"fmt"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Clear removes the deadline of (object, kind) when the obligation no
// longer exists (an incident regraded below the reporting threshold, a
// summary report no longer due because the incident was reopened). The
// row goes, so the scanner has nothing left to announce; the audit trail
// keeps what it was. Clearing a deadline that does not exist does nothing
// (ok false), so callers need not check first.
func (s *Service) Clear(ctx context.Context, tx *store.Tx, objectType, objectID, kind string) (ok bool, err error) {
	actor, err := auth.Require(ctx, auth.PermDeadlineSet)
	if err != nil {
		return false, err
	}
	before, err := get(ctx, tx, actor.OrgID, objectType, objectID, kind)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE id = $1 AND org_id = $2`, before.ID, actor.OrgID); err != nil {
		return false, fmt.Errorf("clear deadline %d: %w", before.ID, err)
	}
	return true, audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("deadline.clear", "deadline", fmt.Sprint(before.ID), before, nil))
}

// Get returns the deadline of (object, kind) inside q, ok false when there
// is none. Owners read their deadlines in their own transactions with it.
func (s *Service) Get(ctx context.Context, q store.Querier, objectType, objectID, kind string) (d Deadline, ok bool, err error) {
	actor, err := auth.Require(ctx, auth.PermDeadlineRead)
	if err != nil {
		return Deadline{}, false, err
	}
	d, err = get(ctx, q, actor.OrgID, objectType, objectID, kind)
	if apperr.Is(err, apperr.NotFound) {
		return Deadline{}, false, nil
	}
	return d, err == nil, err
}
