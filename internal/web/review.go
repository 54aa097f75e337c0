package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/incidentreport"
	"bulwark/internal/postincident"
	"bulwark/internal/workflow"
)

// The post-incident review page (issue 3, point 9): summary meeting, CAPA,
// reward and penalty recommendations, what closing still needs, and the
// incident report's downloads (point 10).
func (u *UI) reviewRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/incidents/{id}/review", Handler: u.reviewPage},
		{Method: "POST", Pattern: "/incidents/{id}/review", Handler: u.reviewSave},
		{Method: "POST", Pattern: "/incidents/{id}/capas", Handler: u.capaCreate},
		{Method: "POST", Pattern: "/incidents/{id}/capas/submit", Handler: u.capaSubmit},
		{Method: "POST", Pattern: "/incidents/{id}/capas/{cid}", Handler: u.capaUpdate},
		{Method: "POST", Pattern: "/incidents/{id}/capas/{cid}/delete", Handler: u.capaDelete},
		{Method: "POST", Pattern: "/incidents/{id}/capas/{cid}/progress", Handler: u.capaProgress},
		{Method: "POST", Pattern: "/incidents/{id}/capas/{cid}/verify", Handler: u.capaVerify},
		{Method: "POST", Pattern: "/incidents/{id}/sanctions", Handler: u.sanctionCreate},
		// The approval inbox links a recommendation by its own id.
		{Method: "GET", Pattern: "/incident-sanctions/{id}", Handler: u.sanctionLink},
		{Method: "GET", Pattern: "/incidents/{id}/report.docx", Handler: u.reportFile(incidentreport.FormatDOCX)},
		{Method: "GET", Pattern: "/incidents/{id}/report.html", Handler: u.reportFile(incidentreport.FormatHTML)},
		{Method: "GET", Pattern: "/capas", Handler: u.capaList},
	}
}

// reviewData is what the review page shows.
type reviewData struct {
	Incident  incident.Incident
	Review    postincident.Review
	Readiness postincident.Readiness
	Missing   []string // labels of the review's missing fields
	People    []postincident.Person
	Owners    []postincident.Person
	CAPAs     []capaRow
	// Sanctions are shown to those who may read them.
	ShowSanctions bool
	Sanctions     []postincident.Sanction
	Approvals     []workflow.Item
	Kinds         []string
	SKinds        []string
	Drafts        bool // some CAPA wait to be submitted
	Pending       bool // a CAPA set is under approval
	// PlanRevisions are the emergency plan revisions naming the incident.
	PlanRevisions []emergencyplan.Revision
	// Form keeps what a refused form sent; Which names that form.
	Form  map[string]string
	Which string
	// Picked are the attendees ticked on the form.
	Picked map[int64]bool
}

// capaRow is a CAPA with what the caller may do with it.
type capaRow struct {
	postincident.CAPA
	CanProgress bool
	CanVerify   bool
	CanEdit     bool
	CanDelete   bool
	DueInput    string // the due date as the date field takes it
}

