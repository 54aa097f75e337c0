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

// verifyBatch is how many records the reader hands the checker at a time.
const verifyBatch = 512

// Verify walks the whole chain in order and stops at the first record that
// does not hold: a changed row fails its own hash, a deleted row leaves a gap
// in seq or a prev_hash that no longer matches, reordered rows fail both; a
// deleted tail is caught by comparing with the head row.
//
// Reading rows and hashing them each take about half the time, so they run
// side by side: a goroutine reads batches of records, this one checks them
// in order (a million records in a few seconds, docs/benchmarks.md).
func Verify(ctx context.Context, db *store.DB) (VerifyResult, error) {
	var res VerifyResult
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Entry, 4)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- readTrail(ctx, db, batches)
	}()
	// On an early return the reader must not block on a full channel.
	defer func() {
		cancel()
		for range batches {
		}
	}()
	hs := newHasher()
	var prevHash string
	var prevSeq int64
	for batch := range batches {
		for i := range batch {
			e := &batch[i]
			res.Checked++
			switch {
			case e.Seq != prevSeq+1:
				res.BadSeq, res.Problem = e.Seq, fmt.Sprintf("expected record %d next, found %d (records deleted or renumbered)", prevSeq+1, e.Seq)
			case e.PrevHash != prevHash:
				res.BadSeq, res.Problem = e.Seq, "its prev_hash does not match the previous record's hash (records deleted or reordered)"
			case string(hs.hash(e)) != e.Hash:
				res.BadSeq, res.Problem = e.Seq, "its content does not match its hash (record altered)"
			}
			if res.BadSeq != 0 {
				return res, nil
			}
			prevHash, prevSeq = e.Hash, e.Seq
		}
	}
	if err := <-readErr; err != nil {
		return res, err
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

// readTrail sends the whole trail in seq order, in batches, until ctx ends.
func readTrail(ctx context.Context, db *store.DB, out chan<- []Entry) error {
	rows, err := db.Read().QueryContext(ctx, `SELECT seq, org_id, at, actor_id, actor, action, object_type, object_id,
		before_json, after_json, ip, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("verify audit trail: query: %w", err)
	}
	defer rows.Close()
	var lastSeq int64
	batch := make([]Entry, 0, verifyBatch)
	send := func() bool {
		select {
		case out <- batch:
			batch = make([]Entry, 0, verifyBatch)
			return true
		case <-ctx.Done():
			return false
		}
	}
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &e.OrgID, &at, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID,
			&e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return fmt.Errorf("verify audit trail: read record after %d: %w", lastSeq, err)
		}
		e.At = store.FromMicros(at)
		lastSeq = e.Seq
		if batch = append(batch, e); len(batch) == verifyBatch && !send() {
			return ctx.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit trail: read: %w", err)
	}
	if len(batch) > 0 && !send() {
		return ctx.Err()
	}
	return nil
}
