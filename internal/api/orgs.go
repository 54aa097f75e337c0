package api

import "bulwark/internal/httpx"

func (h *API) orgRoutes() []httpx.Route { return nil }
