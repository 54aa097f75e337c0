package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/workflow"
)

func (u *UI) lifecycleRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/incidents/{id}/response", Handler: u.response},
		{Method: "GET", Pattern: "/incidents/{id}/flow.svg", Handler: u.flowSVG},
		{Method: "POST", Pattern: "/incidents/{id}/plans", Handler: u.planDraft},
		{Method: "POST", Pattern: "/incidents/{id}/plans/{pid}/submit", Handler: u.planSubmit},
		{Method: "POST", Pattern: "/incidents/{id}/plans/{pid}/executed", Handler: u.planExecuted},
		{Method: "POST", Pattern: "/incidents/{id}/plans/{pid}/effect", Handler: u.planEffect},
		{Method: "POST", Pattern: "/incidents/{id}/transition", Handler: u.transition},
		{Method: "POST", Pattern: "/incidents/{id}/exception", Handler: u.exception},
		{Method: "POST", Pattern: "/incidents/{id}/reopen", Handler: u.reopen},
		{Method: "GET", Pattern: "/incidents/{id}/timeline", Handler: u.timeline},
		{Method: "POST", Pattern: "/incidents/{id}/timeline", Handler: u.timelineAdd},
		{Method: "POST", Pattern: "/incident-approvers", Handler: u.setApprovers},
		// The approval inbox links a plan by its own id.
		{Method: "GET", Pattern: "/incident-plans/{id}", Handler: u.planLink},
	}
}

// responseData is what the response page shows.
type responseData struct {
	Incident  incident.Incident
	Round     int
	Plan      *incident.Plan   // the current phase's latest plan, this round
	Earlier   []incident.Plan  // the phase's other plans, this round
	NeedsPlan bool             // the phase has plans
	Missing   string           // what the phase lacks, a catalogue key
	Next      incident.Phase   // the phase a transition goes to
	Later     []incident.Phase // the targets of an exception
	Approvals []workflow.Item  // the approvals of the phase's plans
	Approvers map[incident.Phase][]auth.Role
	Effects   []string
	Roles     []auth.Role // roles that may approve plans
	PlanPhase []incident.Phase
	Draft     map[string]string // the draft form's text by field
	// Exceptions are leadership's decisions on this incident, shown
	// where the phases are, not only on the timeline.
	Exceptions []incident.Event
	// Tasks are the phases' tasks and the playbooks (incident_tasks.go).
	Tasks *incidentTasksView
}

func (u *UI) loadResponse(r *http.Request, id int64) (responseData, error) {
	ctx := r.Context()
	l := u.App.Lifecycle
	var d responseData
	var err error
	if d.Incident, err = u.App.Incidents.Get(ctx, id); err != nil {
		return d, err
	}
	if d.Round, err = l.Round(ctx, id); err != nil {
		return d, err
	}
	plans, err := l.Plans(ctx, id)
	if err != nil {
		return d, err
	}
	if d.Approvers, err = l.Approvers(ctx); err != nil {
		return d, err
	}
	ph := d.Incident.Phase
	d.NeedsPlan = incident.NeedsPlan(ph)
	d.Missing = incident.Missing(plans, ph, d.Round)
	for _, p := range plans {
		if p.Phase != ph || p.Round != d.Round {
			continue
		}
		if d.Plan != nil {
			d.Earlier = append(d.Earlier, *d.Plan)
		}
		p := p
		d.Plan = &p
		items, err := u.App.Approvals.Box(ctx, incident.PlanObject, strconv.FormatInt(p.ID, 10))
		if err != nil {
			return d, err
		}
		for k := range items {
			// The plan's author is refused as decider (a rule of the
			// lifecycle), so is not offered the buttons either.
			if a := auth.FromContext(ctx); a != nil && a.UserID == p.AuthorID {
				items[k].CanDecide = false
			}
		}
		d.Approvals = append(d.Approvals, items...)
	}
	if d.Plan != nil && d.Plan.Status == incident.PlanDraft {
		d.Draft = draftText(incident.PlanInput{Measures: d.Plan.Measures, Scope: d.Plan.Scope, Risks: d.Plan.Risks, Resources: d.Plan.Resources})
	}
	if k := slices.Index(incident.Phases, ph); k >= 0 && k < len(incident.Phases)-1 {
		d.Next = incident.Phases[k+1]
		d.Later = incident.Phases[k+1:]
	}
	d.Effects, d.PlanPhase = incident.Effects, incident.PlanPhases
	events, err := l.Timeline(ctx, id)
	if err != nil {
		return d, err
	}
	for _, ev := range events {
		if ev.Action == "incident.exception" {
			d.Exceptions = append(d.Exceptions, ev)
		}
	}
	for _, role := range auth.OrgRoles {
		if auth.RoleCan(role, auth.PermApprovalDecide) {
			d.Roles = append(d.Roles, role)
		}
	}
	if d.Tasks, err = u.loadIncidentTasks(r, d.Incident); err != nil {
		return d, err
	}
	return d, nil
}

func draftText(in incident.PlanInput) map[string]string {
	return map[string]string{"measures": in.Measures, "scope": in.Scope, "risks": in.Risks, "resources": in.Resources}
}

func (u *UI) renderResponse(w http.ResponseWriter, r *http.Request, id int64, status int, draft *incident.PlanInput, err error) {
	d, lerr := u.loadResponse(r, id)
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	if draft != nil {
		d.Draft = draftText(*draft)
	}
	v := u.view(r, "incidents", d)
	v.Title = d.Incident.Number + " " + i18n.T(v.Lang, "lifecycle.title")
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "incident_response", v)
}

func (u *UI) response(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderResponse(w, r, id, http.StatusOK, nil, nil)
}

