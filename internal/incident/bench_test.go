package incident_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// BenchmarkList measures a filtered first page over 20k incidents of one
// organisation (seeded with plain inserts: the benchmark is of reading).
func BenchmarkList(b *testing.B) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			e := servertest.New(b, engine)
			ctx := e.Actor(e.CreateUser("resp", e.Org, auth.RoleResponder), e.Org)
			const n = 20000
			phases := []incident.Phase{incident.PhaseDetection, incident.PhaseContainment, incident.PhaseRecovery, incident.PhaseClosed}
			cats := []string{"NA-09", "MP-07", "DS-03", "NA-01"}
			start := e.Clock.Now().Add(-n * time.Minute)
			err := e.DB.Tx(context.Background(), func(tx *store.Tx) error {
				for k := range n {
					at := store.Micros(start.Add(time.Duration(k) * time.Minute))
					if _, err := tx.ExecContext(context.Background(), `INSERT INTO incidents (org_id, number, title, discovered_at,
						source, category, grade, phase, created_at, updated_at) VALUES ($1, $2, $3, $4, 'monitoring', $5, $6, $7, $4, $4)`,
						e.Org, fmt.Sprintf("SJ-2026-%05d", k+1), fmt.Sprintf("事件 %d", k), at, cats[k%4], k%4+1, phases[k%4]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			f := incident.Filter{Phase: incident.PhaseContainment, Grade: 2, Category: "MP", PerPage: 50}
			b.ResetTimer()
			for b.Loop() {
				p, err := e.App.Incidents.List(ctx, f)
				if err != nil || p.Total != n/4 {
					b.Fatalf("%d %v", p.Total, err)
				}
			}
		})
	}
}
