package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/playbook"
	"bulwark/internal/task"
)

// The tasks of an incident's phases and its playbooks live on the response
// page (the "incident_tasks" partial); their forms post here and come
// back to it.
func (u *UI) incidentTaskRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "POST", Pattern: "/incidents/{id}/tasks", Handler: u.incidentTaskAdd},
		{Method: "POST", Pattern: "/incidents/{id}/tasks/{tid}", Handler: u.incidentTaskUpdate},
		{Method: "POST", Pattern: "/incidents/{id}/playbooks", Handler: u.incidentPlaybookApply},
	}
}

// taskRow is a task as the response page shows it.
type incidentTaskRow struct {
	playbook.IncidentTask
	DueLocal string // the due date as the form's datetime-local value
	Mine     bool   // the caller is the assignee
}

// phaseTasks are one phase's tasks; Phase "" holds the tasks whose group
// is no phase (made through the generic task API).
type phaseTasks struct {
	Phase   incident.Phase
	Current bool
	Tasks   []incidentTaskRow
}

// taskForm is a task form's text as posted, shown again after an error.
type taskForm struct {
	Phase, Title, Notes, Assignee, Due, Status string
}

// incidentTasksView is what the partial shows.
type incidentTasksView struct {
	Phases     []phaseTasks
	Count      int
	Assignees  []task.Assignee
	Statuses   []task.Status
	StepPhases []incident.Phase
	Open       bool
	Form       taskForm // the add form
	EditID     int64    // the task whose update failed
	Edit       taskForm
	// Suggest is nil for callers who may not read playbooks.
	Suggest *playbook.Suggestions
	Others  []playbook.Playbook // enabled playbooks not yet applied, not suggested
	Applied map[string]bool
}

// loadIncidentTasks reads the partial's data; nil when the caller may not
// read tasks.
func (u *UI) loadIncidentTasks(r *http.Request, inc incident.Incident) (*incidentTasksView, error) {
	ctx := r.Context()
	actor := auth.FromContext(ctx)
	if !actor.Can(auth.PermTaskRead) {
		return nil, nil
	}
	list, err := u.App.Playbooks.IncidentTasks(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	v := &incidentTasksView{Statuses: task.Statuses, StepPhases: playbook.StepPhases, Open: inc.Open(), Count: len(list),
		Form: taskForm{Phase: string(inc.Phase)}, Applied: map[string]bool{}}
	if !inc.Open() {
		v.Form.Phase = string(incident.PhaseSummary)
	}
	if v.Assignees, err = u.App.Tasks.Assignees(ctx); err != nil {
		return nil, err
	}
	byPhase := map[incident.Phase][]incidentTaskRow{}
	for _, t := range list {
		row := incidentTaskRow{IncidentTask: t, Mine: t.AssigneeID != 0 && t.AssigneeID == actor.UserID}
		if !t.DueAt.IsZero() {
			row.DueLocal = t.DueAt.In(u.location()).Format(localLayout)
		}
		ph := t.Phase
		if !playbook.ValidPhase(ph) {
			ph = ""
		}
		byPhase[ph] = append(byPhase[ph], row)
	}
	for _, ph := range playbook.StepPhases {
		v.Phases = append(v.Phases, phaseTasks{Phase: ph, Current: ph == inc.Phase, Tasks: byPhase[ph]})
	}
	if other := byPhase[""]; len(other) > 0 {
		v.Phases = append(v.Phases, phaseTasks{Tasks: other})
	}
	if actor.Can(auth.PermPlaybookRead) {
		s, err := u.App.Playbooks.Suggest(ctx, inc.ID)
		if err != nil {
			return nil, err
		}
		v.Suggest = &s
		for _, run := range s.Applied {
			v.Applied[run.Key] = true
		}
		for _, p := range s.Others {
			if !v.Applied[p.Key] {
				v.Others = append(v.Others, p)
			}
		}
	}
	return v, nil
}

// renderTaskError shows the response page again with err, the failed
// form's fields under prefix so they do not mark the page's other forms,
// and keep lets the partial show what was typed.
func (u *UI) renderTaskError(w http.ResponseWriter, r *http.Request, id int64, prefix string, err error, keep func(*incidentTasksView)) {
	if ae := apperr.As(err); ae.Code == apperr.Forbidden || ae.Code == apperr.NotFound || ae.Code == apperr.Internal {
		u.fail(w, r, err)
		return
	}
	d, lerr := u.loadResponse(r, id)
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	if d.Tasks != nil && keep != nil {
		keep(d.Tasks)
	}
	v := u.view(r, "incidents", d)
	v.Title = d.Incident.Number + " " + i18n.T(v.Lang, "lifecycle.title")
	status := v.setErr(r, prefixFields(err, prefix))
	u.render(w, r, status, "incident_response", v)
}

func prefixFields(err error, prefix string) error {
	ae := apperr.As(err)
	if len(ae.Fields) == 0 {
		return err
	}
	out := make([]apperr.FieldError, len(ae.Fields))
	for i, f := range ae.Fields {
		f.Field = prefix + f.Field
		out[i] = f
	}
	return apperr.Fields(out)
}

func (u *UI) backToTasks(w http.ResponseWriter, r *http.Request, id int64, flash string) {
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10)+"/response#phase-tasks", flash)
}

