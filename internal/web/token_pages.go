package web

import "bulwark/internal/httpx"

func (u *UI) tokenRoutes() []httpx.Route { return nil }
