package server_test

import "bulwark/internal/auth"

// Route cases of the audit trail, administration and API token pages. Bodies
// of writes are invalid or aim at a missing object where they can, so that
// allowed callers leave the fixture as it was for the callers after them.
func init() {
	addRouteCases(map[string]routeCase{
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
