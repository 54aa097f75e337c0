package notify_test

import (
	"context"
	"testing"
	"time"

	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The loop sends as soon as a commit queues a message (Kick), without
// waiting for its tick, and stops when its context ends.
func TestRunSendsAfterCommit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rc := newReceiver(t, 200)
		c := e.channel(t, notify.Channel{Kind: notify.KindWebhook, Name: "hook", Enabled: true, Settings: notify.Settings{URL: rc.URL}})
		e.rule(t, "incident.created", c.ID)
		e.disp.Init()
		e.App.Notify.Queued = e.disp.Kick
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); e.disp.Run(ctx, time.Hour) }()
		e.publish(t, notify.Event{Kind: "incident.created", Title: "kicked"})
		deadline := time.Now().Add(5 * time.Second)
		for len(rc.Got()) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop")
		}
		if got := rc.Got(); len(got) != 1 || got[0].JSON["title"] != "kicked" {
			t.Fatalf("receiver got %d requests", len(got))
		}
	})
}
