package api

import (
	"fmt"
	"net/http"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/report"
)

func init() {
	registerSchema("IncidentActivation", incident.Activation{})
	registerSchema("IncidentActivationRequest", activationInput{})
	registerSchema("RegulatorReportFields", []reportFieldJSON{})
	registerSchema("RegulatorReports", []incident.RegulatorReport{})
	registerSchema("RegulatorReport", incident.RegulatorReport{})
	registerSchema("RegulatorReportInput", reportInputJSON{})
}

func (h *API) escalationRoutes() []httpx.Route {
	doc := func(sum, req, resp string, status int) *httpx.Doc {
		return &httpx.Doc{Summary: sum, Tag: "incidents", Request: req, Response: resp, Status: status}
	}
	return []httpx.Route{
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/activation", Handler: h.requestActivation,
			Doc: doc("Ask the leadership group (again) to approve starting the emergency plan of a grade I-II incident", "IncidentActivationRequest", "IncidentActivation", 0)},
		{Method: "GET", Pattern: "/api/v1/regulator-report-fields", Handler: h.reportFields,
			Doc: doc("The content items of a report to the regulator (art. 7 of the reporting measures), with the unverified ones marked to_confirm", "", "RegulatorReportFields", 0)},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/regulator-reports", Handler: h.listReports,
			Doc: doc("The incident's reports to the regulator, in the order recorded", "", "RegulatorReports", 0)},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/regulator-reports/prefill", Handler: h.prefillReport,
			Doc: &httpx.Doc{Summary: "A new report of kind (first, supplementary, summary) prefilled from the incident", Tag: "incidents",
				Response: "RegulatorReportInput", Query: []string{"kind"}}},
		{Method: "POST", Pattern: "/api/v1/incidents/{id}/regulator-reports", Handler: h.submitReport,
			Doc: doc("Record a report sent to the regulator (immutable once recorded; meets its deadline)", "RegulatorReportInput", "RegulatorReport", 201)},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/regulator-reports/{rid}", Handler: h.getReport,
			Doc: doc("One report to the regulator", "", "RegulatorReport", 0)},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/regulator-reports/{rid}/docx", Handler: h.reportDOCX,
			Doc: &httpx.Doc{Summary: "The report as a DOCX document (in the caller's language)", Tag: "incidents", Binary: httpx.DOCXType}},
		{Method: "GET", Pattern: "/api/v1/incidents/{id}/regulator-reports/{rid}/html", Handler: h.reportHTML,
			Doc: &httpx.Doc{Summary: "The report as a printable HTML page (in the caller's language)", Tag: "incidents", Binary: "text/html"}},
	}
}

// single is one incident's full answer: suspected duplicates, the plan
// activation and the reporting deadlines.
func (h *API) single(r *http.Request, i incident.Incident) (IncidentJSON, error) {
	j, err := h.withDuplicates(r, i)
	if err != nil {
		return j, err
	}
	a, err := h.App.Escalation.Activation(r.Context(), i.ID)
	if err != nil {
		return j, err
	}
	j.Activation = &a
	if j.Deadlines, err = h.App.Escalation.ReportDeadlines(r.Context(), i.ID); err != nil {
		return j, err
	}
	return j, nil
}

type activationInput struct {
	Note string `json:"note"`
}

func (h *API) requestActivation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in activationInput
	if err == nil && r.ContentLength != 0 {
		err = decode(r, &in)
	}
	var a incident.Activation
	if err == nil {
		a, err = h.App.Escalation.RequestActivation(r.Context(), id, in.Note)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a)
}

// reportFieldJSON is a content item with its labels and help in both
// languages.
type reportFieldJSON struct {
	incident.ReportField
	LabelZh string `json:"label_zh"`
	LabelEn string `json:"label_en"`
	HelpZh  string `json:"help_zh"`
	HelpEn  string `json:"help_en"`
}

func (h *API) reportFields(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentRead); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]reportFieldJSON, 0, len(incident.ReportFields))
	for _, f := range incident.ReportFields {
		out = append(out, reportFieldJSON{ReportField: f, LabelZh: i18n.T("zh-CN", "escalation.field."+f.Key),
			LabelEn: i18n.T("en", "escalation.field."+f.Key), HelpZh: f.Help("zh-CN"), HelpEn: f.Help("en")})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *API) listReports(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var list []incident.RegulatorReport
	if err == nil {
		list, err = h.App.Escalation.Reports(r.Context(), id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, list)
}

// reportInputJSON is a report as scripts send it; times are RFC 3339.
// sent_at is now when empty; followup_due_at is 24 hours after sent_at for
// a partial first report when empty.
type reportInputJSON struct {
	Kind          string            `json:"kind"`
	Recipient     string            `json:"recipient"`
	SentAt        string            `json:"sent_at"`
	Partial       bool              `json:"partial"`
	FollowupDueAt string            `json:"followup_due_at"`
	Fields        map[string]string `json:"fields"`
}

func (in reportInputJSON) input() (incident.ReportInput, error) {
	out := incident.ReportInput{Kind: in.Kind, Recipient: in.Recipient, Partial: in.Partial, Fields: in.Fields}
	var c apperr.Collector
	for _, t := range []struct {
		field, v string
		dst      *time.Time
	}{{"sent_at", in.SentAt, &out.SentAt}, {"followup_due_at", in.FollowupDueAt, &out.FollowupDueAt}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			c.Add(t.field, "err.incident_time_format")
			continue
		}
		*t.dst = v
	}
	return out, c.Err()
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (h *API) prefillReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in incident.ReportInput
	if err == nil {
		in, err = h.App.Escalation.Prefill(r.Context(), id, r.URL.Query().Get("kind"))
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reportInputJSON{Kind: in.Kind, Recipient: in.Recipient, SentAt: rfc3339(in.SentAt),
		Partial: in.Partial, FollowupDueAt: rfc3339(in.FollowupDueAt), Fields: in.Fields})
}

func (h *API) submitReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var body reportInputJSON
	if err == nil {
		err = decode(r, &body)
	}
	var in incident.ReportInput
	if err == nil {
		in, err = body.input()
	}
	var rep incident.RegulatorReport
	if err == nil {
		rep, err = h.App.Escalation.Submit(r.Context(), id, in)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/incidents/%d/regulator-reports/%d", id, rep.ID))
	httpx.WriteJSON(w, http.StatusCreated, rep)
}

func (h *API) getReport(w http.ResponseWriter, r *http.Request) {
	id, rid, err := twoIDs(r, "rid")
	var rep incident.RegulatorReport
	if err == nil {
		_, rep, err = h.App.Escalation.Report(r.Context(), id, rid)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

func (h *API) reportDocument(w http.ResponseWriter, r *http.Request, format string) {
	id, rid, err := twoIDs(r, "rid")
	var doc report.Document
	if err == nil {
		doc, _, _, err = h.App.Escalation.Document(r.Context(), id, rid, httpx.Lang(r))
	}
	if err == nil {
		err = httpx.ServeReport(w, doc, format)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
	}
}

func (h *API) reportDOCX(w http.ResponseWriter, r *http.Request) { h.reportDocument(w, r, "docx") }
func (h *API) reportHTML(w http.ResponseWriter, r *http.Request) { h.reportDocument(w, r, "html") }
