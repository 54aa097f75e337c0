package api

import (
	"net/http"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/httpx"
)

// The emergency organisation (应急组织) and its duty roster over JSON.
func (h *API) emergencyRoutes() []httpx.Route {
	const tag = "emergency"
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/emergency/groups", Handler: h.emergencyGroups,
			Doc: &httpx.Doc{Summary: "The emergency organisation: every group and support unit with its members", Tag: tag, Response: "EmergencyGroups"}},
		{Method: "PUT", Pattern: "/api/v1/emergency/groups/{kind}", Handler: h.saveEmergencyGroup,
			Doc: &httpx.Doc{Summary: "Set a fixed group's name, location and duties (kind: leadership, working_group, office)", Tag: tag, Request: "EmergencyUnitInput", Response: "EmergencyUnit"}},
		{Method: "POST", Pattern: "/api/v1/emergency/units", Handler: h.createEmergencyUnit,
			Doc: &httpx.Doc{Summary: "Add a support unit (应急支援单位)", Tag: tag, Request: "EmergencyUnitInput", Response: "EmergencyUnit", Status: 201}},
		{Method: "PATCH", Pattern: "/api/v1/emergency/units/{id}", Handler: h.patchEmergencyUnit,
			Doc: &httpx.Doc{Summary: "Change a group's or support unit's details", Tag: tag, Request: "EmergencyUnitInput", Response: "EmergencyUnit"}},
		{Method: "DELETE", Pattern: "/api/v1/emergency/units/{id}", Handler: h.deleteEmergencyUnit,
			Doc: &httpx.Doc{Summary: "Remove a support unit with its members", Tag: tag, Status: 204}},
		{Method: "POST", Pattern: "/api/v1/emergency/members", Handler: h.createEmergencyMember,
			Doc: &httpx.Doc{Summary: "Add a person to a group (group: leadership, working_group, office, support with unit_id)", Tag: tag, Request: "EmergencyMemberInput", Response: "EmergencyMember", Status: 201}},
		{Method: "PATCH", Pattern: "/api/v1/emergency/members/{id}", Handler: h.patchEmergencyMember,
			Doc: &httpx.Doc{Summary: "Change some fields of a member", Tag: tag, Request: "EmergencyMemberInput", Response: "EmergencyMember"}},
		{Method: "DELETE", Pattern: "/api/v1/emergency/members/{id}", Handler: h.deleteEmergencyMember,
			Doc: &httpx.Doc{Summary: "Remove a member and their shifts", Tag: tag, Status: 204}},
		{Method: "GET", Pattern: "/api/v1/emergency/shifts", Handler: h.listShifts,
			Doc: &httpx.Doc{Summary: "Shifts overlapping [from, to) (RFC 3339; default the next 7 days)", Tag: tag, Response: "EmergencyShifts", Query: []string{"from", "to"}}},
		{Method: "POST", Pattern: "/api/v1/emergency/shifts", Handler: h.createShift,
			Doc: &httpx.Doc{Summary: "Put a member on the duty roster", Tag: tag, Request: "EmergencyShiftInput", Response: "EmergencyShift", Status: 201}},
		{Method: "DELETE", Pattern: "/api/v1/emergency/shifts/{id}", Handler: h.deleteShift,
			Doc: &httpx.Doc{Summary: "Take a shift off the roster", Tag: tag, Status: 204}},
		{Method: "GET", Pattern: "/api/v1/emergency/on-duty", Handler: h.onDuty,
			Doc: &httpx.Doc{Summary: "Who is on duty at a moment (at: RFC 3339, default now)", Tag: tag, Response: "EmergencyOnDuty", Query: []string{"at"}}},
	}
}

func init() {
	registerSchema("EmergencyGroups", EmergencyGroups{})
	registerSchema("EmergencyUnit", emergency.Unit{})
	registerSchema("EmergencyUnitInput", unitInput{})
	registerSchema("EmergencyMember", emergency.Member{})
	registerSchema("EmergencyMemberInput", memberInput{})
	registerSchema("EmergencyShift", emergency.Shift{})
	registerSchema("EmergencyShiftInput", shiftInput{})
	registerSchema("EmergencyShifts", EmergencyShifts{})
	registerSchema("EmergencyOnDuty", EmergencyOnDuty{})
}

// EmergencyGroups is the whole organisation: the fixed groups first (id 0
// until first edited), then the support units.
type EmergencyGroups struct {
	Items []emergency.Unit `json:"items"`
}

// EmergencyShifts is a stretch of the roster.
type EmergencyShifts struct {
	From  time.Time         `json:"from"`
	To    time.Time         `json:"to"`
	Items []emergency.Shift `json:"items"`
}

// EmergencyOnDuty is who is on duty at At, 值班长 first.
type EmergencyOnDuty struct {
	At    time.Time          `json:"at"`
	Items []emergency.Member `json:"items"`
}

func (h *API) emergencyGroups(w http.ResponseWriter, r *http.Request) {
	units, err := h.App.Emergency.Organisation(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, EmergencyGroups{Items: units})
}

