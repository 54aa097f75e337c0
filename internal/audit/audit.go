// Package audit is the tamper-evident trail: every change of state appends a
// record in the same transaction as the change, and each record's hash covers
// the previous record's hash, so altering, deleting or reordering rows by hand
// breaks the chain where it happened (see Verify).
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"bulwark/internal/store"
)

// Record is what a service hands in. Before and After are marshalled to JSON.
type Record struct {
	OrgID      int64
	ActorID    int64
	Actor      string
	IP         string
	Action     string // e.g. "asset.create", "login.failure"
	ObjectType string
	ObjectID   string
	Before     any
	After      any
}

// Entry is a stored record.
type Entry struct {
	Seq        int64     `json:"seq"`
	OrgID      int64     `json:"org_id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	IP         string    `json:"ip"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Append writes rec as the next link of the chain inside tx. Updating the
// single audit_head row first serialises concurrent writers: on PostgreSQL
// the row lock is held until tx ends, on SQLite the write lock already is.
func Append(ctx context.Context, tx *store.Tx, now time.Time, rec Record) error {
	before, err := marshalOptional(rec.Before)
	if err != nil {
		return fmt.Errorf("audit %s: encode before: %w", rec.Action, err)
	}
	after, err := marshalOptional(rec.After)
	if err != nil {
		return fmt.Errorf("audit %s: encode after: %w", rec.Action, err)
	}
	var seq int64
	var prev string
	if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit %s: advance chain head: %w", rec.Action, err)
	}
	e := Entry{
		Seq: seq, OrgID: rec.OrgID, At: now.UTC().Truncate(time.Microsecond), ActorID: rec.ActorID, Actor: rec.Actor,
		Action: rec.Action, ObjectType: rec.ObjectType, ObjectID: rec.ObjectID,
		Before: before, After: after, IP: rec.IP, PrevHash: prev,
	}
	e.Hash = e.computeHash()
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(seq, org_id, at, actor_id, actor, action, object_type, object_id, before_json, after_json, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.OrgID, store.Micros(e.At), e.ActorID, e.Actor, e.Action, e.ObjectType, e.ObjectID,
		e.Before, e.After, e.IP, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit %s: insert record: %w", rec.Action, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash); err != nil {
		return fmt.Errorf("audit %s: store chain head: %w", rec.Action, err)
	}
	return nil
}

func marshalOptional(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if string(b) == "null" {
		return "", nil
	}
	return string(b), nil
}

// canonical is the exact content the hash covers: a JSON array in a fixed
// order, with the time as Unix microseconds, so both engines hash alike
// (written by appendCanonical, see canonical.go).
func (e *Entry) canonical() []byte { return e.appendCanonical(nil) }

// computeHash is SHA-256 over the previous hash and this record's content.
func (e *Entry) computeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(e.canonical())
	return hex.EncodeToString(h.Sum(nil))
}
