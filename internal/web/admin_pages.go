package web

import "bulwark/internal/httpx"

// adminRoutes are the platform administration pages: accounts and
// organisations. Every handler calls a service that requires PermUserManage
// or PermOrgManage before anything is read.
func (u *UI) adminRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/admin/users", Handler: u.adminUsers},
		{Method: "GET", Pattern: "/admin/users/new", Handler: u.adminUserNew},
		{Method: "POST", Pattern: "/admin/users", Handler: u.adminUserCreate},
		{Method: "GET", Pattern: "/admin/users/{id}", Handler: u.adminUserShow},
		{Method: "GET", Pattern: "/admin/users/{id}/edit", Handler: u.adminUserEdit},
		{Method: "POST", Pattern: "/admin/users/{id}", Handler: u.adminUserUpdate},
		{Method: "POST", Pattern: "/admin/users/{id}/roles", Handler: u.adminUserRoles},
		{Method: "POST", Pattern: "/admin/users/{id}/disable", Handler: u.adminUserDisable},
		{Method: "POST", Pattern: "/admin/users/{id}/enable", Handler: u.adminUserEnable},
		{Method: "POST", Pattern: "/admin/users/{id}/password-reset", Handler: u.adminUserResetPassword},
		{Method: "GET", Pattern: "/admin/orgs", Handler: u.adminOrgs},
		{Method: "GET", Pattern: "/admin/orgs/new", Handler: u.adminOrgNew},
		{Method: "POST", Pattern: "/admin/orgs", Handler: u.adminOrgCreate},
		{Method: "GET", Pattern: "/admin/orgs/{id}", Handler: u.adminOrgShow},
		{Method: "GET", Pattern: "/admin/orgs/{id}/edit", Handler: u.adminOrgEdit},
		{Method: "POST", Pattern: "/admin/orgs/{id}", Handler: u.adminOrgUpdate},
		{Method: "POST", Pattern: "/admin/orgs/{id}/members", Handler: u.adminOrgMember},
	}
}
