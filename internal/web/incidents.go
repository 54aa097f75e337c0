package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
)

func (u *UI) incidentRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/incidents", Handler: u.incidentList},
		{Method: "GET", Pattern: "/incidents/new", Handler: u.incidentNew},
		// The alert page's "report as incident" button posts here: the
		// form comes back prefilled from the alert.
		{Method: "POST", Pattern: "/incidents/new", Handler: u.incidentFromAlert},
		{Method: "POST", Pattern: "/incidents", Handler: u.incidentCreate},
		{Method: "GET", Pattern: "/incidents/{id}", Handler: u.incidentShow},
		{Method: "GET", Pattern: "/incidents/{id}/edit", Handler: u.incidentEdit},
		{Method: "POST", Pattern: "/incidents/{id}", Handler: u.incidentUpdate},
		{Method: "GET", Pattern: "/incidents/{id}/grade", Handler: u.incidentGradeForm},
		{Method: "POST", Pattern: "/incidents/{id}/grade", Handler: u.incidentGrade},
		{Method: "POST", Pattern: "/incidents/{id}/reported", Handler: u.incidentReported},
	}
}

// categoryNames maps every code of the tree to "code name" in lang.
func categoryNames(tree []incident.Category, lang string) map[string]string {
	m := map[string]string{}
	for _, c := range tree {
		m[c.Code] = c.Name(lang)
		for _, s := range c.Children {
			m[s.Code] = c.Name(lang) + " / " + s.Name(lang)
		}
	}
	return m
}

type incidentRow struct {
	incident.Incident
	CategoryName string
	Due          string
	Overdue      bool
}

// dueText is the remaining time of a pending first report, or how late it
// is, in whole minutes (the page refreshes itself every minute).
func dueText(lang string, i incident.Incident, now time.Time) (string, bool) {
	left, ok := i.Remaining(now)
	if !ok {
		if i.ReportedAt != nil {
			return i18n.T(lang, "incident.report.done"), false
		}
		return "", false
	}
	if left < 0 {
		return i18n.T(lang, "incident.report.overdue_by", durText(lang, -left)), true
	}
	return i18n.T(lang, "incident.report.left", durText(lang, left)), false
}

func durText(lang string, d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	if m >= 60 {
		return i18n.T(lang, "incident.dur.hm", m/60, m%60)
	}
	return i18n.T(lang, "incident.dur.m", m)
}

type incidentListData struct {
	Page       incident.Page
	Filter     incident.Filter
	Query      url.Values
	Rows       []incidentRow
	Categories []incident.Category
	Pages      int
	Phases     []incident.Phase
	Grades     []int
	Statuses   []string
}

// grades lists the four grades, I first.
var grades = []int{incident.GradeI, incident.GradeII, incident.GradeIII, incident.GradeIV}

func (u *UI) incidentList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := incident.FilterFromQuery(q)
	p, err := u.App.Incidents.List(r.Context(), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tree, err := u.App.Incidents.Categories(r.Context(), false)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	names := categoryNames(tree, lang)
	now := u.App.Clock.Now()
	d := incidentListData{Page: p, Filter: f, Query: q, Categories: tree,
		Pages: (p.Total + p.PerPage - 1) / p.PerPage, Phases: incident.Phases, Grades: grades, Statuses: incident.Statuses}
	for _, i := range p.Items {
		due, over := dueText(lang, i, now)
		d.Rows = append(d.Rows, incidentRow{Incident: i, CategoryName: names[i.Category], Due: due, Overdue: over})
	}
	v := u.view(r, "incidents", d)
	v.Title = i18n.T(v.Lang, "incident.list.title")
	u.render(w, r, http.StatusOK, "incident_list", v)
}

// incidentForm is the report/edit form's state.
type incidentForm struct {
	ID           int64
	Number       string
	Title        string
	Description  string
	DiscoveredAt string // datetime-local, in the installation's zone
	OccurredAt   string // likewise; empty when unknown
	ReporterName string
	Source       string
	Category     string
	Grade        int
	AssetIDs     []int64
	Systems      string
	AlertRef     string
}

type incidentFormData struct {
	Form       incidentForm
	Action     string
	Categories []incident.Category
	Assets     []asset.Asset
	Duplicates []incident.Incident
	Notice     string // e.g. no alert source configured
	Sources    []incident.Source
	Grades     []int
}

