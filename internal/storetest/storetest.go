// Package storetest gives tests a fresh, migrated database on every engine:
// a SQLite file in a temporary folder, and a PostgreSQL schema of its own on
// the server named by BULWARK_TEST_POSTGRES. Tests run the same body on both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"bulwark/internal/store"
)

// RequireAll is set in CI: a missing PostgreSQL server or browser then fails
// the test instead of skipping it.
func RequireAll() bool { return os.Getenv("BULWARK_TEST_REQUIRE_ALL") != "" }

// Engines runs fn once per engine as subtests "sqlite" and "postgres".
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

// Open returns a migrated database of the given engine, removed after t.
func Open(t testing.TB, engine store.Dialect) *store.DB {
	t.Helper()
	dsn := DSN(t, engine)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

// DSN returns a connection string for a fresh, empty database of engine. For
// PostgreSQL it creates a schema of its own and drops it after the test.
func DSN(t testing.TB, engine store.Dialect) string {
	t.Helper()
	if engine == store.SQLite {
		return filepath.Join(t.TempDir(), "bulwark.db")
	}
	base := os.Getenv("BULWARK_TEST_POSTGRES")
	if base == "" {
		if RequireAll() {
			t.Fatal("BULWARK_TEST_POSTGRES is not set, and BULWARK_TEST_REQUIRE_ALL says PostgreSQL tests must run")
		}
		t.Skip("BULWARK_TEST_POSTGRES not set; skipping the PostgreSQL run")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse BULWARK_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
