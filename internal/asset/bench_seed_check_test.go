package asset

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The benchmark fixture must be what the service would have written, or the
// benchmarks measure a different table. These tests hold it to that on a
// small register.

func TestBenchAssetsAreValid(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	assets := benchAssets(5000, now)
	types, statuses, depts, systems := map[Type]bool{}, map[Status]bool{}, map[string]bool{}, map[string]bool{}
	for i, a := range assets {
		if err := a.Validate(); err != nil {
			t.Fatalf("asset %d (%+v) is invalid: %v", i, a, err)
		}
		if want := fmt.Sprintf("ZC-%06d", i+1); a.Number != want {
			t.Fatalf("asset %d: number %s, want %s", i, a.Number, want)
		}
		if a.UpdatedAt.Before(a.CreatedAt) || a.UpdatedAt.After(now) {
			t.Fatalf("asset %d: created %v updated %v", i, a.CreatedAt, a.UpdatedAt)
		}
		types[a.Type], statuses[a.Status], depts[a.Department], systems[a.BusinessSystem] = true, true, true, true
	}
	if len(types) != len(Types) || len(statuses) != len(Statuses) || len(depts) < 20 || len(systems) < 100 {
		t.Errorf("variety: %d types, %d statuses, %d departments, %d systems", len(types), len(statuses), len(depts), len(systems))
	}
	if !reflect.DeepEqual(assets[:50], benchAssets(5000, now)[:50]) {
		t.Error("benchAssets is not deterministic")
	}
}

func TestSeedMatchesService(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
		assets := benchAssets(60, now)
		for i := range assets {
			// The service stamps both times with its clock.
			assets[i].CreatedAt, assets[i].UpdatedAt = now, now
		}
		viaService, err := benchSeedOrg(ctx, db, "service", now)
		if err != nil {
			t.Fatal(err)
		}
		viaSeed, err := benchSeedOrg(ctx, db, "seed", now)
		if err != nil {
			t.Fatal(err)
		}
		svc := &Service{DB: db, Clock: clock.NewFake(now), ValueMethod: ValueFormula}
		actx := auth.WithActor(ctx, &auth.Actor{UserID: 1, Username: "sec", OrgID: viaService, Roles: []auth.Role{auth.RoleSecurityManager}})
		for _, a := range assets {
			a.Number = "" // let the service number them, as it numbers new assets
			if _, err := svc.Create(actx, a); err != nil {
				t.Fatalf("create %s: %v", a.Name, err)
			}
		}
		if err := benchSeed(ctx, db, viaSeed, ValueFormula, assets); err != nil {
			t.Fatal(err)
		}
		want, got := dumpAssets(t, db, viaService), dumpAssets(t, db, viaSeed)
		if len(want) != len(assets)+1 || len(got) != len(want) {
			t.Fatalf("%d rows through the service, %d seeded, want %d", len(want), len(got), len(assets)+1)
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("seeded row %d differs from the service's:\nservice %q\nseed    %q", i, want[i], got[i])
			}
		}
	})
}

// dumpAssets returns every stored column but id and org_id, and the number
// counter, in number order.
func dumpAssets(t *testing.T, db *store.DB, orgID int64) [][]string {
	t.Helper()
	rows, err := db.Read().Query(`SELECT `+benchSeedColumns+` FROM assets WHERE org_id = $1 ORDER BY number`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, 23)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, 0, len(vals)-1)
		for _, v := range vals[1:] {
			row = append(row, v.String)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var counter string
	if err := db.Read().QueryRow(`SELECT value FROM counters WHERE org_id = $1 AND name = 'asset'`, orgID).Scan(&counter); err != nil {
		t.Fatal(err)
	}
	return append(out, []string{"counter", counter})
}
