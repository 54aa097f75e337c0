package api

import (
	"net/http"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incidentreport"
	"bulwark/internal/postincident"
	"bulwark/internal/workflow"
)

func init() {
	registerSchema("IncidentReviewState", ReviewState{})
	registerSchema("IncidentReview", postincident.Review{})
	registerSchema("IncidentReviewInput", reviewInput{})
	registerSchema("CAPA", postincident.CAPA{})
	registerSchema("CAPAList", []postincident.CAPA{})
	registerSchema("CAPAInput", capaInput{})
	registerSchema("CAPAPatch", capaPatch{})
	registerSchema("CAPAProgress", capaProgress{})
	registerSchema("CAPAVerify", capaVerify{})
	registerSchema("Sanction", postincident.Sanction{})
	registerSchema("SanctionList", []postincident.Sanction{})
	registerSchema("SanctionInput", sanctionInput{})
}

// The post-incident review (issue 3, point 9) and the incident report
// (point 10). Leadership decides CAPA sets and recommendations through the
// approvals endpoints (POST /api/v1/approvals/{id}/decision).
func (h *API) reviewRoutes() []httpx.Route {
	const tag = "post-incident"
	const inc = "/api/v1/incidents/{id}"
	doc := func(sum, req, resp string, status int) *httpx.Doc {
		return &httpx.Doc{Summary: sum, Tag: tag, Request: req, Response: resp, Status: status}
	}
	return []httpx.Route{
		{Method: "GET", Pattern: inc + "/review", Handler: h.getReview,
			Doc: doc("The review (summary meeting, root cause, impact, lessons), what closing still needs, and the accounts to name", "", "IncidentReviewState", 0)},
		{Method: "PUT", Pattern: inc + "/review", Handler: h.putReview,
			Doc: doc("Record the review of an open incident (may be incomplete; closing needs it complete in the current round)", "IncidentReviewInput", "IncidentReview", 0)},
		{Method: "GET", Pattern: inc + "/capas", Handler: h.listCAPAs,
			Doc: doc("The incident's corrective and preventive actions", "", "CAPAList", 0)},
		{Method: "POST", Pattern: inc + "/capas", Handler: h.createCAPA,
			Doc: doc("Propose a CAPA (kind corrective or preventive; due_at RFC 3339); it is a draft until leadership approves the set", "CAPAInput", "CAPA", 201)},
		{Method: "PATCH", Pattern: inc + "/capas/{cid}", Handler: h.patchCAPA,
			Doc: doc("Change a CAPA: a draft freely, an approved one only its owner and due date", "CAPAPatch", "CAPA", 0)},
		{Method: "DELETE", Pattern: inc + "/capas/{cid}", Handler: h.deleteCAPA,
			Doc: doc("Remove a draft CAPA proposed in error", "", "", 204)},
		{Method: "POST", Pattern: inc + "/capas/submit", Handler: h.submitCAPAs,
			Doc: doc("Ask leadership to approve the draft CAPA as one set", "", "Approval", 201)},
		{Method: "POST", Pattern: inc + "/capas/{cid}/progress", Handler: h.progressCAPA,
			Doc: doc("The owner reports progress: status in_progress, or done with notes", "CAPAProgress", "CAPA", 0)},
		{Method: "POST", Pattern: inc + "/capas/{cid}/verify", Handler: h.verifyCAPA,
			Doc: doc("Someone other than the owner verifies a done CAPA (accept false sends it back); notes required", "CAPAVerify", "CAPA", 0)},
		{Method: "GET", Pattern: "/api/v1/capas", Handler: h.openCAPAs,
			Doc: &httpx.Doc{Summary: "Approved CAPA not yet verified, across incidents, soonest due first (mine=true: the caller's own)",
				Tag: tag, Response: "CAPAList", Query: []string{"mine"}}},
		{Method: "GET", Pattern: inc + "/sanctions", Handler: h.listSanctions,
			Doc: doc("The incident's reward and penalty recommendations with leadership's decisions", "", "SanctionList", 0)},
		{Method: "POST", Pattern: inc + "/sanctions", Handler: h.createSanction,
			Doc: doc("Propose a reward or a penalty (an account's person_id, or person_name); leadership's approval is requested at once", "SanctionInput", "Sanction", 201)},
		{Method: "GET", Pattern: inc + "/report.docx", Handler: h.reportFile(incidentreport.FormatDOCX),
			Doc: &httpx.Doc{Summary: "The incident report (应急处置报告) as DOCX, in the caller's language or lang (zh-CN, en); every download is audited",
				Tag: tag, Binary: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Query: []string{"lang"}}},
		{Method: "GET", Pattern: inc + "/report.html", Handler: h.reportFile(incidentreport.FormatHTML),
			Doc: &httpx.Doc{Summary: "The incident report as a printable, self-contained HTML page (same content as the DOCX); audited",
				Tag: tag, Binary: "text/html", Query: []string{"lang"}}},
	}
}

