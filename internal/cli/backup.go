package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"bulwark/internal/store"
)

func runBackup(ctx context.Context, args []string, io IO) error {
	fs := newFlags("backup", io)
	cfg, rest, err := parseDB(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("usage: bulwark backup FILE")
	}
	if store.IsPostgres(cfg.DB) {
		return usagef("on PostgreSQL use pg_dump: pg_dump --format=custom --file=FILE \"$BULWARK_DB\" (see docs/operations.md)")
	}
	if err := existingDB(cfg.DB); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "backup written to %s\n", rest[0])
	return nil
}

func runRestore(ctx context.Context, args []string, io IO) error {
	fs := newFlags("restore", io)
	cfg, rest, err := parseDB(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("usage: bulwark restore FILE")
	}
	if store.IsPostgres(cfg.DB) {
		return usagef("on PostgreSQL use pg_restore (see docs/operations.md)")
	}
	kept, err := store.Restore(ctx, rest[0], cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "restored %s from %s; run 'bulwark audit verify' to check the trail\n", filepath.Clean(cfg.DB), rest[0])
	if kept != "" {
		fmt.Fprintf(io.Out, "the database it replaced is kept as %s\n", kept)
	}
	return nil
}
