package store_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// schema maps each table to its sorted column names.
type schema map[string][]string

// readSchema lists the tables and columns of a migrated database. On SQLite,
// virtual tables (FTS5) and their shadow tables are left out: they are the
// SQLite side of a search index that PostgreSQL keeps as a GIN index.
func readSchema(t *testing.T, db *store.DB) schema {
	t.Helper()
	ctx := context.Background()
	out := schema{}
	if db.Dialect == store.Postgres {
		rows, err := db.Read().QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema()`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], col)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	} else {
		rows, err := db.Read().QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		var tables, virtual []string
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(strings.ToUpper(sql), "CREATE VIRTUAL TABLE") {
				virtual = append(virtual, name)
				continue
			}
			tables = append(tables, name)
		}
		rows.Close()
		for _, name := range tables {
			if strings.HasPrefix(name, "sqlite_") || slices.ContainsFunc(virtual, func(v string) bool { return strings.HasPrefix(name, v+"_") }) {
				continue
			}
			cols, err := db.Read().QueryContext(ctx, `SELECT name FROM pragma_table_xinfo($1)`, name)
			if err != nil {
				t.Fatal(err)
			}
			for cols.Next() {
				var col string
				if err := cols.Scan(&col); err != nil {
					t.Fatal(err)
				}
				out[name] = append(out[name], col)
			}
			cols.Close()
		}
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

func (s schema) tables() []string {
	var names []string
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestMigrationsGiveTheSameSchema migrates an empty database on each engine
// and compares tables and columns: code written against one engine must find
// the same columns on the other.
func TestMigrationsGiveTheSameSchema(t *testing.T) {
	lite := readSchema(t, storetest.Open(t, store.SQLite))
	pg := readSchema(t, storetest.Open(t, store.Postgres))
	// Search index columns the application never reads or writes: PostgreSQL
	// keeps the asset and incident search vectors in the row (generated
	// columns), SQLite keeps them in FTS5 tables, which readSchema leaves
	// out. (SQLite's pragma_table_xinfo, unlike pragma_table_info, lists
	// generated columns such as incidents.category_class.)
	for table, cols := range map[string][]string{"assets": {"search_vec"}, "incidents": {"search_vec"}} {
		pg[table] = slices.DeleteFunc(pg[table], func(c string) bool { return slices.Contains(cols, c) })
	}
	if len(lite) < 5 {
		t.Fatalf("SQLite schema has only %d tables: %v", len(lite), lite.tables())
	}
	for _, table := range lite.tables() {
		other, ok := pg[table]
		if !ok {
			t.Errorf("table %s exists on SQLite only", table)
			continue
		}
		if !slices.Equal(lite[table], other) {
			t.Errorf("table %s:\n  sqlite:   %v\n  postgres: %v", table, lite[table], other)
		}
	}
	for _, table := range pg.tables() {
		if _, ok := lite[table]; !ok {
			t.Errorf("table %s exists on PostgreSQL only", table)
		}
	}
}

// TestMigrateTwiceIsANoOp runs the migrations again on a migrated database:
// nothing is applied, nothing changes, no seed row is inserted twice.
func TestMigrateTwiceIsANoOp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before := readSchema(t, db)
		// Versions may leave gaps (parallel branches take numbers apart),
		// so count the recorded steps rather than assume 1..version.
		var recorded int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&recorded); err != nil {
			t.Fatal(err)
		}
		v1, err := db.SchemaVersion(ctx)
		if err != nil || v1 == 0 {
			t.Fatalf("schema version %d: %v", v1, err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if applied != 0 {
			t.Fatalf("second migration applied %d steps", applied)
		}
		v2, _ := db.SchemaVersion(ctx)
		if v2 != v1 {
			t.Errorf("schema version moved from %d to %d", v1, v2)
		}
		if after := readSchema(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("schema changed:\n before %v\n after  %v", before, after)
		}
		var heads, versions int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_head`).Scan(&heads); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if heads != 1 || versions != recorded {
			t.Errorf("%d audit_head rows (want 1), %d recorded migrations (want %d)", heads, versions, recorded)
		}
	})
}

// TestConcurrentMigrationsOnPostgres starts several nodes' migrations at
// once on an empty schema: the advisory lock lets one apply each step and
// the others find it done.
func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	ctx := context.Background()
	const nodes = 3
	var wg sync.WaitGroup
	applied := make([]int, nodes)
	errs := make([]error, nodes)
	for i := range nodes {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = db.Migrate(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var recorded int
	if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if total != recorded || recorded == 0 || v == 0 {
		t.Fatalf("nodes applied %d steps in all, %d recorded, version %d", total, recorded, v)
	}
}
