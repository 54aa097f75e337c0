package web

import (
	"net/http"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/report"
	"bulwark/internal/workflow"
)

// The emergency plan's pages (应急预案): the plan in force with its
// revision record, each revision's stable page, the draft form, and the
// exports. Approving happens in the approval box (package workflow).
func (u *UI) emergencyPlanRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/emergency/plan", Handler: u.eplanPage},
		{Method: "POST", Pattern: "/emergency/plan/revisions", Handler: u.eplanStart},
		{Method: "GET", Pattern: "/emergency/plan/revisions/{id}", Handler: u.eplanRevision},
		{Method: "GET", Pattern: "/emergency/plan/revisions/{id}/edit", Handler: u.eplanEdit},
		{Method: "POST", Pattern: "/emergency/plan/revisions/{id}", Handler: u.eplanSave},
		{Method: "POST", Pattern: "/emergency/plan/revisions/{id}/submit", Handler: u.eplanSubmit},
		{Method: "POST", Pattern: "/emergency/plan/revisions/{id}/delete", Handler: u.eplanDiscard},
		{Method: "GET", Pattern: "/emergency/plan/revisions/{id}/export", Handler: u.eplanExport},
	}
}

// chapterView is a chapter as the pages show it.
type chapterView struct {
	Title   string // the chapter's own title (the contents list numbers it)
	Heading string // numbered: 1. 总则
	Source  string
	Parts   []partView
}

// partView is a paragraph (its marked-up spans) or a list.
type partView struct {
	Spans []report.Span
	Items []string
}

func chapterViews(chs []emergencyplan.Chapter) []chapterView {
	out := make([]chapterView, 0, len(chs))
	for i, c := range chs {
		v := chapterView{Title: c.Title, Heading: strconv.Itoa(i+1) + ". " + c.Title, Source: c.Source}
		for _, p := range emergencyplan.Parts(c.Body) {
			if p.Items != nil {
				v.Parts = append(v.Parts, partView{Items: p.Items})
			} else {
				v.Parts = append(v.Parts, partView{Spans: report.Spans(p.Text)})
			}
		}
		out = append(out, v)
	}
	return out
}

type planPageData struct {
	Current   *emergencyplan.Revision
	Chapters  []chapterView
	Open      *emergencyplan.Revision
	Revisions []emergencyplan.Revision
}

func (u *UI) eplanPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	svc := u.App.EmergencyPlan
	var d planPageData
	cur, ok, err := svc.Current(ctx)
	if err == nil && ok {
		d.Current, d.Chapters = &cur, chapterViews(cur.Chapters)
	}
	var open emergencyplan.Revision
	if err == nil {
		open, ok, err = svc.Open(ctx)
		if ok {
			d.Open = &open
		}
	}
	if err == nil {
		d.Revisions, err = svc.Revisions(ctx)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "emergency", d)
	v.Title = i18n.T(v.Lang, "eplan.title")
	u.render(w, r, http.StatusOK, "emergency_plan", v)
}

func (u *UI) eplanStart(w http.ResponseWriter, r *http.Request) {
	rev, err := u.App.EmergencyPlan.StartDraft(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, emergencyplan.Path(rev.ID)+"/edit", "flash.saved")
}

type planRevisionData struct {
	Revision  emergencyplan.Revision
	Chapters  []chapterView
	Approvals []workflow.Item
}

func (u *UI) eplanRevision(w http.ResponseWriter, r *http.Request) {
	u.showRevision(w, r, http.StatusOK, nil)
}

// showRevision renders a revision's page, with err's message when an
// action on it was refused.
func (u *UI) showRevision(w http.ResponseWriter, r *http.Request, status int, actionErr error) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	rev, err := u.App.EmergencyPlan.Get(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	items, err := u.App.Approvals.Box(ctx, emergencyplan.Object, strconv.FormatInt(id, 10))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for k := range items {
		// The author is refused as decider (a rule of the plan), so is
		// not offered the buttons either.
		if a := auth.FromContext(ctx); a != nil && a.UserID == rev.AuthorID {
			items[k].CanDecide = false
		}
	}
	v := u.view(r, "emergency", planRevisionData{Revision: rev, Chapters: chapterViews(rev.Chapters), Approvals: items})
	v.Title = rev.Title + " " + rev.Version
	if actionErr != nil {
		status = v.setErr(r, actionErr)
	}
	u.render(w, r, status, "emergency_plan_revision", v)
}

