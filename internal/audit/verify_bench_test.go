package audit

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Verify over a million records on each engine. Target on the 2-core
// reference machine (docs/benchmarks.md): ≤ 10 s.
//
//	go test ./internal/audit/ -run '^$' -bench Verify -benchtime 3x -count 5

var benchRecords = flag.Int("audit.records", 1_000_000, "records in the Verify benchmark's trail")

// benchTrail is one seeded trail, built at most once per engine per test
// binary and dropped by TestMain.
type benchTrail struct {
	once  sync.Once
	db    *store.DB
	close func()
	err   error
}

var benchTrails = map[store.Dialect]*benchTrail{store.SQLite: {}, store.Postgres: {}}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, tr := range benchTrails {
		if tr.close != nil {
			tr.close()
		}
	}
	os.Exit(code)
}

func seededTrail(b *testing.B, engine store.Dialect) *store.DB {
	b.Helper()
	tr := benchTrails[engine]
	tr.once.Do(func() { tr.err = tr.seed(engine) })
	if errors.Is(tr.err, storetest.ErrNoPostgres) {
		b.Skip("BULWARK_TEST_POSTGRES not set; skipping the PostgreSQL run")
	}
	if tr.err != nil {
		b.Fatal(tr.err)
	}
	return tr.db
}

func (tr *benchTrail) seed(engine store.Dialect) error {
	ctx := context.Background()
	db, closeDB, err := storetest.Lasting(ctx, engine)
	if err != nil {
		return err
	}
	tr.db, tr.close = db, closeDB
	start := time.Now()
	// Chunks of 50k records, each its own transaction: a million rows in one
	// would only grow the WAL.
	const chunk = 50_000
	for from := 0; from < *benchRecords; from += chunk {
		recs := trail(from, min(from+chunk, *benchRecords))
		if err := db.Tx(ctx, func(tx *store.Tx) error { return appendBatch(ctx, tx, recs) }); err != nil {
			return err
		}
	}
	if engine == store.Postgres {
		// What autovacuum does to a table after a bulk load.
		if _, err := db.Write().ExecContext(ctx, `VACUUM ANALYZE audit_log`); err != nil {
			return fmt.Errorf("vacuum analyze: %w", err)
		}
	}
	fmt.Fprintf(os.Stderr, "seeded %d audit records on %s in %s\n", *benchRecords, engine, time.Since(start).Round(time.Millisecond))
	return nil
}

func BenchmarkVerify(b *testing.B) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := seededTrail(b, engine)
			ctx := context.Background()
			var durs []time.Duration
			for b.Loop() {
				t0 := time.Now()
				res, err := Verify(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				if !res.OK || res.Checked != int64(*benchRecords) {
					b.Fatalf("verify: %+v", res)
				}
				durs = append(durs, time.Since(t0))
			}
			slices.Sort(durs)
			med := durs[len(durs)/2]
			b.ReportMetric(med.Seconds(), "median-s")
			b.ReportMetric(float64(*benchRecords)/med.Seconds(), "records/s")
		})
	}
}
