package deadline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Hook is told of one deadline coming near or passing, inside the
// transaction that records the notice: if it fails, the notice is not
// recorded and the next scan tries again, so none is lost; once committed,
// it never fires again, even after a restart. The context acts as the
// system in the deadline's organisation.
type Hook func(ctx context.Context, tx *store.Tx, d Deadline) error

// Scanner finds deadlines entering their near window and deadlines past
// due, and calls the hooks once for each.
type Scanner struct {
	DB        *store.DB
	Clock     clock.Clock
	OnNear    Hook
	OnOverdue Hook
}

// Result counts what one scan announced.
type Result struct{ Near, Overdue int }

// The claims: an UPDATE that takes only rows not yet announced. Under
// PostgreSQL's READ COMMITTED a second node's UPDATE waits for the first's
// row locks, then re-checks the condition and skips rows already claimed;
// on SQLite writers are serialised. So each notice is claimed exactly once.
// A deadline already past due when first seen gets only the overdue notice.
// scanLockKey names the scanner's advisory lock on PostgreSQL.
const scanLockKey = 7226032

const (
	claimNear = `UPDATE deadlines SET near_notified_at = $1
		WHERE met_at = 0 AND near_notified_at = 0 AND overdue_notified_at = 0 AND near_at <= $1 AND due_at > $1
		RETURNING ` + columns
	claimOverdue = `UPDATE deadlines SET overdue_notified_at = $1,
		near_notified_at = CASE WHEN near_notified_at = 0 THEN $1 ELSE near_notified_at END
		WHERE met_at = 0 AND overdue_notified_at = 0 AND due_at <= $1
		RETURNING ` + columns
)

// ScanOnce claims and announces every notice due at now, in one
// transaction.
func (s *Scanner) ScanOnce(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		res = Result{}
		// One scanner at a time across nodes: two claiming UPDATEs that
		// lock overlapping rows in different orders deadlock on
		// PostgreSQL. A node that finds the lock taken skips this round;
		// the holder announces everything that is due.
		if ok, err := tx.TryLock(ctx, scanLockKey); err != nil || !ok {
			return err
		}
		near, err := claim(ctx, tx, claimNear, now)
		if err != nil {
			return fmt.Errorf("claim near deadlines: %w", err)
		}
		over, err := claim(ctx, tx, claimOverdue, now)
		if err != nil {
			return fmt.Errorf("claim overdue deadlines: %w", err)
		}
		for _, d := range near {
			if err := s.announce(ctx, tx, now, "deadline.near", s.OnNear, d); err != nil {
				return err
			}
		}
		for _, d := range over {
			if err := s.announce(ctx, tx, now, "deadline.overdue", s.OnOverdue, d); err != nil {
				return err
			}
		}
		res = Result{Near: len(near), Overdue: len(over)}
		return nil
	})
	return res, err
}

func claim(ctx context.Context, tx *store.Tx, query string, now time.Time) ([]Deadline, error) {
	rows, err := tx.QueryContext(ctx, query, store.Micros(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// announce records the notice in the audit trail (as the system, in the
// deadline's organisation) and calls the hook.
func (s *Scanner) announce(ctx context.Context, tx *store.Tx, now time.Time, action string, h Hook, d Deadline) error {
	actor := auth.System(d.OrgID)
	actx := auth.WithActor(ctx, actor)
	if err := audit.Append(actx, tx, now, actor.Audit(action, "deadline", fmt.Sprint(d.ID), nil, d)); err != nil {
		return err
	}
	if h == nil {
		return nil
	}
	if err := h(actx, tx, d); err != nil {
		return fmt.Errorf("%s hook for deadline %d: %w", action, d.ID, err)
	}
	return nil
}

// Run scans every interval until ctx ends. A failed scan is logged and
// retried at the next tick: its notices were not recorded.
func (s *Scanner) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if res, err := s.ScanOnce(ctx, s.Clock.Now()); err != nil {
			if ctx.Err() != nil {
				return
			}
			slog.ErrorContext(ctx, "deadline scan failed", "err", err)
		} else if res.Near+res.Overdue > 0 {
			slog.InfoContext(ctx, "deadline scan", "near", res.Near, "overdue", res.Overdue)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
