package auth

// Permissions of playbooks (issue 3, point 6). Everyone in the
// organisation reads the playbooks: they are the procedures people follow
// (the seed's 应急处置程序与措施), and exporting them as YAML is reading
// them. The security manager keeps them (with the platform admin, who may
// do everything): writing, editing, disabling and importing. Applying a
// playbook to an incident creates its tasks; that is the working group's
// and the security manager's call, as moving the incident between phases is.
const (
	PermPlaybookRead   Perm = "playbook.read"
	PermPlaybookManage Perm = "playbook.manage"
	PermPlaybookApply  Perm = "playbook.apply"
)

func init() {
	for _, r := range OrgRoles {
		Grant(r, PermPlaybookRead)
	}
	Grant(RoleSecurityManager, PermPlaybookManage)
	Grant(RoleResponder, PermPlaybookApply)
	Grant(RoleSecurityManager, PermPlaybookApply)
}
