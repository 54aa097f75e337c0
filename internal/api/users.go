package api

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
)

func init() {
	registerSchema("User", UserJSON{})
	registerSchema("UserInput", userInput{})
	registerSchema("UserCreated", UserCreated{})
	registerSchema("UserPatch", userPatch{})
	registerSchema("RolesInput", rolesInput{})
	registerSchema("OneTimePassword", OneTimePassword{})
}

func (h *API) userRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/users", Handler: h.listUsers,
			Doc: &httpx.Doc{Summary: "List accounts with their roles per organisation (platform admin)", Tag: "users", Response: "User",
				Query: []string{"page", "per_page"}, Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/users", Handler: h.createUser,
			Doc: &httpx.Doc{Summary: "Create an account; without a password a one-time password is generated and returned this once", Tag: "users",
				Request: "UserInput", Response: "UserCreated", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/users/{id}", Handler: h.getUser,
			Doc: &httpx.Doc{Summary: "Get an account (platform admin, or yourself)", Tag: "users", Response: "User"}},
		{Method: "PATCH", Pattern: "/api/v1/users/{id}", Handler: h.patchUser,
			Doc: &httpx.Doc{Summary: "Change display name, email, disabled (ends sessions) or platform admin (not your own)", Tag: "users",
				Request: "UserPatch", Response: "User"}},
		{Method: "PUT", Pattern: "/api/v1/users/{id}/roles", Handler: h.putUserRoles,
			Doc: &httpx.Doc{Summary: "Replace an account's roles in one organisation (an empty list removes it from the organisation)", Tag: "users",
				Request: "RolesInput", Response: "User"}},
		{Method: "POST", Pattern: "/api/v1/users/{id}/password-reset", Handler: h.resetUserPassword,
			Doc: &httpx.Doc{Summary: "Set a generated one-time password, returned this once; the user must change it at next login", Tag: "users",
				Response: "OneTimePassword"}},
	}
}

// Membership is the roles an account holds in one organisation.
type Membership struct {
	OrgID int64       `json:"org_id"`
	Roles []auth.Role `json:"roles"`
}

// UserJSON is an account as the API shows it.
type UserJSON struct {
	ID                 int64        `json:"id"`
	Username           string       `json:"username"`
	DisplayName        string       `json:"display_name"`
	Email              string       `json:"email"`
	PlatformAdmin      bool         `json:"platform_admin"`
	MustChangePassword bool         `json:"must_change_password"`
	Disabled           bool         `json:"disabled"`
	Locale             string       `json:"locale"`
	LastLoginAt        time.Time    `json:"last_login_at,omitzero"`
	CreatedAt          time.Time    `json:"created_at"`
	Memberships        []Membership `json:"memberships"`
}

func userJSON(u account.User) UserJSON {
	out := UserJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, PlatformAdmin: u.PlatformAdmin,
		MustChangePassword: u.MustChangePassword, Disabled: u.Disabled, Locale: u.Locale, LastLoginAt: u.LastLoginAt,
		CreatedAt: u.CreatedAt, Memberships: []Membership{}}
	for orgID, roles := range u.Roles {
		if len(roles) > 0 {
			out.Memberships = append(out.Memberships, Membership{OrgID: orgID, Roles: roles})
		}
	}
	slices.SortFunc(out.Memberships, func(a, b Membership) int { return cmp.Compare(a.OrgID, b.OrgID) })
	return out
}

func (h *API) listUsers(w http.ResponseWriter, r *http.Request) {
	page, perPage, err := pageParams(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	users, err := h.App.Accounts.List(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	// Accounts number in the hundreds at most: the service returns them
	// all and the page is cut here.
	out := List[UserJSON]{Items: []UserJSON{}, Total: len(users), Page: page, PerPage: perPage}
	for i := (page - 1) * perPage; i < len(users) && i < page*perPage; i++ {
		out.Items = append(out.Items, userJSON(users[i]))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// pageParams reads page (from 1) and per_page (1..500, default 100).
func pageParams(v url.Values) (page, perPage int, err error) {
	page, perPage = 1, 100
	var c apperr.Collector
	if s := v.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			c.Add("page", "err.wrong_type")
		}
	}
	if s := v.Get("per_page"); s != "" {
		if perPage, err = strconv.Atoi(s); err != nil || perPage < 1 || perPage > 500 {
			c.Add("per_page", "err.too_many", 500)
		}
	}
	return page, perPage, c.Err()
}

// userInput creates an account.
type userInput struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	// Password: omit it to have a one-time password generated.
	Password      *string `json:"password"`
	PlatformAdmin bool    `json:"platform_admin"`
	// OrgID is where Roles are held; default the caller's organisation.
	OrgID *int64      `json:"org_id"`
	Roles []auth.Role `json:"roles"`
	// MustChangePassword defaults to true; a generated password always
	// must be changed.
	MustChangePassword *bool `json:"must_change_password"`
}

// UserCreated is the new account, with its one-time password when one was
// generated: it is shown this once and stored only as a hash.
type UserCreated struct {
	UserJSON
	OneTimePassword string `json:"one_time_password,omitempty"`
}

func (h *API) createUser(w http.ResponseWriter, r *http.Request) {
	var in userInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	nu := account.NewUser{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email,
		PlatformAdmin: in.PlatformAdmin, Roles: in.Roles, MustChange: true}
	if a := auth.FromContext(r.Context()); a != nil {
		nu.OrgID = a.OrgID
	}
	if in.OrgID != nil {
		nu.OrgID = *in.OrgID
	}
	var oneTime string
	if in.Password == nil {
		oneTime = h.App.Accounts.OneTimePassword()
		nu.Password = oneTime
	} else {
		nu.Password = *in.Password
		if in.MustChangePassword != nil {
			nu.MustChange = *in.MustChangePassword
		}
	}
	u, err := h.App.Accounts.Create(r.Context(), nu)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, UserCreated{UserJSON: userJSON(u), OneTimePassword: oneTime})
}

func (h *API) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var u account.User
		if u, err = h.App.Accounts.Get(r.Context(), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, userJSON(u))
			return
		}
	}
	httpx.WriteError(w, r, err)
}

// userPatch changes an account; absent fields stay as they are.
type userPatch struct {
	DisplayName   *string `json:"display_name"`
	Email         *string `json:"email"`
	Disabled      *bool   `json:"disabled"`
	PlatformAdmin *bool   `json:"platform_admin"`
}

func (h *API) patchUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in userPatch
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	u, err := h.App.Accounts.Update(r.Context(), id, account.Patch{DisplayName: in.DisplayName, Email: in.Email,
		Disabled: in.Disabled, PlatformAdmin: in.PlatformAdmin})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, userJSON(u))
}

// rolesInput replaces the roles held in one organisation.
type rolesInput struct {
	OrgID int64       `json:"org_id"`
	Roles []auth.Role `json:"roles"`
}

func (h *API) putUserRoles(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in rolesInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := h.App.Accounts.SetRoles(r.Context(), id, in.OrgID, in.Roles); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	u, err := h.App.Accounts.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, userJSON(u))
}

// OneTimePassword is a generated password, shown once.
type OneTimePassword struct {
	OneTimePassword string `json:"one_time_password"`
}

func (h *API) resetUserPassword(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	pw := h.App.Accounts.OneTimePassword()
	if err := h.App.Accounts.ResetPassword(r.Context(), id, pw, true); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, OneTimePassword{OneTimePassword: pw})
}
