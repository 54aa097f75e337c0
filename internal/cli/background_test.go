package cli

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/clock"
	"bulwark/internal/config"
	"bulwark/internal/deadline"
	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

type countingJob struct{ runs, returned atomic.Int32 }

func (j *countingJob) Run(ctx context.Context, every time.Duration) {
	j.runs.Add(1)
	<-ctx.Done()
	time.Sleep(10 * time.Millisecond) // stop must wait for this
	j.returned.Add(1)
}

func TestBackgroundJobsStopBeforeReturning(t *testing.T) {
	a, b := &countingJob{}, &countingJob{}
	stop := startBackground(context.Background(), map[backgroundJob]time.Duration{a: time.Second, b: time.Second})
	deadlineAt := time.Now().Add(5 * time.Second)
	for a.runs.Load()+b.runs.Load() < 2 && time.Now().Before(deadlineAt) {
		time.Sleep(time.Millisecond)
	}
	stop()
	if a.returned.Load() != 1 || b.returned.Load() != 1 {
		t.Fatalf("stop returned before the jobs: %d %d", a.returned.Load(), b.returned.Load())
	}
}

func TestServeRunsTheDeadlineScanner(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	a := app.New(db, clock.NewFake(time.Now()), app.DefaultOptions())
	jobs := backgroundJobs(a, config.Defaults())
	found, dispatcher := false, false
	for j, every := range jobs {
		if s, ok := j.(*deadline.Scanner); ok && s.DB == db && every == scanEvery && s.OnNear != nil && s.OnOverdue != nil {
			found = true
		}
		if d, ok := j.(*notify.Dispatcher); ok && d.DB == db && every == notifyEvery {
			dispatcher = true
		}
	}
	if !found || !dispatcher {
		t.Fatalf("background jobs lack the deadline scanner (%v) or the notification dispatcher (%v): %v", found, dispatcher, jobs)
	}
}
