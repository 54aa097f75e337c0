package server_test

import "bulwark/internal/auth"

// Route cases of the audit trail, administration and API token pages. Bodies
// of writes are invalid or aim at a missing object where they can, so that
// allowed callers leave the fixture as it was for the callers after them.
func init() {
	addRouteCases(map[string]routeCase{
		// UI: audit trail; record 1 is the first organisation's creation
		"GET /audit":       {Perm: auth.PermAuditRead, Path: "/audit?group=asset.&actor=a-owner"},
		"GET /audit/{seq}": {Perm: auth.PermAuditRead, Path: "/audit/1"},
		// UI: accounts
		"GET /admin/users":                      {Perm: auth.PermUserManage, Path: "/admin/users"},
		"GET /admin/users/new":                  {Perm: auth.PermUserManage, Path: "/admin/users/new"},
		"POST /admin/users":                     {Perm: auth.PermUserManage, Path: "/admin/users", Body: "username=&password_mode=generate"},
		"GET /admin/users/{id}":                 {Perm: auth.PermUserManage, Path: "/admin/users/{user}"},
		"GET /admin/users/{id}/edit":            {Perm: auth.PermUserManage, Path: "/admin/users/{user}/edit"},
		"POST /admin/users/{id}":                {Perm: auth.PermUserManage, Path: "/admin/users/{user}", Body: "display_name=x&email=not-an-email"},
		"POST /admin/users/{id}/roles":          {Perm: auth.PermUserManage, Path: "/admin/users/{user}/roles", Body: "org_id=0&roles=no_such_role"},
		"POST /admin/users/{id}/disable":        {Perm: auth.PermUserManage, Path: "/admin/users/999999/disable"},
		"POST /admin/users/{id}/enable":         {Perm: auth.PermUserManage, Path: "/admin/users/{user}/enable"},
		"POST /admin/users/{id}/password-reset": {Perm: auth.PermUserManage, Path: "/admin/users/999999/password-reset"},
		// UI: organisations
		"GET /admin/orgs":               {Perm: auth.PermOrgManage, Path: "/admin/orgs"},
		"GET /admin/orgs/new":           {Perm: auth.PermOrgManage, Path: "/admin/orgs/new"},
		"POST /admin/orgs":              {Perm: auth.PermOrgManage, Path: "/admin/orgs", Body: "name=&type=other"},
		"GET /admin/orgs/{id}":          {Perm: auth.PermOrgManage, Path: "/admin/orgs/{org}"},
		"GET /admin/orgs/{id}/edit":     {Perm: auth.PermOrgManage, Path: "/admin/orgs/{org}/edit"},
		"POST /admin/orgs/{id}":         {Perm: auth.PermOrgManage, Path: "/admin/orgs/{org}", Body: "name=&type=other"},
		"POST /admin/orgs/{id}/members": {Perm: auth.PermOrgManage, Path: "/admin/orgs/{org}/members", Body: "user_id=999999&roles=viewer"},
		// UI: one's own API tokens (someone else's is not found)
		"POST /account/tokens":             {Path: "/account/tokens", Body: "name=x&expires=no_such_lifetime"},
		"POST /account/tokens/{id}/revoke": {Path: "/account/tokens/{token}/revoke"},
		// API: audit trail
		"GET /api/v1/audit": {Perm: auth.PermAuditRead, Path: "/api/v1/audit?action=asset.&limit=20"},
		// API: users
		"GET /api/v1/users":                      {Perm: auth.PermUserManage, Path: "/api/v1/users"},
		"POST /api/v1/users":                     {Perm: auth.PermUserManage, Path: "/api/v1/users", Body: `{"username":""}`},
		"GET /api/v1/users/{id}":                 {Perm: auth.PermUserManage, Path: "/api/v1/users/{user}"},
		"PATCH /api/v1/users/{id}":               {Perm: auth.PermUserManage, Path: "/api/v1/users/{user}", Body: `{"email":"not-an-email"}`},
		"PUT /api/v1/users/{id}/roles":           {Perm: auth.PermUserManage, Path: "/api/v1/users/{user}/roles", Body: `{"org_id":0,"roles":["no_such_role"]}`},
		"POST /api/v1/users/{id}/password-reset": {Perm: auth.PermUserManage, Path: "/api/v1/users/999999/password-reset"},
		// API: organisations; reading is for members, changing for platform admins
		"GET /api/v1/organizations":        {Path: "/api/v1/organizations"},
		"POST /api/v1/organizations":       {Perm: auth.PermOrgManage, Path: "/api/v1/organizations", Body: `{"name":"","type":"other"}`},
		"GET /api/v1/organizations/{id}":   {Path: "/api/v1/organizations/{org}"},
		"PATCH /api/v1/organizations/{id}": {Perm: auth.PermOrgManage, Path: "/api/v1/organizations/{org}", Body: `{"name":""}`},
		// API: the caller's own tokens
		"GET /api/v1/tokens":         {Path: "/api/v1/tokens"},
		"POST /api/v1/tokens":        {Path: "/api/v1/tokens", Body: `{"name":"x","expires":"no_such_lifetime"}`},
		"DELETE /api/v1/tokens/{id}": {Path: "/api/v1/tokens/{token}"},
	})
}
