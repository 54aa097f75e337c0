package auth

// Permissions of the post-incident review (issue 3, points 9 and 10), from
// the seed's 信息安全事件管理程序: the working group (信息安全工作小组)
// investigates, records the summary meeting and proposes corrective and
// preventive actions (CAPA) and rewards or penalties (奖惩意见); the
// leadership group (领导小组) approves both through approvals, which need
// no permission of their own here (approval.decide, narrowed by the roles
// each approval names).
const (
	// PermReviewRead reads an incident's review and its CAPA.
	PermReviewRead Perm = "review.read"
	// PermReviewWrite records the review and proposes and edits CAPA.
	PermReviewWrite Perm = "review.write"
	// PermCAPAWork lets an account own a CAPA and report progress on its
	// own ones (in progress, done). It is what makes a person eligible as
	// owner: readers who change nothing (auditor, viewer) cannot own work.
	PermCAPAWork Perm = "capa.work"
	// PermCAPAVerify confirms (or sends back) a CAPA its owner marked
	// done; never on one's own.
	PermCAPAVerify Perm = "capa.verify"
	// PermSanctionRead reads reward and penalty recommendations: they are
	// about named people, so only those who propose, decide or audit them.
	PermSanctionRead Perm = "sanction.read"
	// PermSanctionPropose proposes a reward or a penalty.
	PermSanctionPropose Perm = "sanction.propose"
	// PermResponseReport downloads the incident report (应急处置报告). A
	// report is a copy of the incident leaving the system, so, as with
	// asset export, viewers lack it.
	PermResponseReport Perm = "incident.response_report"
)

func init() {
	for _, r := range OrgRoles {
		Grant(r, PermReviewRead)
		if r != RoleViewer {
			Grant(r, PermResponseReport)
		}
	}
	for _, r := range []Role{RoleResponder, RoleSecurityManager, RoleSecurityAdmin, RoleSystemAdmin} {
		Grant(r, PermReviewWrite)
	}
	for _, r := range workingRoles {
		Grant(r, PermCAPAWork)
	}
	Grant(RoleSecurityManager, PermCAPAVerify)
	Grant(RoleLeadership, PermCAPAVerify)
	for _, r := range []Role{RoleLeadership, RoleSecurityManager, RoleResponder, RoleAuditor} {
		Grant(r, PermSanctionRead)
	}
	Grant(RoleResponder, PermSanctionPropose)
	Grant(RoleSecurityManager, PermSanctionPropose)
}
