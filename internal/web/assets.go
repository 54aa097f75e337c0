package web

import (
	"net/http"
	"net/url"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

func (u *UI) assetRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/assets", Handler: u.assetList},
		{Method: "GET", Pattern: "/assets/new", Handler: u.assetNew},
		{Method: "POST", Pattern: "/assets", Handler: u.assetCreate},
		{Method: "GET", Pattern: "/assets/{id}", Handler: u.assetShow},
		{Method: "GET", Pattern: "/assets/{id}/edit", Handler: u.assetEdit},
		{Method: "POST", Pattern: "/assets/{id}", Handler: u.assetUpdate},
		{Method: "POST", Pattern: "/assets/{id}/delete", Handler: u.assetDelete},
	}
}

type assetListData struct {
	Page        asset.Page
	Filter      asset.Filter
	Query       url.Values
	Departments []string
	Pages       int
}

func (u *UI) assetList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := asset.FilterFromQuery(q)
	if f.PerPage == 0 {
		f.PerPage = 50
	}
	p, err := u.App.Assets.List(r.Context(), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	depts, _ := u.App.Assets.Distinct(r.Context(), "department")
	d := assetListData{Page: p, Filter: f, Query: q, Departments: depts, Pages: (p.Total + p.PerPage - 1) / p.PerPage}
	v := u.view(r, "assets", d)
	v.Title = i18n.T(v.Lang, "asset.list.title")
	u.render(w, r, http.StatusOK, "asset_list", v)
}

type assetFormData struct {
	Asset    asset.Asset
	Action   string
	Subtypes map[asset.Type][]string
}

func (u *UI) renderAssetForm(w http.ResponseWriter, r *http.Request, status int, a asset.Asset, err error) {
	action := "/assets"
	titleKey := "asset.new.title"
	if a.ID != 0 {
		action = "/assets/" + strconv.FormatInt(a.ID, 10)
		titleKey = "asset.edit.title"
	}
	v := u.view(r, "assets", assetFormData{Asset: a, Action: action, Subtypes: asset.Subtypes})
	v.Title = i18n.T(v.Lang, titleKey)
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "asset_form", v)
}

func (u *UI) assetNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermAssetWrite); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderAssetForm(w, r, http.StatusOK, asset.Asset{Type: asset.TypeServer, Status: asset.StatusInUse, C: 3, I: 3, A: 3}, nil)
}

// assetFromForm reads the asset form. Ratings that are not numbers become 0,
// which validation then reports.
func assetFromForm(r *http.Request) asset.Asset {
	atoi := func(k string) int { n, _ := strconv.Atoi(r.PostFormValue(k)); return n }
	return asset.Asset{
		Number: r.PostFormValue("number"), Name: r.PostFormValue("name"), Type: asset.Type(r.PostFormValue("type")),
		Subtype: r.PostFormValue("subtype"), Owner: r.PostFormValue("owner"), Department: r.PostFormValue("department"),
		Location: r.PostFormValue("location"), IPs: asset.SplitList(r.PostFormValue("ips")),
		Hostnames: asset.SplitList(r.PostFormValue("hostnames")), OS: r.PostFormValue("os"),
		VendorModel: r.PostFormValue("vendor_model"), BusinessSystem: r.PostFormValue("business_system"),
		Status: asset.Status(r.PostFormValue("status")), Tags: asset.SplitList(r.PostFormValue("tags")),
		Notes: r.PostFormValue("notes"), C: atoi("confidentiality"), I: atoi("integrity"), A: atoi("availability"),
	}
}

func (u *UI) assetCreate(w http.ResponseWriter, r *http.Request) {
	in := assetFromForm(r)
	a, err := u.App.Assets.Create(r.Context(), in)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderAssetForm(w, r, 0, in, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/assets/"+strconv.FormatInt(a.ID, 10), "flash.saved")
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, nil
}

type assetShowData struct {
	Asset   asset.Asset
	History []audit.Change
}

func (u *UI) assetShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	a, err := u.App.Assets.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	hist, err := u.App.Assets.History(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "assets", assetShowData{Asset: a, History: hist})
	v.Title = a.Number + " " + a.Name
	u.render(w, r, http.StatusOK, "asset_show", v)
}

func (u *UI) assetEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermAssetWrite); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	a, err := u.App.Assets.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderAssetForm(w, r, http.StatusOK, a, nil)
}

func (u *UI) assetUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := assetFromForm(r)
	if _, err := u.App.Assets.Update(r.Context(), id, in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.ID = id
			u.renderAssetForm(w, r, 0, in, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/assets/"+strconv.FormatInt(id, 10), "flash.saved")
}

func (u *UI) assetDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := u.App.Assets.Delete(r.Context(), id); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/assets", "flash.deleted")
}
