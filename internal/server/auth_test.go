package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/server"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func cookieNamed(res servertest.Response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginSessionAndPasswordChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("alice", e.Org, auth.RoleSecurityAdmin)
		// The first admin must change the one-time password; make alice do the same.
		if err := e.App.Accounts.ResetPassword(e.System(e.Org), u.ID, servertest.Password, true); err != nil {
			t.Fatal(err)
		}
		c := e.NewClient()
		if res := c.Get("/assets"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("anonymous /assets: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		bad := c.PostForm("/login", url.Values{"username": {"alice"}, "password": {"wrong-password"}})
		if bad.StatusCode != http.StatusUnauthorized || !strings.Contains(bad.Body, "用户名或密码不正确") {
			t.Fatalf("bad login: %d", bad.StatusCode)
		}
		res := c.PostForm("/login", url.Values{"username": {"alice"}, "password": {servertest.Password}})
		ck := cookieNamed(res, server.SessionCookie)
		if res.StatusCode != http.StatusSeeOther || ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("login: %d cookie %+v", res.StatusCode, ck)
		}
		// A one-time password allows nothing but the change.
		if res := c.Get("/assets"); res.Header.Get("Location") != "/account/password" {
			t.Fatalf("before change: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		short := c.PostForm("/account/password", url.Values{"old_password": {servertest.Password}, "password": {"short"}, "confirm": {"short"}})
		if short.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(short.Body, "密码至少 12 个字符") {
			t.Fatalf("short password: %d", short.StatusCode)
		}
		res = c.PostForm("/account/password", url.Values{"old_password": {servertest.Password}, "password": {"A-much-better-pw-1"}, "confirm": {"A-much-better-pw-1"}})
		newCk := cookieNamed(res, server.SessionCookie)
		if res.StatusCode != http.StatusSeeOther || newCk == nil || newCk.Value == ck.Value {
			t.Fatalf("change: %d, new session cookie %v", res.StatusCode, newCk)
		}
		if res := c.Get("/assets"); res.StatusCode != http.StatusOK {
			t.Fatalf("after change: %d", res.StatusCode)
		}
		// The old session id no longer works.
		old := e.NewClient()
		u2, _ := url.Parse(e.HTTP.URL)
		old.HTTP.Jar.SetCookies(u2, []*http.Cookie{ck})
		if res := old.Get("/assets"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("old session still valid: %d", res.StatusCode)
		}
		// Idle timeout.
		e.Clock.Advance(31 * time.Minute)
		if res := c.Get("/assets"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("session survived idle timeout: %d", res.StatusCode)
		}
		res2, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: e.Org, Action: "login."})
		if err != nil || len(res2) < 2 {
			t.Errorf("login events audited: %d, %v", len(res2), err)
		}
	})
}

func TestAbsoluteTimeoutAndLogout(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	e.CreateUser("bob", e.Org, auth.RoleViewer)
	c := e.Login("bob")
	for range 25 { // keep it busy: idle never reached, absolute is
		e.Clock.Advance(29 * time.Minute)
		c.Get("/assets")
	}
	if res := c.Get("/assets"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("session survived 12 h: %d", res.StatusCode)
	}
	c = e.Login("bob")
	if res := c.PostForm("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout %d", res.StatusCode)
	}
	if res := c.Get("/assets"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("session valid after logout: %d", res.StatusCode)
	}
}

func TestLockoutAfterFailures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.CreateUser("carol", e.Org, auth.RoleViewer)
		c := e.NewClient()
		for i := range 5 {
			if res := c.PostForm("/login", url.Values{"username": {"carol"}, "password": {"nope-nope-nope"}}); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, res.StatusCode)
			}
		}
		// Locked now, even with the right password.
		if res := c.PostForm("/login", url.Values{"username": {"carol"}, "password": {servertest.Password}}); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("locked account logged in: %d", res.StatusCode)
		}
		locks, _, _ := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: e.Org, Action: "account.locked"})
		if len(locks) != 1 {
			t.Errorf("lockout audited %d times", len(locks))
		}
		e.Clock.Advance(16 * time.Minute)
		if res := c.PostForm("/login", url.Values{"username": {"carol"}, "password": {servertest.Password}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after lockout: %d", res.StatusCode)
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	e.CreateUser("dave", e.Org, auth.RoleSecurityManager)
	c := e.Login("dave")
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/assets", strings.NewReader("name=x&type=server&confidentiality=1&integrity=1&availability=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", res.StatusCode)
	}
	req, _ = http.NewRequest("POST", e.HTTP.URL+"/assets", strings.NewReader("name=x&type=server&confidentiality=1&integrity=1&availability=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, _ = c.HTTP.Do(req)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Origin POST: %d, want 403", res.StatusCode)
	}
}

func TestAPITokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("erin", e.Org, auth.RoleSystemAdmin)
		tok := e.Token(u)
		if res := e.API("", "GET", "/api/v1/assets", "", 0); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no token: %d", res.StatusCode)
		}
		if res := e.API("bwk_nonsense", "GET", "/api/v1/assets", "", 0); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad token: %d", res.StatusCode)
		}
		res := e.API(tok, "POST", "/api/v1/assets", `{"name":"数据库服务器","type":"server","ips":["10.1.1.1"],"confidentiality":4,"integrity":4,"availability":4}`, 0)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		var created struct {
			ID         int64  `json:"id"`
			Number     string `json:"number"`
			Value      int    `json:"value"`
			ValueLevel string `json:"value_level"`
		}
		_ = json.Unmarshal([]byte(res.Body), &created)
		if created.Number != "ZC-000001" || created.Value != 4 || created.ValueLevel != "高" {
			t.Fatalf("created %+v", created)
		}
		res = e.API(tok, "PATCH", "/api/v1/assets/1", `{"status":"retired"}`, 0)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"status":"retired"`) || !strings.Contains(res.Body, "数据库服务器") {
			t.Fatalf("patch: %d %s", res.StatusCode, res.Body)
		}
		res = e.API(tok, "POST", "/api/v1/assets", `{"name":"","type":"nope","confidentiality":9}`, 0)
		var body struct {
			Error struct {
				Code   string `json:"code"`
				Fields []struct{ Field, Code, Message string }
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(res.Body), &body)
		if res.StatusCode != http.StatusUnprocessableEntity || body.Error.Code != "invalid" || len(body.Error.Fields) != 3 {
			t.Fatalf("invalid create: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(tok, "POST", "/api/v1/assets", `{"name":"x","bogus":1}`, 0); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("unknown field: %d", res.StatusCode)
		}
		// Expired and revoked tokens stop working.
		short, raw, err := e.App.Accounts.CreateToken(e.System(e.Org), u.ID, "short", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if res := e.API(raw, "GET", "/api/v1/me", "", 0); res.StatusCode != http.StatusOK {
			t.Fatalf("fresh token: %d", res.StatusCode)
		}
		e.Clock.Advance(2 * time.Hour)
		if res := e.API(raw, "GET", "/api/v1/me", "", 0); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("expired token: %d", res.StatusCode)
		}
		_ = short
		if err := e.App.Accounts.RevokeToken(e.System(e.Org), 1); err != nil {
			t.Fatal(err)
		}
		if res := e.API(tok, "GET", "/api/v1/me", "", 0); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d", res.StatusCode)
		}
	})
}