// readDue reads a datetime-local field in the installation's time zone
// ("" = no due date).
func (u *UI) readDue(s, field string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(localLayout, s, u.location())
	if err != nil {
		return time.Time{}, apperr.Fields([]apperr.FieldError{{Field: field, Key: "err.incident_time_format"}})
	}
	return t, nil
}

func (u *UI) incidentTaskAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := taskForm{Phase: r.PostFormValue("phase"), Title: r.PostFormValue("title"), Notes: r.PostFormValue("notes"),
		Assignee: r.PostFormValue("assignee_id"), Due: r.PostFormValue("due_at")}
	keep := func(v *incidentTasksView) { v.Form = f }
	in := playbook.TaskInput{Phase: incident.Phase(f.Phase), Title: f.Title, Notes: f.Notes}
	var bad []apperr.FieldError
	if f.Assignee != "" {
		if in.AssigneeID, err = strconv.ParseInt(f.Assignee, 10, 64); err != nil {
			bad = append(bad, apperr.FieldError{Field: "assignee_id", Key: "err.invalid_choice"})
		}
	}
	if in.DueAt, err = u.readDue(f.Due, "due_at"); err != nil {
		bad = append(bad, apperr.As(err).Fields...)
	}
	if _, err := u.App.Playbooks.AddTask(r.Context(), id, in, bad...); err != nil {
		u.renderTaskError(w, r, id, "task.", err, keep)
		return
	}
	u.backToTasks(w, r, id, "flash.task_saved")
}

// incidentTaskUpdate applies the fields the form sent: the assignee's
// form has status and notes only, the manager's every field.
func (u *UI) incidentTaskUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("tid"), 10, 64)
	if err != nil {
		u.fail(w, r, apperr.New(apperr.NotFound, "err.not_found"))
		return
	}
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, apperr.New(apperr.Invalid, "err.invalid_input"))
		return
	}
	pf := r.PostForm
	f := taskForm{Phase: pf.Get("phase"), Title: pf.Get("title"), Notes: pf.Get("notes"), Assignee: pf.Get("assignee_id"),
		Due: pf.Get("due_at"), Status: pf.Get("status")}
	keep := func(v *incidentTasksView) { v.EditID, v.Edit = tid, f }
	var p task.Patch
	str := func(name string) *string {
		if v, ok := pf[name]; ok {
			return &v[0]
		}
		return nil
	}
	p.Title, p.Notes, p.Group = str("title"), str("notes"), str("phase")
	if s := str("status"); s != nil {
		st := task.Status(*s)
		p.Status = &st
	}
	if s := str("assignee_id"); s != nil {
		var a int64
		if *s != "" {
			if a, err = strconv.ParseInt(*s, 10, 64); err != nil {
				u.renderTaskError(w, r, id, "edit.", apperr.Fields([]apperr.FieldError{{Field: "assignee_id", Key: "err.invalid_choice"}}), keep)
				return
			}
		}
		p.AssigneeID = &a
	}
	if s := str("due_at"); s != nil {
		due, err := u.readDue(*s, "due_at")
		if err != nil {
			u.renderTaskError(w, r, id, "edit.", err, keep)
			return
		}
		p.DueAt = &due
	}
	if _, err := u.App.Playbooks.UpdateTask(r.Context(), id, tid, p); err != nil {
		u.renderTaskError(w, r, id, "edit.", err, keep)
		return
	}
	u.backToTasks(w, r, id, "flash.task_saved")
}

func (u *UI) incidentPlaybookApply(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if _, _, err := u.App.Playbooks.Apply(r.Context(), id, r.PostFormValue("key")); err != nil {
		u.renderTaskError(w, r, id, "apply.", err, nil)
		return
	}
	u.backToTasks(w, r, id, "flash.playbook_applied")
}
