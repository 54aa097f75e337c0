package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"bulwark/internal/account"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestIncidentScreens walks the incident pages in a browser in both
// languages, on a desktop and a phone: a responder reports an incident of
// grade III and sees the countdown of an "other operator" (4 hours), then
// files the first report to the regulator with its first two items; a
// security manager asks for a proposal on the grading form. Every page must
// pass the checks of look (no sideways scroll, no missing key, CSP kept).
func TestIncidentScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	for _, lang := range []string{"zh-CN", "en"} {
		resp := e.CreateUser("resp-"+lang, e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr-"+lang, e.Org, auth.RoleSecurityManager)
		for _, u := range []account.User{resp, mgr} {
			if err := e.App.Accounts.SetLocale(e.Actor(u, e.Org), lang); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, e.HTTP.URL, "incidents-"+lang, lang, 1366, 768)
		login(b, resp.Username)
		b.open("/incidents")
		look(b, "incidents-empty")
		b.open("/incidents/new")
		look(b, "incident-new")
		b.fill("title", map[string]string{"zh-CN": "门户首页被篡改", "en": "Portal home page defaced"}[lang])
		b.choose("category", "NA-09")
		b.choose("grade", "3")
		b.submit("incident-save")
		b.see("#incident-countdown", map[string]string{"zh-CN": "剩余 4 小时 0 分", "en": "4 h 0 min left"}[lang])
		look(b, "incident-show")
		// The first report to the regulator: the prefilled form, only the
		// first two items for now, then the incident page with the record.
		b.clickCSS("#report-new-first")
		look(b, "regulator-report-form")
		b.fill("field-facility", map[string]string{"zh-CN": "门户网站", "en": "Portal web site"}[lang])
		b.must("tick", chromedp.Evaluate[chromedp.Void]("document.getElementById('partial').checked = true"))
		b.submit("report-submit")
		b.see("#report-list", map[string]string{"zh-CN": "先报第一、二项", "en": "First two items only"}[lang])
		look(b, "incident-reported")
		b.open("/incidents")
		b.see("table.list .grade.g3")
		look(b, "incidents")
		b.open("/incident-categories")
		look(b, "incident-categories")

		m := newBrowser(t, e.HTTP.URL, "incident-grading-"+lang, lang, 1366, 768)
		login(m, mgr.Username)
		m.open("/incidents")
		m.clickCSS("table.list td.name a")
		m.clickCSS("#incident-grade")
		look(m, "incident-grade")
		m.must("tick", chromedp.Click(chromedp.CSS(`input[name=importance][value=important]`)))
		m.must("tick", chromedp.Click(chromedp.CSS(`input[name=loss][value=serious]`)))
		m.must("tick", chromedp.Click(chromedp.CSS(`input[name=impact][value=general]`)))
		m.submit("grade-propose")
		m.see("#grade-proposal", map[string]string{"zh-CN": "较大", "en": "Grade III"}[lang])
		look(m, "incident-grade-proposal")
	}
}

func login(b *browser, username string) {
	b.t.Helper()
	b.open("/login")
	b.fill("username", username)
	b.fill("password", servertest.Password)
	b.submit("login-submit")
}