// unitInput is the writable part of a group; absent fields keep their value
// on PATCH.
type unitInput struct {
	Name      *string `json:"name"`
	Category  *string `json:"category"`
	Location  *string `json:"location"`
	Duties    *string `json:"duties"`
	SortOrder *int    `json:"sort_order"`
}

func (in unitInput) apply(u *emergency.Unit) {
	for _, p := range []struct{ dst, src *string }{{&u.Name, in.Name}, {&u.Category, in.Category}, {&u.Location, in.Location}, {&u.Duties, in.Duties}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if in.SortOrder != nil {
		u.SortOrder = *in.SortOrder
	}
}

// saveEmergencyGroup writes a fixed group's details: PUT, so absent fields
// are emptied (the group exists whether or not it was ever edited).
func (h *API) saveEmergencyGroup(w http.ResponseWriter, r *http.Request) {
	var in unitInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var u emergency.Unit
	in.apply(&u)
	out, err := h.App.Emergency.SaveGroup(r.Context(), r.PathValue("kind"), u)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *API) createEmergencyUnit(w http.ResponseWriter, r *http.Request) {
	var in unitInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var u emergency.Unit
	in.apply(&u)
	out, err := h.App.Emergency.CreateUnit(r.Context(), u)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/emergency/units/"+strconv.FormatInt(out.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (h *API) patchEmergencyUnit(w http.ResponseWriter, r *http.Request) {
	patchByID(w, r, auth.PermEmergencyManage, h.App.Emergency.GetUnit, unitInput.apply, h.App.Emergency.UpdateUnit)
}

func (h *API) deleteEmergencyUnit(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.Emergency.DeleteUnit)
}

// memberInput is the writable part of a member; absent fields keep their
// value on PATCH.
type memberInput struct {
	Group     *string `json:"group"`
	UnitID    *int64  `json:"unit_id"`
	UserID    *int64  `json:"user_id"`
	Name      *string `json:"name"`
	Position  *string `json:"position"`
	Title     *string `json:"title"`
	Phone     *string `json:"phone"`
	Email     *string `json:"email"`
	IM        *string `json:"im"`
	Notes     *string `json:"notes"`
	SortOrder *int    `json:"sort_order"`
}

func (in memberInput) apply(m *emergency.Member) {
	for _, p := range []struct{ dst, src *string }{{&m.Group, in.Group}, {&m.Name, in.Name}, {&m.Position, in.Position},
		{&m.Title, in.Title}, {&m.Phone, in.Phone}, {&m.Email, in.Email}, {&m.IM, in.IM}, {&m.Notes, in.Notes}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if in.UnitID != nil {
		m.UnitID = *in.UnitID
	}
	if in.UserID != nil {
		m.UserID = *in.UserID
	}
	if in.SortOrder != nil {
		m.SortOrder = *in.SortOrder
	}
}

func (h *API) createEmergencyMember(w http.ResponseWriter, r *http.Request) {
	var in memberInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var m emergency.Member
	in.apply(&m)
	out, err := h.App.Emergency.CreateMember(r.Context(), m)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/emergency/members/"+strconv.FormatInt(out.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (h *API) patchEmergencyMember(w http.ResponseWriter, r *http.Request) {
	patchByID(w, r, auth.PermEmergencyManage, h.App.Emergency.GetMember, memberInput.apply, h.App.Emergency.UpdateMember)
}

func (h *API) deleteEmergencyMember(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.Emergency.DeleteMember)
}

// shiftInput is a new shift; times are RFC 3339.
type shiftInput struct {
	MemberID int64     `json:"member_id"`
	DutyRole string    `json:"duty_role"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Contact  string    `json:"contact"`
	Notes    string    `json:"notes"`
}

// queryTime reads an RFC 3339 query parameter, def when absent.
func queryTime(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, apperr.Fields([]apperr.FieldError{{Field: name, Key: "err.emergency_bad_time"}})
	}
	return t, nil
}

func (h *API) listShifts(w http.ResponseWriter, r *http.Request) {
	now := h.App.Clock.Now()
	from, err := queryTime(r, "from", now)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	to, err := queryTime(r, "to", from.Add(7*24*time.Hour))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	items, err := h.App.Emergency.Shifts(r.Context(), from, to)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, EmergencyShifts{From: from.UTC(), To: to.UTC(), Items: items})
}

func (h *API) createShift(w http.ResponseWriter, r *http.Request) {
	var in shiftInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out, err := h.App.Emergency.CreateShift(r.Context(), emergency.Shift{MemberID: in.MemberID, DutyRole: in.DutyRole,
		StartsAt: in.StartsAt, EndsAt: in.EndsAt, Contact: in.Contact, Notes: in.Notes})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/emergency/shifts/"+strconv.FormatInt(out.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (h *API) deleteShift(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.App.Emergency.DeleteShift(r.Context(), id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *API) onDuty(w http.ResponseWriter, r *http.Request) {
	at, err := queryTime(r, "at", h.App.Clock.Now())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	items, err := h.App.Emergency.OnDuty(r.Context(), at)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, EmergencyOnDuty{At: at.UTC(), Items: items})
}
