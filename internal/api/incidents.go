package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/httpx"
	"bulwark/internal/incident"
)

func init() {
	registerSchema("Incident", IncidentJSON{})
	registerSchema("IncidentInput", incidentInput{})
	registerSchema("IncidentCategoryTree", []incident.Category{})
	registerSchema("IncidentGradeCriteria", []incident.Criterion{})
	registerSchema("IncidentGradeInput", incident.GradeInput{})
	registerSchema("IncidentGradeResult", GradeResult{})
	registerSchema("IncidentReportedInput", reportedInput{})
}

func (h *API) incidentRoutes() []httpx.Route {
	q := []string{"phase", "grade", "category", "status", "q", "page", "per_page"}
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/incident-categories", Handler: h.incidentCategories,
			Doc: &httpx.Doc{Summary: "The GB/T 20986-2023 classification tree", Tag: "incidents", Response: "IncidentCategoryTree"}},
		{Method: "GET", Pattern: "/api/v1/incident-grade-criteria", Handler: h.incidentCriteria,
			Doc: &httpx.Doc{Summary: "The grading thresholds of the reporting measures' annex", Tag: "incidents", Response: "IncidentGradeCriteria"}},
		{Method: "GET", Pattern: "/api/v1/incidents", Handler: h.listIncidents,
			Doc: &httpx.Doc{Summary: "List incidents (filter by phase, grade, category, status, words; page)", Tag: "incidents", Response: "Incident", Query: q, Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/incidents", Handler: h.createIncident,
			Doc: &httpx.Doc{Summary: "Report an incident", Tag: "incidents", Request: "IncidentInput", Response: "Incident", Status: 201}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}", Handler: h.getIncident,
			Doc: &httpx.Doc{Summary: "Get an incident", Tag: "incidents", Response: "Incident"}},
		{Method: "PATCH", Pattern: "/api/v1/incidents/{id}", Handler: h.patchIncident,
			Doc: &httpx.Doc{Summary: "Change some reported facts of an incident (not its grade)", Tag: "incidents", Request: "IncidentInput", Response: "Incident"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/grade", Handler: h.gradeIncident,
			Doc: &httpx.Doc{Summary: "Propose a grade (no grade given), or confirm, override or regrade (reason required to differ or to change)", Tag: "incidents", Request: "IncidentGradeInput", Response: "IncidentGradeResult"}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/reported", Handler: h.incidentReported,
			Doc: &httpx.Doc{Summary: "Record that the first report was submitted to the regulator", Tag: "incidents", Request: "IncidentReportedInput", Response: "Incident"}},
	}
}

// IncidentJSON is an incident as the API sends it: report_due_at is null
// when no report is due; report_overdue says the first report is late.
type IncidentJSON struct {
	incident.Incident
	ReportOverdue bool `json:"report_overdue"`
	// SuspectedDuplicates are the open incidents sharing an affected asset or an IOC,
	// on a single incident's answers (not in lists).
	SuspectedDuplicates []IncidentRef `json:"suspected_duplicates,omitempty"`
	// Activation is the plan activation by the leadership group (grades
	// I-II) and whether the working group is engaged (I-III); Deadlines
	// are the reporting deadlines (first, supplementary, summary). Both on
	// a single incident's answers.
	Activation *incident.Activation `json:"activation,omitempty"`
	Deadlines  []deadline.Deadline  `json:"deadlines,omitempty"`
}

// IncidentRef names another incident.
type IncidentRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Title  string `json:"title"`
}

// withDuplicates adds the suspected duplicates to one incident's answer.
func (h *API) withDuplicates(r *http.Request, i incident.Incident) (IncidentJSON, error) {
	j := h.incidentJSON(i)
	dups, err := h.App.Incidents.Duplicates(r.Context(), i.AssetIDs, i.ID)
	if err != nil {
		return j, err
	}
	for _, d := range dups {
		j.SuspectedDuplicates = append(j.SuspectedDuplicates, IncidentRef{ID: d.ID, Number: d.Number, Title: d.Title})
	}
	return j, nil
}

func (h *API) incidentJSON(i incident.Incident) IncidentJSON {
	return IncidentJSON{Incident: i, ReportOverdue: i.Overdue(h.App.Clock.Now())}
}

// incidentInput is the writable part of an incident; absent fields keep
// their value on PATCH. grade is taken only when reporting (the reporter's
// first judgement); later grading goes through /grade.
type incidentInput struct {
	Title           *string   `json:"title"`
	Description     *string   `json:"description"`
	DiscoveredAt    *string   `json:"discovered_at"` // RFC 3339
	OccurredAt      *string   `json:"occurred_at"`   // RFC 3339, optional; "" clears it
	ReporterName    *string   `json:"reporter_name"`
	Source          *string   `json:"source"`
	Category        *string   `json:"category"`
	Grade           *int      `json:"grade"`
	AssetIDs        *[]int64  `json:"asset_ids"`
	BusinessSystems *[]string `json:"business_systems"`
}

func parseRFC3339(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, apperr.Fields([]apperr.FieldError{{Field: field, Key: "err.incident_time_format"}})
	}
	return t, nil
}

