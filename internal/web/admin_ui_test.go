package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Helpers of the administration tests carry an adm prefix: other features
// add tests to this package too.

// admLogin logs in with the login form and returns the client and the
// response to the login POST.
func admLogin(e *servertest.Env, username, password string) (*servertest.Client, servertest.Response) {
	c := e.NewClient()
	return c, c.PostForm("/login", url.Values{"username": {username}, "password": {password}})
}

// admFind returns the first group of re in body, or fails.
func admFind(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s in:\n%s", re, body)
	}
	return m[1]
}

func admWant(t *testing.T, res servertest.Response, status int, what string) servertest.Response {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d:\n%s", what, res.StatusCode, status, res.Body)
	}
	return res
}

func TestCreateUserWithOneTimePassword(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.CreateUser("root", e.Org, auth.RoleAdmin)
		admin := e.Login("root")
		form := admWant(t, admin.Get("/admin/users/new"), 200, "new user form")
		if !strings.Contains(form.Body, `name="must_change" value="1" id="must_change" checked`) ||
			!strings.Contains(form.Body, `id="pw-generate" checked`) {
			t.Fatalf("the form does not default to a one-time password to be changed:\n%s", form.Body)
		}
		res := admWant(t, admin.PostForm("/admin/users", url.Values{
			"username": {"carol"}, "display_name": {"Carol"}, "email": {"carol@example.cn"},
			"password_mode": {"generate"}, "roles": {"auditor"},
		}), 200, "create")
		otp := admFind(t, res.Body, `id="one-time-password-value">([^<]+)<`)
		id := admFind(t, res.Body, `action="/admin/users/(\d+)/password-reset"`)
		// Shown once: the user's page does not show it again.
		if page := admWant(t, admin.Get("/admin/users/"+id), 200, "user page"); strings.Contains(page.Body, otp) {
			t.Fatal("the one-time password is shown again")
		}

		// Carol logs in with it and must change it before anything else.
		carol, login := admLogin(e, "carol", otp)
		if login.StatusCode != http.StatusSeeOther || !strings.HasPrefix(login.Header.Get("Location"), "/account/password") {
			t.Fatalf("login with the one-time password: %d %s", login.StatusCode, login.Header.Get("Location"))
		}
		if res := carol.Get("/audit"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
			t.Fatalf("before the change /audit gives %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		admWant(t, carol.PostForm("/account/password", url.Values{"old_password": {otp}, "password": {"Carols-Own-Pass-1"},
			"confirm": {"Carols-Own-Pass-1"}}), http.StatusSeeOther, "change password")
		admWant(t, carol.Get("/audit"), 200, "audit after the change")

		// A manager-chosen password may skip the change; errors show at the fields.
		bad := admWant(t, admin.PostForm("/admin/users", url.Values{"username": {"carol"}, "password_mode": {"set"},
			"password": {"short"}, "email": {"bad"}}), 422, "invalid create")
		for _, msg := range []string{"密码至少", "邮箱地址格式不正确"} {
			if !strings.Contains(bad.Body, msg) {
				t.Errorf("invalid create does not say %q", msg)
			}
		}
		if strings.Contains(bad.Body, `value="short"`) {
			t.Error("the typed password is sent back")
		}
		dup := admWant(t, admin.PostForm("/admin/users", url.Values{"username": {"carol"}, "password_mode": {"generate"}}), 422, "duplicate")
		if !strings.Contains(dup.Body, "已被使用") || strings.Contains(dup.Body, "one-time-password-value") {
			t.Errorf("duplicate username:\n%s", dup.Body)
		}
		res = admWant(t, admin.PostForm("/admin/users", url.Values{"username": {"dan"}, "password_mode": {"set"},
			"password": {"Dans-Password-12"}}), http.StatusSeeOther, "create with a password")
		if _, login := admLogin(e, "dan", "Dans-Password-12"); login.Header.Get("Location") != "/" {
			t.Fatalf("dan was asked to change his password: %s", login.Header.Get("Location"))
		}
	})
}

