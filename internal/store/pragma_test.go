package store_test

import (
	"context"
	"database/sql"
	"testing"

	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// TestSQLitePragmasOnEveryConnection checks that the pragmas set in the DSN
// hold on each connection of both pools, not only on the first one: a read
// connection without busy_timeout would fail with SQLITE_BUSY under load, one
// without foreign_keys would let orphans in.
func TestSQLitePragmasOnEveryConnection(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	pools := map[string]*sql.DB{"read": db.Read(), "write": db.Write()}
	for name, pool := range pools {
		// Hold several connections at once so the pool must open new ones
		// (the write pool has exactly one).
		n := 3
		if name == "write" {
			n = 1
		}
		var conns []*sql.Conn
		for range n {
			c, err := pool.Conn(ctx)
			if err != nil {
				t.Fatalf("%s pool: %v", name, err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			for _, tc := range []struct {
				pragma string
				want   string
			}{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"busy_timeout", "10000"},
				{"synchronous", "1"}, // NORMAL
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
					t.Fatalf("%s conn %d: PRAGMA %s: %v", name, i, tc.pragma, err)
				}
				if got != tc.want {
					t.Errorf("%s conn %d: PRAGMA %s = %s, want %s", name, i, tc.pragma, got, tc.want)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
}

// TestForeignKeysEnforced shows the pragma has teeth: a role for a user that
// does not exist is refused on both engines.
func TestForeignKeysEnforced(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		err := db.Tx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.ExecContext(context.Background(), `INSERT INTO user_roles (user_id, org_id, role) VALUES ($1, $2, $3)`, 424242, 434343, "viewer")
			return err
		})
		if err == nil {
			t.Fatal("a role for a missing user and organisation was accepted")
		}
	})
}

func TestOpenChoosesEngineFromDSN(t *testing.T) {
	for _, tc := range []struct {
		engine store.Dialect
	}{{store.SQLite}, {store.Postgres}} {
		t.Run(string(tc.engine), func(t *testing.T) {
			dsn := storetest.DSN(t, tc.engine)
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Dialect != tc.engine {
				t.Fatalf("%s opened as %s", dsn, db.Dialect)
			}
			if tc.engine == store.Postgres && db.Path != "" {
				t.Errorf("postgres has a file path %q", db.Path)
			}
			if tc.engine == store.SQLite && db.Path != dsn {
				t.Errorf("sqlite path %q, want %q", db.Path, dsn)
			}
		})
	}
}
