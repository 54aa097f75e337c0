package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"bulwark/internal/app"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/audittest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestVerifyIntactTrail(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		_, last := audittest.Trail(t, db)
		if last != 30 {
			t.Fatalf("trail has %d records, want 30", last)
		}
		res, err := audit.Verify(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK || res.Checked != last || res.BadSeq != 0 || len(res.LastHash) != 64 {
			t.Fatalf("untouched trail: %+v", res)
		}
	})
}

// TestVerifyFindsTampering changes a fresh trail by hand in each way and
// checks Verify names the first record that no longer holds.
func TestVerifyFindsTampering(t *testing.T) {
	for _, tc := range audittest.Tampers {
		t.Run(tc.Name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				_, last := audittest.Trail(t, db)
				if err := tc.Apply(ctx, db, last); err != nil {
					t.Fatal(err)
				}
				res, err := audit.Verify(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.BadSeq != tc.BadSeq(last) || !strings.Contains(res.Problem, tc.Problem) {
					t.Fatalf("got OK=%v BadSeq=%d %q; want record %d, problem mentioning %q",
						res.OK, res.BadSeq, res.Problem, tc.BadSeq(last), tc.Problem)
				}
			})
		})
	}
}

// TestVerifyCatchesARehashedRecord: a forger who alters a record and
// recomputes its hash breaks the next record's link instead.
func TestVerifyCatchesARehashedRecord(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		audittest.Trail(t, db)
		var e audit.Entry
		var at int64
		err := db.Read().QueryRowContext(ctx, `SELECT seq, org_id, at, actor_id, actor, action, object_type, object_id,
			before_json, after_json, ip, prev_hash, hash FROM audit_log WHERE seq = $1`, audittest.Middle).
			Scan(&e.Seq, &e.OrgID, &at, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.IP, &e.PrevHash, &e.Hash)
		if err != nil {
			t.Fatal(err)
		}
		e.At = store.FromMicros(at)
		e.Actor = "mallory"
		forged := e.ComputeHash()
		if _, err := db.Write().ExecContext(ctx, `UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = $3`, e.Actor, forged, e.Seq); err != nil {
			t.Fatal(err)
		}
		res, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || res.BadSeq != audittest.Middle+1 || !strings.Contains(res.Problem, "prev_hash") {
			t.Fatalf("re-hashed record: %+v", res)
		}
	})
}

// TestConcurrentWritersCannotForkTheChain creates assets from 8 goroutines
// at once: every record must still link to exactly one predecessor.
func TestConcurrentWritersCannotForkTheChain(t *testing.T) {
	const writers, each = 8, 50
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, before := audittest.Trail(t, db)
		orgID, _, err := a.Bootstrap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sys := app.SystemContext(ctx, orgID)
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if _, err := a.Assets.Create(sys, asset.Asset{Name: fmt.Sprintf("并发-%d-%d", w, i), Type: asset.TypeData, C: 2, I: 2, A: 2}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent create: %v", err)
		}

		res, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		want := before + writers*each
		if !res.OK || res.Checked != want {
			t.Fatalf("after concurrent writes: %+v, want %d records", res, want)
		}
		var n, minSeq, maxSeq, distinctPrev int64
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT prev_hash) FROM audit_log`).
			Scan(&n, &minSeq, &maxSeq, &distinctPrev); err != nil {
			t.Fatal(err)
		}
		if n != want || minSeq != 1 || maxSeq != want || distinctPrev != want {
			t.Fatalf("%d records, seq %d..%d, %d distinct prev_hash; want %d, 1..%d, %d", n, minSeq, maxSeq, distinctPrev, want, want, want)
		}
		var numbers int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(DISTINCT number) FROM assets WHERE name LIKE '并发-%'`).Scan(&numbers); err != nil {
			t.Fatal(err)
		}
		if numbers != writers*each {
			t.Fatalf("%d distinct asset numbers, want %d", numbers, writers*each)
		}
	})
}
