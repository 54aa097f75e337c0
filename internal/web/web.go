// Package web is the server-rendered UI. Handlers are thin: they read the
// form, call a service (which checks permissions), and render a template or
// redirect. Templates and static files are embedded; every string comes from
// the message catalogue.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/config"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/org"
)

// SessionCookie is the login session cookie's name.
const SessionCookie = "bulwark_session"

//go:embed templates/*.html templates/partials/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// UI is the web surface.
type UI struct {
	App       *app.App
	Cfg       *config.Config
	pages     map[string]*template.Template
	nav       []navItem // the menu entries whose modules are built
	staticSum string    // short content hash in static URLs, for long caching
}

// New parses every template up front, so a broken one fails at start.
func New(a *app.App, cfg *config.Config) (*UI, error) {
	u := &UI{App: a, Cfg: cfg, pages: map[string]*template.Template{}}
	u.nav = servedNav(navigation, u.Routes())
	// Every page is the layout, the shared partials, and its own file.
	base, err := template.New("layout.html").Funcs(u.funcs("zh-CN", nil)).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		page := path.Base(name)
		if page == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", page, err)
		}
		u.pages[strings.TrimSuffix(page, ".html")] = t
	}
	h := sha256.New()
	_ = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	u.staticSum = hex.EncodeToString(h.Sum(nil))[:10]
	return u, nil
}

// View is what every page template receives.
type View struct {
	Lang      string
	Title     string
	Nav       string
	Actor     *auth.Actor
	User      *account.User
	Org       org.Org
	Orgs      []org.Org // shown as a switcher only when there is more than one
	Flash     string
	FormError string
	Errors    map[string]string
	Data      any
	Static    string
}

// Err returns the message for a form field, if any.
func (v *View) Err(field string) string { return v.Errors[field] }

// view fills the common parts of a page for r.
func (u *UI) view(r *http.Request, nav string, data any) *View {
	v := &View{Lang: httpx.Lang(r), Nav: nav, Data: data, Static: "/static/" + u.staticSum, Errors: map[string]string{}}
	v.Actor = auth.FromContext(r.Context())
	if s := httpx.SessionFrom(r.Context()); s != nil {
		usr := s.User
		v.User = &usr
	}
	if v.Actor != nil && v.Actor.UserID != 0 {
		if orgs, err := u.App.Orgs.List(r.Context()); err == nil {
			v.Orgs = orgs
			for _, o := range orgs {
				if o.ID == v.Actor.OrgID {
					v.Org = o
				}
			}
		}
	}
	if key := r.URL.Query().Get("flash"); strings.HasPrefix(key, "flash.") && i18n.Has(key) {
		v.Flash = i18n.T(v.Lang, key)
	}
	return v
}

// setErr puts err's messages on the view: per field where it has fields,
// else as the form's message.
func (v *View) setErr(r *http.Request, err error) int {
	status, d := httpx.ErrorDetailOf(r, err)
	v.FormError = d.Message
	for _, f := range d.Fields {
		if _, ok := v.Errors[f.Field]; !ok {
			v.Errors[f.Field] = f.Message
		}
	}
	return status
}

// render writes page with status. The template is cloned per request so the
// T function speaks the request's language.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, page string, v *View) {
	t, ok := u.pages[page]
	if !ok {
		panic("web: no template " + page)
	}
	t = template.Must(t.Clone()).Funcs(u.funcs(v.Lang, v.Actor))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		slog.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail renders err as an error page (403, 404, ...).
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	v := u.view(r, "", nil)
	status := v.setErr(r, err)
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		return
	}
	v.Title = i18n.T(v.Lang, errorTitleKey(status))
	v.Data = errorData{Status: status}
	u.render(w, r, status, "error", v)
}

// errorData is what the error page shows besides the message.
type errorData struct{ Status int }

// NotFound answers any URL no route matches.
func (u *UI) NotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		httpx.WriteError(w, r, apperr.New(apperr.NotFound, "err.not_found"))
		return
	}
	u.fail(w, r, apperr.New(apperr.NotFound, "err.not_found"))
}

// redirect sends the browser to target after a POST (303), with an optional
// flash message key.
func redirect(w http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "flash=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// AllowedBeforePasswordChange lists what a user who must change a one-time
// password can still reach.
func AllowedBeforePasswordChange(pattern string) bool {
	switch pattern {
	case "/account/password", "/logout", "/api/v1/me":
		return true
	}
	return false
}

// location is the time zone dates are entered and shown in.
func (u *UI) location() *time.Location {
	if u.Cfg != nil && u.Cfg.Location != nil {
		return u.Cfg.Location
	}
	return time.Local
}
