package workflow

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Cancel ends a pending approval that its object no longer needs (an
// incident regraded below the grade that asked for it, say), inside the
// owning module's transaction, so the object's change and the end of its
// approval commit together. Unlike Withdraw it is not the author's choice
// but the module's: the module has checked the caller's permission for
// the change that makes the approval moot. The approval ends as withdrawn,
// with the reason (required) and the caller as the one who ended it; the
// object's hooks are told, as of a decision. An approval that is no longer
// pending is refused as a conflict.
func (s *Service) Cancel(ctx context.Context, tx *store.Tx, id int64, reason string) (Approval, error) {
	actor := auth.FromContext(ctx)
	if actor == nil {
		return Approval{}, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Approval{}, apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.required"}})
	case utf8.RuneCountInString(reason) > 2000:
		return Approval{}, apperr.Fields([]apperr.FieldError{{Field: "reason", Key: "err.too_long", Args: []any{2000}}})
	}
	before, err := get(ctx, tx, actor.OrgID, id, true)
	if err != nil {
		return Approval{}, err
	}
	if before.Status != StatusPending {
		return Approval{}, apperr.New(apperr.Conflict, "err.approval_decided")
	}
	out, err := s.finish(ctx, tx, actor, before, StatusWithdrawn, reason)
	if err != nil {
		return Approval{}, err
	}
	if err := audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("approval.cancel", "approval", fmt.Sprint(id), before, out)); err != nil {
		return Approval{}, err
	}
	return out, nil
}

// Latest returns the newest approval of step on an object inside q (the
// owner's transaction or a read), ok false when there is none. Modules
// whose object needs one decision at a time (an incident's plan
// activation) read its state from here.
func (s *Service) Latest(ctx context.Context, q store.Querier, orgID int64, objectType, objectID, step string) (a Approval, ok bool, err error) {
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM approvals WHERE org_id = $1 AND object_type = $2
		AND object_id = $3 AND step = $4 ORDER BY created_at DESC, id DESC LIMIT 1`, orgID, objectType, objectID, step)
	if err != nil {
		return Approval{}, false, fmt.Errorf("latest approval of %s %s: %w", objectType, objectID, err)
	}
	defer rows.Close()
	if rows.Next() {
		if a, err = scan(rows); err != nil {
			return Approval{}, false, fmt.Errorf("latest approval of %s %s: %w", objectType, objectID, err)
		}
		ok = true
	}
	return a, ok, rows.Err()
}
