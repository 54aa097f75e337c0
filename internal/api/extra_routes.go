package api

import "bulwark/internal/httpx"

// extraRoutes gathers the resources added alongside assets: import and
// export, the audit trail, users, organisations, tokens, the OpenAPI document.
func (h *API) extraRoutes() []httpx.Route {
	var rs []httpx.Route
	rs = append(rs, h.importExportRoutes()...)
	rs = append(rs, h.auditRoutes()...)
	rs = append(rs, h.userRoutes()...)
	rs = append(rs, h.orgRoutes()...)
	rs = append(rs, h.tokenRoutes()...)
	rs = append(rs, h.workflowRoutes()...)
	rs = append(rs, h.notifyRoutes()...)
	rs = append(rs, h.emergencyRoutes()...)
	rs = append(rs, h.emergencyPlanRoutes()...)
	rs = append(rs, h.evidenceRoutes()...)
	rs = append(rs, h.lifecycleRoutes()...)
	rs = append(rs, h.reviewRoutes()...)
	rs = append(rs, h.playbookRoutes()...)
	rs = append(rs, h.escalationRoutes()...)
	rs = append(rs, h.incidentMetricsRoutes()...)
	rs = append(rs, h.openapiRoutes()...)
	return rs
}