func (u *UI) flowSVG(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ctx := r.Context()
	i, err := u.App.Incidents.Get(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	round, err := u.App.Lifecycle.Round(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	plans, err := u.App.Lifecycle.Plans(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ap, err := u.App.Lifecycle.Approvers(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	var b bytes.Buffer
	flow := incident.FlowOf(i.Phase, round, plans, ap)
	if err := u.activationWait(r, i, &flow); err != nil {
		u.fail(w, r, err)
		return
	}
	if err := flow.SVG(&b, func(k string, a ...any) string { return i18n.T(lang, k, a...) }); err != nil {
		u.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(b.Bytes())
}

// after runs a lifecycle step from a form: back to the response page, or
// the page again with the error.
func (u *UI) after(w http.ResponseWriter, r *http.Request, id int64, draft *incident.PlanInput, err error) {
	if err != nil {
		u.renderResponse(w, r, id, http.StatusBadRequest, draft, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10)+"/response", "flash.saved")
}

// step keeps a forbidden or unknown target from rendering the
// response page (which the caller may not read).
func (u *UI) step(w http.ResponseWriter, r *http.Request, id int64, draft *incident.PlanInput, err error) {
	if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Forbidden || ae.Code == apperr.NotFound) {
		u.fail(w, r, err)
		return
	}
	u.after(w, r, id, draft, err)
}

func planIDs(r *http.Request) (int64, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	pid, err := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	if err != nil {
		return 0, 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, pid, nil
}

func (u *UI) planDraft(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := incident.PlanInput{Measures: r.PostFormValue("measures"), Scope: r.PostFormValue("scope"),
		Risks: r.PostFormValue("risks"), Resources: r.PostFormValue("resources")}
	_, err = u.App.Lifecycle.Draft(r.Context(), id, in)
	u.step(w, r, id, &in, err)
}

func (u *UI) planSubmit(w http.ResponseWriter, r *http.Request) {
	id, pid, err := planIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Lifecycle.Submit(r.Context(), id, pid)
	u.step(w, r, id, nil, err)
}

func (u *UI) planExecuted(w http.ResponseWriter, r *http.Request) {
	id, pid, err := planIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Lifecycle.Executed(r.Context(), id, pid, r.PostFormValue("notes"))
	u.step(w, r, id, nil, err)
}

func (u *UI) planEffect(w http.ResponseWriter, r *http.Request) {
	id, pid, err := planIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Lifecycle.Judge(r.Context(), id, pid, r.PostFormValue("effect"), r.PostFormValue("notes"))
	u.step(w, r, id, nil, err)
}

func (u *UI) transition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Lifecycle.Transition(r.Context(), id, incident.Phase(r.PostFormValue("to")), r.PostFormValue("reason"))
	u.step(w, r, id, nil, err)
}

func (u *UI) exception(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Lifecycle.Exception(r.Context(), id, incident.Phase(r.PostFormValue("to")), r.PostFormValue("reason"))
	u.step(w, r, id, nil, err)
}

func (u *UI) reopen(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Lifecycle.Reopen(r.Context(), id, r.PostFormValue("reason"))
	u.step(w, r, id, nil, err)
}

func (u *UI) setApprovers(w http.ResponseWriter, r *http.Request) {
	phase := incident.Phase(r.PostFormValue("phase")) // parses the form
	var roles []auth.Role
	for _, s := range r.PostForm["roles"] {
		roles = append(roles, auth.Role(s))
	}
	err := u.App.Lifecycle.SetApprovers(r.Context(), phase, roles)
	back := r.PostFormValue("incident")
	if _, perr := strconv.ParseInt(back, 10, 64); perr != nil || err != nil {
		if err == nil {
			redirect(w, r, "/incidents", "flash.saved")
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+back+"/response", "flash.saved")
}

func (u *UI) planLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	inc, err := u.App.Lifecycle.PlanIncident(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(inc, 10)+"/response", "")
}

// timelineData is what the timeline page shows.
type timelineData struct {
	Incident incident.Incident
	Events   []incident.Event
	Body     string
	At       string
}

func (u *UI) renderTimeline(w http.ResponseWriter, r *http.Request, id int64, status int, d timelineData, err error) {
	ctx := r.Context()
	var lerr error
	if d.Incident, lerr = u.App.Incidents.Get(ctx, id); lerr == nil {
		d.Events, lerr = u.App.Lifecycle.Timeline(ctx, id)
	}
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	v := u.view(r, "incidents", d)
	v.Title = d.Incident.Number + " " + i18n.T(v.Lang, "lifecycle.timeline.title")
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "incident_timeline", v)
}

func (u *UI) timeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderTimeline(w, r, id, http.StatusOK, timelineData{}, nil)
}

// timelineAdd adds a manual entry (happened_at from a datetime-local field,
// in the installation's time zone as the other incident forms) or a comment.
func (u *UI) timelineAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := incident.EntryInput{Kind: r.PostFormValue("kind"), Body: r.PostFormValue("body")}
	d := timelineData{Body: in.Body, At: r.PostFormValue("happened_at")}
	if d.At != "" {
		t, perr := time.ParseInLocation(localLayout, d.At, u.location())
		if perr != nil {
			u.renderTimeline(w, r, id, http.StatusBadRequest, d,
				apperr.Fields([]apperr.FieldError{{Field: "happened_at", Key: "err.incident_time_format"}}))
			return
		}
		in.HappenedAt = t
	}
	if _, err := u.App.Lifecycle.AddEntry(r.Context(), id, in); err != nil {
		if ae := apperr.As(err); ae != nil && (ae.Code == apperr.Forbidden || ae.Code == apperr.NotFound) {
			u.fail(w, r, err)
			return
		}
		u.renderTimeline(w, r, id, http.StatusBadRequest, d, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10)+"/timeline", "flash.saved")
}
