// Package store opens the database (SQLite or PostgreSQL), runs the embedded
// migrations and offers the one transaction helper every domain package uses.
// SQL is written once with $N placeholders: both drivers bind them by number.
// Dialect differences live in dialect.go and nowhere else.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Querier is what both *sql.DB and *sql.Tx offer; storage code takes it so a
// read can run inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is the application's database. Reads go to Read (a pool); writes go
// through Tx, which on SQLite uses a single connection so writers queue in Go
// instead of failing with SQLITE_BUSY.
type DB struct {
	Dialect Dialect
	read    *sql.DB
	write   *sql.DB
	// DSN as given (for logs it is redacted by Describe).
	dsn string
	// Path of the SQLite file, empty on PostgreSQL.
	Path string
}

// Open connects to dsn. A dsn starting with postgres:// or postgresql:// opens
// PostgreSQL; anything else is a SQLite file path (created with its folder).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// IsPostgres tells whether dsn names a PostgreSQL server.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, read: pool, write: pool, dsn: dsn}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data folder %s: %w", dir, err)
		}
	}
	// busy_timeout first so the WAL switch itself waits for other processes.
	// cache_size: 64 MB of pages per connection instead of 2 MB, so the hot
	// indexes of a 100k-asset register stay in memory between queries and a
	// large write transaction does not spill pages mid-way; temp_store keeps
	// sorts and statement journals in memory. Writing 100k assets took 26 s
	// of system time in journal and spill writes without them, 3 s with
	// (docs/benchmarks.md). mmap_size was tried and left off: it slowed the
	// full-text queries.
	params := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	read, err := sql.Open("sqlite", "file:"+path+"?"+params+"&_txlock=deferred")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	read.SetConnMaxIdleTime(10 * time.Minute)
	write, err := sql.Open("sqlite", "file:"+path+"?"+params+"&_txlock=immediate")
	if err != nil {
		read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	db := &DB{Dialect: SQLite, read: read, write: write, dsn: path, Path: path}
	if err := write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Read returns the pool for queries that change nothing.
func (db *DB) Read() *sql.DB { return db.read }

// Write returns the pool writes go through (one connection on SQLite).
func (db *DB) Write() *sql.DB { return db.write }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// Ping checks the database answers (used by /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Describe names the database for logs without any password.
func (db *DB) Describe() string {
	if db.Dialect == SQLite {
		return "sqlite " + db.Path
	}
	return "postgres " + redactDSN(db.dsn)
}

func redactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 {
		return dsn
	}
	return dsn[:scheme+3] + "***" + dsn[at:]
}

// Tx runs fn in a write transaction, committing when fn returns nil. Work that
// must happen only after commit (notifications) goes in AfterCommit.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{Tx: sqlTx, Dialect: db.Dialect}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// Tx is a write transaction.
type Tx struct {
	*sql.Tx
	Dialect Dialect
	after   []func()
}

// AfterCommit registers f to run once the transaction has committed.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// TryLock takes a lock named key for the rest of the transaction if no
// other transaction holds it, and reports whether it did. On PostgreSQL it
// is an advisory transaction lock, so background jobs on several nodes can
// skip a round instead of contending row by row; on SQLite the write
// transaction already excludes every other writer.
func (tx *Tx) TryLock(ctx context.Context, key int64) (bool, error) {
	if tx.Dialect != Postgres {
		return true, nil
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, key).Scan(&ok); err != nil {
		return false, fmt.Errorf("try lock %d: %w", key, err)
	}
	return ok, nil
}
