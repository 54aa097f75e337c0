package api

import "bulwark/internal/httpx"

// extraRoutes gathers the resources added alongside assets (audit trail,
// users, organisations, tokens, import and export, the OpenAPI document).
func (h *API) extraRoutes() []httpx.Route {
	var rs []httpx.Route
	return rs
}
