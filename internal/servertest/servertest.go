// Package servertest runs the whole application over a real database for
// tests: an httptest server, a movable clock, and helpers to create users
// with roles, log in as them and call the API with their tokens.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/config"
	"bulwark/internal/server"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Password is the password of every user the helpers create.
const Password = "Test-Password-123"

// Env is a running application.
type Env struct {
	T      testing.TB
	DB     *store.DB
	App    *app.App
	Clock  *clock.Fake
	Cfg    *config.Config
	Server *server.Server
	HTTP   *httptest.Server
	Org    int64 // the default organisation
	// AdminPassword is the first-run admin's one-time password, as the
	// console would show it: browser tests log in with it.
	AdminPassword string
}

// New starts the application on engine.
func New(t testing.TB, engine store.Dialect) *Env {
	t.Helper()
	// Cheap hashing: the cost parameters are not what these tests test.
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	// Request logs only when something goes wrong.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	db := storetest.Open(t, engine)
	return NewOn(t, db)
}

// NewOn starts the application on an already opened database.
func NewOn(t testing.TB, db *store.DB) *Env {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	cfg := config.Defaults()
	cfg.Data = t.TempDir()
	opt := app.DefaultOptions()
	opt.Account.IPAttempts = 1000
	a := app.New(db, clk, opt)
	orgID, adminPW, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv, err := server.New(a, cfg)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &Env{T: t, DB: db, App: a, Clock: clk, Cfg: cfg, Server: srv, HTTP: hs, Org: orgID, AdminPassword: adminPW}
}

// System is a context acting as the installation in org.
func (e *Env) System(org int64) context.Context { return app.SystemContext(context.Background(), org) }

// CreateOrg adds an organisation.
func (e *Env) CreateOrg(name string) int64 {
	e.T.Helper()
	o, err := e.App.Orgs.Create(e.System(e.Org), name, "other")
	if err != nil {
		e.T.Fatalf("create org %s: %v", name, err)
	}
	return o.ID
}

// CreateUser adds a user holding roles in org (RoleAdmin makes a platform
// admin) with Password, no password change pending.
func (e *Env) CreateUser(name string, org int64, roles ...auth.Role) account.User {
	e.T.Helper()
	in := account.NewUser{Username: name, Password: Password, OrgID: org}
	for _, r := range roles {
		if r == auth.RoleAdmin {
			in.PlatformAdmin = true
		} else {
			in.Roles = append(in.Roles, r)
		}
	}
	u, err := e.App.Accounts.Create(e.System(org), in)
	if err != nil {
		e.T.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// Actor returns a context acting as user in org (service-level tests).
func (e *Env) Actor(u account.User, org int64) context.Context {
	e.T.Helper()
	a, err := e.App.Accounts.ActorFor(context.Background(), u, org, "127.0.0.1")
	if err != nil {
		e.T.Fatalf("actor for %s: %v", u.Username, err)
	}
	return auth.WithActor(context.Background(), a)
}

// Token makes an API token for user.
func (e *Env) Token(u account.User) string {
	e.T.Helper()
	_, raw, err := e.App.Accounts.CreateToken(e.System(e.Org), u.ID, "test", 0)
	if err != nil {
		e.T.Fatalf("token for %s: %v", u.Username, err)
	}
	return raw
}

// Client is a browser-like client: it keeps cookies and does not follow
// redirects, so tests see each 303.
type Client struct {
	e    *Env
	HTTP *http.Client
}

// NewClient returns a client with an empty cookie jar.
func (e *Env) NewClient() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{e: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Login returns a client logged in as username with Password.
func (e *Env) Login(username string) *Client {
	e.T.Helper()
	c := e.NewClient()
	res := c.PostForm("/login", url.Values{"username": {username}, "password": {Password}})
	if res.StatusCode != http.StatusSeeOther {
		e.T.Fatalf("login %s: status %d: %s", username, res.StatusCode, res.Body)
	}
	return c
}

// Response is a finished response with its body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

func (c *Client) do(req *http.Request) Response {
	c.e.T.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Response{StatusCode: res.StatusCode, Header: res.Header, Body: string(b)}
}

// Get fetches path.
func (c *Client) Get(path string) Response {
	req, _ := http.NewRequest("GET", c.e.HTTP.URL+path, nil)
	return c.do(req)
}

// PostForm posts a form to path.
func (c *Client) PostForm(path string, form url.Values) Response {
	req, _ := http.NewRequest("POST", c.e.HTTP.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// Do sends any request built by the test (its URL is relative to the server).
func (c *Client) Do(method, path, contentType string, body io.Reader) Response {
	req, _ := http.NewRequest(method, c.e.HTTP.URL+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.do(req)
}

// API calls the JSON API with a bearer token; org 0 means the default.
func (e *Env) API(token, method, path, body string, org int64) Response {
	e.T.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.HTTP.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if org != 0 {
		req.Header.Set("X-Bulwark-Org", strconv.FormatInt(org, 10))
	}
	return e.NewClient().do(req)
}

// SessionClient returns a client with a session for u in org, made directly
// (no login form, no audit record): for tests that need many sessions.
func (e *Env) SessionClient(u account.User, org int64) *Client {
	e.T.Helper()
	raw, err := e.App.Accounts.StartSession(context.Background(), u.ID, org, "127.0.0.1", "test")
	if err != nil {
		e.T.Fatalf("session for %s: %v", u.Username, err)
	}
	c := e.NewClient()
	base, _ := url.Parse(e.HTTP.URL)
	c.HTTP.Jar.SetCookies(base, []*http.Cookie{{Name: server.SessionCookie, Value: raw, Path: "/"}})
	return c
}