func TestEditRolesDisableReset(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		root := e.CreateUser("root", e.Org, auth.RoleAdmin)
		dave := e.CreateUser("dave", e.Org, auth.RoleViewer)
		admin := e.Login("root")
		daveUI := e.Login("dave")
		base := fmt.Sprintf("/admin/users/%d", dave.ID)
		admWant(t, daveUI.Get("/audit"), 403, "viewer on /audit")

		// Roles: dave becomes an auditor and may read the trail at once.
		admWant(t, admin.PostForm(base+"/roles", url.Values{"org_id": {fmt.Sprint(e.Org)}, "roles": {"viewer", "auditor"}}),
			http.StatusSeeOther, "set roles")
		admWant(t, daveUI.Get("/audit"), 200, "auditor on /audit")
		page := admWant(t, admin.Get(base), 200, "user page")
		if !strings.Contains(page.Body, `name="roles" value="auditor" checked`) || !strings.Contains(page.Body, "修改角色") {
			t.Fatalf("user page does not show the roles and their change:\n%s", page.Body)
		}

		// Profile.
		admWant(t, admin.PostForm(base, url.Values{"display_name": {"Dave Zhang"}, "email": {"dave@example.cn"},
			"platform_admin_shown": {"1"}}), http.StatusSeeOther, "edit")
		bad := admWant(t, admin.PostForm(base, url.Values{"display_name": {"D"}, "email": {"dave@"}}), 422, "bad email")
		if !strings.Contains(bad.Body, "邮箱地址格式不正确") || !strings.Contains(bad.Body, `value="dave@"`) {
			t.Fatalf("bad email form:\n%s", bad.Body)
		}
		page = admWant(t, admin.Get(base), 200, "user page")
		for _, want := range []string{"Dave Zhang", "dave@example.cn", "个人资料变更"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("user page lacks %q", want)
			}
		}
		// One's own page has no switch for the platform admin flag, and no
		// disable button; the service refuses anyway.
		own := admWant(t, admin.Get(fmt.Sprintf("/admin/users/%d/edit", root.ID)), 200, "own edit form")
		if strings.Contains(own.Body, `name="platform_admin"`) {
			t.Error("own edit form offers the platform admin switch")
		}
		admWant(t, admin.PostForm(fmt.Sprintf("/admin/users/%d/disable", root.ID), nil), 422, "disable self")

		// Disabling ends dave's session.
		res := admWant(t, admin.PostForm(base+"/disable", nil), http.StatusSeeOther, "disable")
		if !strings.Contains(res.Header.Get("Location"), "flash.user_disabled") {
			t.Fatalf("redirect %s", res.Header.Get("Location"))
		}
		if res := daveUI.Get("/assets"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Fatalf("disabled user's session: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, login := admLogin(e, "dave", servertest.Password); login.StatusCode == http.StatusSeeOther {
			t.Fatal("disabled user logged in")
		}
		admWant(t, admin.PostForm(base+"/enable", nil), http.StatusSeeOther, "enable")

		// Reset: a one-time password shown once, the old one stops working.
		res = admWant(t, admin.PostForm(base+"/password-reset", nil), 200, "reset")
		otp := admFind(t, res.Body, `id="one-time-password-value">([^<]+)<`)
		if _, login := admLogin(e, "dave", servertest.Password); login.StatusCode == http.StatusSeeOther {
			t.Fatal("the old password still works")
		}
		if _, login := admLogin(e, "dave", otp); !strings.HasPrefix(login.Header.Get("Location"), "/account/password") {
			t.Fatalf("login after reset: %d %s", login.StatusCode, login.Header.Get("Location"))
		}
	})
}

