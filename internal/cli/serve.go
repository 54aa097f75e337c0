package cli

import (
	"context"
	"fmt"
	"time"

	"bulwark/internal/config"
	"bulwark/internal/notify"
	"bulwark/internal/server"
)

// notifyEvery is how often the dispatcher looks for due messages besides
// being kicked after each commit that queues some (retries wait for it).
const notifyEvery = 10 * time.Second

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
	// The notification dispatcher sends the outbox while the server runs and
	// stops with it; rows it holds come back when their lease ends.
	disp := &notify.Dispatcher{DB: e.db, Clock: e.app.Clock, BaseURL: cfg.PublicURL()}
	disp.Init()
	e.app.Notify.Queued = disp.Kick
	dctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); disp.Run(dctx, notifyEvery) }()
	err = server.Run(ctx, cfg, srv.Handler(), nil)
	stop()
	<-done
	return err
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
