package auth

// Permissions of the PDCERF lifecycle (issue 3, point 5). The working
// group and the technical roles draft, carry out and judge plans; moving an
// incident between phases is the working group's and the security
// manager's call; only leadership may waive a phase's plan (an exception
// with a reason, audited).
const (
	PermIncidentPlan       Perm = "incident.plan"
	PermIncidentTransition Perm = "incident.transition"
	PermIncidentException  Perm = "incident.exception"
)

func init() {
	for _, r := range []Role{RoleResponder, RoleSecurityAdmin, RoleSystemAdmin, RoleSecurityManager} {
		Grant(r, PermIncidentPlan)
	}
	Grant(RoleResponder, PermIncidentTransition)
	Grant(RoleSecurityManager, PermIncidentTransition)
	Grant(RoleLeadership, PermIncidentException)
}
