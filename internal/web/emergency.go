package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

// The emergency organisation's pages (应急组织): the groups with their
// people and the chart, forms for members, support units and the fixed
// groups' details. The roster's pages are in emergency_duty.go.
func (u *UI) emergencyRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/emergency", Handler: u.emergencyPage},
		{Method: "GET", Pattern: "/emergency/chart.svg", Handler: u.emergencyChart},
		{Method: "GET", Pattern: "/emergency/members/new", Handler: u.emergencyMemberNew},
		{Method: "POST", Pattern: "/emergency/members", Handler: u.emergencyMemberCreate},
		{Method: "GET", Pattern: "/emergency/members/{id}/edit", Handler: u.emergencyMemberEdit},
		{Method: "POST", Pattern: "/emergency/members/{id}", Handler: u.emergencyMemberUpdate},
		{Method: "POST", Pattern: "/emergency/members/{id}/delete", Handler: u.emergencyMemberDelete},
		{Method: "GET", Pattern: "/emergency/units/new", Handler: u.emergencyUnitNew},
		{Method: "POST", Pattern: "/emergency/units", Handler: u.emergencyUnitCreate},
		{Method: "GET", Pattern: "/emergency/units/{id}/edit", Handler: u.emergencyUnitEdit},
		{Method: "POST", Pattern: "/emergency/units/{id}", Handler: u.emergencyUnitUpdate},
		{Method: "POST", Pattern: "/emergency/units/{id}/delete", Handler: u.emergencyUnitDelete},
		{Method: "GET", Pattern: "/emergency/groups/{kind}/edit", Handler: u.emergencyGroupEdit},
		{Method: "POST", Pattern: "/emergency/groups/{kind}", Handler: u.emergencyGroupSave},
	}
}

// unitView is a group as the page shows it.
type unitView struct {
	emergency.Unit
	Title    string // its name, or its kind's name
	EditPath string
	AddPath  string // the member form preset to this group
}

func (u *UI) unitViews(lang string, units []emergency.Unit) []unitView {
	t := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
	var out []unitView
	for _, un := range units {
		v := unitView{Unit: un, Title: emergency.UnitName(un, t)}
		if un.Kind == emergency.GroupSupport {
			id := strconv.FormatInt(un.ID, 10)
			v.EditPath, v.AddPath = "/emergency/units/"+id+"/edit", "/emergency/members/new?place=support:"+id
		} else {
			v.EditPath, v.AddPath = "/emergency/groups/"+un.Kind+"/edit", "/emergency/members/new?place="+un.Kind
		}
		out = append(out, v)
	}
	return out
}

type emergencyPageData struct {
	Units []unitView
	// ChartVersion changes with the data, so the browser does not show a
	// stale chart from its cache.
	ChartVersion string
}

func (u *UI) emergencyPage(w http.ResponseWriter, r *http.Request) {
	units, err := u.App.Emergency.Organisation(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "emergency", nil)
	var latest int64
	for _, un := range units {
		latest = max(latest, un.UpdatedAt.UnixMicro())
		for _, m := range un.Members {
			latest = max(latest, m.UpdatedAt.UnixMicro())
		}
	}
	v.Data = emergencyPageData{Units: u.unitViews(v.Lang, units), ChartVersion: strconv.FormatInt(latest, 36)}
	v.Title = i18n.T(v.Lang, "emergency.title")
	u.render(w, r, http.StatusOK, "emergency", v)
}

// emergencyChart serves the organisation chart as SVG. The image has no
// script and is shown through <img>, which never runs any; the strict
// policy here covers someone opening it directly.
func (u *UI) emergencyChart(w http.ResponseWriter, r *http.Request) {
	svg, err := u.App.Emergency.Chart(r.Context(), httpx.Lang(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(svg)
}

// place is a choice of the member form's group select: a fixed group's
// kind, or "support:<id>".
type place struct {
	Value, Label string
}

type memberFormData struct {
	Member    emergency.Member
	Action    string
	Place     string
	Places    []place
	Accounts  []emergency.Account
	Positions []string
}

func memberPlace(m emergency.Member) string {
	if m.Group == emergency.GroupSupport {
		return "support:" + strconv.FormatInt(m.UnitID, 10)
	}
	return m.Group
}

func (u *UI) renderMemberForm(w http.ResponseWriter, r *http.Request, status int, m emergency.Member, err error) {
	ctx := r.Context()
	v := u.view(r, "emergency", nil)
	units, uerr := u.App.Emergency.Organisation(ctx)
	if uerr != nil {
		u.fail(w, r, uerr)
		return
	}
	accounts, aerr := u.App.Emergency.Accounts(ctx)
	if aerr != nil {
		u.fail(w, r, aerr)
		return
	}
	d := memberFormData{Member: m, Action: "/emergency/members", Place: memberPlace(m), Accounts: accounts, Positions: emergency.Positions}
	if m.ID != 0 {
		d.Action = "/emergency/members/" + strconv.FormatInt(m.ID, 10)
	}
	for _, uv := range u.unitViews(v.Lang, units) {
		val := uv.Kind
		if uv.Kind == emergency.GroupSupport {
			val = "support:" + strconv.FormatInt(uv.ID, 10)
		}
		d.Places = append(d.Places, place{Value: val, Label: uv.Title})
	}
	v.Data = d
	v.Title = i18n.T(v.Lang, "emergency.member.new")
	if m.ID != 0 {
		v.Title = i18n.T(v.Lang, "emergency.member.edit")
	}
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "emergency_member_form", v)
}

// memberFromForm reads the member form.
func memberFromForm(r *http.Request) emergency.Member {
	m := emergency.Member{
		Name: r.PostFormValue("name"), Position: r.PostFormValue("position"), Title: r.PostFormValue("title"),
		Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"), IM: r.PostFormValue("im"), Notes: r.PostFormValue("notes"),
	}
	m.Group, m.UnitID = parsePlace(r.PostFormValue("place"))
	m.UserID, _ = strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
	m.SortOrder, _ = strconv.Atoi(r.PostFormValue("sort_order"))
	return m
}

func parsePlace(s string) (string, int64) {
	if rest, ok := strings.CutPrefix(s, "support:"); ok {
		id, _ := strconv.ParseInt(rest, 10, 64)
		return emergency.GroupSupport, id
	}
	return s, 0
}

func (u *UI) emergencyMemberNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	m := emergency.Member{Group: emergency.GroupLeadership, Position: emergency.PositionMember}
	if p := r.URL.Query().Get("place"); p != "" {
		m.Group, m.UnitID = parsePlace(p)
		if m.Group == emergency.GroupSupport {
			m.Position = emergency.PositionContact
		}
	}
	u.renderMemberForm(w, r, http.StatusOK, m, nil)
}

