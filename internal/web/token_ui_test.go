package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestTokenCreateShownOnceAndRevoke(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("fay", e.Org, auth.RoleViewer)
		c := e.Login("fay")
		if page := admWant(t, c.Get("/account"), 200, "account"); !strings.Contains(page.Body, `id="token-form"`) {
			t.Fatalf("no token form on the account page:\n%s", page.Body)
		}
		res := admWant(t, c.PostForm("/account/tokens", url.Values{"name": {"ci 流水线"}, "expires": {"30d"}}), http.StatusCreated, "create")
		secret := admFind(t, res.Body, `id="new-token-secret">(bwk_[A-Za-z0-9_-]+)<`)
		// The secret works, and the account page never shows it again.
		if r := e.API(secret, "GET", "/api/v1/me", "", 0); r.StatusCode != 200 {
			t.Fatalf("new token refused: %d %s", r.StatusCode, r.Body)
		}
		page := admWant(t, c.Get("/account"), 200, "account")
		if strings.Contains(page.Body, secret) || !strings.Contains(page.Body, "ci 流水线") || !strings.Contains(page.Body, secret[:10]+"…") {
			t.Fatalf("account page after creation:\n%s", page.Body)
		}
		if !strings.Contains(page.Body, "2026-12-25 16:00:00") { // 30 days later, in Asia/Shanghai
			t.Errorf("expiry not shown:\n%s", page.Body)
		}
		tokens, err := e.App.Accounts.ListTokens(e.Actor(u, e.Org), u.ID)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("tokens %+v %v", tokens, err)
		}

		// Someone else cannot revoke it; its owner can, at once.
		other := e.Login(e.CreateUser("gus", e.Org, auth.RoleViewer).Username)
		admWant(t, other.PostForm(fmt.Sprintf("/account/tokens/%d/revoke", tokens[0].ID), nil), 404, "revoke by another user")
		if r := e.API(secret, "GET", "/api/v1/me", "", 0); r.StatusCode != 200 {
			t.Fatalf("token revoked by another user: %d", r.StatusCode)
		}
		res = admWant(t, c.PostForm(fmt.Sprintf("/account/tokens/%d/revoke", tokens[0].ID), nil), http.StatusSeeOther, "revoke")
		if !strings.Contains(res.Header.Get("Location"), "flash.token_revoked") {
			t.Fatalf("redirect %s", res.Header.Get("Location"))
		}
		if r := e.API(secret, "GET", "/api/v1/me", "", 0); r.StatusCode != 401 {
			t.Fatalf("revoked token accepted: %d", r.StatusCode)
		}
		page = admWant(t, c.Get("/account?flash=flash.token_revoked"), 200, "account")
		if !strings.Contains(page.Body, "已吊销") || !strings.Contains(page.Body, "令牌已吊销。") ||
			strings.Contains(page.Body, fmt.Sprintf("/account/tokens/%d/revoke", tokens[0].ID)) {
			t.Fatalf("account page after revocation:\n%s", page.Body)
		}

		// A bad expiry is refused at its field; nothing is created.
		bad := admWant(t, c.PostForm("/account/tokens", url.Values{"name": {"x"}, "expires": {"10y"}}), 422, "bad expiry")
		if !strings.Contains(bad.Body, `<span class="field-error">所选的值无效`) || strings.Contains(bad.Body, "new-token-secret") {
			t.Fatalf("bad expiry page:\n%s", bad.Body)
		}
		if tokens, _ = e.App.Accounts.ListTokens(e.Actor(u, e.Org), u.ID); len(tokens) != 1 {
			t.Fatalf("a token was made from a bad form: %d", len(tokens))
		}
	})
}
