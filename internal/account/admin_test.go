package account_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

const testPassword = "Test-Password-123"

// env is the application with a platform admin and a plain user.
type env struct {
	app   *app.App
	clock *clock.Fake
	org   int64
	admin account.User
	user  account.User
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	clk := clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	opt := app.DefaultOptions()
	opt.Account.IPAttempts = 1000
	a := app.New(db, clk, opt)
	orgID, _, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{app: a, clock: clk, org: orgID}
	e.admin = e.create(t, account.NewUser{Username: "boss", Password: testPassword, PlatformAdmin: true})
	e.user = e.create(t, account.NewUser{Username: "alice", DisplayName: "Alice", Password: testPassword, OrgID: orgID,
		Roles: []auth.Role{auth.RoleAuditor}})
	return e
}

func (e *env) create(t *testing.T, in account.NewUser) account.User {
	t.Helper()
	u, err := e.app.Accounts.Create(app.SystemContext(context.Background(), e.org), in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Username, err)
	}
	return u
}

func (e *env) as(t *testing.T, u account.User) context.Context {
	t.Helper()
	a, err := e.app.Accounts.ActorFor(context.Background(), u, e.org, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	return auth.WithActor(context.Background(), a)
}

// records returns the trail's records about user id, newest first.
func (e *env) records(t *testing.T, userID int64) []audit.Entry {
	t.Helper()
	list, err := audit.ObjectHistory(context.Background(), e.app.DB.Read(), "user", idStr(userID), 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func idStr(id int64) string { return fmt.Sprint(id) }

func code(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.As(err).Code
}

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	for _, f := range apperr.As(err).Fields {
		out[f.Field] = f.Key
	}
	return out
}

func TestUpdateProfile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.admin)
		u, err := e.app.Accounts.UpdateProfile(ctx, e.user.ID, "  Alice Wang ", "alice@example.cn")
		if err != nil {
			t.Fatal(err)
		}
		if u.DisplayName != "Alice Wang" || u.Email != "alice@example.cn" || len(u.Roles[e.org]) != 1 {
			t.Fatalf("updated user %+v", u)
		}
		got, _ := e.app.Accounts.Get(ctx, e.user.ID)
		if got.DisplayName != "Alice Wang" || got.Email != "alice@example.cn" {
			t.Fatalf("stored user %+v", got)
		}
		recs := e.records(t, e.user.ID)
		if recs[0].Action != "user.profile" || recs[0].Actor != "boss" || recs[0].IP != "192.0.2.7" {
			t.Fatalf("newest record %+v", recs[0])
		}
		diff := audit.Diff(recs[0].Before, recs[0].After)
		if len(diff) != 2 || diff[0].Field != "display_name" || diff[0].Old != "Alice" || diff[1].New != "alice@example.cn" {
			t.Fatalf("profile diff %+v", diff)
		}
		// Saving the same values changes nothing and records nothing.
		if _, err := e.app.Accounts.UpdateProfile(ctx, e.user.ID, "Alice Wang", "alice@example.cn"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.records(t, e.user.ID)); n != len(recs) {
			t.Fatalf("no-op update wrote a record: %d, was %d", n, len(recs))
		}

		for _, tc := range []struct {
			name          string
			ctx           context.Context
			id            int64
			display, em   string
			code          apperr.Code
			field, field2 string
		}{
			{"bad email", ctx, e.user.ID, "A", "not-an-email", apperr.Invalid, "email", ""},
			{"name in address", ctx, e.user.ID, "A", "Alice <a@example.cn>", apperr.Invalid, "email", ""},
			{"long name", ctx, e.user.ID, strings.Repeat("名", 101), "", apperr.Invalid, "display_name", ""},
			{"unknown user", ctx, 999999, "A", "", apperr.NotFound, "", ""},
			{"not a user manager", e.as(t, e.user), e.user.ID, "Me", "", apperr.Forbidden, "", ""},
		} {
			_, err := e.app.Accounts.UpdateProfile(tc.ctx, tc.id, tc.display, tc.em)
			if code(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
			if tc.field != "" && fieldKeys(err)[tc.field] == "" {
				t.Errorf("%s: no error on %s: %v", tc.name, tc.field, err)
			}
		}
		// Create checks the same rules.
		_, err = e.app.Accounts.Create(ctx, account.NewUser{Username: "bob", Password: testPassword, Email: "bob@"})
		if fieldKeys(err)["email"] != "err.admin_bad_email" {
			t.Fatalf("create with a bad email: %v", err)
		}
	})
}

