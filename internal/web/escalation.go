package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/report"
	"bulwark/internal/workflow"
)

func (u *UI) escalationRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "POST", Pattern: "/incidents/{id}/activation", Handler: u.activationRequest},
		{Method: "GET", Pattern: "/incidents/{id}/regulator-reports/new", Handler: u.reportNew},
		{Method: "POST", Pattern: "/incidents/{id}/regulator-reports", Handler: u.reportSubmit},
		{Method: "GET", Pattern: "/incidents/{id}/regulator-reports/{rid}", Handler: u.reportHTML},
		{Method: "GET", Pattern: "/incidents/{id}/regulator-reports/{rid}/docx", Handler: u.reportDOCX},
	}
}

// escalationView is what the incident page shows of escalation and of the
// reports to the regulator.
type escalationView struct {
	Activation incident.Activation
	Approvals  []workflow.Item
	OnDuty     []emergency.Member
	Leaders    []emergency.Member
	Reports    []incident.RegulatorReport
	Deadlines  []deadlineRow
	// Which report forms the incident owes now.
	First, Supplementary, Summary bool
}

// deadlineRow is one reporting deadline in words.
type deadlineRow struct {
	Kind    string
	DueAt   time.Time
	State   string
	Overdue bool
}

func (u *UI) loadEscalation(r *http.Request, i incident.Incident) (escalationView, error) {
	ctx := r.Context()
	lang := httpx.Lang(r)
	x := u.App.Escalation
	var v escalationView
	var err error
	if v.Activation, err = x.Activation(ctx, i.ID); err != nil {
		return v, err
	}
	if v.Approvals, err = u.App.Approvals.Box(ctx, incident.ActivationObject, strconv.FormatInt(i.ID, 10)); err != nil {
		return v, err
	}
	if v.Activation.WorkingGroup {
		if v.OnDuty, err = u.App.Emergency.OnDuty(ctx, u.App.Clock.Now()); err != nil {
			return v, err
		}
	}
	if v.Activation.Required || v.Activation.Status != incident.ActivationNotRequired {
		if v.Leaders, err = u.App.Emergency.Members(ctx, emergency.GroupLeadership); err != nil {
			return v, err
		}
	}
	if v.Reports, err = x.Reports(ctx, i.ID); err != nil {
		return v, err
	}
	ds, err := x.ReportDeadlines(ctx, i.ID)
	if err != nil {
		return v, err
	}
	now := u.App.Clock.Now()
	for _, d := range ds {
		row := deadlineRow{Kind: d.Kind, DueAt: d.DueAt, Overdue: d.Overdue(now)}
		switch {
		case !d.MetAt.IsZero() && d.Overdue(now):
			row.State = i18n.T(lang, "escalation.deadline.met_late", d.MetAt.In(u.location()).Format("2006-01-02 15:04"))
		case !d.MetAt.IsZero():
			row.State = i18n.T(lang, "escalation.deadline.met_on", d.MetAt.In(u.location()).Format("2006-01-02 15:04"))
		case d.Overdue(now):
			row.State = i18n.T(lang, "incident.report.overdue_by", durText(lang, now.Sub(d.DueAt)))
		default:
			row.State = i18n.T(lang, "incident.report.left", durText(lang, d.DueAt.Sub(now)))
		}
		v.Deadlines = append(v.Deadlines, row)
	}
	v.First = i.ReportDueAt != nil && i.ReportedAt == nil
	v.Supplementary = i.ReportedAt != nil
	v.Summary = i.SummaryDueAt != nil && i.SummaryReportedAt == nil
	return v, nil
}

// activationWait makes the response flow of a grade I-II incident in
// detection wait on the leadership group while its plan activation is
// pending (the seed's 上报应急领导小组 step).
func (u *UI) activationWait(r *http.Request, i incident.Incident, f *incident.Flow) error {
	a, err := u.App.Escalation.Activation(r.Context(), i.ID)
	if err != nil {
		return err
	}
	if i.Phase == incident.PhaseDetection && a.Required && a.Status == workflow.StatusPending {
		f.WaitsOn, f.Approval = incident.ActivationRoles, true
	}
	return nil
}

func (u *UI) activationRequest(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = u.App.Escalation.RequestActivation(r.Context(), id, r.PostFormValue("note"))
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10)+"#escalation", "flash.activation_requested")
}

// reportFormData is the report form's state: the values as typed (or as
// prefilled) by field name.
type reportFormData struct {
	Incident  incident.Incident
	Kind      string
	Fields    []reportFieldView
	Recipient string
	SentAt    string // datetime-local
	Partial   bool
	Followup  string // datetime-local
	Sections  []int
}

