package web

import (
	"net/http"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

func (u *UI) setSessionCookie(w http.ResponseWriter, r *http.Request, raw string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: raw, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || u.Cfg.CookieSecure,
		MaxAge: int(u.Cfg.SessionMax.Seconds()),
	})
}

func (u *UI) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || u.Cfg.CookieSecure, MaxAge: -1})
}

type loginData struct {
	Username string
	Next     string
}

func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	if httpx.SessionFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := u.view(r, "", loginData{Next: r.URL.Query().Get("next")})
	v.Title = i18n.T(v.Lang, "login.title")
	u.render(w, r, http.StatusOK, "login", v)
}

func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := httpx.ClientIP(r, u.Cfg.TrustProxy)
	user, err := u.App.Accounts.Login(r.Context(), username, password, ip)
	if err == nil {
		var orgID int64
		orgID, err = u.App.Accounts.DefaultOrg(r.Context(), user)
		if err == nil {
			var raw string
			raw, err = u.App.Accounts.StartSession(r.Context(), user.ID, orgID, ip, r.UserAgent())
			if err == nil {
				u.setSessionCookie(w, r, raw)
				if user.MustChangePassword {
					// The page itself says why; a flash would say it twice.
					redirect(w, r, "/account/password", "")
					return
				}
				http.Redirect(w, r, next, http.StatusSeeOther)
				return
			}
		}
	}
	v := u.view(r, "", loginData{Username: username, Next: next})
	v.Title = i18n.T(v.Lang, "login.title")
	status := v.setErr(r, err)
	u.render(w, r, status, "login", v)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	if s := httpx.SessionFrom(r.Context()); s != nil && s.Raw != "" {
		if err := u.App.Accounts.Logout(r.Context(), s.Raw); err != nil {
			u.fail(w, r, err)
			return
		}
	}
	// The login page that follows keeps the language the user chose.
	if a := auth.FromContext(r.Context()); a != nil && i18n.Valid(a.Locale) {
		setLangCookie(w, a.Locale)
	}
	u.clearSessionCookie(w, r)
	redirect(w, r, "/login", "flash.logged_out")
}

// setLang stores an anonymous visitor's language choice in a cookie.
func (u *UI) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		u.fail(w, r, apperr.New(apperr.Invalid, "err.invalid_choice"))
		return
	}
	setLangCookie(w, lang)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// setLangCookie remembers a language for pages shown to nobody signed in.
func setLangCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 86400})
}

func (u *UI) passwordForm(w http.ResponseWriter, r *http.Request) {
	v := u.view(r, "account", nil)
	v.Title = i18n.T(v.Lang, "password.title")
	u.render(w, r, http.StatusOK, "password", v)
}

func (u *UI) changePassword(w http.ResponseWriter, r *http.Request) {
	oldPW, newPW, confirm := r.PostFormValue("old_password"), r.PostFormValue("password"), r.PostFormValue("confirm")
	var err error
	if newPW != confirm {
		err = apperr.Fields([]apperr.FieldError{{Field: "confirm", Key: "err.password_mismatch"}})
	} else {
		err = u.App.Accounts.ChangeOwnPassword(r.Context(), oldPW, newPW)
	}
	if err != nil {
		v := u.view(r, "account", nil)
		v.Title = i18n.T(v.Lang, "password.title")
		u.render(w, r, v.setErr(r, err), "password", v)
		return
	}
	// Every session of the user ended with the change; this browser gets a
	// fresh one.
	a := auth.FromContext(r.Context())
	raw, err := u.App.Accounts.StartSession(r.Context(), a.UserID, a.OrgID, httpx.ClientIP(r, u.Cfg.TrustProxy), r.UserAgent())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.setSessionCookie(w, r, raw)
	redirect(w, r, "/", "flash.password_changed")
}

func (u *UI) accountPage(w http.ResponseWriter, r *http.Request) {
	v := u.view(r, "account", u.accountData(r))
	v.Title = i18n.T(v.Lang, "account.title")
	u.render(w, r, http.StatusOK, "account", v)
}

func (u *UI) setAccountLanguage(w http.ResponseWriter, r *http.Request) {
	if err := u.App.Accounts.SetLocale(r.Context(), r.PostFormValue("locale")); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/account", "flash.saved")
}

func (u *UI) switchOrg(w http.ResponseWriter, r *http.Request) {
	s := httpx.SessionFrom(r.Context())
	id, err := strconv.ParseInt(r.PostFormValue("org"), 10, 64)
	if err != nil {
		u.fail(w, r, apperr.New(apperr.Invalid, "err.invalid_choice"))
		return
	}
	if s == nil || s.Raw == "" {
		u.fail(w, r, apperr.New(apperr.Unauthenticated, "err.unauthenticated"))
		return
	}
	if err := u.App.Accounts.SwitchOrg(r.Context(), s.Raw, id); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/", "flash.org_switched")
}