func TestDisableEnablePlatformAdmin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.admin)
		raw, err := e.app.Accounts.StartSession(context.Background(), e.user.ID, e.org, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.app.Accounts.AuthenticateSession(context.Background(), raw, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		u, err := e.app.Accounts.Update(ctx, e.user.ID, account.Patch{Disabled: &yes})
		if err != nil || !u.Disabled {
			t.Fatalf("disable: %+v %v", u, err)
		}
		if _, _, err := e.app.Accounts.AuthenticateSession(context.Background(), raw, "127.0.0.1"); code(err) != apperr.Unauthenticated {
			t.Fatalf("session of a disabled user still works: %v", err)
		}
		if _, err := e.app.Accounts.Login(context.Background(), "alice", testPassword, "127.0.0.1"); err == nil {
			t.Fatal("disabled user logged in")
		}
		if err := e.app.Accounts.SetDisabled(ctx, e.user.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Accounts.Login(context.Background(), "alice", testPassword, "127.0.0.1"); err != nil {
			t.Fatalf("enabled user cannot log in: %v", err)
		}

		// Platform admin is granted and withdrawn by PATCH, in one record each.
		if u, err = e.app.Accounts.Update(ctx, e.user.ID, account.Patch{PlatformAdmin: &yes}); err != nil || !u.PlatformAdmin {
			t.Fatalf("grant admin: %+v %v", u, err)
		}
		if u, err = e.app.Accounts.Update(ctx, e.user.ID, account.Patch{PlatformAdmin: &no}); err != nil || u.PlatformAdmin {
			t.Fatalf("withdraw admin: %+v %v", u, err)
		}
		var actions []string
		for _, r := range e.records(t, e.user.ID) {
			if strings.HasPrefix(r.Action, "user.") {
				actions = append(actions, r.Action)
			}
		}
		want := "user.platform_admin user.platform_admin user.enable user.disable user.create"
		if strings.Join(actions, " ") != want {
			t.Fatalf("records %v, want %s", actions, want)
		}

		// Nobody disables or demotes themselves; others are refused outright.
		for _, tc := range []struct {
			name string
			ctx  context.Context
			id   int64
			p    account.Patch
			code apperr.Code
			key  string
		}{
			{"disable self", ctx, e.admin.ID, account.Patch{Disabled: &yes}, apperr.Invalid, "err.cannot_disable_self"},
			{"demote self", ctx, e.admin.ID, account.Patch{PlatformAdmin: &no}, apperr.Invalid, "err.admin_own_platform_admin"},
			{"not a user manager", e.as(t, e.user), e.admin.ID, account.Patch{Disabled: &yes}, apperr.Forbidden, "err.forbidden"},
		} {
			_, err := e.app.Accounts.Update(tc.ctx, tc.id, tc.p)
			if code(err) != tc.code || apperr.As(err).Key != tc.key {
				t.Errorf("%s: %v, want %s %s", tc.name, err, tc.code, tc.key)
			}
		}
		// Keeping one's own flag as it is, is fine.
		if _, err := e.app.Accounts.Update(ctx, e.admin.ID, account.Patch{PlatformAdmin: &yes, Disabled: &no}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSetRolesInTwoOrganisations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.admin)
		orgB, err := e.app.Orgs.Create(ctx, "客户B", "cii")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Accounts.SetRoles(ctx, e.user.ID, orgB.ID, []auth.Role{auth.RoleSecurityManager, auth.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		if err := e.app.Accounts.SetRoles(ctx, e.user.ID, e.org, nil); err != nil {
			t.Fatal(err)
		}
		u, _ := e.app.Accounts.Get(ctx, e.user.ID)
		if len(u.Roles[e.org]) != 0 || len(u.Roles[orgB.ID]) != 2 {
			t.Fatalf("roles %v", u.Roles)
		}
		// The change is recorded in the organisation concerned.
		recs, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: orgB.ID, Action: "user.roles"})
		if err != nil || len(recs) != 1 || recs[0].ObjectID != idStr(e.user.ID) {
			t.Fatalf("records in org B: %+v %v", recs, err)
		}
		for _, tc := range []struct {
			name  string
			org   int64
			roles []auth.Role
			field string
		}{
			{"unknown role", e.org, []auth.Role{"root"}, "roles"},
			{"admin is not an organisation role", e.org, []auth.Role{auth.RoleAdmin}, "roles"},
			{"unknown organisation", 999999, []auth.Role{auth.RoleViewer}, "org_id"},
		} {
			err := e.app.Accounts.SetRoles(ctx, e.user.ID, tc.org, tc.roles)
			if fieldKeys(err)[tc.field] == "" {
				t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
			}
		}
		if err := e.app.Accounts.SetRoles(e.as(t, e.user), e.user.ID, orgB.ID, nil); code(err) != apperr.Forbidden {
			t.Fatalf("a user set their own roles: %v", err)
		}
		// Create refuses roles in an organisation that does not exist.
		_, err = e.app.Accounts.Create(ctx, account.NewUser{Username: "ghost", Password: testPassword, OrgID: 999999,
			Roles: []auth.Role{auth.RoleViewer}})
		if fieldKeys(err)["org_id"] != "err.not_found" {
			t.Fatalf("create in a missing organisation: %v", err)
		}
	})
}

