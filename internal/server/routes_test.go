package server_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"bulwark/internal/account"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// routeCase says how to call a route and who may. Every route in the
// server's table must have one (see TestEveryRouteHasACase); features add
// theirs in their own routes_<feature>_test.go with an init function.
type routeCase struct {
	Public bool      // reachable without signing in
	Perm   auth.Perm // required permission; "" = any signed-in user
	// Path with placeholders filled from the fixture: {asset} {user} {org} {token}.
	Path        string
	Body        string // form values (UI) or JSON (API)
	ContentType string // defaults: form for UI, JSON for API
}

var (
	routeCasesMu sync.Mutex
	routeCases   = map[string]routeCase{}
)

func addRouteCases(cases map[string]routeCase) {
	routeCasesMu.Lock()
	defer routeCasesMu.Unlock()
	for k, v := range cases {
		if _, dup := routeCases[k]; dup {
			panic("route case defined twice: " + k)
		}
		routeCases[k] = v
	}
}

func init() {
	addRouteCases(map[string]routeCase{
		"GET /healthz":          {Public: true, Path: "/healthz"},
		"GET /readyz":           {Public: true, Path: "/readyz"},
		"GET /metrics":          {Public: true, Path: "/metrics"},
		"GET /static/{file...}": {Public: true, Path: "/static/app.css"},
		"GET /login":            {Public: true, Path: "/login"},
		"POST /login":           {Public: true, Path: "/login", Body: "username=x&password=y"},
		"POST /lang":            {Public: true, Path: "/lang", Body: "lang=en"},
		"GET /{$}":              {Path: "/"},
		"POST /logout":          {Path: "/logout"},
		"GET /account/password": {Path: "/account/password"},
		// A wrong current password: refused as invalid, not as forbidden.
		"POST /account/password":          {Path: "/account/password", Body: "old_password=wrong&password=Another-password-1&confirm=Another-password-1"},
		"GET /account":                    {Path: "/account"},
		"POST /account/language":          {Path: "/account/language", Body: "locale=zh-CN"},
		"POST /org/switch":                {Path: "/org/switch", Body: "org={org}"},
		"GET /assets":                     {Perm: auth.PermAssetRead, Path: "/assets?q=fixture"},
		"GET /assets/new":                 {Perm: auth.PermAssetWrite, Path: "/assets/new"},
		"POST /assets":                    {Perm: auth.PermAssetWrite, Path: "/assets", Body: "name=&type=server"},
		"GET /assets/{id}":                {Perm: auth.PermAssetRead, Path: "/assets/{asset}"},
		"GET /assets/{id}/edit":           {Perm: auth.PermAssetWrite, Path: "/assets/{asset}/edit"},
		"POST /assets/{id}":               {Perm: auth.PermAssetWrite, Path: "/assets/{asset}", Body: "name=&type=server"},
		"POST /assets/{id}/delete":        {Perm: auth.PermAssetDelete, Path: "/assets/999999/delete"},
		"GET /api/v1/me":                  {Path: "/api/v1/me"},
		"GET /api/v1/assets":              {Perm: auth.PermAssetRead, Path: "/api/v1/assets?q=fixture"},
		"POST /api/v1/assets":             {Perm: auth.PermAssetWrite, Path: "/api/v1/assets", Body: `{"name":""}`},
		"GET /api/v1/assets/{id}":         {Perm: auth.PermAssetRead, Path: "/api/v1/assets/{asset}"},
		"PATCH /api/v1/assets/{id}":       {Perm: auth.PermAssetWrite, Path: "/api/v1/assets/{asset}", Body: `{"name":""}`},
		"DELETE /api/v1/assets/{id}":      {Perm: auth.PermAssetDelete, Path: "/api/v1/assets/999999"},
		"GET /api/v1/assets/{id}/history": {Perm: auth.PermAssetRead, Path: "/api/v1/assets/{asset}/history"},
	})
}

func routeKey(method, pattern string) string { return method + " " + pattern }

func TestEveryRouteHasACase(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	seen := map[string]bool{}
	for _, rt := range e.Server.Routes() {
		k := routeKey(rt.Method, rt.Pattern)
		seen[k] = true
		c, ok := routeCases[k]
		if !ok {
			t.Errorf("route %s has no case in the route × role table: add one", k)
			continue
		}
		if c.Public != rt.Public {
			t.Errorf("route %s: table says public=%v, route says %v", k, c.Public, rt.Public)
		}
	}
	for k := range routeCases {
		if !seen[k] {
			t.Errorf("route case %s names no route: remove it", k)
		}
	}
}

// fixture is one organisation's data the tests aim at.
type fixture struct {
	org   int64
	asset int64
	user  account.User
	token int64
}

const secretMarker = "fixture"

func makeFixture(t *testing.T, e *servertest.Env, org int64, name string) fixture {
	mgr := e.CreateUser(name+"-owner", org, auth.RoleSecurityManager)
	ctx := e.Actor(mgr, org)
	a, err := e.App.Assets.Create(ctx, asset.Asset{Name: secretMarker + " " + name + " 核心交换机", Type: asset.TypeNetwork, C: 3, I: 3, A: 3})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.App.Accounts.CreateToken(ctx, mgr.ID, "fixture", 0)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{org: org, asset: a.ID, user: mgr, token: tok.ID}
}

