package web

import (
	"net/http"
	"strconv"

	"bulwark/internal/account"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/org"
)

type adminOrgsData struct {
	Orgs []org.Summary
}

// adminOrgs lists organisations. Unlike every other page it shows them even
// when there is only one: this is where the second one is created.
func (u *UI) adminOrgs(w http.ResponseWriter, r *http.Request) {
	sums, err := u.App.Orgs.Overview(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "admin", adminOrgsData{Orgs: sums})
	v.Title = i18n.T(v.Lang, "admin.orgs.title")
	u.render(w, r, http.StatusOK, "admin_orgs", v)
}

type adminOrgFormData struct {
	Org    org.Org
	Action string
	Types  []option
}

func typeOptions(lang string) []option {
	var out []option
	for _, t := range org.Types {
		out = append(out, option{string(t), i18n.T(lang, "orgtype."+string(t))})
	}
	return out
}

func (u *UI) renderOrgForm(w http.ResponseWriter, r *http.Request, status int, o org.Org, err error) {
	action, titleKey := "/admin/orgs", "admin.org.new_title"
	if o.ID != 0 {
		action, titleKey = "/admin/orgs/"+strconv.FormatInt(o.ID, 10), "admin.org.edit_title"
	}
	lang := httpx.Lang(r)
	v := u.view(r, "admin", adminOrgFormData{Org: o, Action: action, Types: typeOptions(lang)})
	v.Title = i18n.T(v.Lang, titleKey)
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "admin_org_form", v)
}

func (u *UI) adminOrgNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermOrgManage); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderOrgForm(w, r, http.StatusOK, org.Org{Type: org.TypeOther}, nil)
}

func orgFromForm(r *http.Request) org.Org {
	return org.Org{Name: r.PostFormValue("name"), Type: org.Type(r.PostFormValue("type"))}
}

func (u *UI) adminOrgCreate(w http.ResponseWriter, r *http.Request) {
	in := orgFromForm(r)
	o, err := u.App.Orgs.Create(r.Context(), in.Name, in.Type)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderOrgForm(w, r, 0, in, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+strconv.FormatInt(o.ID, 10), "flash.saved")
}

type memberRow struct {
	org.Member
	Checked map[auth.Role]bool
}

type adminOrgShowData struct {
	Org        org.Org
	TypeLabel  string
	Members    []memberRow
	Candidates []account.User // accounts not yet members
	History    []historyRow
}

func (u *UI) adminOrgShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ctx := r.Context()
	members, err := u.App.Orgs.Members(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	o, err := u.App.Orgs.Get(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	hist, err := u.App.Orgs.History(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	users, err := u.App.Accounts.List(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	d := adminOrgShowData{Org: o, TypeLabel: i18n.T(lang, "orgtype."+string(o.Type)), History: historyRows(lang, hist)}
	isMember := map[int64]bool{}
	for _, m := range members {
		isMember[m.UserID] = true
		d.Members = append(d.Members, memberRow{Member: m, Checked: roleSet(m.Roles)})
	}
	for _, usr := range users {
		if !isMember[usr.ID] {
			d.Candidates = append(d.Candidates, usr)
		}
	}
	v := u.view(r, "admin", d)
	v.Title = o.Name
	u.render(w, r, http.StatusOK, "admin_org_show", v)
}

func (u *UI) adminOrgEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermOrgManage); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	o, err := u.App.Orgs.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderOrgForm(w, r, http.StatusOK, o, nil)
}

func (u *UI) adminOrgUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := orgFromForm(r)
	if _, err := u.App.Orgs.Update(r.Context(), id, in.Name, in.Type); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			in.ID = id
			u.renderOrgForm(w, r, 0, in, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+strconv.FormatInt(id, 10), "flash.saved")
}

// adminOrgMember sets one account's roles in the organisation: adding a
// member, changing their roles, or (no role left) removing them.
func (u *UI) adminOrgMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	// Membership is managed from the organisation's page: refuse whoever
	// may not manage organisations, even if they could set roles.
	if _, err := auth.Require(r.Context(), auth.PermOrgManage); err != nil {
		u.fail(w, r, err)
		return
	}
	userID, err := strconv.ParseInt(r.PostFormValue("user_id"), 10, 64)
	if err != nil {
		u.fail(w, r, apperr.Fields([]apperr.FieldError{{Field: "user_id", Key: "err.required"}}))
		return
	}
	if err := u.App.Accounts.SetRoles(r.Context(), userID, id, formRoles(r)); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/orgs/"+strconv.FormatInt(id, 10), "flash.saved")
}
