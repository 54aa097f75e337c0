package api

import (
	"net/http"

	"bulwark/internal/asset"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

func levelName(r *http.Request, v int) string { return i18n.T(httpx.Lang(r), asset.LevelKey(v)) }
