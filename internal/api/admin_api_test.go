package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// call is an API call's decoded answer.
type call struct {
	t      *testing.T
	status int
	body   string
}

func apiCall(t *testing.T, e *servertest.Env, token, method, path, body string, org int64) call {
	t.Helper()
	res := e.API(token, method, path, body, org)
	return call{t: t, status: res.StatusCode, body: res.Body}
}

func (c call) want(status int) call {
	c.t.Helper()
	if c.status != status {
		c.t.Fatalf("status %d, want %d: %s", c.status, status, c.body)
	}
	return c
}

func (c call) into(v any) {
	c.t.Helper()
	if err := json.Unmarshal([]byte(c.body), v); err != nil {
		c.t.Fatalf("decode %s: %v", c.body, err)
	}
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field string `json:"field"`
			Code  string `json:"code"`
		} `json:"fields"`
	} `json:"error"`
}

// fieldCode returns the code of the error on field in an error body.
func (c call) fieldCode(field string) string {
	var b apiError
	c.into(&b)
	for _, f := range b.Error.Fields {
		if f.Field == field {
			return f.Code
		}
	}
	return ""
}

type userOut struct {
	ID                 int64  `json:"id"`
	Username           string `json:"username"`
	DisplayName        string `json:"display_name"`
	Email              string `json:"email"`
	PlatformAdmin      bool   `json:"platform_admin"`
	MustChangePassword bool   `json:"must_change_password"`
	Disabled           bool   `json:"disabled"`
	OneTimePassword    string `json:"one_time_password"`
	Memberships        []struct {
		OrgID int64    `json:"org_id"`
		Roles []string `json:"roles"`
	} `json:"memberships"`
}

func TestUsersAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		admin := e.CreateUser("root", e.Org, auth.RoleAdmin)
		tok := e.Token(admin)
		orgB := e.CreateOrg("客户B")

		// Without a password: a one-time password, shown once, to be changed.
		var u userOut
		apiCall(t, e, tok, "POST", "/api/v1/users", `{"username":"alice","display_name":"Alice","email":"alice@example.cn","roles":["auditor","viewer"]}`, 0).
			want(201).into(&u)
		if u.OneTimePassword == "" || !u.MustChangePassword || len(u.Memberships) != 1 || u.Memberships[0].OrgID != e.Org ||
			strings.Join(u.Memberships[0].Roles, ",") != "auditor,viewer" {
			t.Fatalf("created %+v", u)
		}
		if _, err := e.App.Accounts.Login(e.System(e.Org), "alice", u.OneTimePassword, "127.0.0.1"); err != nil {
			t.Fatalf("login with the one-time password: %v", err)
		}
		// The secret is not shown again.
		if got := apiCall(t, e, tok, "GET", fmt.Sprintf("/api/v1/users/%d", u.ID), "", 0).want(200); strings.Contains(got.body, u.OneTimePassword) {
			t.Fatal("GET shows the one-time password")
		}
		// With a password, the manager may waive the change.
		var bob userOut
		apiCall(t, e, tok, "POST", "/api/v1/users", fmt.Sprintf(`{"username":"bob","password":"Bobs-Password-1","must_change_password":false,"org_id":%d,"roles":["responder"]}`, orgB), 0).
			want(201).into(&bob)
		if bob.OneTimePassword != "" || bob.MustChangePassword || bob.Memberships[0].OrgID != orgB {
			t.Fatalf("created %+v", bob)
		}
		for _, tc := range []struct {
			body, field, code string
		}{
			{`{"username":"alice","password":"Another-Password-1"}`, "username", "duplicate"},
			{`{"username":"x y"}`, "username", "username_format"},
			{`{"username":"carol","password":"short"}`, "password", "password_too_short"},
			{`{"username":"carol","roles":["god"]}`, "roles", "invalid_choice"},
			{`{"username":"carol","org_id":999999,"roles":["viewer"]}`, "org_id", "not_found"},
			{`{"username":"carol","email":"nope"}`, "email", "admin_bad_email"},
		} {
			if got := apiCall(t, e, tok, "POST", "/api/v1/users", tc.body, 0).want(422).fieldCode(tc.field); got != tc.code {
				t.Errorf("%s: %s code %q, want %q", tc.body, tc.field, got, tc.code)
			}
		}

		// Listing pages with a total.
		var page struct {
			Items   []userOut `json:"items"`
			Total   int       `json:"total"`
			Page    int       `json:"page"`
			PerPage int       `json:"per_page"`
		}
		apiCall(t, e, tok, "GET", "/api/v1/users?per_page=2&page=2", "", 0).want(200).into(&page)
		// admin (bootstrap), alice, bob, root: page 2 is bob, root.
		if page.Total != 4 || page.PerPage != 2 || len(page.Items) != 2 || page.Items[0].Username != "bob" {
			t.Fatalf("page %+v", page)
		}
		apiCall(t, e, tok, "GET", "/api/v1/users?per_page=0", "", 0).want(422)

		// PATCH: profile, then disable, which ends the user's API access.
		bobTok := e.Token(account.User{ID: bob.ID, Username: "bob"})
		apiCall(t, e, bobTok, "GET", "/api/v1/me", "", orgB).want(200)
		var patched userOut
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/users/%d", bob.ID), `{"display_name":"Bob Li","email":"bob@example.cn"}`, 0).want(200).into(&patched)
		if patched.DisplayName != "Bob Li" || patched.Email != "bob@example.cn" || patched.Disabled {
			t.Fatalf("patched %+v", patched)
		}
		if got := apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/users/%d", bob.ID), `{"email":"bob"}`, 0).want(422).fieldCode("email"); got != "admin_bad_email" {
			t.Fatalf("bad email: %q", got)
		}
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/users/%d", bob.ID), `{"disabled":true}`, 0).want(200)
		apiCall(t, e, bobTok, "GET", "/api/v1/me", "", orgB).want(401)
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/users/%d", admin.ID), `{"platform_admin":false}`, 0).want(422)
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/users/%d", admin.ID), `{"disabled":true}`, 0).want(422)
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/users/%d", bob.ID), `{"nickname":"b"}`, 0).want(422)
		apiCall(t, e, tok, "PATCH", "/api/v1/users/999999", `{"email":""}`, 0).want(404)

		// Roles in a second organisation.
		var withB userOut
		apiCall(t, e, tok, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", u.ID), fmt.Sprintf(`{"org_id":%d,"roles":["security_manager"]}`, orgB), 0).
			want(200).into(&withB)
		if len(withB.Memberships) != 2 || withB.Memberships[1].OrgID != orgB || withB.Memberships[1].Roles[0] != "security_manager" {
			t.Fatalf("memberships %+v", withB.Memberships)
		}
		apiCall(t, e, tok, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", u.ID), fmt.Sprintf(`{"org_id":%d,"roles":[]}`, orgB), 0).
			want(200).into(&withB)
		if len(withB.Memberships) != 1 {
			t.Fatalf("empty roles left the membership: %+v", withB.Memberships)
		}

		// Password reset: a new one-time password, the old one stops working.
		var otp struct {
			OneTimePassword string `json:"one_time_password"`
		}
		apiCall(t, e, tok, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", u.ID), "", 0).want(200).into(&otp)
		if otp.OneTimePassword == "" || otp.OneTimePassword == u.OneTimePassword {
			t.Fatalf("reset gave %q", otp.OneTimePassword)
		}
		if _, err := e.App.Accounts.Login(e.System(e.Org), "alice", u.OneTimePassword, "127.0.0.1"); err == nil {
			t.Fatal("the old password still works")
		}
		if got, err := e.App.Accounts.Login(e.System(e.Org), "alice", otp.OneTimePassword, "127.0.0.1"); err != nil || !got.MustChangePassword {
			t.Fatalf("login after reset: %+v %v", got, err)
		}

		// Only platform admins.
		auditor := e.CreateUser("aud", e.Org, auth.RoleAuditor)
		atok := e.Token(auditor)
		apiCall(t, e, atok, "GET", "/api/v1/users", "", 0).want(403)
		apiCall(t, e, atok, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", u.ID), "", 0).want(403)
		// ...but anyone may read their own account.
		apiCall(t, e, atok, "GET", fmt.Sprintf("/api/v1/users/%d", auditor.ID), "", 0).want(200)
	})
}

type orgOut struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

func TestOrganizationsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		tok := e.Token(e.CreateUser("root", e.Org, auth.RoleAdmin))
		var o orgOut
		apiCall(t, e, tok, "POST", "/api/v1/organizations", `{"name":"某市电力公司","type":"cii"}`, 0).want(201).into(&o)
		if o.Name != "某市电力公司" || o.Type != "cii" {
			t.Fatalf("created %+v", o)
		}
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/organizations/%d", o.ID), `{"type":"state_organ"}`, 0).want(200).into(&o)
		if o.Name != "某市电力公司" || o.Type != "state_organ" {
			t.Fatalf("patched %+v", o)
		}
		if c := apiCall(t, e, tok, "POST", "/api/v1/organizations", `{"name":"某市电力公司","type":"cii"}`, 0).want(422); c.fieldCode("name") != "duplicate" {
			t.Fatalf("duplicate: %s", c.body)
		}
		if c := apiCall(t, e, tok, "POST", "/api/v1/organizations", `{"name":"X","type":"bank"}`, 0).want(422); c.fieldCode("type") != "invalid_choice" {
			t.Fatalf("bad type: %s", c.body)
		}
		var list struct {
			Items []orgOut `json:"items"`
			Total int      `json:"total"`
		}
		apiCall(t, e, tok, "GET", "/api/v1/organizations", "", 0).want(200).into(&list)
		if list.Total != 2 || len(list.Items) != 2 {
			t.Fatalf("admin's list %+v", list)
		}

		// A member of the new organisation sees it alone, and not the other.
		staff := e.CreateUser("staff", o.ID, auth.RoleSecurityManager)
		stok := e.Token(staff)
		apiCall(t, e, stok, "GET", "/api/v1/organizations", "", o.ID).want(200).into(&list)
		if list.Total != 1 || list.Items[0].ID != o.ID {
			t.Fatalf("member's list %+v", list)
		}
		apiCall(t, e, stok, "GET", fmt.Sprintf("/api/v1/organizations/%d", e.Org), "", o.ID).want(404)
		apiCall(t, e, stok, "GET", fmt.Sprintf("/api/v1/organizations/%d", o.ID), "", o.ID).want(200)
		apiCall(t, e, stok, "PATCH", fmt.Sprintf("/api/v1/organizations/%d", o.ID), `{"name":"mine"}`, o.ID).want(403)
		apiCall(t, e, stok, "POST", "/api/v1/organizations", `{"name":"mine","type":"other"}`, o.ID).want(403)
	})
}

func TestTokensAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("dev", e.Org, auth.RoleViewer)
		tok := e.Token(u)
		var created struct {
			ID        int64     `json:"id"`
			Name      string    `json:"name"`
			Secret    string    `json:"secret"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		apiCall(t, e, tok, "POST", "/api/v1/tokens", `{"name":"ci","expires":"1y"}`, 0).want(201).into(&created)
		if !strings.HasPrefix(created.Secret, "bwk_") || !created.ExpiresAt.Equal(e.Clock.Now().Add(365*24*time.Hour)) {
			t.Fatalf("created %+v", created)
		}
		apiCall(t, e, created.Secret, "GET", "/api/v1/me", "", 0).want(200)
		list := apiCall(t, e, tok, "GET", "/api/v1/tokens", "", 0).want(200)
		var l struct {
			Items []struct {
				ID     int64  `json:"id"`
				Prefix string `json:"prefix"`
			} `json:"items"`
			Total int `json:"total"`
		}
		list.into(&l)
		if l.Total != 2 || l.Items[0].ID != created.ID || strings.Contains(list.body, created.Secret) {
			t.Fatalf("list %s", list.body)
		}
		if c := apiCall(t, e, tok, "POST", "/api/v1/tokens", `{"name":"x","expires":"forever"}`, 0).want(422); c.fieldCode("expires") != "invalid_choice" {
			t.Fatalf("bad expiry: %s", c.body)
		}
		// Another user's token is not found; one's own is revoked at once.
		other := e.Token(e.CreateUser("other", e.Org, auth.RoleViewer))
		apiCall(t, e, other, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), "", 0).want(404)
		apiCall(t, e, tok, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), "", 0).want(204)
		apiCall(t, e, created.Secret, "GET", "/api/v1/me", "", 0).want(401)
	})
}

type auditOut struct {
	Items []struct {
		Seq        int64  `json:"seq"`
		OrgID      int64  `json:"org_id"`
		Actor      string `json:"actor"`
		Action     string `json:"action"`
		ObjectType string `json:"object_type"`
		ObjectID   string `json:"object_id"`
		Hash       string `json:"hash"`
		PrevHash   string `json:"prev_hash"`
		Changes    []struct {
			Field string `json:"field"`
			Old   string `json:"old"`
			New   string `json:"new"`
		} `json:"changes"`
	} `json:"items"`
	NextBefore int64 `json:"next_before"`
}

func TestAuditAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		ctx := e.Actor(mgr, e.Org)
		var ids []int64
		for i := range 5 {
			e.Clock.Advance(time.Hour)
			a, err := e.App.Assets.Create(ctx, asset.Asset{Name: fmt.Sprintf("srv-%d", i), Type: asset.TypeServer, C: 2, I: 2, A: 2})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		if _, err := e.App.Assets.Update(ctx, ids[0], asset.Asset{Name: "srv-0b", Type: asset.TypeServer, C: 2, I: 2, A: 2}); err != nil {
			t.Fatal(err)
		}
		tok := e.Token(e.CreateUser("aud", e.Org, auth.RoleAuditor))

		// Follow the cursor two at a time through the asset records.
		var seen []string
		path := "/api/v1/audit?action=asset.&limit=2"
		for range 10 {
			var p auditOut
			apiCall(t, e, tok, "GET", path, "", 0).want(200).into(&p)
			for _, it := range p.Items {
				seen = append(seen, it.Action+":"+it.ObjectID)
			}
			if p.NextBefore == 0 {
				break
			}
			path = fmt.Sprintf("/api/v1/audit?action=asset.&limit=2&before=%d", p.NextBefore)
		}
		want := []string{fmt.Sprintf("asset.update:%d", ids[0])}
		for i := 4; i >= 0; i-- {
			want = append(want, fmt.Sprintf("asset.create:%d", ids[i]))
		}
		if strings.Join(seen, " ") != strings.Join(want, " ") {
			t.Fatalf("paged %v, want %v", seen, want)
		}

		// The update carries its changed fields; records carry their chain.
		var upd auditOut
		apiCall(t, e, tok, "GET", fmt.Sprintf("/api/v1/audit?object_type=asset&object_id=%d&action=asset.update", ids[0]), "", 0).want(200).into(&upd)
		if len(upd.Items) != 1 || upd.Items[0].Hash == "" || upd.Items[0].PrevHash == "" {
			t.Fatalf("update record %+v", upd)
		}
		var changed []string
		for _, c := range upd.Items[0].Changes {
			changed = append(changed, c.Field+":"+c.Old+">"+c.New)
		}
		if strings.Join(changed, " ") != "name:srv-0>srv-0b" {
			t.Fatalf("changes %v", changed)
		}

		// Time window in RFC 3339: records made from 10:00 to before 12:00 UTC.
		from := url.QueryEscape(time.Date(2026, 11, 25, 18, 0, 0, 0, time.FixedZone("CST", 8*3600)).Format(time.RFC3339))
		to := url.QueryEscape("2026-11-25T12:00:00Z")
		var window auditOut
		apiCall(t, e, tok, "GET", "/api/v1/audit?action=asset.create&from="+from+"&to="+to, "", 0).want(200).into(&window)
		if len(window.Items) != 2 || window.Items[0].ObjectID != fmt.Sprint(ids[2]) || window.Items[1].ObjectID != fmt.Sprint(ids[1]) {
			t.Fatalf("window %+v", window.Items)
		}
		var byActor auditOut
		apiCall(t, e, tok, "GET", "/api/v1/audit?actor=mgr&limit=1", "", 0).want(200).into(&byActor)
		if len(byActor.Items) != 1 || byActor.Items[0].Actor != "mgr" || byActor.NextBefore == 0 {
			t.Fatalf("by actor %+v", byActor)
		}

		for _, tc := range []struct{ query, field string }{
			{"from=yesterday", "from"}, {"to=2026-11-25", "to"}, {"before=x", "before"}, {"limit=0", "limit"},
			{"limit=1000", "limit"}, {"scope=world", "scope"}, {"from=2026-11-25T12:00:00Z&to=2026-11-25T11:00:00Z", "to"},
		} {
			if c := apiCall(t, e, tok, "GET", "/api/v1/audit?"+tc.query, "", 0).want(422); c.fieldCode(tc.field) == "" {
				t.Errorf("%s: no error on %s: %s", tc.query, tc.field, c.body)
			}
		}
		// Installation-level records are for platform admins.
		apiCall(t, e, tok, "GET", "/api/v1/audit?scope=installation", "", 0).want(403)
		if _, err := e.App.Accounts.Login(e.System(e.Org), "ghost", "x", "198.51.100.4"); err == nil {
			t.Fatal("ghost logged in")
		}
		var inst auditOut
		apiCall(t, e, e.Token(e.CreateUser("root", e.Org, auth.RoleAdmin)), "GET", "/api/v1/audit?scope=installation", "", 0).want(200).into(&inst)
		if len(inst.Items) != 1 || inst.Items[0].Actor != "ghost" || inst.Items[0].OrgID != 0 {
			t.Fatalf("installation records %+v", inst.Items)
		}

		// Another organisation's auditor sees none of these.
		orgB := e.CreateOrg("客户B")
		var other auditOut
		apiCall(t, e, e.Token(e.CreateUser("aud-b", orgB, auth.RoleAuditor)), "GET", "/api/v1/audit?limit=200", "", orgB).want(200).into(&other)
		for _, it := range other.Items {
			if it.OrgID != orgB || it.ObjectType == "asset" {
				t.Fatalf("org B's auditor sees %+v", it)
			}
		}
		if len(other.Items) == 0 {
			t.Fatal("org B's auditor sees nothing at all, not even the organisation's creation")
		}
	})
}
