package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
)

// The incident dashboard (issue 3, point 12): time to detect, respond,
// contain and close, and counts by month, category and grade, for a period
// of months and an optional category and grade. The charts are SVG drawn by
// package incident and placed in the page; tables below them give the same
// figures in words.
func (u *UI) incidentMetricsRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/incidents/dashboard", Handler: u.incidentDashboard},
	}
}

// durationRow is one metric as the page shows it.
type durationRow struct {
	incident.Duration
	Mean, Median, P90 string
}

type dashboardData struct {
	Metrics   incident.Metrics
	Form      url.Values // the filter as typed
	Classes   []incident.Category
	Grades    []int
	Durations []durationRow
	// The charts, trusted: drawn by package incident, every text escaped.
	MonthChart, CategoryChart, GradeChart template.HTML
	APIPath                               string
}

func (u *UI) incidentDashboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, ferr := incident.MetricsFilterFromQuery(q)
	m, err := u.App.Incidents.Metrics(r.Context(), f)
	if ferr == nil && apperr.Is(err, apperr.Invalid) {
		ferr = err
	}
	if ferr != nil {
		// Show the default figures under the form that names the problem.
		m, err = u.App.Incidents.Metrics(r.Context(), incident.MetricsFilter{})
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	t := func(k string, a ...any) string { return i18n.T(lang, k, a...) }
	d := dashboardData{Metrics: m, Form: q, Grades: grades, APIPath: "/api/v1/incident-metrics"}
	if r.URL.RawQuery != "" {
		d.APIPath += "?" + r.URL.RawQuery
	}
	// The category choices: every class, whatever the filter.
	tree, err := u.App.Incidents.Categories(r.Context(), false)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Classes = tree
	for _, dur := range m.Durations {
		d.Durations = append(d.Durations, durationRow{Duration: dur, Mean: metricDur(lang, dur.MeanSeconds),
			Median: metricDur(lang, dur.MedianSeconds), P90: metricDur(lang, dur.P90Seconds)})
	}
	d.MonthChart = template.HTML(m.MonthChart(t))
	d.CategoryChart = template.HTML(m.CategoryChart(lang, t))
	d.GradeChart = template.HTML(m.GradeChart(t))
	v := u.view(r, "incident-dashboard", d)
	v.Title = t("metrics.title")
	status := http.StatusOK
	if ferr != nil {
		status = v.setErr(r, ferr)
	}
	u.render(w, r, status, "incident_dashboard", v)
}

// metricDur writes a duration for people: seconds under a minute, minutes
// under an hour, hours and minutes under two days, days (one decimal)
// beyond; "—" when there is none.
func metricDur(lang string, secs *int64) string {
	if secs == nil {
		return "—"
	}
	s := *secs
	switch {
	case s < 60:
		return i18n.T(lang, "metrics.dur.s", s)
	case s < 3600:
		return i18n.T(lang, "metrics.dur.m", s/60)
	case s < 48*3600:
		return i18n.T(lang, "metrics.dur.hm", s/3600, s%3600/60)
	}
	return i18n.T(lang, "metrics.dur.d", strconv.FormatFloat(float64(s)/86400, 'f', 1, 64))
}
