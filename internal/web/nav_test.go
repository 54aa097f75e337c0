package web

import (
	"reflect"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/httpx"
)

// The menu links only to modules whose pages exist, shows each user only
// what they may open, keeps a group together wherever its entries are
// listed, and marks the current module.
func TestMenu(t *testing.T) {
	items := []navItem{
		{Group: "g.assets", Section: "assets", Key: "nav.assets", Path: "/assets", Perm: auth.PermAssetRead},
		{Group: "g.system", Section: "audit", Key: "nav.audit", Path: "/audit", Perm: auth.PermAuditRead},
		{Group: "g.ops", Section: "incidents", Key: "nav.incidents", Path: "/incidents", Perm: auth.PermAssetRead},
		{Group: "g.system", Section: "admin", Key: "nav.admin", Path: "/admin/users", Perm: auth.PermUserManage},
		{Group: "g.assets", Section: "reports", Key: "nav.reports", Path: "/reports/assets", Perm: auth.PermAssetExport},
	}
	routes := []httpx.Route{
		{Method: "GET", Pattern: "/assets"},
		{Method: "GET", Pattern: "/audit"},
		{Method: "POST", Pattern: "/incidents"}, // no page to open: left out
		{Method: "GET", Pattern: "/admin/{section}"},
		{Method: "GET", Pattern: "/reports/{kind}"},
	}
	u := &UI{nav: servedNav(items, routes)}

	type entry struct {
		Group, Path string
		Current     bool
	}
	flat := func(gs []navGroup) []entry {
		var out []entry
		for _, g := range gs {
			for _, l := range g.Items {
				out = append(out, entry{g.Key, l.Path, l.Current})
			}
		}
		return out
	}
	cases := []struct {
		name    string
		actor   *auth.Actor
		section string
		want    []entry
	}{
		{"platform admin on the audit trail", &auth.Actor{PlatformAdmin: true}, "audit", []entry{
			{"g.assets", "/assets", false}, {"g.assets", "/reports/assets", false},
			{"g.system", "/audit", true}, {"g.system", "/admin/users", false},
		}},
		{"auditor", &auth.Actor{Roles: []auth.Role{auth.RoleAuditor}}, "assets", []entry{
			{"g.assets", "/assets", true}, {"g.assets", "/reports/assets", false}, {"g.system", "/audit", false},
		}},
		{"viewer", &auth.Actor{Roles: []auth.Role{auth.RoleViewer}}, "", []entry{{"g.assets", "/assets", false}}},
		{"nobody", nil, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := flat(u.menu(c.actor, c.section)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("menu = %+v\nwant   %+v", got, c.want)
			}
		})
	}
}