// ReviewState is an incident's review with what closing still needs and
// the organisation's accounts (for attendee_ids, owner_id, person_id).
type ReviewState struct {
	Review    postincident.Review    `json:"review"`
	Readiness postincident.Readiness `json:"readiness"`
	People    []postincident.Person  `json:"people"`
}

// reviewInput is the review as sent; held_at is RFC 3339 (empty: not held
// yet).
type reviewInput struct {
	HeldAt             *string  `json:"held_at"`
	Place              string   `json:"place"`
	AttendeeIDs        []int64  `json:"attendee_ids"`
	AttendeeNames      []string `json:"attendee_names"`
	Minutes            string   `json:"minutes"`
	RootCause          string   `json:"root_cause"`
	Impact             string   `json:"impact"`
	Lessons            string   `json:"lessons"`
	PlanRevisionNeeded bool     `json:"plan_revision_needed"`
	PlanRevisionNotes  string   `json:"plan_revision_notes"`
}

type capaInput struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	OwnerID     int64  `json:"owner_id"`
	DueAt       string `json:"due_at"`
}

type capaPatch struct {
	Kind        *string `json:"kind"`
	Description *string `json:"description"`
	OwnerID     *int64  `json:"owner_id"`
	DueAt       *string `json:"due_at"`
}

type capaProgress struct {
	Status string `json:"status"`
	Notes  string `json:"notes"`
}

type capaVerify struct {
	Accept bool   `json:"accept"`
	Notes  string `json:"notes"`
}

type sanctionInput struct {
	Kind       string `json:"kind"`
	PersonID   int64  `json:"person_id"`
	PersonName string `json:"person_name"`
	Reason     string `json:"reason"`
	Measure    string `json:"measure"`
}

func (h *API) getReview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var st ReviewState
	if err == nil {
		st.Review, err = h.App.Reviews.Review(r.Context(), id)
	}
	if err == nil {
		st.Readiness, err = h.App.Reviews.Readiness(r.Context(), id)
	}
	if err == nil {
		st.People, err = h.App.Reviews.People(r.Context())
	}
	reply(w, r, http.StatusOK, st, err)
}

func (h *API) putReview(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in reviewInput
	if err == nil {
		err = decode(r, &in)
	}
	var held *time.Time
	if err == nil {
		held, err = optTime("held_at", in.HeldAt)
	}
	var out postincident.Review
	if err == nil {
		out, err = h.App.Reviews.SaveReview(r.Context(), id, postincident.ReviewInput{HeldAt: held, Place: in.Place,
			AttendeeIDs: in.AttendeeIDs, AttendeeNames: in.AttendeeNames, Minutes: in.Minutes, RootCause: in.RootCause,
			Impact: in.Impact, Lessons: in.Lessons, PlanRevisionNeeded: in.PlanRevisionNeeded, PlanRevisionNotes: in.PlanRevisionNotes})
	}
	reply(w, r, http.StatusOK, out, err)
}

func (h *API) listCAPAs(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var list []postincident.CAPA
	if err == nil {
		list, err = h.App.Reviews.CAPAs(r.Context(), id)
	}
	reply(w, r, http.StatusOK, list, err)
}

