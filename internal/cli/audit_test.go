package cli_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"bulwark/internal/audittest"
	"bulwark/internal/store"
)

// migrated opens dsn and migrates it, as the server would at start.
func migrated(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAuditVerifyIntact(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		_, last := audittest.Trail(t, migrated(t, dsn))
		r := must(t, "", "audit", "verify", "--db", dsn)
		if !strings.Contains(r.out, fmt.Sprintf("audit trail intact: %d records verified", last)) {
			t.Fatalf("verify: %s", r.out)
		}
		// Verifying writes nothing: a second run reads the same number.
		r = must(t, "", "audit", "verify", "--db", dsn)
		if !strings.Contains(r.out, fmt.Sprintf("%d records verified", last)) {
			t.Fatalf("second verify: %s", r.out)
		}
	})
}

// TestAuditVerifyNamesTheFirstBadRecord tampers with a fresh trail in each
// way and expects exit code 1 and the record named.
func TestAuditVerifyNamesTheFirstBadRecord(t *testing.T) {
	for _, tc := range audittest.Tampers {
		t.Run(tc.Name, func(t *testing.T) {
			engines(t, func(t *testing.T, dsn string) {
				db := migrated(t, dsn)
				_, last := audittest.Trail(t, db)
				if err := tc.Apply(context.Background(), db, last); err != nil {
					t.Fatal(err)
				}
				r := run(t, "", "audit", "verify", "--db", dsn)
				want := fmt.Sprintf("audit trail BROKEN at record %d: ", tc.BadSeq(last))
				if r.code != 1 || !strings.Contains(r.err, want) || !strings.Contains(r.err, tc.Problem) {
					t.Fatalf("exit %d, stderr %q; want 1 and %q ... %q", r.code, r.err, want, tc.Problem)
				}
			})
		})
	}
}

func TestAuditUsage(t *testing.T) {
	missing := t.TempDir() + "/typo.db"
	if r := run(t, "", "audit", "verify", "--db", missing); r.code != 1 || !strings.Contains(r.err, "no database at") {
		t.Errorf("verify of a missing file: %d %s", r.code, r.err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("verify created %s", missing)
	}
	for _, args := range [][]string{{"audit"}, {"audit", "list"}} {
		if r := run(t, "", args...); r.code != 2 || !strings.Contains(r.err, "usage: bulwark audit verify") {
			t.Errorf("%v: %d %s", args, r.code, r.err)
		}
	}
}
