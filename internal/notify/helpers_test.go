package notify_test

import (
	"context"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/notify"
	"bulwark/internal/notifytest"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// env is an application with a security manager and a dispatcher on the
// application's fake clock.
type env struct {
	*servertest.Env
	ctx  context.Context // the security manager of the default organisation
	disp *notify.Dispatcher
}

func newEnv(t testing.TB, db *store.DB) *env {
	e := servertest.NewOn(t, db)
	mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
	d := &notify.Dispatcher{DB: db, Clock: e.Clock, BaseURL: "https://bulwark.example.cn/", MaxAttempts: 3,
		Backoff: time.Minute, MaxBackoff: 10 * time.Minute, Timeout: 2 * time.Second}
	return &env{Env: e, ctx: e.Actor(mgr, e.Org), disp: d}
}

func (e *env) channel(t *testing.T, c notify.Channel) notify.Channel {
	t.Helper()
	out, err := e.App.Notify.CreateChannel(e.ctx, c)
	if err != nil {
		t.Fatalf("create channel %s: %v", c.Name, err)
	}
	return out
}

func (e *env) rule(t *testing.T, kind string, channel int64) notify.Rule {
	t.Helper()
	r, err := e.App.Notify.CreateRule(e.ctx, kind, channel, true)
	if err != nil {
		t.Fatalf("create rule: %v", err)
	}
	return r
}

func (e *env) publish(t *testing.T, ev notify.Event) {
	t.Helper()
	if ev.OrgID == 0 {
		ev.OrgID = e.Org
	}
	if err := e.DB.Tx(context.Background(), func(tx *store.Tx) error {
		return e.App.Notify.Publish(context.Background(), tx, ev)
	}); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

func (e *env) dispatch(t *testing.T) int {
	t.Helper()
	n, err := e.disp.DispatchOnce(context.Background())
	if err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	return n
}

func (e *env) deliveries(t *testing.T, status string) []notify.Delivery {
	t.Helper()
	ds, err := e.App.Notify.Deliveries(e.ctx, notify.DeliveryFilter{Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// The local servers live in notifytest, shared with the modules' own
// end-to-end tests.
type receiver = notifytest.Receiver

func newReceiver(t testing.TB, statuses ...int) *receiver {
	return notifytest.NewReceiver(t, statuses...)
}

func newSMTPServer(t testing.TB, noTLS bool) *notifytest.SMTPServer {
	return notifytest.NewSMTPServer(t, noTLS)
}
