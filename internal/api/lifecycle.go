package api

import (
	"net/http"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
	"bulwark/internal/incident"
)

func init() {
	registerSchema("IncidentPlans", []incident.Plan{})
	registerSchema("IncidentPlan", incident.Plan{})
	registerSchema("IncidentPlanInput", incident.PlanInput{})
	registerSchema("IncidentPlanNotes", planNotes{})
	registerSchema("IncidentPlanEffect", planEffect{})
	registerSchema("IncidentTransition", transitionInput{})
	registerSchema("IncidentReopen", reopenInput{})
	registerSchema("IncidentTimeline", []incident.Event{})
	registerSchema("IncidentTimelineEvent", incident.Event{})
	registerSchema("IncidentTimelineInput", timelineInput{})
}

func (h *API) lifecycleRoutes() []httpx.Route {
	doc := func(sum, req, resp string, status int) *httpx.Doc {
		return &httpx.Doc{Summary: sum, Tag: "incidents", Request: req, Response: resp, Status: status}
	}
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/plans", Handler: h.listPlans,
			Doc: doc("The incident's phase plans, oldest first", "", "IncidentPlans", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/plans", Handler: h.draftPlan,
			Doc: doc("Draft the plan of the current phase (or revise its open draft)", "IncidentPlanInput", "IncidentPlan", 201)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/plans/{pid}/submit", Handler: h.submitPlan,
			Doc: doc("Submit a draft plan for approval by the phase's approving roles", "", "IncidentPlan", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/plans/{pid}/executed", Handler: h.planExecuted,
			Doc: doc("Record that an approved plan was carried out", "IncidentPlanNotes", "IncidentPlan", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/plans/{pid}/effect", Handler: h.planEffect,
			Doc: doc("Judge the effect of a carried-out plan (effective, partly, not_effective)", "IncidentPlanEffect", "IncidentPlan", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/transition", Handler: h.transition,
			Doc: doc("Move the incident to the next phase", "IncidentTransition", "Incident", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/exception", Handler: h.exception,
			Doc: doc("Leadership exception: move on although plans are missing (reason required)", "IncidentTransition", "Incident", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/reopen", Handler: h.reopen,
			Doc: doc("Reopen a closed incident (reason required)", "IncidentReopen", "Incident", 0)},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/timeline", Handler: h.timeline,
			Doc: doc("The incident's timeline, newest first, backed by the audit trail", "", "IncidentTimeline", 0)},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/timeline", Handler: h.addTimeline,
			Doc: doc("Add a manual entry (with happened_at) or a comment", "IncidentTimelineInput", "IncidentTimelineEvent", 201)},
	}
}

type planNotes struct {
	Notes string `json:"notes"`
}

type planEffect struct {
	Effect string `json:"effect"`
	Notes  string `json:"notes"`
}

type transitionInput struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

type reopenInput struct {
	Reason string `json:"reason"`
}

// timelineInput is a timeline entry: kind "manual" (happened_at, RFC 3339,
// required) or "comment".
type timelineInput struct {
	Kind       string `json:"kind"`
	Body       string `json:"body"`
	HappenedAt string `json:"happened_at"`
}

func planPath(r *http.Request) (int64, int64, error) {
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

// withBody decodes the JSON body into v (an empty body leaves v zero) and
// writes the error when it cannot.
func withBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	if err := decode(r, v); err != nil {
		httpx.WriteError(w, r, err)
		return false
	}
	return true
}

func reply[T any](w http.ResponseWriter, r *http.Request, status int, v T, err error) {
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, v)
}

func (h *API) listPlans(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	plans, err := h.App.Lifecycle.Plans(r.Context(), id)
	reply(w, r, http.StatusOK, plans, err)
}

func (h *API) draftPlan(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in incident.PlanInput
	if !withBody(w, r, &in) {
		return
	}
	p, err := h.App.Lifecycle.Draft(r.Context(), id, in)
	reply(w, r, http.StatusCreated, p, err)
}

func (h *API) submitPlan(w http.ResponseWriter, r *http.Request) {
	id, pid, err := planPath(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := h.App.Lifecycle.Submit(r.Context(), id, pid)
	reply(w, r, http.StatusOK, p, err)
}

func (h *API) planExecuted(w http.ResponseWriter, r *http.Request) {
	id, pid, err := planPath(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in planNotes
	if !withBody(w, r, &in) {
		return
	}
	p, err := h.App.Lifecycle.Executed(r.Context(), id, pid, in.Notes)
	reply(w, r, http.StatusOK, p, err)
}

func (h *API) planEffect(w http.ResponseWriter, r *http.Request) {
	id, pid, err := planPath(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in planEffect
	if !withBody(w, r, &in) {
		return
	}
	p, err := h.App.Lifecycle.Judge(r.Context(), id, pid, in.Effect, in.Notes)
	reply(w, r, http.StatusOK, p, err)
}

func (h *API) transition(w http.ResponseWriter, r *http.Request) {
	h.move(w, r, false)
}

func (h *API) exception(w http.ResponseWriter, r *http.Request) {
	h.move(w, r, true)
}

func (h *API) move(w http.ResponseWriter, r *http.Request, exception bool) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in transitionInput
	if !withBody(w, r, &in) {
		return
	}
	var i incident.Incident
	if exception {
		i, err = h.App.Lifecycle.Exception(r.Context(), id, incident.Phase(in.To), in.Reason)
	} else {
		i, err = h.App.Lifecycle.Transition(r.Context(), id, incident.Phase(in.To), in.Reason)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.incidentJSON(i))
}

func (h *API) reopen(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in reopenInput
	if !withBody(w, r, &in) {
		return
	}
	i, err := h.App.Lifecycle.Reopen(r.Context(), id, in.Reason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.incidentJSON(i))
}

func (h *API) timeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ev, err := h.App.Lifecycle.Timeline(r.Context(), id)
	reply(w, r, http.StatusOK, ev, err)
}

func (h *API) addTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in timelineInput
	if !withBody(w, r, &in) {
		return
	}
	e := incident.EntryInput{Kind: in.Kind, Body: in.Body}
	if in.HappenedAt != "" {
		if e.HappenedAt, err = parseRFC3339("happened_at", in.HappenedAt); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	ev, err := h.App.Lifecycle.AddEntry(r.Context(), id, e)
	reply(w, r, http.StatusCreated, ev, err)
}
