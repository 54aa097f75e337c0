package notify_test

import (
	"context"
	"testing"

	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// BenchmarkPublishAndDispatch measures one event queued for two channels and
// delivered to a local webhook receiver: the outbox's cost per message.
func BenchmarkPublishAndDispatch(b *testing.B) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			e := newEnv(b, db)
			rc := newReceiver(b)
			for _, n := range []string{"a", "b"} {
				c, err := e.App.Notify.CreateChannel(e.ctx, notify.Channel{Kind: notify.KindWebhook, Name: n, Enabled: true, Settings: notify.Settings{URL: rc.URL}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.App.Notify.CreateRule(e.ctx, "incident.created", c.ID, true); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				if err := db.Tx(context.Background(), func(tx *store.Tx) error {
					return e.App.Notify.Publish(context.Background(), tx, notify.Event{OrgID: e.Org, Kind: "incident.created", Title: "bench"})
				}); err != nil {
					b.Fatal(err)
				}
				if n, err := e.disp.DispatchOnce(context.Background()); err != nil || n != 2 {
					b.Fatalf("dispatched %d: %v", n, err)
				}
			}
		})
	}
}
