package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The post-incident review through the UI: the responder records the
// summary meeting (a refused form keeps what was typed), proposes a CAPA
// and submits it, leadership approves it from the page's approval box,
// the owner marks it done and leadership verifies it, a reward is
// recommended and approved, the incident closes, and the report downloads
// in both formats.
func TestReviewUI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		respU := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgrU := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		leaderU := e.CreateUser("leader", e.Org, auth.RoleLeadership)
		viewerU := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		inc, err := e.App.Incidents.Create(e.Actor(respU, e.Org), incident.Input{Title: "门户网站被篡改", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Lifecycle.Exception(e.Actor(leaderU, e.Org), inc.ID, incident.PhaseSummary, "测试：进入总结"); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/incidents/%d", inc.ID)
		r, mgr := e.SessionClient(respU, e.Org), e.SessionClient(mgrU, e.Org)
		leader, viewer := e.SessionClient(leaderU, e.Org), e.SessionClient(viewerU, e.Org)

		lcWant(t, r.Get(base), 200, "incident page links", base+"/review", base+"/report.docx")
		lcWant(t, r.Get(base+"/review"), 200, "empty review", "尚未记录事后总结", `id="review-form"`, `id="capa-form"`, `id="sanction-form"`)
		page := lcWant(t, viewer.Get(base+"/review"), 200, "viewer's review page", "尚未记录事后总结")
		for _, hidden := range []string{`id="review-form"`, `id="sanctions"`, `id="report-docx"`} {
			if strings.Contains(page.Body, hidden) {
				t.Errorf("viewer sees %s", hidden)
			}
		}
		lcWant(t, r.PostForm(base+"/transition", url.Values{"to": {"closed"}}), 409, "close without review", "尚未记录事后总结")

		review := url.Values{"held_at": {"2026-11-25T07:30"}, "place": {"三楼会议室"}, "attendee_ids": {fmt.Sprint(mgrU.ID)},
			"attendee_names": {"厂商 王工，外部专家 赵工"}, "root_cause": {"插件上传漏洞"}, "impact": {"首页被篡改 2 小时"},
			"lessons": {"上线前安全测试"}, "plan_revision_needed": {"1"}, "plan_revision_notes": {"补充篡改处置步骤"}}
		bad := url.Values{}
		for k, v := range review {
			bad[k] = v
		}
		bad.Set("held_at", "昨天")
		lcWant(t, r.PostForm(base+"/review", bad), 422, "bad meeting time", "三楼会议室", "补充篡改处置步骤", `value="`+fmt.Sprint(mgrU.ID)+`" checked`)
		lcWant(t, r.PostForm(base+"/review", review), 303, "save review")
		lcWant(t, r.Get(base+"/review"), 200, "saved review", "厂商 王工\n外部专家 赵工", `value="2026-11-25T07:30"`, "插件上传漏洞")

		due := e.Clock.Now().Add(7 * 24 * time.Hour).Format("2006-01-02")
		lcWant(t, r.PostForm(base+"/capas", url.Values{"kind": {"corrective"}, "description": {"升级插件"}, "due_at": {due}}), 422,
			"CAPA without owner", "升级插件", `id="owner_id-error"`)
		lcWant(t, r.PostForm(base+"/capas", url.Values{"kind": {"corrective"}, "description": {"升级插件"}, "owner_id": {fmt.Sprint(mgrU.ID)},
			"due_at": {due}}), 303, "add CAPA")
		lcWant(t, r.PostForm(base+"/capas/submit", nil), 303, "submit CAPA")
		caps, err := e.App.Reviews.CAPAs(e.Actor(respU, e.Org), inc.ID)
		if err != nil || len(caps) != 1 {
			t.Fatalf("CAPA %v %v", caps, err)
		}
		c := caps[0]
		page = lcWant(t, leader.Get(base+"/review"), 200, "leader sees the set", fmt.Sprintf(`id="approve-%d"`, c.ApprovalID))
		if strings.Contains(page.Body, `id="sanction-form"`) {
			t.Error("leadership is offered to propose recommendations")
		}
		res := lcWant(t, leader.PostForm(fmt.Sprintf("/approvals/%d/decision", c.ApprovalID), url.Values{"decision": {"approve"}}), 303, "approve set")
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, base+"/review") {
			t.Errorf("after the decision: %s", loc)
		}
		cpath := fmt.Sprintf("%s/capas/%d", base, c.ID)
		lcWant(t, mgr.Get(base+"/review"), 200, "owner's buttons", fmt.Sprintf(`id="capa-done-%d"`, c.ID))
		lcWant(t, mgr.PostForm(cpath+"/progress", url.Values{"status": {"done"}}), 422, "done without notes", "请填写")
		lcWant(t, mgr.PostForm(cpath+"/progress", url.Values{"status": {"done"}, "notes": {"已升级"}}), 303, "done")
		lcWant(t, mgr.PostForm(cpath+"/verify", url.Values{"decision": {"accept"}, "notes": {"自查"}}), 403, "owner verifies")
		lcWant(t, leader.PostForm(cpath+"/verify", url.Values{"decision": {"accept"}, "notes": {"复测通过"}}), 303, "verify")
		lcWant(t, r.Get(base+"/review"), 200, "verified", "已验证关闭", "复测通过")
		lcWant(t, r.Get("/capas"), 200, "CAPA list", "没有待完成")

		lcWant(t, mgr.PostForm(base+"/sanctions", url.Values{"kind": {"reward"}, "person_id": {fmt.Sprint(respU.ID)}, "reason": {""}}), 422,
			"recommendation without reason", `id="reason-error"`)
		lcWant(t, mgr.PostForm(base+"/sanctions", url.Values{"kind": {"reward"}, "person_id": {fmt.Sprint(respU.ID)},
			"reason": {"快速隔离"}, "measure": {"通报表扬"}}), 303, "recommend")
		xs, err := e.App.Reviews.Sanctions(e.Actor(leaderU, e.Org), inc.ID)
		if err != nil || len(xs) != 1 {
			t.Fatalf("recommendations %v %v", xs, err)
		}
		res = lcWant(t, leader.Get(fmt.Sprintf("/incident-sanctions/%d", xs[0].ID)), 303, "inbox link")
		if res.Header.Get("Location") != base+"/review" {
			t.Errorf("inbox link goes to %s", res.Header.Get("Location"))
		}
		lcWant(t, leader.PostForm(fmt.Sprintf("/approvals/%d/decision", xs[0].ApprovalID), url.Values{"decision": {"approve"}}), 303, "approve reward")
		lcWant(t, r.Get(base+"/review"), 200, "ready", "可以关闭事件", "通报表扬")
		lcWant(t, r.PostForm(base+"/transition", url.Values{"to": {"closed"}}), 303, "close")
		page = lcWant(t, r.Get(base+"/review"), 200, "closed review", "事件已关闭，总结记录不再修改", "插件上传漏洞")
		if strings.Contains(page.Body, `id="review-form"`) || strings.Contains(page.Body, `id="capa-form"`) {
			t.Error("a closed incident's review is still offered for editing")
		}

		docx := lcWant(t, mgr.Get(base+"/report.docx"), 200, "report DOCX")
		if !strings.Contains(docx.Header.Get("Content-Type"), "wordprocessingml") || !strings.HasPrefix(docx.Body, "PK") ||
			!strings.HasPrefix(docx.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("DOCX download: %v", docx.Header)
		}
		html := lcWant(t, mgr.Get(base+"/report.html"), 200, "report HTML", "信息安全事件应急处置报告", "插件上传漏洞", "升级插件")
		if csp := html.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'unsafe-inline'") || strings.Contains(csp, "script") ||
			!strings.HasPrefix(html.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("HTML download headers: %v", html.Header)
		}
		lcWant(t, viewer.Get(base+"/report.docx"), 403, "viewer downloads")

		// English for a reader whose language is English.
		if err := e.App.Accounts.SetLocale(e.Actor(mgrU, e.Org), "en"); err != nil {
			t.Fatal(err)
		}
		mgrEn := e.SessionClient(mgrU, e.Org)
		lcWant(t, mgrEn.Get(base+"/review"), 200, "English page", "Post-incident review", "Corrective and preventive actions")
		lcWant(t, mgrEn.Get(base+"/report.html"), 200, "English report", "Information Security Incident Response Report", "1. Overview")
	})
}