// planFormData is the draft form: the revision and the text as typed.
type planFormData struct {
	Revision emergencyplan.Revision
	In       emergencyplan.DraftInput
	// Incidents is the incidents field as typed (numbers).
	Incidents string
	// Rows are the chapters' fieldsets, the last blank for a new chapter.
	Rows []chapterRow
	// New is the index of that blank row.
	New int
}

// chapterRow is one chapter's fieldset with its messages.
type chapterRow struct {
	Index                        int
	New                          bool
	Title, Body, Source          string
	TitleErr, BodyErr, SourceErr string
}

// Field is the form name of one of the row's fields.
func (c chapterRow) Field(part string) string { return emergencyplan.ChapterField(c.Index, part) }

func (u *UI) renderPlanForm(w http.ResponseWriter, r *http.Request, status int, rev emergencyplan.Revision, in emergencyplan.DraftInput, incidents string, err error) {
	d := planFormData{Revision: rev, In: in, Incidents: incidents, New: len(in.Chapters)}
	v := u.view(r, "emergency", nil)
	v.Title = i18n.T(v.Lang, "eplan.edit.title", rev.Version)
	if err != nil {
		status = v.setErr(r, err)
	}
	for i, c := range in.Chapters {
		row := chapterRow{Index: i, Title: c.Title, Body: c.Body, Source: c.Source}
		row.TitleErr, row.BodyErr, row.SourceErr = v.Err(row.Field("title")), v.Err(row.Field("body")), v.Err(row.Field("source"))
		d.Rows = append(d.Rows, row)
	}
	d.Rows = append(d.Rows, chapterRow{Index: len(in.Chapters), New: true})
	v.Data = d
	u.render(w, r, status, "emergency_plan_form", v)
}

func (u *UI) eplanEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermEmergencyManage); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	rev, err := u.App.EmergencyPlan.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if rev.Status != emergencyplan.StatusDraft {
		redirect(w, r, emergencyplan.Path(id), "")
		return
	}
	in := emergencyplan.DraftInput{Title: rev.Title, Summary: rev.Summary, Reason: rev.Reason, MajorChange: rev.MajorChange, Chapters: rev.Chapters}
	if rev.EffectiveFrom != nil {
		in.EffectiveFrom = u.App.EmergencyPlan.Day(*rev.EffectiveFrom)
	}
	var nums []string
	for _, inc := range rev.Incidents {
		nums = append(nums, inc.Number)
	}
	u.renderPlanForm(w, r, http.StatusOK, rev, in, joinRefs(nums), nil)
}

func (u *UI) eplanSave(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, apperr.New(apperr.Invalid, "err.invalid_input"))
		return
	}
	in, incidents := draftFromForm(r.PostForm)
	rev, err := u.App.EmergencyPlan.SaveDraft(r.Context(), id, in)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			if cur, gerr := u.App.EmergencyPlan.Get(r.Context(), id); gerr == nil {
				u.renderPlanForm(w, r, 0, cur, in, incidents, err)
				return
			}
		}
		u.fail(w, r, err)
		return
	}
	target := emergencyplan.Path(rev.ID)
	if r.PostFormValue("then") == "edit" {
		target += "/edit"
	}
	redirect(w, r, target, "flash.saved")
}

func (u *UI) eplanSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if _, err := u.App.EmergencyPlan.Submit(r.Context(), id); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.showRevision(w, r, 0, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, emergencyplan.Path(id), "flash.eplan_submitted")
}

func (u *UI) eplanDiscard(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = u.App.EmergencyPlan.Discard(r.Context(), id)
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/emergency/plan", "flash.deleted")
}

// planExport downloads a revision as DOCX, or shows it as the printable
// HTML page (format=html), in the reader's language.
func (u *UI) eplanExport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "html" && format != "docx" {
		u.fail(w, r, apperr.Fields([]apperr.FieldError{{Field: "format", Key: "err.invalid_choice"}}))
		return
	}
	doc, err := u.App.EmergencyPlan.Document(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := httpx.ServeReport(w, doc, format); err != nil {
		u.fail(w, r, err)
	}
}
