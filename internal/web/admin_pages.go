package web

import "bulwark/internal/httpx"

func (u *UI) adminRoutes() []httpx.Route { return nil }
