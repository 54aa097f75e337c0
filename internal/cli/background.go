package cli

import (
	"context"
	"sync"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/config"
	"bulwark/internal/deadline"
	"bulwark/internal/notify"
)

// backgroundJob is periodic work serve runs beside the HTTP server (the
// deadline scanner today; the notification dispatcher next). Each node may
// run it: jobs claim their work in the database, so nodes do not repeat it.
type backgroundJob interface {
	Run(ctx context.Context, every time.Duration)
}

// scanEvery is how often the deadline scanner looks: a regulatory deadline
// of one hour is then announced within a minute of its window opening.
const scanEvery = time.Minute

// notifyEvery is how often the dispatcher looks for due messages besides
// being kicked after each commit that queues some (retries wait for it).
const notifyEvery = 10 * time.Second

// backgroundJobs are the jobs of a, with how often each runs. The deadline
// scanner's hooks queue deadline.near / deadline.overdue notifications in
// the transaction that claims each notice, so each goes out once.
func backgroundJobs(a *app.App, cfg *config.Config) map[backgroundJob]time.Duration {
	// The dispatcher sends the outbox; rows it holds come back when their
	// lease ends, so stopping it mid-send loses nothing.
	disp := &notify.Dispatcher{DB: a.DB, Clock: a.Clock, BaseURL: cfg.PublicURL()}
	disp.Init()
	a.Notify.Queued = disp.Kick
	near, overdue := a.DeadlineHooks()
	return map[backgroundJob]time.Duration{
		&deadline.Scanner{DB: a.DB, Clock: a.Clock, OnNear: near, OnOverdue: overdue}: scanEvery,
		disp: notifyEvery,
	}
}

// startBackground runs jobs until ctx ends; the returned stop cancels them
// and waits until each has returned, so the database is closed after them.
func startBackground(ctx context.Context, jobs map[backgroundJob]time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for j, every := range jobs {
		wg.Go(func() { j.Run(ctx, every) })
	}
	return func() {
		cancel()
		wg.Wait()
	}
}
