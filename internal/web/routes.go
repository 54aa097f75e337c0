package web

import (
	"net/http"

	"bulwark/internal/httpx"
)

// Routes is the UI's route table. Each feature adds its routes in its own
// file (xxxRoutes) so this list stays a table of contents.
func (u *UI) Routes() []httpx.Route {
	var rs []httpx.Route
	rs = append(rs, []httpx.Route{
		{Method: "GET", Pattern: "/static/{file...}", Public: true, Handler: u.static},
		{Method: "GET", Pattern: "/{$}", Handler: u.home},
		{Method: "GET", Pattern: "/login", Public: true, Handler: u.loginForm},
		{Method: "POST", Pattern: "/login", Public: true, Handler: u.login},
		{Method: "POST", Pattern: "/lang", Public: true, Handler: u.setLang},
		{Method: "POST", Pattern: "/logout", Handler: u.logout},
		{Method: "GET", Pattern: "/account/password", Handler: u.passwordForm},
		{Method: "POST", Pattern: "/account/password", Handler: u.changePassword},
		{Method: "GET", Pattern: "/account", Handler: u.accountPage},
		{Method: "POST", Pattern: "/account/language", Handler: u.setAccountLanguage},
		{Method: "POST", Pattern: "/org/switch", Handler: u.switchOrg},
	}...)
	rs = append(rs, u.assetRoutes()...)
	rs = append(rs, u.incidentRoutes()...)
	rs = append(rs, u.incidentCategoryRoutes()...)
	rs = append(rs, u.extraRoutes()...)
	return rs
}

func (u *UI) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	// URLs carry a content hash segment first: /static/<sum>/app.css.
	if i := len(u.staticSum); len(name) > i && name[:i] == u.staticSum {
		name = name[i+1:]
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	http.ServeFileFS(w, r, staticFiles, "static/"+name)
}