func TestOneTimePasswordReset(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.admin)
		raw, _ := e.app.Accounts.StartSession(context.Background(), e.user.ID, e.org, "127.0.0.1", "test")
		pw := e.app.Accounts.OneTimePassword()
		if err := e.app.Accounts.ResetPassword(ctx, e.user.ID, pw, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.app.Accounts.AuthenticateSession(context.Background(), raw, "127.0.0.1"); err == nil {
			t.Fatal("a reset left the user's session alive")
		}
		u, err := e.app.Accounts.Login(context.Background(), "alice", pw, "127.0.0.1")
		if err != nil || !u.MustChangePassword {
			t.Fatalf("login with the one-time password: %+v %v", u, err)
		}
		if _, err := e.app.Accounts.Login(context.Background(), "alice", testPassword, "127.0.0.1"); err == nil {
			t.Fatal("the old password still works")
		}
		// Newest first: the failed and the good login, then the reset, which
		// does not keep the password.
		recs := e.records(t, e.user.ID)
		if recs[2].Action != "user.password_reset" || recs[2].Actor != "boss" || strings.Contains(recs[2].After, pw) {
			t.Fatalf("reset record %+v", recs[2])
		}
	})
}

// A one-time password meets even a strict policy, every time.
func TestOneTimePasswordMeetsPolicy(t *testing.T) {
	for _, p := range []auth.PasswordPolicy{{MinLength: 12}, {MinLength: 12, MinClasses: 4}, {MinLength: 40, MinClasses: 4}} {
		cfg := account.DefaultConfig()
		cfg.Policy = p
		s := account.New(nil, clock.System{}, cfg)
		seen := map[string]bool{}
		for range 500 {
			pw := s.OneTimePassword()
			if err := p.Check("someone", pw); err != nil {
				t.Fatalf("policy %+v: %q fails: %v", p, pw, err)
			}
			if seen[pw] {
				t.Fatalf("policy %+v: %q generated twice", p, pw)
			}
			seen[pw] = true
		}
	}
}

func TestTokensLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.user)
		life, err := account.ParseTokenLifetime("30d")
		if err != nil {
			t.Fatal(err)
		}
		tok, secret, err := e.app.Accounts.CreateToken(ctx, e.user.ID, "ci", life)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, account.TokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) {
			t.Fatalf("secret %q prefix %q", secret, tok.Prefix)
		}
		if want := e.clock.Now().Add(30 * 24 * time.Hour); !tok.ExpiresAt.Equal(want) {
			t.Fatalf("expires %v, want %v", tok.ExpiresAt, want)
		}
		// Only the hash is stored.
		var stored int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR prefix = $1`, secret).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("secret stored in clear: %d %v", stored, err)
		}
		if _, _, err := e.app.Accounts.AuthenticateToken(context.Background(), secret, 0, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		// It expires.
		e.clock.Advance(31 * 24 * time.Hour)
		if _, _, err := e.app.Accounts.AuthenticateToken(context.Background(), secret, 0, "127.0.0.1"); code(err) != apperr.Unauthenticated {
			t.Fatalf("expired token accepted: %v", err)
		}
		never, _ := account.ParseTokenLifetime("never")
		tok2, secret2, err := e.app.Accounts.CreateToken(ctx, e.user.ID, "", never)
		if err != nil || !tok2.ExpiresAt.IsZero() || tok2.Name != "api" {
			t.Fatalf("never-expiring token %+v %v", tok2, err)
		}
		list, err := e.app.Accounts.ListTokens(ctx, e.user.ID)
		if err != nil || len(list) != 2 || list[0].ID != tok2.ID {
			t.Fatalf("list %+v %v", list, err)
		}
		// Someone else's token cannot be revoked, and is not even said to exist.
		other := e.create(t, account.NewUser{Username: "mallory", Password: testPassword, OrgID: e.org, Roles: []auth.Role{auth.RoleAuditor}})
		if err := e.app.Accounts.RevokeToken(e.as(t, other), tok2.ID); code(err) != apperr.NotFound {
			t.Fatalf("revoke by another user: %v", err)
		}
		if err := e.app.Accounts.RevokeToken(ctx, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.app.Accounts.AuthenticateToken(context.Background(), secret2, 0, "127.0.0.1"); code(err) != apperr.Unauthenticated {
			t.Fatalf("revoked token accepted: %v", err)
		}
		if _, err := account.ParseTokenLifetime("5y"); fieldKeys(err)["expires"] != "err.invalid_choice" {
			t.Fatalf("bad lifetime: %v", err)
		}
		if d, err := account.ParseTokenLifetime(""); err != nil || d != 90*24*time.Hour {
			t.Fatalf("default lifetime %v %v", d, err)
		}
	})
}

func TestUserHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.admin)
		orgB, _ := e.app.Orgs.Create(ctx, "客户B", "other")
		if err := e.app.Accounts.SetRoles(ctx, e.user.ID, orgB.ID, []auth.Role{auth.RoleViewer}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Accounts.UpdateProfile(ctx, e.user.ID, "A. Wang", ""); err != nil {
			t.Fatal(err)
		}
		hist, err := e.app.Accounts.History(ctx, e.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range hist {
			got = append(got, c.Action)
		}
		// Across organisations: the role change in org B is there too.
		if strings.Join(got, " ") != "user.profile user.roles user.create" {
			t.Fatalf("history %v", got)
		}
		if _, err := e.app.Accounts.History(e.as(t, e.user), e.user.ID); code(err) != apperr.Forbidden {
			t.Fatalf("history as a non-admin: %v", err)
		}
		if _, err := e.app.Accounts.History(ctx, 999999); code(err) != apperr.NotFound {
			t.Fatalf("history of nobody: %v", err)
		}
	})
}

// Two managers changing different fields of one account at the same time
// both keep their change: neither writes back a stale copy of the other's.
func TestConcurrentUpdatesKeepEachOther(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(t, e.admin)
		const n = 20
		errs := make(chan error, 2*n)
		done := make(chan struct{})
		go func() {
			for i := 1; i <= n; i++ {
				name := fmt.Sprintf("d%d", i)
				_, err := e.app.Accounts.Update(ctx, e.user.ID, account.Patch{DisplayName: &name})
				errs <- err
			}
			done <- struct{}{}
		}()
		go func() {
			for i := 1; i <= n; i++ {
				mail := fmt.Sprintf("e%d@example.cn", i)
				_, err := e.app.Accounts.Update(ctx, e.user.ID, account.Patch{Email: &mail})
				errs <- err
			}
			done <- struct{}{}
		}()
		<-done
		<-done
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		u, err := e.app.Accounts.Get(ctx, e.user.ID)
		if err != nil || u.DisplayName != fmt.Sprintf("d%d", n) || u.Email != fmt.Sprintf("e%d@example.cn", n) {
			t.Fatalf("after concurrent updates: %q %q %v", u.DisplayName, u.Email, err)
		}
		profile := 0
		for _, r := range e.records(t, e.user.ID) {
			if r.Action == "user.profile" {
				profile++
			}
		}
		if profile != 2*n {
			t.Fatalf("%d profile records, want %d", profile, 2*n)
		}
	})
}
