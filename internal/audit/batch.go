package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/store"
)

// AppendBatch writes recs as the next links of the chain inside tx, in
// order, exactly as that many Append calls would (same seq numbers, same
// hashes), but advancing the head once and inserting many records per
// statement. Bulk operations (an import of thousands of rows) use it: one
// record per changed object stays the rule, only the round trips shrink.
func AppendBatch(ctx context.Context, tx *store.Tx, now time.Time, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	entries := make([]Entry, len(recs))
	for i, rec := range recs {
		before, err := marshalOptional(rec.Before)
		if err != nil {
			return fmt.Errorf("audit %s: encode before: %w", rec.Action, err)
		}
		after, err := marshalOptional(rec.After)
		if err != nil {
			return fmt.Errorf("audit %s: encode after: %w", rec.Action, err)
		}
		entries[i] = Entry{OrgID: rec.OrgID, At: now.UTC().Truncate(time.Microsecond), ActorID: rec.ActorID, Actor: rec.Actor,
			Action: rec.Action, ObjectType: rec.ObjectType, ObjectID: rec.ObjectID, Before: before, After: after, IP: rec.IP}
	}
	// Taking the whole range of seq numbers at once serialises concurrent
	// writers the same way Append does (row lock / write lock on the head).
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash`, len(entries)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit batch: advance chain head: %w", err)
	}
	seq := last - int64(len(entries))
	for i := range entries {
		seq++
		entries[i].Seq, entries[i].PrevHash = seq, prev
		entries[i].Hash = entries[i].computeHash()
		prev = entries[i].Hash
	}
	per := tx.Dialect.BatchRows(13)
	// Full chunks share one prepared statement.
	var full *sql.Stmt
	if len(entries) >= per {
		var err error
		if full, err = tx.PrepareContext(ctx, batchSQL(per)); err != nil {
			return fmt.Errorf("audit batch: prepare: %w", err)
		}
		defer full.Close()
	}
	for start := 0; start < len(entries); start += per {
		chunk := entries[start:min(start+per, len(entries))]
		args := make([]any, 0, len(chunk)*13)
		for _, e := range chunk {
			args = append(args, e.Seq, e.OrgID, store.Micros(e.At), e.ActorID, e.Actor, e.Action, e.ObjectType, e.ObjectID,
				e.Before, e.After, e.IP, e.PrevHash, e.Hash)
		}
		var err error
		if len(chunk) == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, batchSQL(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("audit batch: insert records %d-%d: %w", chunk[0].Seq, chunk[len(chunk)-1].Seq, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, prev); err != nil {
		return fmt.Errorf("audit batch: store chain head: %w", err)
	}
	return nil
}

// batchSQL inserts n records.
func batchSQL(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO audit_log (seq, org_id, at, actor_id, actor, action, object_type, object_id,
		before_json, after_json, ip, prev_hash, hash) VALUES `)
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		b := i * 13
		fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
			b+1, b+2, b+3, b+4, b+5, b+6, b+7, b+8, b+9, b+10, b+11, b+12, b+13)
	}
	return sb.String()
}
