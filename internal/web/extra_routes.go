package web

import "bulwark/internal/httpx"

// extraRoutes gathers the routes of the pages added alongside the core ones:
// import and export, the audit trail, administration, API tokens.
func (u *UI) extraRoutes() []httpx.Route {
	var rs []httpx.Route
	rs = append(rs, u.importExportRoutes()...)
	rs = append(rs, u.auditRoutes()...)
	rs = append(rs, u.adminRoutes()...)
	rs = append(rs, u.tokenRoutes()...)
	rs = append(rs, u.workflowRoutes()...)
	rs = append(rs, u.notifyRoutes()...)
	rs = append(rs, u.emergencyRoutes()...)
	rs = append(rs, u.emergencyDutyRoutes()...)
	rs = append(rs, u.emergencyPlanRoutes()...)
	rs = append(rs, u.evidenceRoutes()...)
	rs = append(rs, u.lifecycleRoutes()...)
	rs = append(rs, u.reviewRoutes()...)
	rs = append(rs, u.playbookRoutes()...)
	rs = append(rs, u.playbookImportRoutes()...)
	rs = append(rs, u.incidentTaskRoutes()...)
	rs = append(rs, u.escalationRoutes()...)
	rs = append(rs, u.incidentMetricsRoutes()...)
	return rs
}
