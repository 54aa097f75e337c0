package e2e_test

import (
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestIncidentDashboardScreens opens the incident dashboard in a browser in
// both languages, on a desktop and a phone: the inline SVG charts draw
// their bars, the figures show, and the page passes look's checks (no
// sideways scroll, no missing key, CSP kept). The menu leads there.
func TestIncidentDashboardScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
	leader := e.CreateUser("leader", e.Org, auth.RoleLeadership)
	now := e.Clock.Now()
	for k, in := range []incident.Input{
		{Title: "门户首页被篡改", Category: "NA-09", Grade: 3, OccurredAt: now.Add(-74 * time.Hour)},
		{Title: "勒索病毒", Category: "MP-07", Grade: 2},
		{Title: "钓鱼邮件", Category: "NA-02", Grade: 4},
		{Title: "数据泄露", Category: "DS-03", Grade: 1},
	} {
		in.DiscoveredAt = now.Add(-time.Duration(k*40+2) * 24 * time.Hour)
		i, err := e.App.Incidents.Create(e.Actor(resp, e.Org), in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Lifecycle.Exception(e.Actor(leader, e.Org), i.ID, incident.PhaseEradication, "处置"); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"zh-CN", "en"} {
		u := e.CreateUser("viewer-"+lang, e.Org, auth.RoleViewer)
		if err := e.App.Accounts.SetLocale(e.Actor(u, e.Org), lang); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, e.HTTP.URL, "incident-dashboard-"+lang, lang, 1366, 768)
		login(b, u.Username)
		b.open("/incidents")
		b.clickCSS(`nav.side a[href="/incidents/dashboard"]`)
		b.see("#metrics-total", map[string]string{"zh-CN": "共 4 起事件", "en": "4 incidents"}[lang])
		b.see(`section[aria-labelledby="metrics-month-h"] .chart`, map[string]string{"zh-CN": "I级 特别重大", "en": "I especially major"}[lang])
		b.see("#metric-respond", map[string]string{"zh-CN": "响应用时", "en": "Time to respond"}[lang])
		look(b, "incident-dashboard")
		b.open("/incidents/dashboard?category=NA")
		b.see("#metrics-total", map[string]string{"zh-CN": "共 2 起事件", "en": "2 incidents"}[lang])
		look(b, "incident-dashboard-na")
	}
}