func (u *UI) formOf(i incident.Input, id int64, number string) incidentForm {
	f := incidentForm{ID: id, Number: number, Title: i.Title, Description: i.Description, ReporterName: i.ReporterName,
		Source: string(i.Source), Category: i.Category, Grade: i.Grade, AssetIDs: i.AssetIDs,
		Systems: strings.Join(i.BusinessSystems, "\n"), AlertRef: i.AlertRef}
	if !i.DiscoveredAt.IsZero() {
		f.DiscoveredAt = i.DiscoveredAt.In(u.location()).Format(localLayout)
	}
	if !i.OccurredAt.IsZero() {
		f.OccurredAt = i.OccurredAt.In(u.location()).Format(localLayout)
	}
	return f
}

func (u *UI) renderIncidentForm(w http.ResponseWriter, r *http.Request, status int, f incidentForm, dups []incident.Incident, notice string, err error) {
	action, titleKey := "/incidents", "incident.new.title"
	if f.ID != 0 {
		action, titleKey = "/incidents/"+strconv.FormatInt(f.ID, 10), "incident.edit.title"
	}
	tree, terr := u.App.Incidents.Categories(r.Context(), true)
	if terr != nil {
		u.fail(w, r, terr)
		return
	}
	// The asset picker offers the register's first 500 assets by number.
	assets, aerr := u.App.Assets.List(r.Context(), asset.Filter{PerPage: 500})
	if aerr != nil {
		u.fail(w, r, aerr)
		return
	}
	v := u.view(r, "incidents", incidentFormData{Form: f, Action: action, Categories: tree,
		Assets: assets.Items, Duplicates: dups, Notice: notice, Sources: incident.Sources, Grades: grades})
	v.Title = i18n.T(v.Lang, titleKey)
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "incident_form", v)
}

func (u *UI) incidentNew(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentReport); err != nil {
		u.fail(w, r, err)
		return
	}
	now := u.App.Clock.Now()
	u.renderIncidentForm(w, r, http.StatusOK, u.formOf(incident.Input{DiscoveredAt: now, Source: incident.SourceUserReport}, 0, ""), nil, "", nil)
}

func (u *UI) incidentFromAlert(w http.ResponseWriter, r *http.Request) {
	d, ok, err := u.App.Incidents.Draft(r.Context(), r.URL.Query().Get("from_alert"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	notice := ""
	if !ok {
		notice = i18n.T(httpx.Lang(r), "incident.alert_unavailable")
		d = incident.Draft{DiscoveredAt: u.App.Clock.Now(), Source: incident.SourceAlert}
	}
	f := u.formOf(d.Input(), 0, "")
	dups, _ := u.App.Incidents.Duplicates(r.Context(), f.AssetIDs, 0)
	u.renderIncidentForm(w, r, http.StatusOK, f, dups, notice, nil)
}

// inputFromForm reads the form; a time that does not parse is reported as
// a field error of the form itself.
func (u *UI) inputFromForm(r *http.Request) (incident.Input, *apperr.FieldError) {
	in := incident.Input{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		ReporterName: r.PostFormValue("reporter_name"), Source: incident.Source(r.PostFormValue("source")),
		Category: r.PostFormValue("category"), AlertRef: r.PostFormValue("alert_ref")}
	in.Grade, _ = strconv.Atoi(r.PostFormValue("grade"))
	for _, s := range r.PostForm["asset_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.AssetIDs = append(in.AssetIDs, id)
		}
	}
	in.BusinessSystems = strings.FieldsFunc(r.PostFormValue("business_systems"), func(c rune) bool {
		return c == '\n' || c == ',' || c == '，' || c == '；' || c == ';' || c == '、'
	})
	if s := strings.TrimSpace(r.PostFormValue("discovered_at")); s != "" {
		t, err := time.ParseInLocation(localLayout, s, u.location())
		if err != nil {
			return in, &apperr.FieldError{Field: "discovered_at", Key: "err.incident_time_local"}
		}
		in.DiscoveredAt = t
	}
	if s := strings.TrimSpace(r.PostFormValue("occurred_at")); s != "" {
		t, err := time.ParseInLocation(localLayout, s, u.location())
		if err != nil {
			return in, &apperr.FieldError{Field: "occurred_at", Key: "err.incident_time_local"}
		}
		in.OccurredAt = t
	}
	return in, nil
}

func (u *UI) incidentCreate(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentReport); err != nil {
		u.fail(w, r, err)
		return
	}
	in, ferr := u.inputFromForm(r)
	f := u.formOf(in, 0, "")
	f.DiscoveredAt = r.PostFormValue("discovered_at")
	f.OccurredAt = r.PostFormValue("occurred_at")
	if ferr != nil {
		u.renderIncidentForm(w, r, 0, f, nil, "", apperr.Fields([]apperr.FieldError{*ferr}))
		return
	}
	// Duplicate suspicion: open incidents on the same assets are shown
	// before a second incident is recorded, until the reporter confirms.
	if r.PostFormValue("duplicates_checked") == "" && len(in.AssetIDs) > 0 {
		dups, err := u.App.Incidents.Duplicates(r.Context(), in.AssetIDs, 0)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		if len(dups) > 0 {
			u.renderIncidentForm(w, r, http.StatusOK, f, dups, i18n.T(httpx.Lang(r), "incident.duplicates.confirm"), nil)
			return
		}
	}
	i, err := u.App.Incidents.Create(r.Context(), in)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderIncidentForm(w, r, 0, f, nil, "", err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(i.ID, 10), "flash.saved")
}