func (u *UI) loadReview(r *http.Request, id int64) (reviewData, error) {
	ctx := r.Context()
	rs := u.App.Reviews
	actor := auth.FromContext(ctx)
	d := reviewData{Kinds: postincident.Kinds, SKinds: postincident.SanctionKinds, Form: map[string]string{}, Picked: map[int64]bool{}}
	var err error
	if d.Incident, err = u.App.Incidents.Get(ctx, id); err != nil {
		return d, err
	}
	if d.Review, err = rs.Review(ctx, id); err != nil {
		return d, err
	}
	if d.Readiness, err = rs.Readiness(ctx, id); err != nil {
		return d, err
	}
	lang := httpx.Lang(r)
	for _, f := range d.Readiness.ReviewMissing {
		d.Missing = append(d.Missing, i18n.T(lang, "review.field."+f))
	}
	if d.People, err = rs.People(ctx); err != nil {
		return d, err
	}
	for _, p := range d.People {
		if p.CanOwn {
			d.Owners = append(d.Owners, p)
		}
	}
	// The review form starts from what is recorded.
	rv := d.Review
	var names []string
	for _, a := range rv.Attendees {
		if a.UserID != 0 {
			d.Picked[a.UserID] = true
		} else {
			names = append(names, a.Name)
		}
	}
	d.Form = map[string]string{"place": rv.Place, "attendee_names": strings.Join(names, "\n"), "minutes": rv.Minutes,
		"root_cause": rv.RootCause, "impact": rv.Impact, "lessons": rv.Lessons, "plan_revision_notes": rv.PlanRevisionNotes}
	if rv.HeldAt != nil {
		d.Form["held_at"] = rv.HeldAt.In(u.location()).Format(localLayout)
	}
	if rv.PlanRevisionNeeded {
		d.Form["plan_revision_needed"] = "1"
	}
	capas, err := rs.CAPAs(ctx, id)
	if err != nil {
		return d, err
	}
	open := d.Incident.Open()
	authors := map[int64]bool{} // CAPA authors, refused as deciders of the set
	for _, c := range capas {
		authors[c.CreatedBy] = true
		row := capaRow{CAPA: c, DueInput: c.DueAt.In(u.location()).Format("2006-01-02")}
		row.CanProgress = c.OwnerID == actor.UserID && actor.Can(auth.PermCAPAWork) && c.Approved() && !c.Finished()
		row.CanVerify = c.Status == postincident.CAPADone && c.OwnerID != actor.UserID && actor.Can(auth.PermCAPAVerify)
		row.CanEdit = actor.Can(auth.PermReviewWrite) && ((c.Status == postincident.CAPADraft && open) ||
			(c.Approved() && !c.Finished()))
		row.CanDelete = actor.Can(auth.PermReviewWrite) && c.Status == postincident.CAPADraft && open
		d.Drafts = d.Drafts || c.Status == postincident.CAPADraft
		d.Pending = d.Pending || c.Status == postincident.CAPASubmitted
		d.CAPAs = append(d.CAPAs, row)
	}
	items, err := u.App.Approvals.Box(ctx, postincident.CAPASetObject, strconv.FormatInt(id, 10))
	if err != nil {
		return d, err
	}
	for k := range items {
		// The lifecycle of CAPA refuses their authors as deciders of the
		// set, so they are not offered the buttons either.
		if authors[actor.UserID] {
			items[k].CanDecide = false
		}
	}
	d.Approvals = items
	if actor.Can(auth.PermEmergencyRead) {
		if d.PlanRevisions, err = u.App.EmergencyPlan.RevisionsForIncident(ctx, id); err != nil {
			return d, err
		}
	}
	if d.ShowSanctions = actor.Can(auth.PermSanctionRead); d.ShowSanctions {
		if d.Sanctions, err = rs.Sanctions(ctx, id); err != nil {
			return d, err
		}
		for _, x := range d.Sanctions {
			items, err := u.App.Approvals.Box(ctx, postincident.SanctionObject, strconv.FormatInt(x.ID, 10))
			if err != nil {
				return d, err
			}
			for k := range items {
				if x.AuthorID == actor.UserID || (x.PersonID != 0 && x.PersonID == actor.UserID) {
					items[k].CanDecide = false
				}
			}
			d.Approvals = append(d.Approvals, items...)
		}
	}
	return d, nil
}

// renderReview shows the page; after a refused form, with its messages and
// what it sent (which names the form).
func (u *UI) renderReview(w http.ResponseWriter, r *http.Request, id int64, which string, form map[string]string, err error) {
	d, lerr := u.loadReview(r, id)
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	if form != nil {
		d.Which = which
		for k, v := range form {
			d.Form[k] = v
		}
		if which == "review" {
			d.Picked = map[int64]bool{}
			for _, s := range strings.Split(form["attendee_ids"], ",") {
				if n := formInt(s); n != 0 {
					d.Picked[n] = true
				}
			}
		}
	}
	v := u.view(r, "incidents", d)
	v.Title = d.Incident.Number + " " + i18n.T(v.Lang, "review.title")
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "incident_review", v)
}

func reviewPath(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) + "/review" }

// afterReview answers a form: back to the page (at anchor), or the page
// again with the error; a forbidden or unknown target gets the error page.
func (u *UI) afterReview(w http.ResponseWriter, r *http.Request, id int64, which, anchor string, form map[string]string, err error) {
	if err == nil {
		// The flash goes before the fragment, which brings the reader
		// back to the section they worked in.
		http.Redirect(w, r, reviewPath(id)+"?flash=flash.saved#"+anchor, http.StatusSeeOther)
		return
	}
	if ae := apperr.As(err); ae.Code == apperr.Forbidden || ae.Code == apperr.NotFound || ae.Code == apperr.Internal {
		u.fail(w, r, err)
		return
	}
	u.renderReview(w, r, id, which, form, err)
}

func (u *UI) reviewPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.renderReview(w, r, id, "", nil, nil)
}

// formValues keeps the named fields of the posted form.
func formValues(r *http.Request, names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m[n] = r.PostFormValue(n)
	}
	return m
}

func (u *UI) reviewSave(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	form := formValues(r, "held_at", "place", "attendee_names", "minutes", "root_cause", "impact", "lessons",
		"plan_revision_needed", "plan_revision_notes")
	in := postincident.ReviewInput{Place: form["place"], AttendeeNames: []string{form["attendee_names"]},
		Minutes: form["minutes"], RootCause: form["root_cause"], Impact: form["impact"], Lessons: form["lessons"],
		PlanRevisionNeeded: form["plan_revision_needed"] != "", PlanRevisionNotes: form["plan_revision_notes"]}
	form["attendee_ids"] = strings.Join(r.PostForm["attendee_ids"], ",")
	for _, s := range r.PostForm["attendee_ids"] {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			err = apperr.Fields([]apperr.FieldError{{Field: "attendee_ids", Key: "err.invalid_choice"}})
		}
		in.AttendeeIDs = append(in.AttendeeIDs, n)
	}
	if err == nil {
		in.HeldAt, err = u.parseLocal("held_at", form["held_at"])
	}
	if err == nil {
		_, err = u.App.Reviews.SaveReview(r.Context(), id, in)
	}
	u.afterReview(w, r, id, "review", "review", form, err)
}

