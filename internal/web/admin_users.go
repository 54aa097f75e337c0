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

type userRow struct {
	User        account.User
	Memberships []membership
}

type adminUsersData struct {
	Users []userRow
	// MultiOrg shows organisation names; with one organisation the UI does
	// not speak of organisations at all.
	MultiOrg bool
}

func (u *UI) adminUsers(w http.ResponseWriter, r *http.Request) {
	users, err := u.App.Accounts.List(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	orgs, err := u.App.Orgs.List(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := adminUsersData{MultiOrg: len(orgs) > 1}
	for _, usr := range users {
		d.Users = append(d.Users, userRow{User: usr, Memberships: memberships(orgs, usr.Roles)})
	}
	v := u.view(r, "admin", d)
	v.Title = i18n.T(v.Lang, "admin.users.title")
	u.render(w, r, http.StatusOK, "admin_users", v)
}

type adminUserFormData struct {
	New          bool
	Action       string
	User         account.User
	PasswordMode string // generate | set
	MustChange   bool
	Checked      map[auth.Role]bool
	OrgName      string // where the new user's roles are held
	MultiOrg     bool
	Self         bool // editing one's own account: no platform-admin switch
}

func (u *UI) renderUserForm(w http.ResponseWriter, r *http.Request, status int, d adminUserFormData, err error) {
	orgs, oerr := u.App.Orgs.List(r.Context())
	if oerr != nil {
		u.fail(w, r, oerr)
		return
	}
	a := auth.FromContext(r.Context())
	d.MultiOrg, d.OrgName = len(orgs) > 1, orgName(orgs, a.OrgID)
	d.Self = d.User.ID != 0 && d.User.ID == a.UserID
	if d.Checked == nil {
		d.Checked = map[auth.Role]bool{}
	}
	titleKey := "admin.user.new_title"
	d.Action = "/admin/users"
	if !d.New {
		d.Action, titleKey = "/admin/users/"+strconv.FormatInt(d.User.ID, 10), "admin.user.edit_title"
	}
	v := u.view(r, "admin", d)
	v.Title = i18n.T(v.Lang, titleKey)
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "admin_user_form", v)
}

func (u *UI) adminUserNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermUserManage); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderUserForm(w, r, http.StatusOK, adminUserFormData{New: true, PasswordMode: "generate", MustChange: true}, nil)
}

func checked(r *http.Request, name string) bool { return r.PostFormValue(name) == "1" }

func (u *UI) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	a := auth.FromContext(r.Context())
	in := account.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Email: r.PostFormValue("email"), PlatformAdmin: checked(r, "platform_admin"), OrgID: a.OrgID, Roles: formRoles(r)}
	mode := r.PostFormValue("password_mode")
	var oneTime string
	if mode == "set" {
		in.Password, in.MustChange = r.PostFormValue("password"), checked(r, "must_change")
	} else {
		mode = "generate"
		oneTime = u.App.Accounts.OneTimePassword()
		in.Password, in.MustChange = oneTime, true
	}
	created, err := u.App.Accounts.Create(r.Context(), in)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			// The password typed is not sent back.
			u.renderUserForm(w, r, 0, adminUserFormData{New: true, PasswordMode: mode, MustChange: in.MustChange,
				Checked: roleSet(in.Roles), User: account.User{Username: in.Username, DisplayName: in.DisplayName,
					Email: in.Email, PlatformAdmin: in.PlatformAdmin}}, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	if oneTime != "" {
		u.renderUserShow(w, r, created.ID, oneTime)
		return
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(created.ID, 10), "flash.saved")
}

type orgRoles struct {
	Org     org.Org
	Checked map[auth.Role]bool
}

type adminUserShowData struct {
	User account.User
	// OneTimePassword is shown on the page right after it was set, once:
	// the page is rendered in answer to the POST, never from a URL.
	OneTimePassword string
	Self            bool
	MultiOrg        bool
	Orgs            []orgRoles
	History         []historyRow
}

func (u *UI) adminUserShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderUserShow(w, r, id, "")
}

func (u *UI) renderUserShow(w http.ResponseWriter, r *http.Request, id int64, oneTime string) {
	ctx := r.Context()
	hist, err := u.App.Accounts.History(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	usr, err := u.App.Accounts.Get(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	orgs, err := u.App.Orgs.List(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	d := adminUserShowData{User: usr, OneTimePassword: oneTime, Self: usr.ID == auth.FromContext(ctx).UserID,
		MultiOrg: len(orgs) > 1, History: historyRows(lang, hist)}
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, orgRoles{Org: o, Checked: roleSet(usr.Roles[o.ID])})
	}
	v := u.view(r, "admin", d)
	v.Title = usr.Username
	u.render(w, r, http.StatusOK, "admin_user_show", v)
}

func (u *UI) adminUserEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermUserManage); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	usr, err := u.App.Accounts.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderUserForm(w, r, http.StatusOK, adminUserFormData{User: usr}, nil)
}

func (u *UI) adminUserUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	display, email := r.PostFormValue("display_name"), r.PostFormValue("email")
	p := account.Patch{DisplayName: &display, Email: &email}
	// The switch is left out of the form for one's own account; only a
	// form that showed it may change the flag.
	if checked(r, "platform_admin_shown") {
		admin := checked(r, "platform_admin")
		p.PlatformAdmin = &admin
	}
	if _, err := u.App.Accounts.Update(r.Context(), id, p); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			usr, gerr := u.App.Accounts.Get(r.Context(), id)
			if gerr != nil {
				u.fail(w, r, gerr)
				return
			}
			usr.DisplayName, usr.Email = display, email
			if p.PlatformAdmin != nil {
				usr.PlatformAdmin = *p.PlatformAdmin
			}
			u.renderUserForm(w, r, 0, adminUserFormData{User: usr}, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "flash.saved")
}

func (u *UI) adminUserRoles(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	orgID, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	if err := u.App.Accounts.SetRoles(r.Context(), id, orgID, formRoles(r)); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "flash.saved")
}

func (u *UI) adminUserDisable(w http.ResponseWriter, r *http.Request) { u.setUserDisabled(w, r, true) }
func (u *UI) adminUserEnable(w http.ResponseWriter, r *http.Request)  { u.setUserDisabled(w, r, false) }

func (u *UI) setUserDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := u.App.Accounts.SetDisabled(r.Context(), id, disabled); err != nil {
		u.fail(w, r, err)
		return
	}
	flash := "flash.user_enabled"
	if disabled {
		flash = "flash.user_disabled"
	}
	redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), flash)
}

func (u *UI) adminUserResetPassword(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	pw := u.App.Accounts.OneTimePassword()
	if err := u.App.Accounts.ResetPassword(r.Context(), id, pw, true); err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderUserShow(w, r, id, pw)
}
