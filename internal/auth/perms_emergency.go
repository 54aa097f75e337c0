package auth

// Permissions of the emergency organisation (应急组织). Everyone with a role
// in the organisation must be able to find who to call, so every org role
// reads it; the security manager keeps it current (the seed puts the plan's
// upkeep with the working group under the security function), and the
// platform admin may do everything anyway.
const (
	PermEmergencyRead   Perm = "emergency.read"
	PermEmergencyManage Perm = "emergency.manage"
)

func init() {
	for _, r := range OrgRoles {
		Grant(r, PermEmergencyRead)
	}
	Grant(RoleSecurityManager, PermEmergencyManage)
}
