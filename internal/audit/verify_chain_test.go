package audit

import (
	"context"
	"database/sql"
	"reflect"
	"testing"

	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// dumpTrail returns every stored column of the trail in seq order, and the head.
func dumpTrail(t *testing.T, db *store.DB) [][]string {
	t.Helper()
	rows, err := db.Read().Query(`SELECT seq, org_id, at, actor_id, actor, action, object_type, object_id,
		before_json, after_json, ip, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, 13)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var seq, hash string
	if err := db.Read().QueryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	return append(out, []string{"head", seq, hash})
}

func TestAppendBatchMatchesAppend(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, one *store.DB) {
		ctx := context.Background()
		batched := storetest.Open(t, one.Dialect)
		recs := trail(0, 250)
		for _, tr := range recs {
			if err := one.Tx(ctx, func(tx *store.Tx) error { return Append(ctx, tx, tr.at, tr.rec) }); err != nil {
				t.Fatal(err)
			}
		}
		// Two batches, so the second must continue the first's chain.
		for _, part := range [][]timedRecord{recs[:97], recs[97:]} {
			if err := batched.Tx(ctx, func(tx *store.Tx) error { return appendBatch(ctx, tx, part) }); err != nil {
				t.Fatal(err)
			}
		}
		want, got := dumpTrail(t, one), dumpTrail(t, batched)
		if len(want) != len(recs)+1 || len(got) != len(want) {
			t.Fatalf("%d rows by Append, %d by appendBatch, want %d", len(want), len(got), len(recs)+1)
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("row %d differs:\nAppend      %q\nappendBatch %q", i, want[i], got[i])
			}
		}
		res, err := Verify(ctx, batched)
		if err != nil || !res.OK || res.Checked != int64(len(recs)) {
			t.Fatalf("verify batched trail: %+v, %v", res, err)
		}
	})
}

// Verify must say where the chain breaks and how, whatever was done to it.
func TestVerifyFindsTampering(t *testing.T) {
	const n = 40
	cases := []struct {
		name    string
		tamper  []string
		checked int64
		badSeq  int64
		problem string
	}{
		{name: "intact", checked: n},
		{name: "altered", tamper: []string{`UPDATE audit_log SET actor = 'mallory' WHERE seq = 5`},
			checked: 5, badSeq: 5, problem: "its content does not match its hash (record altered)"},
		{name: "altered json", tamper: []string{`UPDATE audit_log SET after_json = '{}' WHERE seq = 38`},
			checked: 38, badSeq: 38, problem: "its content does not match its hash (record altered)"},
		{name: "altered time", tamper: []string{`UPDATE audit_log SET at = at + 1 WHERE seq = 1`},
			checked: 1, badSeq: 1, problem: "its content does not match its hash (record altered)"},
		{name: "deleted", tamper: []string{`DELETE FROM audit_log WHERE seq = 5`},
			checked: 5, badSeq: 6, problem: "expected record 5 next, found 6 (records deleted or renumbered)"},
		{name: "deleted first", tamper: []string{`DELETE FROM audit_log WHERE seq = 1`},
			checked: 1, badSeq: 2, problem: "expected record 1 next, found 2 (records deleted or renumbered)"},
		{name: "swapped", tamper: []string{`UPDATE audit_log SET seq = -1 WHERE seq = 5`,
			`UPDATE audit_log SET seq = 5 WHERE seq = 6`, `UPDATE audit_log SET seq = 6 WHERE seq = -1`},
			checked: 5, badSeq: 5, problem: "its prev_hash does not match the previous record's hash (records deleted or reordered)"},
		{name: "rehashed", tamper: []string{`UPDATE audit_log SET hash = (SELECT hash FROM audit_log WHERE seq = 9) WHERE seq = 8`},
			checked: 8, badSeq: 8, problem: "its content does not match its hash (record altered)"},
		{name: "tail deleted", tamper: []string{`DELETE FROM audit_log WHERE seq = 40`},
			checked: 39, badSeq: 40, problem: "the chain ends at record 39 but the head says 40 (records deleted from the end)"},
		{name: "head moved", tamper: []string{`UPDATE audit_head SET hash = 'x' WHERE id = 1`},
			checked: 40, badSeq: 41, problem: "the chain ends at record 40 but the head says 40 (records deleted from the end)"},
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				db := storetest.Open(t, db.Dialect)
				if err := db.Tx(ctx, func(tx *store.Tx) error { return appendBatch(ctx, tx, trail(0, n)) }); err != nil {
					t.Fatal(err)
				}
				for _, q := range c.tamper {
					if _, err := db.Write().Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				res, err := Verify(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				want := VerifyResult{Checked: c.checked, OK: c.badSeq == 0, BadSeq: c.badSeq, Problem: c.problem}
				if want.OK {
					want.LastHash = dumpTrail(t, db)[n][2]
				}
				if res != want {
					t.Errorf("got  %+v\nwant %+v", res, want)
				}
			})
		}
	})
}
