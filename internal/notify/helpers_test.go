package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/notify"
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

// receiver is an HTTP endpoint that records requests and answers with the
// next of its scripted statuses (the last one repeats).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	reqs     []received
	statuses []int
	answer   string        // body of 2xx answers
	delay    time.Duration // before answering
}

type received struct {
	Header http.Header
	Query  map[string]string
	Body   []byte
	JSON   map[string]any
}

func newReceiver(t testing.TB, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses, answer: `{"errcode":0,"errmsg":"ok"}`}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got := received{Header: r.Header.Clone(), Body: b, Query: map[string]string{}}
		for k := range r.URL.Query() {
			got.Query[k] = r.URL.Query().Get(k)
		}
		_ = json.Unmarshal(b, &got.JSON)
		rc.mu.Lock()
		i := len(rc.reqs)
		rc.reqs = append(rc.reqs, got)
		status := 200
		if len(rc.statuses) > 0 {
			status = rc.statuses[min(i, len(rc.statuses)-1)]
		}
		delay, answer := rc.delay, rc.answer
		rc.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		if status < 300 {
			_, _ = io.WriteString(w, answer)
		} else {
			_, _ = io.WriteString(w, "upstream broke")
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}