func (u *UI) emergencyMemberCreate(w http.ResponseWriter, r *http.Request) {
	in := memberFromForm(r)
	if _, err := u.App.Emergency.CreateMember(r.Context(), in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderMemberForm(w, r, 0, in, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.saved")
}

func (u *UI) emergencyMemberEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	m, err := u.App.Emergency.GetMember(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderMemberForm(w, r, http.StatusOK, m, nil)
}

func (u *UI) emergencyMemberUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := memberFromForm(r)
	if _, err := u.App.Emergency.UpdateMember(r.Context(), id, in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.ID = id
			u.renderMemberForm(w, r, 0, in, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.saved")
}

func (u *UI) emergencyMemberDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.Emergency.DeleteMember(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.deleted")
}

type unitFormData struct {
	Unit       emergency.Unit
	Title      string // the fixed group's catalogue name
	Action     string
	Support    bool
	Categories []string
}

func (u *UI) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, un emergency.Unit, action string, err error) {
	v := u.view(r, "emergency", nil)
	d := unitFormData{Unit: un, Action: action, Support: un.Kind == emergency.GroupSupport, Categories: emergency.Categories}
	d.Title = i18n.T(v.Lang, "emergency.group."+un.Kind)
	v.Data = d
	switch {
	case !d.Support:
		v.Title = d.Title
	case un.ID == 0:
		v.Title = i18n.T(v.Lang, "emergency.unit.new")
	default:
		v.Title = i18n.T(v.Lang, "emergency.unit.edit")
	}
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "emergency_unit_form", v)
}

func unitFromForm(r *http.Request) emergency.Unit {
	un := emergency.Unit{Name: r.PostFormValue("name"), Category: r.PostFormValue("category"),
		Location: r.PostFormValue("location"), Duties: r.PostFormValue("duties")}
	un.SortOrder, _ = strconv.Atoi(r.PostFormValue("sort_order"))
	return un
}

func (u *UI) emergencyUnitNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderUnitForm(w, r, http.StatusOK, emergency.Unit{Kind: emergency.GroupSupport, Category: "network"}, "/emergency/units", nil)
}

func (u *UI) emergencyUnitCreate(w http.ResponseWriter, r *http.Request) {
	in := unitFromForm(r)
	if _, err := u.App.Emergency.CreateUnit(r.Context(), in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.Kind = emergency.GroupSupport
			u.renderUnitForm(w, r, 0, in, "/emergency/units", err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.saved")
}

func (u *UI) emergencyUnitEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	un, err := u.App.Emergency.GetUnit(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderUnitForm(w, r, http.StatusOK, un, "/emergency/units/"+strconv.FormatInt(id, 10), nil)
}

func (u *UI) emergencyUnitUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := unitFromForm(r)
	out, err := u.App.Emergency.UpdateUnit(r.Context(), id, in)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.ID, in.Kind = id, emergency.GroupSupport
			if out.Kind != "" {
				in.Kind = out.Kind
			}
			u.renderUnitForm(w, r, 0, in, "/emergency/units/"+strconv.FormatInt(id, 10), err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.saved")
}

func (u *UI) emergencyUnitDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.Emergency.DeleteUnit(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.deleted")
}

// fixedKind reads a fixed group's kind from the path.
func fixedKind(r *http.Request) (string, error) {
	k := r.PathValue("kind")
	if !slices.Contains(emergency.FixedGroups, k) {
		return "", apperr.New(apperr.NotFound, "err.not_found")
	}
	return k, nil
}

func (u *UI) emergencyGroupEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	kind, err := fixedKind(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	units, err := u.App.Emergency.Organisation(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(units, func(un emergency.Unit) bool { return un.Kind == kind })
	u.renderUnitForm(w, r, http.StatusOK, units[i], "/emergency/groups/"+kind, nil)
}

func (u *UI) emergencyGroupSave(w http.ResponseWriter, r *http.Request) {
	kind, err := fixedKind(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := unitFromForm(r)
	if _, err := u.App.Emergency.SaveGroup(r.Context(), kind, in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.Kind = kind
			u.renderUnitForm(w, r, 0, in, "/emergency/groups/"+kind, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency", "flash.saved")
}
