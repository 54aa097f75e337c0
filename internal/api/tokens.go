package api

import "bulwark/internal/httpx"

func (h *API) tokenRoutes() []httpx.Route { return nil }
