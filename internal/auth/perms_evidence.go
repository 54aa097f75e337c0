package auth

// Evidence permissions (issue 3, point 8): everyone who may read incidents
// may read their evidence, IOCs and intel notes (each read of an evidence
// record is itself recorded in its chain of custody); the people who
// collect and handle evidence during a response add and transfer it.
const (
	PermEvidenceRead  Perm = "evidence.read"
	PermEvidenceWrite Perm = "evidence.write"
)

func init() {
	for _, r := range OrgRoles {
		Grant(r, PermEvidenceRead)
	}
	for _, r := range []Role{RoleResponder, RoleSecurityAdmin, RoleSystemAdmin, RoleSecurityManager} {
		Grant(r, PermEvidenceWrite)
	}
}
