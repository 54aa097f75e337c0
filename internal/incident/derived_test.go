package incident_test

import (
	"context"
	"testing"
	"time"

	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Incidents recorded before migration 0026 have no month and no search
// terms; CatchUp fills them at start, and re-keys the months when the time
// zone setting changes. The rollup and the search index follow.
func TestCatchUp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		svc := e.App.Incidents
		ctx := context.Background()
		// 04:00 on 1 November in Shanghai, still October in UTC.
		discovered := time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC)
		i, err := svc.Create(e.resp, incident.Input{Title: "门户首页被篡改", DiscoveredAt: discovered, Grade: 3})
		if err != nil {
			t.Fatal(err)
		}
		count := func(month incident.Month) int64 {
			t.Helper()
			m, err := svc.Metrics(e.resp, incident.MetricsFilter{From: month, To: month})
			if err != nil {
				t.Fatal(err)
			}
			return m.Incidents
		}
		found := func() int {
			t.Helper()
			p, err := svc.List(e.resp, incident.Filter{Query: "篡改"})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		catchUp := func(want int) {
			t.Helper()
			if n, err := svc.CatchUp(ctx); err != nil || n != want {
				t.Fatalf("catch-up changed %d, want %d: %v", n, want, err)
			}
		}
		catchUp(0) // the first run only records the zone: the service wrote every column
		if count(202610) != 1 || found() != 1 {
			t.Fatalf("fresh incident: %d in October, found %d", count(202610), found())
		}
		// As an incident from before the migration.
		if _, err := db.Write().ExecContext(ctx, `UPDATE incidents SET discovered_month = NULL, search_terms = NULL WHERE id = $1`, i.ID); err != nil {
			t.Fatal(err)
		}
		if count(202610) != 0 || found() != 0 {
			t.Fatalf("without derived columns: %d in October, found %d", count(202610), found())
		}
		catchUp(1)
		if count(202610) != 1 || found() != 1 {
			t.Fatalf("caught up: %d in October, found %d", count(202610), found())
		}
		catchUp(0)
		svc.Location = shanghai
		catchUp(1)
		if count(202610) != 0 || count(202611) != 1 || found() != 1 {
			t.Errorf("re-keyed to Shanghai: October %d, November %d, found %d", count(202610), count(202611), found())
		}
		catchUp(0)
	})
}
