package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"bulwark/internal/store"
)

// ErrNoPostgres is returned by Lasting for PostgreSQL when
// BULWARK_TEST_POSTGRES is unset; benchmarks skip on it.
var ErrNoPostgres = errors.New("BULWARK_TEST_POSTGRES not set")

// Lasting opens a fresh, migrated database of engine that outlives any one
// test or benchmark. Benchmarks need it for fixtures that take seconds to
// build (100k assets, 1M audit records) and are seeded once per `go test
// -bench` run, while -count and sub-benchmarks call the benchmark function
// many times; Open ties the database to one testing.TB. The caller must call
// the returned function (normally from TestMain after m.Run) to close the
// database and remove its file or schema.
func Lasting(ctx context.Context, engine store.Dialect) (*store.DB, func(), error) {
	var dsn string
	var drop func()
	switch engine {
	case store.SQLite:
		dir, err := os.MkdirTemp("", "bulwark-bench-")
		if err != nil {
			return nil, nil, fmt.Errorf("lasting sqlite: %w", err)
		}
		dsn = filepath.Join(dir, "bulwark.db")
		drop = func() { _ = os.RemoveAll(dir) }
	case store.Postgres:
		base := os.Getenv("BULWARK_TEST_POSTGRES")
		if base == "" {
			return nil, nil, ErrNoPostgres
		}
		var err error
		dsn, drop, err = lastingSchema(ctx, base)
		if err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("lasting: unknown engine %q", engine)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("lasting %s: %w", engine, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, nil, fmt.Errorf("lasting %s: migrate: %w", engine, err)
	}
	return db, func() { db.Close(); drop() }, nil
}

// lastingSchema creates a schema of its own on the server at base and
// returns a DSN whose search_path is that schema, and how to drop it.
func lastingSchema(ctx context.Context, base string) (string, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, fmt.Errorf("lasting postgres: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", nil, fmt.Errorf("lasting postgres: create schema %s: %w", schema, err)
	}
	drop := func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, fmt.Errorf("lasting postgres: parse BULWARK_TEST_POSTGRES: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
