package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"bulwark/internal/store"
)

const entryColumns = `seq, org_id, at, actor_id, actor, action, object_type, object_id, before_json, after_json, ip, prev_hash, hash`

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var at int64
	err := row.Scan(&e.Seq, &e.OrgID, &at, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash)
	e.At = store.FromMicros(at)
	return e, err
}

// Get returns record seq; found is false when there is none. It applies no
// organisation scope: callers decide who may see the record.
func Get(ctx context.Context, q store.Querier, seq int64) (e Entry, found bool, err error) {
	e, err = scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM audit_log WHERE seq = $1`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("read audit record %d: %w", seq, err)
	}
	return e, true, nil
}

// ObjectHistory returns the newest records about one object in every
// organisation. Users and organisations are installation-wide objects: a
// user's role change is recorded in the organisation concerned, a login in
// the user's default one, and their history is all of these together.
func ObjectHistory(ctx context.Context, q store.Querier, objectType, objectID string, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := q.QueryContext(ctx, `SELECT `+entryColumns+` FROM audit_log
		WHERE object_type = $1 AND object_id = $2 ORDER BY seq DESC LIMIT $3`, objectType, objectID, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s %s: %w", objectType, objectID, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("history of %s %s: scan: %w", objectType, objectID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of %s %s: %w", objectType, objectID, err)
	}
	return out, nil
}
