package api

import (
	"net/http"

	"bulwark/internal/auth"
	"bulwark/internal/httpx"
)

func (h *API) meRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/me", Handler: h.me,
			Doc: &httpx.Doc{Summary: "The caller: user, current organisation and roles there", Tag: "account", Response: "Me"}},
	}
}

// Me describes the caller.
type Me struct {
	ID            int64       `json:"id"`
	Username      string      `json:"username"`
	DisplayName   string      `json:"display_name"`
	PlatformAdmin bool        `json:"platform_admin"`
	OrgID         int64       `json:"org_id"`
	Roles         []auth.Role `json:"roles"`
	Locale        string      `json:"locale"`
}

func (h *API) me(w http.ResponseWriter, r *http.Request) {
	a := auth.FromContext(r.Context())
	s := httpx.SessionFrom(r.Context())
	roles := a.Roles
	if roles == nil {
		roles = []auth.Role{}
	}
	httpx.WriteJSON(w, http.StatusOK, Me{ID: a.UserID, Username: a.Username, DisplayName: s.User.DisplayName,
		PlatformAdmin: a.PlatformAdmin, OrgID: a.OrgID, Roles: roles, Locale: a.Locale})
}
