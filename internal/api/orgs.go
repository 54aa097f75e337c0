package api

import (
	"net/http"
	"strconv"

	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/org"
)

func init() {
	registerSchema("Organization", org.Org{})
	registerSchema("OrganizationInput", orgInput{})
}

func (h *API) orgRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/organizations", Handler: h.listOrgs,
			Doc: &httpx.Doc{Summary: "Organisations the caller may work in (all of them for a platform admin); pick one with the X-Bulwark-Org header",
				Tag: "organizations", Response: "Organization", Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/organizations", Handler: h.createOrg,
			Doc: &httpx.Doc{Summary: "Create an organisation (platform admin); type is cii, state_organ or other", Tag: "organizations",
				Request: "OrganizationInput", Response: "Organization", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/organizations/{id}", Handler: h.getOrg,
			Doc: &httpx.Doc{Summary: "Get an organisation the caller belongs to", Tag: "organizations", Response: "Organization"}},
		{Method: "PATCH", Pattern: "/api/v1/organizations/{id}", Handler: h.patchOrg,
			Doc: &httpx.Doc{Summary: "Rename an organisation or change its type (platform admin)", Tag: "organizations",
				Request: "OrganizationInput", Response: "Organization"}},
	}
}

// orgInput creates (both fields) or changes (either field) an organisation.
type orgInput struct {
	Name *string `json:"name"`
	Type *string `json:"type"`
}

func (h *API) listOrgs(w http.ResponseWriter, r *http.Request) {
	orgs, err := h.App.Orgs.List(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if orgs == nil {
		orgs = []org.Org{}
	}
	// A handful at most per caller: one page holds them all.
	httpx.WriteJSON(w, http.StatusOK, List[org.Org]{Items: orgs, Total: len(orgs), Page: 1, PerPage: max(len(orgs), 1)})
}

func (h *API) createOrg(w http.ResponseWriter, r *http.Request) {
	var in orgInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	o, err := h.App.Orgs.Create(r.Context(), deref(in.Name), org.Type(deref(in.Type)))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/organizations/"+strconv.FormatInt(o.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, o)
}

func (h *API) getOrg(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var o org.Org
		if o, err = h.App.Orgs.Get(r.Context(), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, o)
			return
		}
	}
	httpx.WriteError(w, r, err)
}

func (h *API) patchOrg(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	// Refuse before reading the current values, so a caller who may not
	// manage organisations learns nothing about one from a 404.
	if _, err := auth.Require(r.Context(), auth.PermOrgManage); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in orgInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	o, err := h.App.Orgs.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Name != nil {
		o.Name = *in.Name
	}
	if in.Type != nil {
		o.Type = org.Type(*in.Type)
	}
	updated, err := h.App.Orgs.Update(r.Context(), id, o.Name, o.Type)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, updated)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
