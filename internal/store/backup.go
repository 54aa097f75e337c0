package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of a SQLite database to file while it
// is in use: VACUUM INTO reads one snapshot and writes a compact new file.
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
	return nil
}

// Restore replaces the SQLite database at dst with the backup at src. The
// server must be stopped. The backup is checked first (it opens, passes
// integrity_check and has a migrations table), and the old database is kept
// beside it as dst.before-restore.
func Restore(ctx context.Context, src, dst string) error {
	check, err := Open(ctx, src)
	if err != nil {
		return fmt.Errorf("restore: open backup: %w", err)
	}
	var res string
	err = check.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	if err == nil && res != "ok" {
		err = fmt.Errorf("integrity_check: %s", res)
	}
	if err == nil {
		_, err = check.SchemaVersion(ctx)
	}
	check.Close()
	if err != nil {
		return fmt.Errorf("restore: %s is not a usable Bulwark backup: %w", src, err)
	}
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, dst+".before-restore"); err != nil {
			return fmt.Errorf("restore: keep old database: %w", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(dst + suffix)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("restore: copy: %w", err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("restore: sync: %w", err)
	}
	return out.Close()
}
