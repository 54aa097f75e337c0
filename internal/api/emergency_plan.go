package api

import (
	"net/http"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/httpx"
)

// The emergency plan (应急预案) over JSON: the plan in force and the open
// revision, the revisions (filtered by incident), drafting, submitting to
// the leadership group (who decide through /api/v1/approvals), exports.
func (h *API) emergencyPlanRoutes() []httpx.Route {
	const tag = "emergency"
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/emergency/plan", Handler: h.emergencyPlan,
			Doc: &httpx.Doc{Summary: "The plan in force (null until one is approved and effective) and the open revision (null when none)", Tag: tag, Response: "EmergencyPlan"}},
		{Method: "GET", Pattern: "/api/v1/emergency/plan/revisions", Handler: h.planRevisions,
			Doc: &httpx.Doc{Summary: "Every revision, newest first, without chapters; incident_id keeps those an incident prompted", Tag: tag, Response: "EmergencyPlanRevisions", Query: []string{"incident_id"}}},
		{Method: "POST", Pattern: "/api/v1/emergency/plan/revisions", Handler: h.startPlanRevision,
			Doc: &httpx.Doc{Summary: "Start a revision: a copy of the latest approved one (or the default plan), the next version", Tag: tag, Request: "EmergencyPlanStart", Response: "EmergencyPlanRevision", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/emergency/plan/revisions/{id}", Handler: h.planRevision,
			Doc: &httpx.Doc{Summary: "One revision with its chapters", Tag: tag, Response: "EmergencyPlanRevision"}},
		{Method: "PUT", Pattern: "/api/v1/emergency/plan/revisions/{id}", Handler: h.savePlanDraft,
			Doc: &httpx.Doc{Summary: "Replace a draft's content: title, summary, reason, incidents, effective day, chapters in order", Tag: tag, Request: "EmergencyPlanDraft", Response: "EmergencyPlanRevision"}},
		{Method: "POST", Pattern: "/api/v1/emergency/plan/revisions/{id}/submit", Handler: h.submitPlanRevision,
			Doc: &httpx.Doc{Summary: "Submit a draft to the leadership group for approval", Tag: tag, Response: "EmergencyPlanRevision"}},
		{Method: "DELETE", Pattern: "/api/v1/emergency/plan/revisions/{id}", Handler: h.discardPlanDraft,
			Doc: &httpx.Doc{Summary: "Discard a draft", Tag: tag, Status: 204}},
		{Method: "GET", Pattern: "/api/v1/emergency/plan/revisions/{id}/export", Handler: h.exportPlanRevision,
			Doc: &httpx.Doc{Summary: "The revision as DOCX (format=docx) or printable HTML (format=html), in the caller's language", Tag: tag, Query: []string{"format"}, Binary: httpx.DOCXType}},
	}
}

func init() {
	registerSchema("EmergencyPlan", EmergencyPlan{})
	registerSchema("EmergencyPlanRevisions", EmergencyPlanRevisions{})
	registerSchema("EmergencyPlanRevision", emergencyplan.Revision{})
	registerSchema("EmergencyPlanDraft", emergencyplan.DraftInput{})
	registerSchema("EmergencyPlanStart", planStart{})
}

// EmergencyPlan is the plan in force and the revision being worked on.
type EmergencyPlan struct {
	Current *emergencyplan.Revision `json:"current"`
	Open    *emergencyplan.Revision `json:"open"`
}

// EmergencyPlanRevisions lists revisions.
type EmergencyPlanRevisions struct {
	Items []emergencyplan.Revision `json:"items"`
}

// planStart names the incidents that prompt a new revision, if any.
type planStart struct {
	IncidentIDs []int64 `json:"incident_ids"`
}

func (h *API) emergencyPlan(w http.ResponseWriter, r *http.Request) {
	svc := h.App.EmergencyPlan
	var out EmergencyPlan
	cur, ok, err := svc.Current(r.Context())
	if err == nil && ok {
		out.Current = &cur
	}
	if err == nil {
		var open emergencyplan.Revision
		if open, ok, err = svc.Open(r.Context()); ok {
			out.Open = &open
		}
	}
	reply(w, r, http.StatusOK, out, err)
}

func (h *API) planRevisions(w http.ResponseWriter, r *http.Request) {
	var list []emergencyplan.Revision
	var err error
	if s := r.URL.Query().Get("incident_id"); s != "" {
		id, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "incident_id", Key: "err.wrong_type"}}))
			return
		}
		list, err = h.App.EmergencyPlan.RevisionsForIncident(r.Context(), id)
	} else {
		list, err = h.App.EmergencyPlan.Revisions(r.Context())
	}
	reply(w, r, http.StatusOK, EmergencyPlanRevisions{Items: list}, err)
}

func (h *API) startPlanRevision(w http.ResponseWriter, r *http.Request) {
	var in planStart
	if !withBody(w, r, &in) {
		return
	}
	rev, err := h.App.EmergencyPlan.StartDraft(r.Context(), in.IncidentIDs...)
	if err == nil {
		w.Header().Set("Location", "/api/v1/emergency/plan/revisions/"+strconv.FormatInt(rev.ID, 10))
	}
	reply(w, r, http.StatusCreated, rev, err)
}

func (h *API) planRevision(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	rev, err := h.App.EmergencyPlan.Get(r.Context(), id)
	reply(w, r, http.StatusOK, rev, err)
}

func (h *API) savePlanDraft(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in emergencyplan.DraftInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	rev, err := h.App.EmergencyPlan.SaveDraft(r.Context(), id, in)
	reply(w, r, http.StatusOK, rev, err)
}

func (h *API) submitPlanRevision(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	rev, err := h.App.EmergencyPlan.Submit(r.Context(), id)
	reply(w, r, http.StatusOK, rev, err)
}

func (h *API) discardPlanDraft(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.EmergencyPlan.Discard)
}

func (h *API) exportPlanRevision(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "docx"
	}
	if format != "docx" && format != "html" {
		httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "format", Key: "err.invalid_choice"}}))
		return
	}
	doc, err := h.App.EmergencyPlan.Document(r.Context(), id)
	if err == nil {
		err = httpx.ServeReport(w, doc, format)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
	}
}
