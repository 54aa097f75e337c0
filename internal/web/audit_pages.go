package web

import "bulwark/internal/httpx"

func (u *UI) auditRoutes() []httpx.Route { return nil }