// reportFieldView is one item of the form with its label, help and value.
type reportFieldView struct {
	incident.ReportField
	Name, ID, Label, Help, Value string
}

func (u *UI) reportForm(r *http.Request, i incident.Incident, in incident.ReportInput) reportFormData {
	lang := httpx.Lang(r)
	d := reportFormData{Incident: i, Kind: in.Kind, Recipient: in.Recipient, Partial: in.Partial, Sections: incident.Sections}
	if !in.SentAt.IsZero() {
		d.SentAt = in.SentAt.In(u.location()).Format(localLayout)
	}
	if !in.FollowupDueAt.IsZero() {
		d.Followup = in.FollowupDueAt.In(u.location()).Format(localLayout)
	}
	for _, f := range incident.FieldsFor(in.Kind, i.Category, in.Fields) {
		d.Fields = append(d.Fields, reportFieldView{ReportField: f, Name: "fields." + f.Key, ID: "field-" + f.Key,
			Label: i18n.T(lang, "escalation.field."+f.Key), Help: f.Help(lang), Value: in.Fields[f.Key]})
	}
	return d
}

func (u *UI) renderReportForm(w http.ResponseWriter, r *http.Request, status int, d reportFormData, err error) {
	v := u.view(r, "incidents", d)
	v.Title = i18n.T(v.Lang, "escalation.kind."+d.Kind) + " " + d.Incident.Number
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "regulator_report_form", v)
}

func (u *UI) reportNew(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in incident.ReportInput
	if err == nil {
		in, err = u.App.Escalation.Prefill(r.Context(), id, r.URL.Query().Get("kind"))
	}
	var i incident.Incident
	if err == nil {
		i, err = u.App.Incidents.Get(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderReportForm(w, r, http.StatusOK, u.reportForm(r, i, in), nil)
}

// reportFromForm reads the form; times that do not parse are field errors.
func (u *UI) reportFromForm(r *http.Request) (incident.ReportInput, *apperr.Collector) {
	in := incident.ReportInput{Kind: r.PostFormValue("kind"), Recipient: r.PostFormValue("recipient"),
		Partial: r.PostFormValue("partial") != "", Fields: map[string]string{}}
	var c apperr.Collector
	for name, vals := range r.PostForm {
		if key, ok := strings.CutPrefix(name, "fields."); ok && len(vals) > 0 {
			in.Fields[key] = vals[0]
		}
	}
	for _, t := range []struct {
		field string
		dst   *time.Time
	}{{"sent_at", &in.SentAt}, {"followup_due_at", &in.FollowupDueAt}} {
		s := strings.TrimSpace(r.PostFormValue(t.field))
		if s == "" {
			continue
		}
		v, err := time.ParseInLocation(localLayout, s, u.location())
		if err != nil {
			c.Add(t.field, "err.incident_time_local")
			continue
		}
		*t.dst = v
	}
	return in, &c
}

func (u *UI) reportSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentReport); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	var i incident.Incident
	if err == nil {
		i, err = u.App.Incidents.Get(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in, c := u.reportFromForm(r)
	keep := func(err error) {
		// The form comes back with everything typed, times as typed.
		d := u.reportForm(r, i, in)
		if !slices.Contains(incident.ReportKinds, d.Kind) {
			u.fail(w, r, err)
			return
		}
		d.SentAt, d.Followup = r.PostFormValue("sent_at"), r.PostFormValue("followup_due_at")
		u.renderReportForm(w, r, 0, d, err)
	}
	if err := c.Err(); err != nil {
		keep(err)
		return
	}
	if _, err := u.App.Escalation.Submit(r.Context(), id, in); err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			keep(err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10)+"#regulator-reports", "flash.regulator_report_submitted")
}

func reportIDs(r *http.Request) (int64, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	rid, err := strconv.ParseInt(r.PathValue("rid"), 10, 64)
	if err != nil {
		return 0, 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, rid, nil
}

func (u *UI) reportDocument(w http.ResponseWriter, r *http.Request, format string) {
	id, rid, err := reportIDs(r)
	var doc report.Document
	if err == nil {
		doc, _, _, err = u.App.Escalation.Document(r.Context(), id, rid, httpx.Lang(r))
	}
	if err == nil {
		err = httpx.ServeReport(w, doc, format)
	}
	if err != nil {
		u.fail(w, r, err)
	}
}

func (u *UI) reportHTML(w http.ResponseWriter, r *http.Request) { u.reportDocument(w, r, "html") }
func (u *UI) reportDOCX(w http.ResponseWriter, r *http.Request) { u.reportDocument(w, r, "docx") }