type incidentShowData struct {
	Incident     incident.Incident
	CategoryName string
	AnnexB       string
	RuleText     string
	Due          string
	Overdue      bool
	Pending      bool // a first report is due and not yet made: the page refreshes
	Assets       []asset.Asset
	Duplicates   []incident.Incident
	History      []incidentHistoryRow
	// Escalation: plan activation, the working group, the reports to the
	// regulator and their deadlines (escalation.go).
	Escalation escalationView
}

// incidentHistoryRow is one audit record of the incident with the changes a reader
// cares about, in words (grade names, not numbers).
type incidentHistoryRow struct {
	audit.Change
	Lines []incidentFieldLine
}

type incidentFieldLine struct{ Label, Old, New string }

func incidentHistory(lang string, changes []audit.Change) []incidentHistoryRow {
	out := make([]incidentHistoryRow, 0, len(changes))
	for _, c := range changes {
		row := incidentHistoryRow{Change: c}
		for _, f := range c.Fields {
			key := "incident.field." + f.Field
			if !i18n.Has(key) || c.Action == "incident.create" {
				continue
			}
			old, nw := f.Old, f.New
			if f.Field == "grade" {
				g := func(v string) string {
					n, _ := strconv.Atoi(v)
					return i18n.T(lang, fmt.Sprintf("incident.grade.%d", n))
				}
				old, nw = g(old), g(nw)
			}
			row.Lines = append(row.Lines, incidentFieldLine{Label: i18n.T(lang, key), Old: old, New: nw})
		}
		out = append(out, row)
	}
	return out
}

func (u *UI) incidentShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	i, err := u.App.Incidents.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ctx := r.Context()
	lang := httpx.Lang(r)
	tree, err := u.App.Incidents.Categories(ctx, false)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	criteria, err := u.App.Incidents.Criteria(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := incidentShowData{Incident: i, CategoryName: categoryNames(tree, lang)[i.Category]}
	for _, c := range tree {
		for _, s := range append([]incident.Category{c}, c.Children...) {
			if s.Code == i.Category {
				d.AnnexB = s.AnnexBCode
			}
		}
	}
	d.RuleText = ruleText(lang, i, criteria)
	d.Due, d.Overdue = dueText(lang, i, u.App.Clock.Now())
	_, d.Pending = i.Remaining(u.App.Clock.Now())
	for _, aid := range i.AssetIDs {
		// Assets deleted since stay out; every incident reader may read assets.
		if a, err := u.App.Assets.Get(ctx, aid); err == nil {
			d.Assets = append(d.Assets, a)
		}
	}
	if d.Duplicates, err = u.App.Incidents.Duplicates(ctx, i.AssetIDs, i.ID); err != nil {
		u.fail(w, r, err)
		return
	}
	hist, err := u.App.Incidents.History(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.History = incidentHistory(lang, hist)
	if d.Escalation, err = u.loadEscalation(r, i); err != nil {
		u.fail(w, r, err)
		return
	}
	v := u.view(r, "incidents", d)
	v.Title = i.Number + " " + i.Title
	u.render(w, r, http.StatusOK, "incident_show", v)
}

// ruleText says in lang what decided the incident's grade (shared with the
// incident report).
func ruleText(lang string, i incident.Incident, criteria []incident.Criterion) string {
	return incident.RuleText(lang, i, criteria)
}

func (u *UI) incidentEdit(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentReport); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	i, err := u.App.Incidents.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in := incident.Input{Title: i.Title, Description: i.Description, DiscoveredAt: i.DiscoveredAt, ReporterName: i.ReporterName,
		Source: i.Source, Category: i.Category, AssetIDs: i.AssetIDs, BusinessSystems: i.BusinessSystems, AlertRef: i.AlertRef}
	if i.OccurredAt != nil {
		in.OccurredAt = *i.OccurredAt
	}
	u.renderIncidentForm(w, r, http.StatusOK, u.formOf(in, i.ID, i.Number), nil, "", nil)
}

