package deadline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// BenchmarkScanOnce measures the scanner's steady state: 100,000 deadlines
// of which all but a few are already announced or met, so each scan should
// cost index lookups, not a table scan.
func BenchmarkScanOnce(b *testing.B) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			var org int64
			if err := db.Write().QueryRow(`INSERT INTO organizations (name, created_at) VALUES ('bench', 0) RETURNING id`).Scan(&org); err != nil {
				b.Fatal(err)
			}
			const total = 100_000
			per := db.Dialect.BatchRows(9)
			for i := 0; i < total; i += per {
				var vals []string
				var args []any
				for j := i; j < min(i+per, total); j++ {
					n := len(args)
					vals = append(vals, fmt.Sprintf("($%d, 'incident', $%d, 'report.first', 0, $%d, $%d, $%d, $%d, $%d, 0, 0)", n+1, n+2, n+3, n+4, n+5, n+6, n+7))
					due := store.Micros(t0.Add(time.Duration(j%1000) * time.Hour))
					// Half met, half announced both ways: nothing to claim.
					met, notified := int64(0), due
					if j%2 == 0 {
						met, notified = due, 0
					}
					args = append(args, org, fmt.Sprint(j), due, due, met, notified, notified)
				}
				if _, err := db.Write().Exec(`INSERT INTO deadlines (org_id, object_type, object_id, kind, start_at, due_at, near_at,
					met_at, near_notified_at, overdue_notified_at, created_at, updated_at) VALUES `+strings.Join(vals, ", "), args...); err != nil {
					b.Fatal(err)
				}
			}
			if db.Dialect == store.Postgres {
				_, _ = db.Write().Exec(`ANALYZE deadlines`)
			}
			s := newRecorder().scanner(db, nil)
			now := t0.Add(2000 * time.Hour)
			b.ResetTimer()
			for b.Loop() {
				if res, err := s.ScanOnce(context.Background(), now); err != nil || res.Near+res.Overdue != 0 {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
}
