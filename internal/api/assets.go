package api

import (
	"net/http"
	"strconv"

	"bulwark/internal/asset"
	"bulwark/internal/httpx"
)

func (h *API) assetRoutes() []httpx.Route {
	q := []string{"q", "type", "status", "department", "business_system", "tag", "min_value", "sort", "page", "per_page"}
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/assets", Handler: h.listAssets,
			Doc: &httpx.Doc{Summary: "List assets (search, filter, sort, page)", Tag: "assets", Response: "Asset", Query: q, Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/assets", Handler: h.createAsset,
			Doc: &httpx.Doc{Summary: "Create an asset", Tag: "assets", Request: "AssetInput", Response: "Asset", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/assets/{id}", Handler: h.getAsset,
			Doc: &httpx.Doc{Summary: "Get an asset", Tag: "assets", Response: "Asset"}},
		{Method: "PATCH", Pattern: "/api/v1/assets/{id}", Handler: h.patchAsset,
			Doc: &httpx.Doc{Summary: "Change some fields of an asset", Tag: "assets", Request: "AssetInput", Response: "Asset"}},
		{Method: "DELETE", Pattern: "/api/v1/assets/{id}", Handler: h.deleteAsset,
			Doc: &httpx.Doc{Summary: "Delete an asset", Tag: "assets", Status: 204}},
		{Method: "GET", Pattern: "/api/v1/assets/{id}/history", Handler: h.assetHistory,
			Doc: &httpx.Doc{Summary: "An asset's own audit history", Tag: "assets", Response: "ChangeList"}},
	}
}

// AssetJSON adds the value's level name to an asset.
type AssetJSON struct {
	asset.Asset
	ValueLevel string `json:"value_level"`
}

func (h *API) assetJSON(r *http.Request, a asset.Asset) AssetJSON {
	return AssetJSON{Asset: a, ValueLevel: levelName(r, a.Value)}
}

func (h *API) listAssets(w http.ResponseWriter, r *http.Request) {
	p, err := h.App.Assets.List(r.Context(), asset.FilterFromQuery(r.URL.Query()))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := List[AssetJSON]{Items: make([]AssetJSON, 0, len(p.Items)), Total: p.Total, Page: p.Page, PerPage: p.PerPage}
	for _, a := range p.Items {
		out.Items = append(out.Items, h.assetJSON(r, a))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// assetInput is the writable part of an asset; absent fields keep their
// value on PATCH.
type assetInput struct {
	Number         *string   `json:"number"`
	Name           *string   `json:"name"`
	Type           *string   `json:"type"`
	Subtype        *string   `json:"subtype"`
	Owner          *string   `json:"owner"`
	Department     *string   `json:"department"`
	Location       *string   `json:"location"`
	IPs            *[]string `json:"ips"`
	Hostnames      *[]string `json:"hostnames"`
	OS             *string   `json:"os"`
	VendorModel    *string   `json:"vendor_model"`
	BusinessSystem *string   `json:"business_system"`
	Status         *string   `json:"status"`
	Tags           *[]string `json:"tags"`
	Notes          *string   `json:"notes"`
	C              *int      `json:"confidentiality"`
	I              *int      `json:"integrity"`
	A              *int      `json:"availability"`
}

func (in assetInput) apply(a *asset.Asset) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.Number, in.Number)
	set(&a.Name, in.Name)
	if in.Type != nil {
		a.Type = asset.Type(*in.Type)
	}
	set(&a.Subtype, in.Subtype)
	set(&a.Owner, in.Owner)
	set(&a.Department, in.Department)
	set(&a.Location, in.Location)
	if in.IPs != nil {
		a.IPs = *in.IPs
	}
	if in.Hostnames != nil {
		a.Hostnames = *in.Hostnames
	}
	set(&a.OS, in.OS)
	set(&a.VendorModel, in.VendorModel)
	set(&a.BusinessSystem, in.BusinessSystem)
	if in.Status != nil {
		a.Status = asset.Status(*in.Status)
	}
	if in.Tags != nil {
		a.Tags = *in.Tags
	}
	set(&a.Notes, in.Notes)
	for _, p := range []struct {
		dst *int
		src *int
	}{{&a.C, in.C}, {&a.I, in.I}, {&a.A, in.A}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
}

func (h *API) createAsset(w http.ResponseWriter, r *http.Request) {
	var in assetInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	a := asset.Asset{C: 3, I: 3, A: 3}
	in.apply(&a)
	created, err := h.App.Assets.Create(r.Context(), a)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/assets/"+strconv.FormatInt(created.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, h.assetJSON(r, created))
}

func (h *API) getAsset(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var a asset.Asset
		if a, err = h.App.Assets.Get(r.Context(), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, h.assetJSON(r, a))
			return
		}
	}
	httpx.WriteError(w, r, err)
}

func (h *API) patchAsset(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in assetInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	a, err := h.App.Assets.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	in.apply(&a)
	updated, err := h.App.Assets.Update(r.Context(), id, a)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.assetJSON(r, updated))
}

func (h *API) deleteAsset(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.Assets.Delete)
}

func (h *API) assetHistory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		hist, herr := h.App.Assets.History(r.Context(), id)
		if herr == nil {
			httpx.WriteJSON(w, http.StatusOK, ChangeList{Items: hist})
			return
		}
		err = herr
	}
	httpx.WriteError(w, r, err)
}
