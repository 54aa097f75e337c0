package server_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestLoginThrottledPerIP: many attempts from one address are slowed down
// whatever the account, and the address recovers after a while.
func TestLoginThrottledPerIP(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	e.CreateUser("frank", e.Org, auth.RoleViewer)
	cfg := e.App.Options.Account
	cfg.IPAttempts = 3
	e.App.Accounts = account.New(e.DB, e.Clock, cfg)
	c := e.NewClient()
	for i, name := range []string{"a", "b", "c"} {
		if res := c.PostForm("/login", url.Values{"username": {name}, "password": {"whatever-it-is"}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i, res.StatusCode)
		}
	}
	// The fourth attempt in the same minute is refused even with the right password.
	if res := c.PostForm("/login", url.Values{"username": {"frank"}, "password": {servertest.Password}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("throttled attempt: %d, want 429", res.StatusCode)
	}
	e.Clock.Advance(time.Minute)
	if res := c.PostForm("/login", url.Values{"username": {"frank"}, "password": {servertest.Password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after a minute: %d, want 303", res.StatusCode)
	}
}