// parseDue reads a CAPA's due date from a date field: the end of that day
// in the installation's zone.
func (u *UI) parseDue(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, u.location())
	if err != nil {
		return time.Time{}, apperr.Fields([]apperr.FieldError{{Field: "due_at", Key: "err.capa_due_format"}})
	}
	return d.Add(24*time.Hour - time.Second), nil
}

func formInt(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

func (u *UI) capaCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	form := formValues(r, "kind", "description", "owner_id", "due_at")
	due, err := u.parseDue(form["due_at"])
	if err == nil {
		_, err = u.App.Reviews.AddCAPA(r.Context(), id, postincident.CAPAInput{Kind: form["kind"],
			Description: form["description"], OwnerID: formInt(form["owner_id"]), DueAt: due})
	}
	u.afterReview(w, r, id, "capa", "capas", form, err)
}

func capaIDs(r *http.Request) (int64, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil {
		return 0, 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, cid, nil
}

// capaUpdate changes the fields the form sends: all four for a draft,
// owner and due date for an approved CAPA.
func (u *UI) capaUpdate(w http.ResponseWriter, r *http.Request) {
	id, cid, err := capaIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, apperr.New(apperr.Invalid, "err.invalid_input"))
		return
	}
	var p postincident.CAPAPatch
	if v, ok := r.PostForm["kind"]; ok {
		p.Kind = &v[0]
	}
	if v, ok := r.PostForm["description"]; ok {
		p.Description = &v[0]
	}
	if v, ok := r.PostForm["owner_id"]; ok {
		n := formInt(v[0])
		p.OwnerID = &n
	}
	if v, ok := r.PostForm["due_at"]; ok {
		var due time.Time
		if due, err = u.parseDue(v[0]); err == nil {
			p.DueAt = &due
		}
	}
	if err == nil {
		_, err = u.App.Reviews.UpdateCAPA(r.Context(), id, cid, p)
	}
	u.afterReview(w, r, id, "capa-"+strconv.FormatInt(cid, 10), "capas", map[string]string{}, err)
}

func (u *UI) capaDelete(w http.ResponseWriter, r *http.Request) {
	id, cid, err := capaIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.afterReview(w, r, id, "", "capas", nil, u.App.Reviews.DeleteCAPA(r.Context(), id, cid))
}

func (u *UI) capaSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	_, err = u.App.Reviews.SubmitCAPAs(r.Context(), id)
	u.afterReview(w, r, id, "", "capas", nil, err)
}

func (u *UI) capaProgress(w http.ResponseWriter, r *http.Request) {
	id, cid, err := capaIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	form := formValues(r, "status", "notes")
	_, err = u.App.Reviews.Progress(r.Context(), id, cid, form["status"], form["notes"])
	u.afterReview(w, r, id, "capa-"+strconv.FormatInt(cid, 10), "capas", form, err)
}

func (u *UI) capaVerify(w http.ResponseWriter, r *http.Request) {
	id, cid, err := capaIDs(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	form := formValues(r, "decision", "notes")
	if d := form["decision"]; d != "accept" && d != "send_back" {
		err = apperr.Fields([]apperr.FieldError{{Field: "decision", Key: "err.invalid_choice"}})
	} else {
		_, err = u.App.Reviews.Verify(r.Context(), id, cid, d == "accept", form["notes"])
	}
	u.afterReview(w, r, id, "capa-"+strconv.FormatInt(cid, 10), "capas", form, err)
}

func (u *UI) sanctionCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	form := formValues(r, "kind", "person_id", "person_name", "reason", "measure")
	_, err = u.App.Reviews.ProposeSanction(r.Context(), id, postincident.SanctionInput{Kind: form["kind"],
		PersonID: formInt(form["person_id"]), PersonName: form["person_name"], Reason: form["reason"], Measure: form["measure"]})
	u.afterReview(w, r, id, "sanction", "sanctions", form, err)
}

func (u *UI) sanctionLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	inc, err := u.App.Reviews.SanctionIncident(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, reviewPath(inc), "")
}

// reportFile downloads the incident report in the reader's language.
func (u *UI) reportFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		f, err := u.App.Reports.Render(r.Context(), id, format, httpx.Lang(r))
		if err != nil {
			u.fail(w, r, err)
			return
		}
		incidentreport.Serve(w, f)
	}
}

// capaListData is the list of CAPA still being worked on.
type capaListData struct {
	CAPAs []postincident.CAPA
	Mine  bool
}

func (u *UI) capaList(w http.ResponseWriter, r *http.Request) {
	mine := r.URL.Query().Get("mine") == "1"
	list, err := u.App.Reviews.OpenCAPAs(r.Context(), mine)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "capas", capaListData{CAPAs: list, Mine: mine})
	v.Title = i18n.T(v.Lang, "capa.list.title")
	u.render(w, r, http.StatusOK, "capa_list", v)
}