func (u *UI) incidentUpdate(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentReport); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	in, ferr := u.inputFromForm(r)
	f := u.formOf(in, id, "")
	f.DiscoveredAt = r.PostFormValue("discovered_at")
	f.OccurredAt = r.PostFormValue("occurred_at")
	if ferr != nil {
		u.renderIncidentForm(w, r, 0, f, nil, "", apperr.Fields([]apperr.FieldError{*ferr}))
		return
	}
	if _, err := u.App.Incidents.Update(r.Context(), id, in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderIncidentForm(w, r, 0, f, nil, "", err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10), "flash.saved")
}

type incidentGradeData struct {
	Incident incident.Incident
	Criteria []incident.Criterion
	In       incident.GradeInput
	Figures  map[string]string // as typed
	Proposal *incident.Proposal
	RuleText string
	Grades   []int
	// The factor answers, most severe first.
	Importances, Losses, Impacts []string
}

func (u *UI) renderGradeForm(w http.ResponseWriter, r *http.Request, status int, d incidentGradeData, err error) {
	v := u.view(r, "incidents", d)
	v.Title = i18n.T(v.Lang, "incident.grade.title") + " " + d.Incident.Number
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "incident_grade", v)
}

func (u *UI) incidentGradeForm(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentGrade); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	i, err := u.App.Incidents.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	criteria, err := u.App.Incidents.Criteria(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := incidentGradeData{Incident: i, Criteria: criteria, Figures: map[string]string{}, Grades: grades,
		Importances: incident.Importances, Losses: incident.Losses, Impacts: incident.Impacts}
	if i.Factors != nil {
		d.In.Factors = *i.Factors
	}
	for k, v := range i.Figures {
		d.Figures[k] = strconv.FormatInt(v, 10)
	}
	u.renderGradeForm(w, r, http.StatusOK, d, nil)
}

// incidentGrade proposes (button "propose") or records the grade.
func (u *UI) incidentGrade(w http.ResponseWriter, r *http.Request) {
	if _, err := auth.Require(r.Context(), auth.PermIncidentGrade); err != nil {
		u.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	i, err := u.App.Incidents.Get(r.Context(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	criteria, err := u.App.Incidents.Criteria(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := incidentGradeData{Incident: i, Criteria: criteria, Figures: map[string]string{}, Grades: grades,
		Importances: incident.Importances, Losses: incident.Losses, Impacts: incident.Impacts}
	d.In.Factors = incident.Factors{Importance: r.PostFormValue("importance"), Loss: r.PostFormValue("loss"), Impact: r.PostFormValue("impact")}
	d.In.Figures = map[string]int64{}
	d.In.Reason = r.PostFormValue("reason")
	d.In.Grade, _ = strconv.Atoi(r.PostFormValue("grade"))
	var col apperr.Collector
	for _, c := range criteria {
		s := strings.TrimSpace(r.PostFormValue("figure_" + c.Key))
		if s == "" {
			continue
		}
		d.Figures[c.Key] = s
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			col.Add("figure_"+c.Key, "err.incident_figure_number")
			continue
		}
		d.In.Figures[c.Key] = n
	}
	if err := col.Err(); err != nil {
		u.renderGradeForm(w, r, 0, d, err)
		return
	}
	lang := httpx.Lang(r)
	if r.PostFormValue("op") == "propose" {
		p, err := u.App.Incidents.Propose(r.Context(), id, d.In)
		if err == nil {
			d.Proposal = &p
			shown := i
			g := p.Grade
			shown.Grade, shown.GradeRule, shown.Factors = &g, &p.Rule, &d.In.Factors
			d.RuleText = ruleText(lang, shown, criteria)
		}
		u.renderGradeForm(w, r, http.StatusOK, d, err)
		return
	}
	if _, _, err := u.App.Incidents.Grade(r.Context(), id, d.In); err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			if p, perr := u.App.Incidents.Propose(r.Context(), id, d.In); perr == nil {
				d.Proposal = &p
			}
			u.renderGradeForm(w, r, 0, d, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10), "flash.saved")
}

func (u *UI) incidentReported(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if _, err := u.App.Incidents.MarkReported(r.Context(), id, time.Time{}); err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10), "flash.saved")
}
