package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bulwark/internal/audit"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// A batch continues the chain exactly as single appends do: Verify walks
// through singles, batches larger than one statement, and singles again.
func TestAppendBatchKeepsTheChain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		rec := func(i int) audit.Record {
			return audit.Record{OrgID: 1, ActorID: 2, Actor: "tester", Action: "asset.create", ObjectType: "asset",
				ObjectID: fmt.Sprint(i), After: map[string]any{"n": i, "name": "资产"}}
		}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if err := audit.Append(ctx, tx, now, rec(0)); err != nil {
				return err
			}
			var batch []audit.Record
			for i := 1; i <= 1000; i++ {
				batch = append(batch, rec(i))
			}
			if err := audit.AppendBatch(ctx, tx, now, batch); err != nil {
				return err
			}
			if err := audit.AppendBatch(ctx, tx, now, nil); err != nil {
				return err
			}
			return audit.Append(ctx, tx, now, rec(1001))
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := audit.Verify(ctx, db)
		if err != nil || !res.OK || res.Checked != 1002 {
			t.Fatalf("verify: %+v %v", res, err)
		}
		entries, _, err := audit.List(ctx, db.Read(), audit.Filter{OrgID: 1, ObjectType: "asset", ObjectID: "500"})
		if err != nil || len(entries) != 1 || entries[0].Seq != 501 {
			t.Fatalf("record 500: %+v %v", entries, err)
		}
	})
}
