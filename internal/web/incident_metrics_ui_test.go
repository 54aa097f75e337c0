package web_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The dashboard shows the figures of the organisation's incidents with the
// three charts inline and the same figures as tables, filters by category
// and grade, names a bad filter at its field, and speaks English to those
// who chose it; the API gives the same numbers.
func TestIncidentDashboard(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		leader := e.CreateUser("leader", e.Org, auth.RoleLeadership)
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		rctx := e.Actor(resp, e.Org)
		now := e.Clock.Now()
		deface, err := e.App.Incidents.Create(rctx, incident.Input{Title: "门户首页被篡改", DiscoveredAt: now.Add(-2 * time.Hour),
			OccurredAt: now.Add(-5 * time.Hour), Category: "NA-09", Grade: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []incident.Input{
			{Title: "勒索病毒", DiscoveredAt: now.Add(-time.Hour), Category: "MP-07", Grade: 2},
			{Title: "异常登录", DiscoveredAt: now.Add(-30 * time.Minute)},
		} {
			if _, err := e.App.Incidents.Create(rctx, in); err != nil {
				t.Fatal(err)
			}
		}
		e.Clock.Advance(30 * time.Minute)
		if _, err := e.App.Lifecycle.Exception(e.Actor(leader, e.Org), deface.ID, incident.PhaseEradication, "已下线篡改页面"); err != nil {
			t.Fatal(err)
		}

		vc := e.SessionClient(viewer, e.Org)
		page := lcWant(t, vc.Get("/incidents/dashboard"), 200, "dashboard",
			"事件统计", `id="metrics-total">共 3 起事件<`, `<svg xmlns="http://www.w3.org/2000/svg" id="chart-month"`,
			`id="chart-category"`, `id="chart-grade"`, `<title id="chart-month-title">按月统计（按级别分段）</title>`,
			"发现用时", "3 小时 0 分", "2 小时 30 分", `href="/incidents?category=NA">NA 网络攻击事件</a>`,
			`<th scope="row">2026-11</th>`, `href="/api/v1/incident-metrics"`, `href="/incidents/dashboard"`)
		respond := regexp.MustCompile(`(?s)<tr id="metric-respond">.*?</tr>`).FindString(page.Body)
		if !strings.Contains(respond, "<td class=\"num\">1</td>") || !strings.Contains(respond, "2 小时 30 分") {
			t.Errorf("time to respond row: %s", respond)
		}
		if strings.Contains(page.Body, "<script") || regexp.MustCompile(`<svg[^>]*style=|<style`).MatchString(page.Body) {
			t.Error("the dashboard carries script or style")
		}

		lcWant(t, vc.Get("/incidents/dashboard?category=NA"), 200, "class filter", `id="metrics-total">共 1 起事件<`,
			`<option value="NA" selected>`)
		lcWant(t, vc.Get("/incidents/dashboard?grade=2&from=2026-11&to=2026-11"), 200, "grade filter", `id="metrics-total">共 1 起事件<`)
		bad := lcWant(t, vc.Get("/incidents/dashboard?from=2026-13"), 422, "bad month", "月份格式应为 YYYY-MM", `aria-invalid="true"`,
			`id="metrics-total">共 3 起事件<`)
		if !strings.Contains(bad.Body, `value="2026-13"`) {
			t.Error("the bad month is not shown back")
		}
		lcWant(t, vc.Get("/incidents/dashboard?category=NA-09"), 422, "sub-category", "只能按一级分类统计")
		lcWant(t, vc.Get("/incidents/dashboard?from=2026-11&to=2026-01"), 422, "reversed", "开始月份不能晚于结束月份")

		// English.
		ec := e.SessionClient(resp, e.Org)
		lcWant(t, ec.PostForm("/account/language", url.Values{"locale": {"en"}}), 303, "choose English")
		lcWant(t, ec.Get("/incidents/dashboard"), 200, "English dashboard", "Incident metrics", "Time to respond",
			"2 h 30 min", "3 incidents", "Incidents by month and grade", "Network attack event")

		// The API: the same numbers.
		res := e.API(e.Token(viewer), "GET", "/api/v1/incident-metrics", "", e.Org)
		var m incident.Metrics
		if err := json.Unmarshal([]byte(res.Body), &m); err != nil || res.StatusCode != 200 {
			t.Fatalf("API: %d %s", res.StatusCode, res.Body)
		}
		if m.Incidents != 3 || m.Durations[1].Metric != "respond" || m.Durations[1].Count != 1 || *m.Durations[1].MeanSeconds != 9000 ||
			*m.Durations[0].MeanSeconds != 3*3600 || m.Durations[3].Count != 0 || m.Durations[3].MeanSeconds != nil {
			t.Errorf("API metrics: %s", res.Body)
		}
		if res := e.API(e.Token(viewer), "GET", "/api/v1/incident-metrics?to=26-01", "", e.Org); res.StatusCode != 422 ||
			!strings.Contains(res.Body, `"to"`) {
			t.Errorf("API bad month: %d %s", res.StatusCode, res.Body)
		}
	})
}

// The report form takes the occurrence time; the incident page shows it and
// the milestones reached.
func TestOccurredAtOnTheForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		rc := e.SessionClient(resp, e.Org)
		lcWant(t, rc.Get("/incidents/new"), 200, "form", `name="occurred_at"`, "事件发生时间")
		discovered := e.Clock.Now().Add(-30 * time.Minute).In(e.Cfg.Location)
		form := url.Values{"title": {"门户首页被篡改"}, "discovered_at": {discovered.Format("2006-01-02T15:04")},
			"occurred_at": {discovered.Add(-3 * time.Hour).Format("2006-01-02T15:04")}, "source": {"monitoring"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("occurred_at", discovered.Add(10*time.Minute).Format("2006-01-02T15:04"))
		lcWant(t, rc.PostForm("/incidents", bad), 422, "occurred after discovery", "发生时间不能晚于发现时间")
		res := rc.PostForm("/incidents", form)
		m := incidentLocation.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != 303 || m == nil {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		show := lcWant(t, rc.Get("/incidents/"+m[1]), 200, "incident page", `id="incident-occurred"`)
		if !strings.Contains(show.Body, discovered.Add(-3*time.Hour).Format("2006-01-02 15:04")) {
			t.Errorf("occurrence time not shown")
		}
		lcWant(t, rc.Get("/incidents/"+m[1]+"/edit"), 200, "edit form", `value="`+discovered.Add(-3*time.Hour).Format("2006-01-02T15:04")+`"`)
	})
}
