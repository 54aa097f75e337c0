package web

import (
	"net/http"
	"net/url"
	"slices"

	"bulwark/internal/auth"
	"bulwark/internal/httpx"
)

// navItem is one entry of the main navigation.
type navItem struct {
	Group   string    // catalogue key of the group heading the entry sits under
	Section string    // the View.Nav value of this module's pages: marks the entry current
	Key     string    // catalogue key of the label
	Path    string    // where the entry leads (a GET route of the UI)
	Perm    auth.Perm // what the user must be allowed to see the entry
}

// navigation is the main menu, in display order. A module adds its entry
// here with its group; groups show in the order they first appear. Groups
// planned for the coming modules:
//
//	nav.group.operations: 事件 incidents, 漏洞 vulnerabilities, 日志 logs
//	nav.group.compliance: 风险 risks, 等保 MLPS, 培训 training
//
// An entry whose path no route serves is left out (see New), so the menu
// never links to a module that is not built.
var navigation = []navItem{
	{Group: "nav.group.assets", Section: "assets", Key: "nav.assets", Path: "/assets", Perm: auth.PermAssetRead},
	{Group: "nav.group.incidents", Section: "incidents", Key: "nav.incidents", Path: "/incidents", Perm: auth.PermIncidentRead},
	{Group: "nav.group.incidents", Section: "playbooks", Key: "nav.playbooks", Path: "/playbooks", Perm: auth.PermPlaybookRead},
	{Group: "nav.group.incidents", Section: "incident-dashboard", Key: "nav.incident_dashboard", Path: "/incidents/dashboard", Perm: auth.PermIncidentRead},
	{Group: "nav.group.incidents", Section: "incident-categories", Key: "nav.incident_categories", Path: "/incident-categories", Perm: auth.PermIncidentRead},
	{Group: "nav.group.work", Section: "approvals", Key: "nav.approvals", Path: "/approvals", Perm: auth.PermApprovalRead},
	{Group: "nav.group.work", Section: "tasks", Key: "nav.tasks", Path: "/tasks", Perm: auth.PermTaskRead},
	{Group: "nav.group.work", Section: "capas", Key: "capa.nav", Path: "/capas", Perm: auth.PermReviewRead},
	{Group: "nav.group.emergency", Section: "emergency", Key: "nav.emergency", Path: "/emergency", Perm: auth.PermEmergencyRead},
	{Group: "nav.group.system", Section: "audit", Key: "nav.audit", Path: "/audit", Perm: auth.PermAuditRead},
	{Group: "nav.group.system", Section: "admin", Key: "nav.admin", Path: "/admin/users", Perm: auth.PermUserManage},
	{Group: "nav.group.system", Section: "notify", Key: "notify.nav", Path: "/admin/notify", Perm: auth.PermNotifyManage},
}

// servedNav keeps the entries of items whose path one of routes serves.
func servedNav(items []navItem, routes []httpx.Route) []navItem {
	mux := http.NewServeMux()
	for _, rt := range routes {
		if rt.Method == http.MethodGet {
			mux.Handle(rt.Method+" "+rt.Pattern, http.NotFoundHandler())
		}
	}
	var out []navItem
	for _, it := range items {
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: it.Path}, Host: "bulwark"}
		if _, pattern := mux.Handler(req); pattern != "" {
			out = append(out, it)
		}
	}
	return out
}

// navGroup is a group of the menu as one user sees it.
type navGroup struct {
	Key   string
	Items []navLink
}

// navLink is an entry of the menu as one user sees it.
type navLink struct {
	Key     string
	Path    string
	Current bool
}

// menu is the navigation actor may see, with the entry of section marked.
func (u *UI) menu(actor *auth.Actor, section string) []navGroup {
	var groups []navGroup
	for _, it := range u.nav {
		if !actor.Can(it.Perm) {
			continue
		}
		i := slices.IndexFunc(groups, func(g navGroup) bool { return g.Key == it.Group })
		if i < 0 {
			groups = append(groups, navGroup{Key: it.Group})
			i = len(groups) - 1
		}
		groups[i].Items = append(groups[i].Items, navLink{Key: it.Key, Path: it.Path, Current: it.Section == section})
	}
	return groups
}

// home sends the user to the first module of their menu, carrying a flash
// message along (the password change lands here).
func (u *UI) home(w http.ResponseWriter, r *http.Request) {
	target := "/account"
	if groups := u.menu(auth.FromContext(r.Context()), ""); len(groups) > 0 {
		target = groups[0].Items[0].Path
	}
	if f := r.URL.Query().Get("flash"); f != "" {
		target += "?flash=" + url.QueryEscape(f)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
