package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/store"
)

// timedRecord is a record and the time Append would have been given.
type timedRecord struct {
	at  time.Time
	rec Record
}

// appendBatch writes recs as the next links of the chain inside tx, exactly
// as calling Append for each in turn would (same seq, time, JSON, hashes and
// head), but with multi-row INSERTs: the Verify benchmark needs a million
// records, which one Append per record would take many minutes to write.
// TestAppendBatchMatchesAppend holds it to that.
func appendBatch(ctx context.Context, tx *store.Tx, recs []timedRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash`,
		len(recs)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit batch: advance chain head: %w", err)
	}
	seq := last - int64(len(recs))
	// SQLite looks every $N up in a list of the statement's names, so a
	// statement's binding cost grows with the square of its parameters:
	// keep SQLite's statements small. PostgreSQL saves round trips.
	rows := 20
	if tx.Dialect == store.Postgres {
		rows = 1000
	}
	for start := 0; start < len(recs); start += rows {
		batch := recs[start:min(start+rows, len(recs))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO audit_log (seq, org_id, at, actor_id, actor, action, object_type, object_id,
			before_json, after_json, ip, prev_hash, hash) VALUES `)
		args := make([]any, 0, len(batch)*13)
		for i, tr := range batch {
			before, err := marshalOptional(tr.rec.Before)
			if err != nil {
				return fmt.Errorf("audit %s: encode before: %w", tr.rec.Action, err)
			}
			after, err := marshalOptional(tr.rec.After)
			if err != nil {
				return fmt.Errorf("audit %s: encode after: %w", tr.rec.Action, err)
			}
			seq++
			e := Entry{
				Seq: seq, OrgID: tr.rec.OrgID, At: tr.at.UTC().Truncate(time.Microsecond), ActorID: tr.rec.ActorID,
				Actor: tr.rec.Actor, Action: tr.rec.Action, ObjectType: tr.rec.ObjectType, ObjectID: tr.rec.ObjectID,
				Before: before, After: after, IP: tr.rec.IP, PrevHash: prev,
			}
			e.Hash = e.computeHash()
			prev = e.Hash
			if i > 0 {
				sb.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12, n+13)
			args = append(args, e.Seq, e.OrgID, store.Micros(e.At), e.ActorID, e.Actor, e.Action, e.ObjectType,
				e.ObjectID, e.Before, e.After, e.IP, e.PrevHash, e.Hash)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("audit batch: insert records %d-%d: %w", seq-int64(len(batch))+1, seq, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, prev); err != nil {
		return fmt.Errorf("audit batch: store chain head: %w", err)
	}
	return nil
}
