package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
)

// The on-duty roster (值班表): a week at a time, with who is on duty now,
// each day's gaps and overlaps, and forms to add and remove shifts.
func (u *UI) emergencyDutyRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/emergency/duty", Handler: u.dutyWeek},
		{Method: "GET", Pattern: "/emergency/duty/shifts/new", Handler: u.shiftNew},
		{Method: "POST", Pattern: "/emergency/duty/shifts", Handler: u.shiftCreate},
		{Method: "GET", Pattern: "/emergency/duty/shifts/{id}/edit", Handler: u.shiftEdit},
		{Method: "POST", Pattern: "/emergency/duty/shifts/{id}", Handler: u.shiftUpdate},
		{Method: "POST", Pattern: "/emergency/duty/shifts/{id}/delete", Handler: u.shiftDelete},
	}
}

const (
	dayLayout   = "2006-01-02"
	localLayout = "2006-01-02T15:04" // <input type="datetime-local">
)

type shiftView struct {
	ID       int64
	Member   string
	DutyRole string
	Time     string
	Contact  string
	Notes    string
}

type dayView struct {
	Date     string // 2026-11-25
	Weekday  string // catalogue key
	Today    bool
	Shifts   []shiftView
	Gaps     []string
	Overlaps []string
}

type dutyData struct {
	Week     string
	Prev     string
	Next     string
	ThisWeek string
	Days     []dayView
	OnDuty   []emergency.Member
	Now      string
}

// clockRange shows [from, to) in loc, with the date when it is not day's.
func clockRange(from, to time.Time, day time.Time, loc *time.Location) string {
	f := func(t time.Time) string {
		t = t.In(loc)
		if t.Equal(day.AddDate(0, 0, 1)) {
			return "24:00"
		}
		if t.Year() != day.Year() || t.YearDay() != day.YearDay() {
			return t.Format("01-02 15:04")
		}
		return t.Format("15:04")
	}
	return f(from) + "–" + f(to)
}

func (u *UI) dutyWeek(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	loc := u.location()
	now := u.App.Clock.Now()
	at := now
	if s := r.URL.Query().Get("week"); s != "" {
		d, err := time.ParseInLocation(dayLayout, s, loc)
		if err != nil {
			u.fail(w, r, apperr.Fields([]apperr.FieldError{{Field: "week", Key: "err.emergency_bad_time"}}))
			return
		}
		at = d
	}
	week, err := u.App.Emergency.Week(ctx, at, loc)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	onDuty, err := u.App.Emergency.OnDuty(ctx, now)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "emergency", nil)
	t := func(k string, a ...any) string { return i18n.T(v.Lang, k, a...) }
	d := dutyData{
		Week: week.Start.Format(dayLayout), Prev: week.Start.AddDate(0, 0, -7).Format(dayLayout),
		Next: week.Start.AddDate(0, 0, 7).Format(dayLayout), ThisWeek: emergency.WeekStart(now, loc).Format(dayLayout),
		OnDuty: onDuty, Now: now.In(loc).Format("2006-01-02 15:04"),
	}
	today := now.In(loc).Format(dayLayout)
	for _, day := range week.Days {
		dv := dayView{Date: day.Date.Format(dayLayout), Weekday: "emergency.weekday." + strconv.Itoa(int(day.Date.Weekday()))}
		dv.Today = dv.Date == today
		for _, sh := range day.Shifts {
			dv.Shifts = append(dv.Shifts, shiftView{ID: sh.ID, Member: sh.Member, DutyRole: "emergency.duty_role." + sh.DutyRole,
				Time: clockRange(sh.StartsAt, sh.EndsAt, day.Date, loc), Contact: sh.Contact, Notes: sh.Notes})
		}
		for _, g := range day.Gaps {
			dv.Gaps = append(dv.Gaps, clockRange(g.From, g.To, day.Date, loc))
		}
		for _, o := range day.Overlaps {
			dv.Overlaps = append(dv.Overlaps, t("emergency.duty.overlap_line", clockRange(o.From, o.To, day.Date, loc),
				t("emergency.duty_role."+o.DutyRole), strings.Join(o.Names, t("emergency.list_sep"))))
		}
		d.Days = append(d.Days, dv)
	}
	v.Data = d
	v.Title = t("emergency.duty.title")
	u.render(w, r, http.StatusOK, "emergency_duty", v)
}