func (f fixture) fill(s string) string {
	return strings.NewReplacer("{asset}", fmt.Sprint(f.asset), "{user}", fmt.Sprint(f.user.ID),
		"{org}", fmt.Sprint(f.org), "{token}", fmt.Sprint(f.token)).Replace(s)
}

// caller is a signed-in user of one role, over the UI and over the API.
type caller struct {
	role  string
	user  account.User
	ui    *servertest.Client
	token string
}

func callers(t *testing.T, e *servertest.Env, org int64, prefix string) []caller {
	var out []caller
	roles := append([]auth.Role{}, auth.AllRoles...)
	for _, r := range roles {
		u := e.CreateUser(fmt.Sprintf("%s-%s", prefix, r), org, r)
		out = append(out, caller{role: string(r), user: u, ui: e.SessionClient(u, org), token: e.Token(u)})
	}
	// A member with no role at all in this organisation.
	u := e.CreateUser(prefix+"-norole", org)
	out = append(out, caller{role: "none", user: u, ui: e.SessionClient(u, org), token: e.Token(u)})
	return out
}

func (c caller) can(p auth.Perm) bool {
	if p == "" {
		return true
	}
	if c.role == "none" {
		return false
	}
	return auth.RoleCan(auth.Role(c.role), p)
}

func (c caller) call(e *servertest.Env, method, path string, rc routeCase) servertest.Response {
	if strings.HasPrefix(path, "/api/") {
		ct := rc.ContentType
		if ct == "" && rc.Body != "" {
			ct = "application/json"
		}
		client := e.NewClient()
		req, _ := http.NewRequest(method, e.HTTP.URL+path, strings.NewReader(rc.Body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		res, err := client.HTTP.Do(req)
		if err != nil {
			e.T.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return servertest.Response{StatusCode: res.StatusCode, Header: res.Header, Body: b.String()}
	}
	ct := rc.ContentType
	if ct == "" && method != "GET" {
		ct = "application/x-www-form-urlencoded"
	}
	return c.ui.Do(method, path, ct, strings.NewReader(rc.Body))
}

func sortedRoutes(e *servertest.Env) []string {
	var keys []string
	for _, rt := range e.Server.Routes() {
		keys = append(keys, routeKey(rt.Method, rt.Pattern))
	}
	sort.Strings(keys)
	// Logging out ends the caller's session: do it last.
	sort.SliceStable(keys, func(i, j int) bool { return keys[j] == "POST /logout" && keys[i] != keys[j] })
	return keys
}

// TestRouteRoleMatrix calls every route as every role and checks that the
// server allows exactly what the permission matrix allows: a forbidden call
// gets 403, an allowed one anything but 401 or 403.
func TestRouteRoleMatrix(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		f := makeFixture(t, e, e.Org, "a")
		for _, c := range callers(t, e, e.Org, "m") {
			for _, k := range sortedRoutes(e) {
				rc, ok := routeCases[k]
				if !ok || rc.Public {
					continue
				}
				method, _, _ := strings.Cut(k, " ")
				res := c.call(e, method, f.fill(rc.Path), rc)
				allowed := c.can(rc.Perm)
				switch {
				case allowed && (res.StatusCode == 401 || res.StatusCode == 403):
					t.Errorf("%s as %s: %d, want allowed", k, c.role, res.StatusCode)
				case !allowed && res.StatusCode != 403:
					t.Errorf("%s as %s: %d, want 403", k, c.role, res.StatusCode)
				case res.StatusCode >= 500:
					t.Errorf("%s as %s: %d: %s", k, c.role, res.StatusCode, res.Body)
				}
			}
		}
	})
}

// TestOrganisationsDoNotCross runs every route as every role of a second
// organisation against the first one's objects: nothing of the first may
// come back, through the UI, the API, search or exports.
func TestOrganisationsDoNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		a := makeFixture(t, e, e.Org, "orga")
		orgB := e.CreateOrg("客户B")
		makeFixture(t, e, orgB, "orgb")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			for _, k := range sortedRoutes(e) {
				rc := routeCases[k]
				method, _, _ := strings.Cut(k, " ")
				if method != "GET" || rc.Public {
					continue
				}
				res := c.call(e, method, a.fill(rc.Path), rc)
				if strings.Contains(res.Body, "orga") {
					t.Errorf("%s as %s of org B: response shows org A's data (%d)", k, c.role, res.StatusCode)
				}
				if strings.Contains(rc.Path, "{asset}") && res.StatusCode < 300 {
					t.Errorf("%s as %s of org B: %d for org A's asset", k, c.role, res.StatusCode)
				}
			}
			// Writes aimed at org A's asset fail too.
			for _, k := range []string{"PATCH /api/v1/assets/{id}", "DELETE /api/v1/assets/{id}"} {
				rc := routeCases[k]
				rc.Path = "/api/v1/assets/{asset}"
				rc.Body = `{"name":"hijacked"}`
				method, _, _ := strings.Cut(k, " ")
				if res := c.call(e, method, a.fill(rc.Path), rc); res.StatusCode < 400 {
					t.Errorf("%s as %s of org B on org A's asset: %d", k, c.role, res.StatusCode)
				}
			}
		}
		// Org A's asset is untouched.
		got, err := e.App.Assets.Get(e.Actor(a.user, a.org), a.asset)
		if err != nil || !strings.Contains(got.Name, "orga") {
			t.Fatalf("org A's asset changed: %+v %v", got, err)
		}
	})
}
