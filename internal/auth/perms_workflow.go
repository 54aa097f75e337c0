package auth

// Permissions of the shared workflow mechanisms: approvals, tasks and
// deadlines. Who may decide a particular approval is further narrowed by the
// roles the approval names (package workflow); these say who takes part at
// all. The auditor and viewers read and never decide or change anything.
const (
	PermApprovalRead    Perm = "approval.read"
	PermApprovalRequest Perm = "approval.request"
	PermApprovalDecide  Perm = "approval.decide"
	PermTaskRead        Perm = "task.read"
	PermTaskWrite       Perm = "task.write"
	PermDeadlineRead    Perm = "deadline.read"
	PermDeadlineSet     Perm = "deadline.set"
)

// workingRoles take part in the work: they request and decide approvals
// (when named), manage tasks, and set deadlines through the modules.
var workingRoles = []Role{RoleLeadership, RoleSecurityManager, RoleITManager, RoleSecurityAdmin, RoleSystemAdmin, RoleResponder}

func init() {
	for _, r := range workingRoles {
		Grant(r, PermApprovalRead, PermApprovalRequest, PermApprovalDecide, PermTaskRead, PermTaskWrite, PermDeadlineRead, PermDeadlineSet)
	}
	for _, r := range []Role{RoleAuditor, RoleViewer} {
		Grant(r, PermApprovalRead, PermTaskRead, PermDeadlineRead)
	}
}
