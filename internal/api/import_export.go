package api

import "bulwark/internal/httpx"

func (h *API) importExportRoutes() []httpx.Route { return nil }
