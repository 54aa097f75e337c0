package api

import "bulwark/internal/httpx"

func (h *API) openapiRoutes() []httpx.Route { return nil }
