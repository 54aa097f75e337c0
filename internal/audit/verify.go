package audit

import (
	"context"
	"fmt"

	"bulwark/internal/store"
)

// VerifyResult says how far the chain is intact.
type VerifyResult struct {
	Checked  int64  // records read
	OK       bool   // every record and the head agree
	BadSeq   int64  // first record found wrong (0 when OK or when the head is wrong)
	Problem  string // what is wrong with it, in English for operators
	LastHash string
}

// Verify walks the whole chain in order and stops at the first record that
// does not hold: a changed row fails its own hash, a deleted row leaves a gap
// in seq or a prev_hash that no longer matches, reordered rows fail both; a
// deleted tail is caught by comparing with the head row.
func Verify(ctx context.Context, db *store.DB) (VerifyResult, error) {
	var res VerifyResult
	rows, err := db.Read().QueryContext(ctx, `SELECT seq, org_id, at, actor_id, actor, action, object_type, object_id,
		before_json, after_json, ip, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return res, fmt.Errorf("verify audit trail: query: %w", err)
	}
	defer rows.Close()
	var prevHash string
	var prevSeq int64
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &e.OrgID, &at, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
			&e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return res, fmt.Errorf("verify audit trail: read record after %d: %w", prevSeq, err)
		}
		e.At = store.FromMicros(at)
		res.Checked++
		switch {
		case e.Seq != prevSeq+1:
			res.BadSeq, res.Problem = e.Seq, fmt.Sprintf("expected record %d next, found %d (records deleted or renumbered)", prevSeq+1, e.Seq)
		case e.PrevHash != prevHash:
			res.BadSeq, res.Problem = e.Seq, "its prev_hash does not match the previous record's hash (records deleted or reordered)"
		case e.computeHash() != e.Hash:
			res.BadSeq, res.Problem = e.Seq, "its content does not match its hash (record altered)"
		}
		if res.BadSeq != 0 {
			return res, nil
		}
		prevHash, prevSeq = e.Hash, e.Seq
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("verify audit trail: read: %w", err)
	}
	var headSeq int64
	var headHash string
	if err := db.Read().QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return res, fmt.Errorf("verify audit trail: read head: %w", err)
	}
	if headSeq != prevSeq || headHash != prevHash {
		res.BadSeq = prevSeq + 1
		res.Problem = fmt.Sprintf("the chain ends at record %d but the head says %d (records deleted from the end)", prevSeq, headSeq)
		return res, nil
	}
	res.OK, res.LastHash = true, prevHash
	return res, nil
}
