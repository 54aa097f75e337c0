package api

import "bulwark/internal/httpx"

func (h *API) auditRoutes() []httpx.Route { return nil }
