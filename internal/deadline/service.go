package deadline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Service keeps deadlines. Set and Met run inside the owning module's
// transaction, so an object and its deadline change together.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	// Windows maps a kind to its near window; the "" entry is the default.
	// Nil means DefaultWindows.
	Windows map[string]Window
}

func (s *Service) window(kind string) Window {
	ws := s.Windows
	if ws == nil {
		ws = DefaultWindows
	}
	if w, ok := ws[kind]; ok {
		return w
	}
	return ws[""]
}

const columns = `id, org_id, object_type, object_id, kind, start_at, due_at, near_at, met_at, near_notified_at,
	overdue_notified_at`

func scan(row interface{ Scan(...any) error }) (Deadline, error) {
	var d Deadline
	var start, due, near, met, nn, on int64
	err := row.Scan(&d.ID, &d.OrgID, &d.ObjectType, &d.ObjectID, &d.Kind, &start, &due, &near, &met, &nn, &on)
	d.StartAt, d.DueAt, d.NearAt, d.MetAt = store.FromMicros(start), store.FromMicros(due), store.FromMicros(near), store.FromMicros(met)
	d.NearNotifiedAt, d.OverdueNotifiedAt = store.FromMicros(nn), store.FromMicros(on)
	return d, err
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

func (d *Deadline) validate() error {
	var c apperr.Collector
	d.ObjectID = strings.TrimSpace(d.ObjectID)
	if !nameRE.MatchString(d.ObjectType) {
		c.Add("object_type", "err.deadline_name")
	}
	if d.ObjectID == "" || len(d.ObjectID) > 64 {
		c.Add("object_id", "err.required")
	}
	if !nameRE.MatchString(d.Kind) {
		c.Add("kind", "err.deadline_name")
	}
	if d.DueAt.IsZero() {
		c.Add("due_at", "err.required")
	} else if !d.StartAt.IsZero() && d.DueAt.Before(d.StartAt) {
		c.Add("due_at", "err.deadline_before_start")
	}
	return c.Err()
}

// Set creates the deadline of (object, kind) or moves it. Moving it resets
// both notices and its met time: it is a new obligation that the scanner
// must announce again.
func (s *Service) Set(ctx context.Context, tx *store.Tx, d Deadline) (Deadline, error) {
	actor, err := auth.Require(ctx, auth.PermDeadlineSet)
	if err != nil {
		return Deadline{}, err
	}
	if d.OrgID == 0 {
		d.OrgID = actor.OrgID
	}
	if d.OrgID != actor.OrgID {
		return Deadline{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	now := s.Clock.Now()
	if d.StartAt.IsZero() {
		d.StartAt = now
	}
	if err := d.validate(); err != nil {
		return Deadline{}, err
	}
	d.StartAt, d.DueAt = d.StartAt.UTC().Truncate(time.Microsecond), d.DueAt.UTC().Truncate(time.Microsecond)
	d.NearAt = s.window(d.Kind).nearAt(d.StartAt, d.DueAt)
	before, err := get(ctx, tx, d.OrgID, d.ObjectType, d.ObjectID, d.Kind)
	var beforeRec any
	switch {
	case err == nil:
		beforeRec = before
		if before.StartAt.Equal(d.StartAt) && before.DueAt.Equal(d.DueAt) && before.MetAt.IsZero() {
			return before, nil // unchanged: keep the notices already sent
		}
	case !apperr.Is(err, apperr.NotFound):
		return Deadline{}, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO deadlines (org_id, object_type, object_id, kind, start_at, due_at, near_at,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		ON CONFLICT (org_id, object_type, object_id, kind) DO UPDATE SET start_at = excluded.start_at,
		due_at = excluded.due_at, near_at = excluded.near_at, met_at = 0, near_notified_at = 0,
		overdue_notified_at = 0, updated_at = excluded.updated_at RETURNING id`,
		d.OrgID, d.ObjectType, d.ObjectID, d.Kind, store.Micros(d.StartAt), store.Micros(d.DueAt), store.Micros(d.NearAt),
		store.Micros(now)).Scan(&d.ID)
	if err != nil {
		return Deadline{}, fmt.Errorf("set deadline %s of %s %s: %w", d.Kind, d.ObjectType, d.ObjectID, err)
	}
	d.MetAt, d.NearNotifiedAt, d.OverdueNotifiedAt = time.Time{}, time.Time{}, time.Time{}
	return d, audit.Append(ctx, tx, now, actor.Audit("deadline.set", "deadline", fmt.Sprint(d.ID), beforeRec, d))
}

// Met records that (object, kind) was fulfilled at at; the scanner then
// leaves it alone.
func (s *Service) Met(ctx context.Context, tx *store.Tx, objectType, objectID, kind string, at time.Time) (Deadline, error) {
	actor, err := auth.Require(ctx, auth.PermDeadlineSet)
	if err != nil {
		return Deadline{}, err
	}
	if at.IsZero() {
		at = s.Clock.Now()
	}
	before, err := get(ctx, tx, actor.OrgID, objectType, objectID, kind)
	if err != nil {
		return Deadline{}, err
	}
	after := before
	after.MetAt = at.UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET met_at = $1, updated_at = $2 WHERE id = $3 AND org_id = $4`,
		store.Micros(after.MetAt), store.Micros(s.Clock.Now()), before.ID, actor.OrgID); err != nil {
		return Deadline{}, fmt.Errorf("deadline %d met: %w", before.ID, err)
	}
	return after, audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("deadline.met", "deadline", fmt.Sprint(before.ID), before, after))
}

func get(ctx context.Context, q store.Querier, orgID int64, objectType, objectID, kind string) (Deadline, error) {
	d, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM deadlines
		WHERE org_id = $1 AND object_type = $2 AND object_id = $3 AND kind = $4`, orgID, objectType, objectID, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return d, fmt.Errorf("read deadline %s of %s %s: %w", kind, objectType, objectID, err)
	}
	return d, nil
}

// ForObject returns an object's deadlines, soonest first.
func (s *Service) ForObject(ctx context.Context, objectType, objectID string) ([]Deadline, error) {
	actor, err := auth.Require(ctx, auth.PermDeadlineRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM deadlines
		WHERE org_id = $1 AND object_type = $2 AND object_id = $3 ORDER BY due_at, id`, actor.OrgID, objectType, objectID)
	if err != nil {
		return nil, apperr.Wrap(err, "deadlines of object")
	}
	defer rows.Close()
	out := []Deadline{}
	for rows.Next() {
		d, err := scan(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "deadlines of object")
		}
		out = append(out, d)
	}
	return out, apperr.Wrap(rows.Err(), "deadlines of object")
}
