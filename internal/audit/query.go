package audit

import (
	"context"
	"fmt"
	"strings"

	"bulwark/internal/store"
)

// Filter narrows a listing of the trail. OrgID is always applied: an
// organisation sees only its own records (0 lists installation-wide records).
type Filter struct {
	OrgID      int64
	Actor      string
	Action     string // prefix, e.g. "asset." or "login."
	ObjectType string
	ObjectID   string
	FromMicros int64
	ToMicros   int64
	BeforeSeq  int64 // cursor: records older than this
	Limit      int
}

// List returns records newest first, and the cursor for the next page (0 at the end).
func List(ctx context.Context, q store.Querier, f Filter) ([]Entry, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := []string{"org_id = $1"}
	args := []any{f.OrgID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != "" {
		add("actor = $%d", f.Actor)
	}
	if f.Action != "" {
		add(`action LIKE $%d ESCAPE '\'`, store.EscapeLike(f.Action)+"%")
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if f.FromMicros > 0 {
		add("at >= $%d", f.FromMicros)
	}
	if f.ToMicros > 0 {
		add("at < $%d", f.ToMicros)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	args = append(args, f.Limit+1)
	query := `SELECT seq, org_id, at, actor_id, actor, action, object_type, object_id, before_json, after_json, ip, prev_hash, hash
		FROM audit_log WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(" ORDER BY seq DESC LIMIT $%d", len(args))
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit records: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &e.OrgID, &at, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
			&e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return nil, 0, fmt.Errorf("list audit records: scan: %w", err)
		}
		e.At = store.FromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list audit records: %w", err)
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].Seq
	}
	return out, next, nil
}