type shiftFormData struct {
	ID        int64
	Action    string
	Members   []emergency.Member
	MemberID  int64
	DutyRole  string
	StartsAt  string
	EndsAt    string
	Contact   string
	Notes     string
	DutyRoles []string
}

func (u *UI) renderShiftForm(w http.ResponseWriter, r *http.Request, status int, d shiftFormData, err error) {
	units, uerr := u.App.Emergency.Organisation(r.Context())
	if uerr != nil {
		u.fail(w, r, uerr)
		return
	}
	for _, un := range units {
		d.Members = append(d.Members, un.Members...)
	}
	d.DutyRoles = emergency.DutyRoles
	d.Action = "/emergency/duty/shifts"
	if d.ID != 0 {
		d.Action += "/" + strconv.FormatInt(d.ID, 10)
	}
	v := u.view(r, "emergency", d)
	v.Title = i18n.T(v.Lang, "emergency.shift.new")
	if d.ID != 0 {
		v.Title = i18n.T(v.Lang, "emergency.shift.edit")
	}
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "emergency_shift_form", v)
}

func (u *UI) shiftNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	loc := u.location()
	day := u.App.Clock.Now().In(loc)
	if s := r.URL.Query().Get("date"); s != "" {
		if d, err := time.ParseInLocation(dayLayout, s, loc); err == nil {
			day = d
		}
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc)
	u.renderShiftForm(w, r, http.StatusOK, shiftFormData{DutyRole: emergency.DutyStaff,
		StartsAt: start.Format(localLayout), EndsAt: start.Add(12 * time.Hour).Format(localLayout)}, nil)
}

// shiftFromForm reads the shift form: what to show again on an error, and
// the shift with its times read in the configured zone.
func (u *UI) shiftFromForm(r *http.Request) (shiftFormData, emergency.Shift, error) {
	loc := u.location()
	d := shiftFormData{DutyRole: r.PostFormValue("duty_role"), StartsAt: r.PostFormValue("starts_at"),
		EndsAt: r.PostFormValue("ends_at"), Contact: r.PostFormValue("contact"), Notes: r.PostFormValue("notes")}
	d.MemberID, _ = strconv.ParseInt(r.PostFormValue("member_id"), 10, 64)
	in := emergency.Shift{MemberID: d.MemberID, DutyRole: d.DutyRole, Contact: d.Contact, Notes: d.Notes}
	c := &apperr.Collector{}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"starts_at", &in.StartsAt}, {"ends_at", &in.EndsAt}} {
		s := r.PostFormValue(f.name)
		if s == "" {
			continue // the service says it is required
		}
		t, err := time.ParseInLocation(localLayout, s, loc)
		if err != nil {
			c.Add(f.name, "err.emergency_bad_time")
		}
		*f.dst = t
	}
	return d, in, c.Err()
}

func (u *UI) shiftCreate(w http.ResponseWriter, r *http.Request) {
	d, in, err := u.shiftFromForm(r)
	if err == nil {
		_, err = u.App.Emergency.CreateShift(r.Context(), in)
	}
	u.shiftSaved(w, r, d, in, err)
}

// shiftSaved answers a shift form: the form again with its errors, or the
// week of the shift.
func (u *UI) shiftSaved(w http.ResponseWriter, r *http.Request, d shiftFormData, in emergency.Shift, err error) {
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderShiftForm(w, r, 0, d, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency/duty?week="+emergency.WeekStart(in.StartsAt, u.location()).Format(dayLayout), "flash.saved")
}

func (u *UI) shiftEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	sh, err := u.App.Emergency.GetShift(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	loc := u.location()
	u.renderShiftForm(w, r, http.StatusOK, shiftFormData{ID: id, MemberID: sh.MemberID, DutyRole: sh.DutyRole,
		StartsAt: sh.StartsAt.In(loc).Format(localLayout), EndsAt: sh.EndsAt.In(loc).Format(localLayout),
		Contact: sh.Contact, Notes: sh.Notes}, nil)
}

func (u *UI) shiftUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, in, err := u.shiftFromForm(r)
	d.ID = id
	if err == nil {
		_, err = u.App.Emergency.UpdateShift(r.Context(), id, in)
	}
	u.shiftSaved(w, r, d, in, err)
}

func (u *UI) shiftDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.Emergency.DeleteShift(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	target := "/emergency/duty"
	if wk := r.PostFormValue("week"); wk != "" {
		if _, err := time.Parse(dayLayout, wk); err == nil {
			target += "?week=" + wk
		}
	}
	redirect(w, r, target, "flash.deleted")
}
