package api

import (
	"net/http"

	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/incident"
)

func init() {
	registerSchema("IncidentMetrics", incident.Metrics{})
}

// The incident metrics (issue 3, point 12): the figures of the incident
// dashboard, for scripts and reports.
func (h *API) incidentMetricsRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/incident-metrics", Handler: h.incidentMetrics,
			Doc: &httpx.Doc{Summary: "Incident metrics: time to detect, respond, contain and close (seconds: mean, median, p90) " +
				"and counts by month, first-level category and grade, over the incidents discovered from one month to another " +
				"(from, to: YYYY-MM in the installation's time zone; default the last 12 months), optionally of one category " +
				"(a first-level code) and grade (1-4)", Tag: "incidents", Response: "IncidentMetrics",
				Query: []string{"from", "to", "category", "grade"}}},
	}
}

func (h *API) incidentMetrics(w http.ResponseWriter, r *http.Request) {
	// Asked first, so a caller who may not read incidents learns nothing
	// from how the filter is checked.
	if _, err := auth.Require(r.Context(), auth.PermIncidentRead); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, err := incident.MetricsFilterFromQuery(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	m, err := h.App.Incidents.Metrics(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
}