func (in incidentInput) apply(dst *incident.Input) error {
	set := func(d *string, s *string) {
		if s != nil {
			*d = *s
		}
	}
	set(&dst.Title, in.Title)
	set(&dst.Description, in.Description)
	set(&dst.ReporterName, in.ReporterName)
	set(&dst.Category, in.Category)
	if in.Source != nil {
		dst.Source = incident.Source(*in.Source)
	}
	if in.AssetIDs != nil {
		dst.AssetIDs = *in.AssetIDs
	}
	if in.BusinessSystems != nil {
		dst.BusinessSystems = *in.BusinessSystems
	}
	if in.DiscoveredAt != nil {
		t, err := parseRFC3339("discovered_at", *in.DiscoveredAt)
		if err != nil {
			return err
		}
		dst.DiscoveredAt = t
	}
	if in.OccurredAt != nil {
		dst.OccurredAt = time.Time{}
		if strings.TrimSpace(*in.OccurredAt) != "" {
			t, err := parseRFC3339("occurred_at", *in.OccurredAt)
			if err != nil {
				return err
			}
			dst.OccurredAt = t
		}
	}
	return nil
}

func (h *API) incidentCategories(w http.ResponseWriter, r *http.Request) {
	tree, err := h.App.Incidents.Categories(r.Context(), false)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, tree)
}

func (h *API) incidentCriteria(w http.ResponseWriter, r *http.Request) {
	cs, err := h.App.Incidents.Criteria(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, cs)
}

func (h *API) listIncidents(w http.ResponseWriter, r *http.Request) {
	p, err := h.App.Incidents.List(r.Context(), incident.FilterFromQuery(r.URL.Query()))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := List[IncidentJSON]{Items: make([]IncidentJSON, 0, len(p.Items)), Total: p.Total, Page: p.Page, PerPage: p.PerPage}
	for _, i := range p.Items {
		out.Items = append(out.Items, h.incidentJSON(i))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *API) createIncident(w http.ResponseWriter, r *http.Request) {
	var in incidentInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var inc incident.Input
	if err := in.apply(&inc); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Grade != nil {
		inc.Grade = *in.Grade
		if inc.Grade == 0 {
			// 0 is "ungraded" inside; from outside it is no grade at all.
			httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "grade", Key: "err.invalid_choice"}}))
			return
		}
	}
	created, err := h.App.Incidents.Create(r.Context(), inc)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	j, err := h.single(r, created)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/incidents/"+strconv.FormatInt(created.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, j)
}

func (h *API) getIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var i incident.Incident
		if i, err = h.App.Incidents.Get(r.Context(), id); err == nil {
			var j IncidentJSON
			if j, err = h.single(r, i); err == nil {
				httpx.WriteJSON(w, http.StatusOK, j)
				return
			}
		}
	}
	httpx.WriteError(w, r, err)
}

// inputOf is the editable state of a stored incident, for PATCH.
func inputOf(i incident.Incident) incident.Input {
	in := incident.Input{Title: i.Title, Description: i.Description, DiscoveredAt: i.DiscoveredAt, ReporterName: i.ReporterName,
		Source: i.Source, AlertRef: i.AlertRef, AssetIDs: i.AssetIDs, BusinessSystems: i.BusinessSystems, Category: i.Category}
	if i.OccurredAt != nil {
		in.OccurredAt = *i.OccurredAt
	}
	return in
}

func (h *API) patchIncident(w http.ResponseWriter, r *http.Request) {
	// Asked first: reading the incident below needs less than changing it.
	if _, err := auth.Require(r.Context(), auth.PermIncidentReport); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in incidentInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Grade != nil {
		httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "grade", Key: "err.incident_grade_via_grading"}}))
		return
	}
	cur, err := h.App.Incidents.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	inc := inputOf(cur)
	if err := in.apply(&inc); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	updated, err := h.App.Incidents.Update(r.Context(), id, inc)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.incidentJSON(updated))
}

// GradeResult is Bulwark's proposal and, when a grade was given, the
// incident as graded.
type GradeResult struct {
	Proposal incident.Proposal `json:"proposal"`
	Incident *IncidentJSON     `json:"incident,omitempty"`
}

func (h *API) gradeIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in incident.GradeInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Grade == 0 {
		p, err := h.App.Incidents.Propose(r.Context(), id, in)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, GradeResult{Proposal: p})
		return
	}
	graded, p, err := h.App.Incidents.Grade(r.Context(), id, in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	j, err := h.single(r, graded)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, GradeResult{Proposal: p, Incident: &j})
}

// reportedInput says when the first report went out (RFC 3339; now when
// absent).
type reportedInput struct {
	ReportedAt string `json:"reported_at"`
}

func (h *API) incidentReported(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in reportedInput
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	var at time.Time
	if in.ReportedAt != "" {
		if at, err = parseRFC3339("reported_at", in.ReportedAt); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	i, err := h.App.Incidents.MarkReported(r.Context(), id, at)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.incidentJSON(i))
}
