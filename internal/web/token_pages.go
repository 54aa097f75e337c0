package web

import (
	"net/http"

	"bulwark/internal/account"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

// tokenRoutes let a user make and revoke their own API tokens on /account.
func (u *UI) tokenRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "POST", Pattern: "/account/tokens", Handler: u.tokenCreate},
		{Method: "POST", Pattern: "/account/tokens/{id}/revoke", Handler: u.tokenRevoke},
	}
}

// tokenCreate answers with the account page itself, carrying the secret:
// it is shown this once and never travels in a URL or a cookie.
func (u *UI) tokenCreate(w http.ResponseWriter, r *http.Request) {
	a := auth.FromContext(r.Context())
	if a == nil {
		u.fail(w, r, apperr.New(apperr.Unauthenticated, "err.unauthenticated"))
		return
	}
	var secret string
	life, err := account.ParseTokenLifetime(r.PostFormValue("expires"))
	if err == nil {
		_, secret, err = u.App.Accounts.CreateToken(r.Context(), a.UserID, r.PostFormValue("name"), life)
	}
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		u.fail(w, r, err)
		return
	}
	d := u.accountData(r)
	d.NewToken = secret
	v := u.view(r, "account", d)
	v.Title = i18n.T(v.Lang, "account.title")
	status := http.StatusCreated
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "account", v)
}

func (u *UI) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.Accounts.RevokeToken(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/account", "flash.token_revoked")
}
