// Package auth holds who is acting (Actor), the roles from the seed and what
// each may do. Every service method asks the Actor in its context before it
// touches data, so the UI, the API and the CLI cannot differ.
package auth

import "slices"

// Role is a duty from the seed's organisation. Roles are held per
// organisation, except platform admin, which is global (users.platform_admin).
type Role string

const (
	RoleAdmin           Role = "admin"            // 平台管理员 (global)
	RoleLeadership      Role = "leadership"       // 领导小组
	RoleSecurityManager Role = "security_manager" // 信息安全经理
	RoleITManager       Role = "it_manager"       // IT经理
	RoleSecurityAdmin   Role = "security_admin"   // 安全管理员
	RoleSystemAdmin     Role = "system_admin"     // 系统管理员
	RoleAuditor         Role = "auditor"          // 安全审计员
	RoleResponder       Role = "responder"        // 应急响应工作组
	RoleViewer          Role = "viewer"           // 只读
)

// OrgRoles are the roles that can be held in an organisation, in display order.
var OrgRoles = []Role{RoleLeadership, RoleSecurityManager, RoleITManager, RoleSecurityAdmin,
	RoleSystemAdmin, RoleAuditor, RoleResponder, RoleViewer}

// AllRoles includes the global platform admin.
var AllRoles = append([]Role{RoleAdmin}, OrgRoles...)

// ParseRole checks s names a role.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(AllRoles, r)
}

// Perm is one thing a caller may do.
type Perm string

const (
	PermAssetRead   Perm = "asset.read"
	PermAssetWrite  Perm = "asset.write"
	PermAssetDelete Perm = "asset.delete"
	PermAssetImport Perm = "asset.import"
	PermAssetExport Perm = "asset.export"
	PermAuditRead   Perm = "audit.read"
	PermUserManage  Perm = "user.manage" // platform admin only
	PermOrgManage   Perm = "org.manage"  // platform admin only
	PermOrgSettings Perm = "org.settings"
)

// rolePerms is the permission matrix. Platform admin may do everything and is
// not listed. Decisions: asset deletion is kept to the managers; export is a
// copy of the register leaving the system, so viewers and responders lack it;
// the auditor reads everything and changes nothing.
var rolePerms = map[Role][]Perm{
	RoleLeadership:      {PermAssetRead, PermAssetExport, PermAuditRead},
	RoleSecurityManager: {PermAssetRead, PermAssetWrite, PermAssetDelete, PermAssetImport, PermAssetExport, PermAuditRead, PermOrgSettings},
	RoleITManager:       {PermAssetRead, PermAssetWrite, PermAssetDelete, PermAssetImport, PermAssetExport},
	RoleSecurityAdmin:   {PermAssetRead, PermAssetWrite, PermAssetImport, PermAssetExport},
	RoleSystemAdmin:     {PermAssetRead, PermAssetWrite, PermAssetImport, PermAssetExport},
	RoleAuditor:         {PermAssetRead, PermAssetExport, PermAuditRead},
	RoleResponder:       {PermAssetRead},
	RoleViewer:          {PermAssetRead},
}

// RoleCan reports whether role grants p (used by the route × role test).
func RoleCan(r Role, p Perm) bool {
	if r == RoleAdmin {
		return true
	}
	return slices.Contains(rolePerms[r], p)
}