func (h *API) createCAPA(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in capaInput
	if err == nil {
		err = decode(r, &in)
	}
	var due time.Time
	if err == nil && in.DueAt != "" {
		due, err = parseRFC3339("due_at", in.DueAt)
	}
	var out postincident.CAPA
	if err == nil {
		out, err = h.App.Reviews.AddCAPA(r.Context(), id, postincident.CAPAInput{Kind: in.Kind, Description: in.Description,
			OwnerID: in.OwnerID, DueAt: due})
	}
	if err == nil {
		w.Header().Set("Location", "/api/v1/incidents/"+strconv.FormatInt(id, 10)+"/capas")
	}
	reply(w, r, http.StatusCreated, out, err)
}

func (h *API) patchCAPA(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "cid")
	var in capaPatch
	if err == nil {
		err = decode(r, &in)
	}
	p := postincident.CAPAPatch{Kind: in.Kind, Description: in.Description, OwnerID: in.OwnerID}
	if err == nil && in.DueAt != nil {
		var due time.Time
		due, err = parseRFC3339("due_at", *in.DueAt)
		p.DueAt = &due
	}
	var out postincident.CAPA
	if err == nil {
		out, err = h.App.Reviews.UpdateCAPA(r.Context(), inc, id, p)
	}
	reply(w, r, http.StatusOK, out, err)
}

func (h *API) deleteCAPA(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "cid")
	if err == nil {
		err = h.App.Reviews.DeleteCAPA(r.Context(), inc, id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *API) submitCAPAs(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var a workflow.Approval
	if err == nil {
		a, err = h.App.Reviews.SubmitCAPAs(r.Context(), id)
	}
	reply(w, r, http.StatusCreated, a, err)
}

func (h *API) progressCAPA(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "cid")
	var in capaProgress
	if err == nil {
		err = decode(r, &in)
	}
	var out postincident.CAPA
	if err == nil {
		out, err = h.App.Reviews.Progress(r.Context(), inc, id, in.Status, in.Notes)
	}
	reply(w, r, http.StatusOK, out, err)
}

func (h *API) verifyCAPA(w http.ResponseWriter, r *http.Request) {
	inc, id, err := twoIDs(r, "cid")
	var in capaVerify
	if err == nil {
		err = decode(r, &in)
	}
	var out postincident.CAPA
	if err == nil {
		out, err = h.App.Reviews.Verify(r.Context(), inc, id, in.Accept, in.Notes)
	}
	reply(w, r, http.StatusOK, out, err)
}

func (h *API) openCAPAs(w http.ResponseWriter, r *http.Request) {
	mine := r.URL.Query().Get("mine")
	if mine != "" && mine != "true" && mine != "false" {
		httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "mine", Key: "err.invalid_choice"}}))
		return
	}
	list, err := h.App.Reviews.OpenCAPAs(r.Context(), mine == "true")
	reply(w, r, http.StatusOK, list, err)
}

func (h *API) listSanctions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var list []postincident.Sanction
	if err == nil {
		list, err = h.App.Reviews.Sanctions(r.Context(), id)
	}
	reply(w, r, http.StatusOK, list, err)
}

func (h *API) createSanction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var in sanctionInput
	if err == nil {
		err = decode(r, &in)
	}
	var out postincident.Sanction
	if err == nil {
		out, err = h.App.Reviews.ProposeSanction(r.Context(), id, postincident.SanctionInput{Kind: in.Kind,
			PersonID: in.PersonID, PersonName: in.PersonName, Reason: in.Reason, Measure: in.Measure})
	}
	reply(w, r, http.StatusCreated, out, err)
}

// reportFile downloads the incident report in format; lang overrides the
// caller's language.
func (h *API) reportFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		lang := httpx.Lang(r)
		if l := r.URL.Query().Get("lang"); l != "" {
			if !i18n.Valid(l) {
				err = apperr.Fields([]apperr.FieldError{{Field: "lang", Key: "err.invalid_choice"}})
			}
			lang = l
		}
		var f incidentreport.File
		if err == nil {
			f, err = h.App.Reports.Render(r.Context(), id, format, lang)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		incidentreport.Serve(w, f)
	}
}
