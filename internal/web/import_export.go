package web

import "bulwark/internal/httpx"

func (u *UI) importExportRoutes() []httpx.Route { return nil }
