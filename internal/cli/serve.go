package cli

import (
	"context"
	"fmt"

	"bulwark/internal/config"
	"bulwark/internal/server"
)

func runServe(ctx context.Context, args []string, io IO) error {
	fs := newFlags("serve", io)
	cfg, finish, _ := config.Bind(fs, config.ScopeServer)
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if err := finish(); err != nil {
		return err
	}
	e, err := open(ctx, cfg, io.Out)
	if err != nil {
		return err
	}
	defer e.db.Close()
	srv, err := server.New(e.app, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "Bulwark on %s\n", e.db.Describe())
	stop := startBackground(ctx, backgroundJobs(e.app, cfg))
	defer stop()
	return server.Run(ctx, cfg, srv.Handler(), nil)
}

func runMigrate(ctx context.Context, args []string, io IO) error {
	fs := newFlags("migrate", io)
	cfg, _, err := parseDB(fs, args)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, io.Out)
	if err != nil {
		return err
	}
	defer e.db.Close()
	v, err := e.db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "database %s is at schema version %d\n", e.db.Describe(), v)
	return nil
}

func runConfig(_ context.Context, args []string, io IO) error {
	fs := newFlags("config", io)
	_, _, settings := config.Bind(fs, config.ScopeServer)
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	config.PrintSettings(io.Out, settings)
	return nil
}
