package api

import "bulwark/internal/httpx"

func (h *API) userRoutes() []httpx.Route { return nil }
