package web

import "bulwark/internal/httpx"

// extraRoutes gathers the routes of the pages added alongside the core ones
// (audit trail, administration, import and export, API tokens).
func (u *UI) extraRoutes() []httpx.Route {
	var rs []httpx.Route
	return rs
}
