package auth

// Incident permissions (issue 3), from the seed's duties: everyone in the
// organisation may read incidents (the auditor reads everything, viewers
// read); the emergency response working group (responder) and the
// technical roles that see incidents first report and record them; the
// security manager confirms grades and leadership may decide them.
const (
	PermIncidentRead   Perm = "incident.read"
	PermIncidentReport Perm = "incident.report"
	PermIncidentGrade  Perm = "incident.grade"
	// PermIncidentAdminCategories edits the classification tree and the
	// grading thresholds. Both are installation-wide data (the names of a
	// national standard and the annex of a national regulation, the same for
	// every organisation), so no organisation role is granted it: only the
	// platform admin, who has every permission, may change them.
	PermIncidentAdminCategories Perm = "incident.admin_categories"
)

func init() {
	for _, r := range OrgRoles {
		Grant(r, PermIncidentRead)
	}
	for _, r := range []Role{RoleResponder, RoleSecurityAdmin, RoleSystemAdmin, RoleSecurityManager, RoleITManager} {
		Grant(r, PermIncidentReport)
	}
	Grant(RoleSecurityManager, PermIncidentGrade)
	Grant(RoleLeadership, PermIncidentGrade)
}
