package e2e_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestReviewScreens walks the post-incident review in a browser in both
// languages, on a desktop and a phone: a responder records the summary
// meeting on an incident in the summary phase, sees what closing still
// needs, proposes a CAPA; the page with CAPA and a recommendation, the
// CAPA list and the printable report pass the checks of look; the report
// downloads as DOCX from the incident page's link.
func TestReviewScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	for _, lang := range []string{"zh-CN", "en"} {
		resp := e.CreateUser("resp-r-"+lang, e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr-r-"+lang, e.Org, auth.RoleSecurityManager)
		leader := e.CreateUser("lead-r-"+lang, e.Org, auth.RoleLeadership)
		if err := e.App.Accounts.SetLocale(e.Actor(resp, e.Org), lang); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Accounts.SetLocale(e.Actor(mgr, e.Org), lang); err != nil {
			t.Fatal(err)
		}
		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "门户首页被篡改 " + lang, DiscoveredAt: e.Clock.Now(), Grade: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Lifecycle.Exception(e.Actor(leader, e.Org), inc.ID, incident.PhaseSummary, "演示"); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/incidents/%d", inc.ID)

		b := newBrowser(t, e.HTTP.URL, "review-"+lang, lang, 1366, 768)
		login(b, resp.Username)
		b.open(base + "/review")
		b.see("#not-ready", map[string]string{"zh-CN": "尚未记录事后总结", "en": "No post-incident review"}[lang])
		look(b, "review-empty")
		// Date fields take keys in the browser's own order; set them as
		// the picker would.
		b.choose("held_at", "2026-11-25T07:30")
		b.must("tick an attendee", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=attendee_ids][value="%d"]`, mgr.ID))))
		b.fill("attendee_names", "厂商 王工")
		b.fill("root_cause", "CMS 插件存在文件上传漏洞")
		b.fill("impact", "首页被篡改 2 小时")
		b.fill("lessons", "插件上线前安全测试")
		b.submit("review-save")
		b.see("#ready", map[string]string{"zh-CN": "可以关闭事件", "en": "can close"}[lang])

		b.must("open the CAPA form", chromedp.Click(chromedp.CSS("details.add > summary")))
		b.fill("capa-description", "升级插件并禁止上传目录执行脚本")
		b.choose("capa-owner", fmt.Sprint(mgr.ID))
		b.choose("capa-due", e.Clock.Now().Add(7*24*time.Hour).Format("2006-01-02"))
		b.submit("capa-add")
		b.see("#capas", "升级插件")
		b.see("#not-ready", map[string]string{"zh-CN": "尚未经领导小组批准", "en": "not approved"}[lang])
		if _, err := e.App.Reviews.ProposeSanction(e.Actor(mgr, e.Org), inc.ID, postincident.SanctionInput{Kind: postincident.SanctionReward,
			PersonID: resp.ID, Reason: "快速隔离", Measure: "通报表扬"}); err != nil {
			t.Fatal(err)
		}
		b.open(base + "/review")
		look(b, "review")
		b.open("/capas")
		look(b, "capas")

		m := newBrowser(t, e.HTTP.URL, "review-mgr-"+lang, lang, 1366, 768)
		login(m, mgr.Username)
		m.open(base + "/review")
		m.see("#sanctions", "通报表扬")
		look(m, "review-manager")
		m.open(base)
		m.see("#report-link", map[string]string{"zh-CN": "下载应急处置报告", "en": "Download the incident report"}[lang])
		m.open(base + "/report.html")
		m.see("h1", map[string]string{"zh-CN": "信息安全事件应急处置报告", "en": "Information Security Incident Response Report"}[lang])
		m.checkPage()

		// The link downloads the DOCX: fetched with the manager's session,
		// as the browser would.
		res := e.SessionClient(mgr, e.Org).Get(base + "/report.docx")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Body, "PK") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), inc.Number) {
			t.Errorf("%s: report.docx %d %v", lang, res.StatusCode, res.Header)
		}
	}
}