func TestOrganisationAdministration(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.CreateUser("root", e.Org, auth.RoleAdmin)
		erin := e.CreateUser("erin", e.Org, auth.RoleViewer)
		admin := e.Login("root")

		// Alone, the organisation still shows on its own admin page.
		list := admWant(t, admin.Get("/admin/orgs"), 200, "organisations")
		if !strings.Contains(list.Body, "本单位") || !strings.Contains(list.Body, `href="/admin/orgs/new"`) {
			t.Fatalf("organisation list:\n%s", list.Body)
		}
		res := admWant(t, admin.PostForm("/admin/orgs", url.Values{"name": {"某市电力公司"}, "type": {"cii"}}), http.StatusSeeOther, "create")
		orgPath := res.Header.Get("Location")
		orgPath = orgPath[:strings.Index(orgPath, "?")]
		for _, tc := range []struct{ name, typ, msg string }{{"某市电力公司", "cii", "该值已被使用"}, {"X", "bank", "所选的值无效"}, {" ", "cii", "请填写此项"}} {
			bad := admWant(t, admin.PostForm("/admin/orgs", url.Values{"name": {tc.name}, "type": {tc.typ}}), 422, "invalid create")
			if !strings.Contains(bad.Body, `<p class="field-error">`+tc.msg) {
				t.Errorf("%q %q: no field error %q:\n%s", tc.name, tc.typ, tc.msg, bad.Body)
			}
		}
		admWant(t, admin.PostForm(orgPath, url.Values{"name": {"某市电力公司"}, "type": {"state_organ"}}), http.StatusSeeOther, "edit")

		// Add erin as a member with two roles, then remove her.
		var orgID int64
		if _, err := fmt.Sscan(strings.TrimPrefix(orgPath, "/admin/orgs/"), &orgID); err != nil {
			t.Fatalf("organisation path %q", orgPath)
		}
		page := admWant(t, admin.Get(orgPath), 200, "organisation page")
		if !strings.Contains(page.Body, "<dd>中央和国家机关</dd>") {
			t.Errorf("organisation page does not show the new type:\n%s", page.Body)
		}
		if !strings.Contains(page.Body, fmt.Sprintf(`<option value="%d">erin</option>`, erin.ID)) {
			t.Fatalf("erin is not offered as a member:\n%s", page.Body)
		}
		admWant(t, admin.PostForm(orgPath+"/members", url.Values{"user_id": {fmt.Sprint(erin.ID)}, "roles": {"security_manager", "auditor"}}),
			http.StatusSeeOther, "add member")
		u, err := e.App.Accounts.Get(e.System(e.Org), erin.ID)
		if err != nil || fmt.Sprint(u.Roles[orgID]) != "[security_manager auditor]" && fmt.Sprint(u.Roles[orgID]) != "[auditor security_manager]" {
			t.Fatalf("erin's roles %v %v", u.Roles, err)
		}
		page = admWant(t, admin.Get(orgPath), 200, "organisation page")
		if !strings.Contains(page.Body, fmt.Sprintf(`id="member-%d"`, erin.ID)) {
			t.Fatalf("erin is not listed as a member:\n%s", page.Body)
		}
		for _, want := range []string{"新建单位", "修改单位", "<b>type</b>: <del>cii</del> → <ins>state_organ</ins>"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("organisation history lacks %q", want)
			}
		}
		// Clearing every role removes the member.
		admWant(t, admin.PostForm(orgPath+"/members", url.Values{"user_id": {fmt.Sprint(erin.ID)}}), http.StatusSeeOther, "remove member")
		u, _ = e.App.Accounts.Get(e.System(e.Org), erin.ID)
		if len(u.Roles[orgID]) != 0 || len(u.Roles[e.Org]) != 1 {
			t.Fatalf("erin's roles after removal: %v", u.Roles)
		}

		// Users' pages now list every organisation for roles.
		userPage := admWant(t, admin.Get(fmt.Sprintf("/admin/users/%d", erin.ID)), 200, "user page")
		if strings.Count(userPage.Body, `class="roles-form"`) != 2 || !strings.Contains(userPage.Body, "某市电力公司") {
			t.Fatalf("user page with two organisations:\n%s", userPage.Body)
		}
		// Non-admins are refused, even a security manager.
		mgr := e.Login("erin")
		admWant(t, e.SessionClient(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org).Get("/admin/orgs"), 403, "manager on /admin/orgs")
		admWant(t, mgr.Get(orgPath), 403, "viewer on an organisation")
	})
}

// Every page of this feature renders in both languages without a missing
// message (shown as !key!), with one and with two organisations.
func TestAdminPagesSpeakBothLanguages(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	root := e.CreateUser("root", e.Org, auth.RoleAdmin)
	u := e.CreateUser("ivy", e.Org, auth.RoleAuditor)
	admin := e.Login("root")
	admWant(t, admin.PostForm("/account/tokens", url.Values{"name": {"t"}, "expires": {"never"}}), http.StatusCreated, "token")
	if _, res := admLogin(e, "nobody-at-all", "x"); res.StatusCode == http.StatusSeeOther {
		t.Fatal("unknown user logged in")
	}
	missing := regexp.MustCompile(`![a-z_]+(\.[a-z0-9_]+)+!`)
	pages := func() []string {
		return []string{"/audit", "/audit?scope=installation", "/audit/1", "/audit?from=bad", "/account",
			"/admin/users", "/admin/users/new", fmt.Sprintf("/admin/users/%d", u.ID), fmt.Sprintf("/admin/users/%d/edit", u.ID),
			fmt.Sprintf("/admin/users/%d/edit", root.ID), "/admin/orgs", "/admin/orgs/new",
			fmt.Sprintf("/admin/orgs/%d", e.Org), fmt.Sprintf("/admin/orgs/%d/edit", e.Org)}
	}
	for _, orgs := range []int{1, 2} {
		if orgs == 2 {
			e.CreateOrg("客户B")
		}
		for _, lang := range []string{"zh-CN", "en"} {
			admWant(t, admin.PostForm("/account/language", url.Values{"locale": {lang}}), http.StatusSeeOther, "language")
			for _, p := range pages() {
				res := admin.Get(p)
				if res.StatusCode != 200 && res.StatusCode != 422 {
					t.Errorf("%s (%s, %d organisations): status %d", p, lang, orgs, res.StatusCode)
				}
				if m := missing.FindString(res.Body); m != "" {
					t.Errorf("%s (%s, %d organisations): missing message %s", p, lang, orgs, m)
				}
			}
		}
	}
	// Forms that fail show their messages in English too.
	res := admWant(t, admin.PostForm("/admin/users", url.Values{"username": {"x y"}, "email": {"bad"}}), 422, "bad user")
	if !strings.Contains(res.Body, "Not a valid email address") {
		t.Fatalf("English field error missing:\n%s", res.Body)
	}
}
