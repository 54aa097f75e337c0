package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/docx"
	"bulwark/internal/emergency"
	"bulwark/internal/httpx"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The incident page shows what the grade set going: for grade II the
// leadership group's approval (in its inbox, decided from the page), the
// leadership members and who is on duty from the emergency organisation;
// containment is refused with the reason until approved; after a
// rejection the responder asks again.
func TestEscalationPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		leader := e.CreateUser("leader", e.Org, auth.RoleLeadership)
		em, mctx := e.App.Emergency, e.Actor(mgr, e.Org)
		if _, err := em.CreateMember(mctx, emergency.Member{Group: emergency.GroupLeadership, Name: "王组长", Position: emergency.PositionLeader,
			UserID: leader.ID, Phone: "13800000001"}); err != nil {
			t.Fatal(err)
		}
		duty, err := em.CreateMember(mctx, emergency.Member{Group: emergency.GroupWorkingGroup, Name: "李值班", Position: emergency.PositionMember, Phone: "13800000002"})
		if err != nil {
			t.Fatal(err)
		}
		now := e.Clock.Now()
		if _, err := em.CreateShift(mctx, emergency.Shift{MemberID: duty.ID, DutyRole: emergency.DutyLead, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(11 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		rc, lc := e.SessionClient(resp, e.Org), e.SessionClient(leader, e.Org)
		form := url.Values{"title": {"勒索软件加密文件服务器"}, "discovered_at": {now.In(e.Cfg.Location).Format("2006-01-02T15:04")}, "source": {"monitoring"},
			"category": {"MP-07"}, "grade": {"2"}}
		res := rc.PostForm("/incidents", form)
		m := incidentLocation.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != 303 || m == nil {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		page := "/incidents/" + m[1]
		body := rc.Get(page).Body
		for _, want := range []string{`id="activation-status"`, "待领导小组审批", `id="activation-gate"`, "王组长", "13800000001", "李值班",
			"值班长", "已启动：Ⅰ、Ⅱ、Ⅲ级事件由应急响应工作组处置", `id="report-new-first"`, `id="deadline-report.first"`} {
			if !strings.Contains(body, want) {
				t.Errorf("incident page lacks %q", want)
			}
		}
		if strings.Contains(body, `id="approve-`) {
			t.Error("the responder is offered the leadership's decision")
		}
		if svg := rc.Get(page + "/flow.svg").Body; !strings.Contains(svg, "等待审批：领导小组") {
			t.Errorf("the response flow does not wait on the leadership group")
		}
		res = rc.PostForm(page+"/transition", url.Values{"to": {"containment"}})
		if res.StatusCode != 409 || !strings.Contains(res.Body, "须经应急领导小组批准启动应急预案") {
			t.Errorf("containment before approval: %d", res.StatusCode)
		}
		inbox := lc.Get("/approvals").Body
		if !strings.Contains(inbox, "启动应急预案") || !strings.Contains(inbox, `href="`+page+`"`) {
			t.Errorf("leadership inbox lacks the activation")
		}
		a, err := e.App.Escalation.Activation(e.Actor(resp, e.Org), mustID(t, m[1]))
		if err != nil {
			t.Fatal(err)
		}
		lbody := lc.Get(page).Body
		if !strings.Contains(lbody, fmt.Sprintf(`id="approve-%d"`, a.ApprovalID)) {
			t.Fatal("the leader is not offered the decision on the incident page")
		}
		res = lc.PostForm(fmt.Sprintf("/approvals/%d/decision", a.ApprovalID), url.Values{"decision": {"reject"}, "reason": {"影响尚未查清"}})
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), page) {
			t.Fatalf("reject: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		body = rc.Get(page).Body
		if !strings.Contains(body, "已驳回") || !strings.Contains(body, "影响尚未查清") || !strings.Contains(body, `id="activation-request"`) {
			t.Errorf("rejected page lacks the state, the reason or the button")
		}
		if res = rc.PostForm(page+"/activation", url.Values{"note": {"已查清：3 台服务器"}}); res.StatusCode != 303 {
			t.Fatalf("ask again: %d %s", res.StatusCode, res.Body)
		}
		if vc := e.SessionClient(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org); vc.PostForm(page+"/activation", nil).StatusCode != 403 {
			t.Error("a viewer asked the leadership group")
		}
		a, _ = e.App.Escalation.Activation(e.Actor(resp, e.Org), mustID(t, m[1]))
		if res = lc.PostForm(fmt.Sprintf("/approvals/%d/decision", a.ApprovalID), url.Values{"decision": {"approve"}}); res.StatusCode != 303 {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		if res = rc.PostForm(page+"/transition", url.Values{"to": {"containment"}}); res.StatusCode != 303 {
			t.Errorf("containment after approval: %d %s", res.StatusCode, res.Body)
		}
		if body = rc.Get(page).Body; !strings.Contains(body, "已批准启动") || strings.Contains(body, `id="activation-gate"`) {
			t.Error("approved page")
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// The report form is prefilled and marks the items still to confirm; a
// complete first report without its impact comes back with the error and
// everything typed; a partial one is recorded, listed with its deadline
// met and the supplement due, and downloads as printable HTML and DOCX, in
// English for an English-speaking user.
func TestRegulatorReportPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		rc := e.SessionClient(resp, e.Org)
		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "门户首页被篡改", DiscoveredAt: e.Clock.Now(), Grade: 3, Category: "NA-09"})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/incidents/%d", inc.ID)
		res := rc.Get(page + "/regulator-reports/new?kind=first")
		for _, want := range []string{`name="fields.unit_name" value="本单位"`, "网络攻击事件—网页篡改事件", "较大事件（Ⅲ级）", `class="badge to-confirm"`,
			"待核实：此项为广泛引用的报告内容", `value="属地省级网信部门"`, `id="partial"`, `name="fields.crime_suspected"`} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("report form lacks %q", want)
			}
		}
		if strings.Contains(res.Body, "fields.ransom_amount") || strings.Contains(res.Body, "fields.handling") {
			t.Error("the form asks for a ransom or the summary's items in a defacement's first report")
		}
		if res = rc.Get(page + "/regulator-reports/new?kind=nope"); res.StatusCode != 422 {
			t.Errorf("form of no kind: %d", res.StatusCode)
		}
		f := url.Values{"kind": {"first"}, "recipient": {"省网信办"}, "sent_at": {e.Clock.Now().In(e.Cfg.Location).Format("2006-01-02T15:04")},
			"fields.unit_name": {"某某市数据局"}, "fields.facility": {"门户网站"}, "fields.discovered_at": {"2026-11-25 16:00"},
			"fields.event_type": {"网页篡改"}, "fields.event_grade": {"较大"}, "fields.cause": {"CMS 弱口令"}}
		res = rc.PostForm(page+"/regulator-reports", f)
		if res.StatusCode != 422 || !strings.Contains(res.Body, `>CMS 弱口令</textarea>`) || !strings.Contains(res.Body, "field-error") {
			t.Fatalf("incomplete report: %d", res.StatusCode)
		}
		f.Set("sent_at", "soon")
		if res = rc.PostForm(page+"/regulator-reports", f); res.StatusCode != 422 || !strings.Contains(res.Body, `value="soon"`) {
			t.Errorf("bad time: %d", res.StatusCode)
		}
		f.Set("sent_at", e.Clock.Now().In(e.Cfg.Location).Format("2006-01-02T15:04"))
		f.Set("partial", "1")
		if res = rc.PostForm(page+"/regulator-reports", f); res.StatusCode != 303 {
			t.Fatalf("partial report: %d %s", res.StatusCode, res.Body)
		}
		body := rc.Get(page).Body
		for _, want := range []string{`id="report-list"`, "先报第一、二项", `id="deadline-report.followup"`, "已于 ", `id="report-new-supplementary"`} {
			if !strings.Contains(body, want) {
				t.Errorf("incident page after the report lacks %q", want)
			}
		}
		if strings.Contains(body, `id="report-new-first"`) || strings.Contains(body, `id="incident-reported"`) {
			t.Error("a second first report is offered")
		}
		reps, err := e.App.Escalation.Reports(e.Actor(resp, e.Org), inc.ID)
		if err != nil || len(reps) != 1 {
			t.Fatalf("reports: %v %v", reps, err)
		}
		doc := fmt.Sprintf("%s/regulator-reports/%d", page, reps[0].ID)
		res = rc.Get(doc)
		if res.StatusCode != 200 || !strings.Contains(res.Body, "网络安全事件报告") || !strings.Contains(res.Body, "待补充报告") ||
			!strings.HasPrefix(res.Header.Get("Content-Security-Policy"), "default-src 'none'") || strings.Contains(res.Body, "<script") {
			t.Errorf("printable report: %d %v", res.StatusCode, res.Header)
		}
		if err := e.App.Accounts.SetLocale(e.Actor(resp, e.Org), "en"); err != nil {
			t.Fatal(err)
		}
		res = rc.Get(doc + "/docx")
		text, err := docx.Text(bytes.NewReader([]byte(res.Body)), int64(len(res.Body)))
		if err != nil || res.Header.Get("Content-Type") != httpx.DOCXType || !strings.HasPrefix(text, "Cybersecurity incident report\nFirst report") ||
			!strings.Contains(text, "某某市数据局") || !strings.Contains(text, "To follow in a supplementary report") {
			t.Errorf("english docx: %v %q", err, text)
		}
		if res = rc.Get(page + "/regulator-reports/new?kind=supplementary"); !strings.Contains(res.Body, "Overview of the affected facility or system") ||
			!strings.Contains(res.Body, `value="某某市数据局"`) {
			t.Errorf("english supplement form: %d", res.StatusCode)
		}
	})
}
