package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Backup writes a consistent copy of a SQLite database to file while it
// is in use: VACUUM INTO reads one snapshot (a read transaction, so writers
// carry on in WAL mode) and writes a compact new file. Committed transactions
// are in the copy whole or not at all. The copy holds password hashes, so
// only its owner may read it.
func (db *DB) Backup(ctx context.Context, file string) error {
	if db.Dialect != SQLite {
		return errors.New("backup: only for SQLite; use pg_dump for PostgreSQL")
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", file)
	}
	if dir := filepath.Dir(file); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("backup: create folder: %w", err)
		}
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO $1`, file); err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		return fmt.Errorf("backup: restrict %s: %w", file, err)
	}
	return nil
}

// checkBackup opens src read-only, so checking a backup never changes it
// (opening it as a database would switch it to WAL mode and leave -wal and
// -shm files beside it), and makes sure it is a whole Bulwark database.
func checkBackup(ctx context.Context, src string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+src+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	var version int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version == 0 {
		return errors.New("no migrations recorded")
	}
	return nil
}

// Restore replaces the SQLite database at dst with the backup at src. The
// server must be stopped. The backup is checked first (it opens read-only,
// passes integrity_check and has migrations recorded); the copy is written
// beside dst and renamed into place, so a failed restore leaves dst as it
// was. The old database, with its -wal file, is kept and its name returned.
func Restore(ctx context.Context, src, dst string) (kept string, err error) {
	if err := checkBackup(ctx, src); err != nil {
		return "", fmt.Errorf("restore: %s is not a usable Bulwark backup: %w", src, err)
	}
	if dir := filepath.Dir(dst); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("restore: create folder: %w", err)
		}
	}
	tmp := dst + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		kept = dst + ".before-restore-" + time.Now().UTC().Format("20060102T150405")
		// The -wal file holds the old database's latest commits: it moves
		// with it (SQLite finds it by name), and -shm is rebuilt on open.
		if err := os.Rename(dst, kept); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("restore: keep old database: %w", err)
		}
		if err := os.Rename(dst+"-wal", kept+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return kept, fmt.Errorf("restore: keep old database's WAL: %w", err)
		}
		_ = os.Remove(dst + "-shm")
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, fmt.Errorf("restore: %w", err)
	}
	return kept, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("sync: %w", err)
	}
	return out.Close()
}
