package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/audittest"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func countAssets(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM assets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupWhileWritingAndRestore takes a backup with `bulwark backup`
// while another goroutine keeps creating assets through the service (as a
// running server would), restores it into a new place, and checks the copy
// is one consistent moment: the trail verifies and every asset has its
// audit record.
func TestBackupWhileWritingAndRestore(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live", "bulwark.db")
	db := migrated(t, live)
	a := app.New(db, clock.System{}, app.DefaultOptions())
	orgID, _, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sys := app.SystemContext(context.Background(), orgID)

	var created atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := a.Assets.Create(sys, asset.Asset{Name: fmt.Sprintf("备份期间-%d", i), Type: asset.TypeServer, C: 2, I: 3, A: 2}); err != nil {
				writeErr = err
				return
			}
			created.Add(1)
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); created.Load() < 50 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	atStart := created.Load()
	file := filepath.Join(dir, "backups", "bulwark-backup.db")
	r := must(t, "", "backup", file, "--db", live)
	atEnd := created.Load()
	// Keep writing a little after the copy, so the copy is not simply the end state.
	for deadline := time.Now().Add(10 * time.Second); created.Load() < atEnd+20 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if !strings.Contains(r.out, "backup written to "+file) {
		t.Fatalf("backup: %s", r.out)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v (want mode 0600: it holds password hashes)", st.Mode(), err)
	}
	original, _ := os.ReadFile(file)

	restored := filepath.Join(dir, "restored", "bulwark.db")
	r = must(t, "", "restore", file, "--db", restored)
	if !strings.Contains(r.out, "restored") || strings.Contains(r.out, "kept as") {
		t.Fatalf("restore: %s", r.out)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(after, original) {
		t.Fatal("restore changed the backup file")
	}
	if r := must(t, "", "audit", "verify", "--db", restored); !strings.Contains(r.out, "audit trail intact") {
		t.Fatalf("verify the restored copy: %s", r.out)
	}

	copyDB, err := store.Open(context.Background(), restored)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	res, err := audit.Verify(context.Background(), copyDB)
	if err != nil || !res.OK {
		t.Fatalf("restored trail: %+v %v", res, err)
	}
	n := countAssets(t, copyDB)
	if n < atStart || n > atEnd {
		t.Fatalf("the copy has %d assets; the live database had %d when the backup started and %d when it ended", n, atStart, atEnd)
	}
	var audited, orphans int64
	ctx := context.Background()
	if err := copyDB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'asset.create'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if err := copyDB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM assets a WHERE NOT EXISTS
		(SELECT 1 FROM audit_log l WHERE l.action = 'asset.create' AND l.object_id = CAST(a.id AS TEXT))`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if audited != n || orphans != 0 {
		t.Fatalf("copy: %d assets, %d asset.create records, %d assets without one", n, audited, orphans)
	}
	if live := countAssets(t, db); live <= n {
		t.Errorf("the live database (%d assets) did not move on after the backup (%d)", live, n)
	}
	t.Logf("backup took a consistent copy of %d assets (%d..%d while it ran)", n, atStart, atEnd)
}

// TestRestoreOverAnExistingDatabase: the replaced database and its WAL are
// kept, and a bad backup leaves everything as it was.
func TestRestoreOverAnExistingDatabase(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "bulwark.db")
	db := migrated(t, live)
	a := app.New(db, clock.System{}, app.DefaultOptions())
	orgID, _, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sys := app.SystemContext(context.Background(), orgID)
	create := func(name string) {
		if _, err := a.Assets.Create(sys, asset.Asset{Name: name, Type: asset.TypeData, C: 1, I: 1, A: 1}); err != nil {
			t.Fatal(err)
		}
	}
	create("在备份中")
	file := filepath.Join(dir, "b.db")
	must(t, "", "backup", file, "--db", live)
	create("备份之后")
	db.Close() // the server is stopped for a restore

	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, just some text"), 0o600)
	if r := run(t, "", "restore", junk, "--db", live); r.code != 1 || !strings.Contains(r.err, "not a usable Bulwark backup") {
		t.Fatalf("restore from junk: %d %s", r.code, r.err)
	}
	if r := run(t, "", "restore", filepath.Join(dir, "missing.db"), "--db", live); r.code != 1 {
		t.Fatalf("restore from a missing file: %d %s", r.code, r.err)
	}
	if r := run(t, "", "backup", file, "--db", live); r.code != 1 || !strings.Contains(r.err, "exists") {
		t.Fatalf("backup over an existing file: %d %s", r.code, r.err)
	}

	r := must(t, "", "restore", file, "--db", live)
	i := strings.Index(r.out, "kept as ")
	if i < 0 {
		t.Fatalf("restore: %s", r.out)
	}
	kept := strings.TrimSpace(r.out[i+len("kept as "):])
	restored := migrated(t, live)
	if n := countAssets(t, restored); n != 1 {
		t.Fatalf("restored database has %d assets, want the 1 of the backup", n)
	}
	old, err := store.Open(context.Background(), kept)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if n := countAssets(t, old); n != 2 {
		t.Fatalf("kept database %s has %d assets, want 2 (its WAL must have moved with it)", kept, n)
	}
}

func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	for _, cmd := range []string{"backup", "restore"} {
		r := run(t, "", cmd, "x.dump", "--db", dsn)
		if r.code != 2 || !strings.Contains(r.err, "pg_") || !strings.Contains(r.err, "docs/operations.md") {
			t.Errorf("%s on PostgreSQL: %d %s", cmd, r.code, r.err)
		}
	}
}

// TestPgDumpRestoreRoundTrip follows docs/operations.md for PostgreSQL:
// pg_dump the database, pg_restore it into an empty one, and the trail
// verifies there and the application keeps working on it.
func TestPgDumpRestoreRoundTrip(t *testing.T) {
	base := os.Getenv("BULWARK_TEST_POSTGRES")
	if base == "" {
		t.Skip("BULWARK_TEST_POSTGRES not set")
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-registered first: the databases are dropped
	// before this connection closes.
	t.Cleanup(func() { admin.Close() })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	dsnOf := func(name string) string {
		d := *u
		d.Path = "/" + name
		return d.String()
	}
	var names []string
	for _, role := range []string{"src", "dst"} {
		name := fmt.Sprintf("bulwark_%s_%d", role, time.Now().UnixNano())
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	t.Cleanup(func() {
		for _, n := range names {
			_, _ = admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
		}
	})
	src, dst := dsnOf(names[0]), dsnOf(names[1])
	srcDB := migrated(t, src)
	_, last := audittest.Trail(t, srcDB)
	srcDB.Close()

	dump := filepath.Join(t.TempDir(), "bulwark.dump")
	for _, cmd := range [][]string{
		{"pg_dump", "--format=custom", "--file=" + dump, src},
		{"pg_restore", "--no-owner", "--exit-on-error", "--dbname=" + dst, dump},
	} {
		if out, err := exec.CommandContext(ctx, cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cmd[0], err, out)
		}
	}
	if r := must(t, "", "audit", "verify", "--db", dst); !strings.Contains(r.out, fmt.Sprintf("intact: %d records", last)) {
		t.Fatalf("verify the restored database: %s", r.out)
	}
	// Identity sequences came along: new rows do not collide with old ones.
	must(t, "", "org", "create", "恢复之后", "--db", dst)
	if r := must(t, "", "audit", "verify", "--db", dst); !strings.Contains(r.out, fmt.Sprintf("intact: %d records", last+1)) {
		t.Fatalf("verify after a write: %s", r.out)
	}
}
