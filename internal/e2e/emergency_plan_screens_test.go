package e2e_test

import (
	"strconv"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestBrowserEmergencyPlanScreens shows the emergency plan in force, a
// draft's page with its approval box, and the draft form with a refused
// save, in both languages on a desktop and a phone: no missing key, no
// sideways scroll, the CSP holds. Then the security manager submits the
// draft and the leadership group approves it in the browser.
func TestBrowserEmergencyPlanScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	users := map[string]string{"zh-CN": "zhang.wei", "en": "alice"}
	for lang, name := range users {
		u := e.CreateUser(name, e.Org, auth.RoleSecurityManager)
		if err := e.App.Accounts.SetLocale(e.Actor(u, e.Org), lang); err != nil {
			t.Fatal(err)
		}
	}
	seed := e.Actor(e.CreateUser("seed", e.Org, auth.RoleSecurityManager), e.Org)
	e.CreateUser("boss", e.Org, auth.RoleLeadership)
	svc := e.App.EmergencyPlan
	first, err := svc.StartDraft(seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Submit(seed, first.ID); err != nil {
		t.Fatal(err)
	}
	first, _ = svc.Get(seed, first.ID)
	if _, err := e.App.Approvals.Decide(e.Actor(e.CreateUser("boss2", e.Org, auth.RoleLeadership), e.Org), first.ApprovalID, true, ""); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		b := newBrowser(t, e.HTTP.URL, "plan-"+lang, lang, 1366, 768)
		b.open("/login")
		b.fill("username", users[lang])
		b.fill("password", servertest.Password)
		b.submit("login-submit")
		b.open("/emergency/plan")
		b.see("h1", map[string]string{"zh-CN": "应急预案", "en": "Emergency plan"}[lang])
		b.see("#plan-current", "V1.0")
		look(b, "emergency-plan")
		if lang == "zh-CN" {
			b.submit("plan-start")
			b.see("h1", "V1.1")
		} else {
			open, _, _ := svc.Open(seed)
			b.open(emergencyplan.Path(open.ID) + "/edit")
		}
		b.fill("c0-title", "")
		b.fill("incidents", "SJ-2099-0001")
		b.submit("plan-save")
		b.see("#incidents-error", "SJ-2099-0001")
		b.see("#chapter-form-0 .field-error", map[string]string{"zh-CN": "请填写此项", "en": "required"}[lang])
		look(b, "emergency-plan-form-errors")
		open, _, _ := svc.Open(seed)
		b.open(emergencyplan.Path(open.ID))
		b.see("#revision-status", map[string]string{"zh-CN": "草案", "en": "Draft"}[lang])
		look(b, "emergency-plan-revision")
	}
	// The manager submits in the browser; the leadership group approves there.
	open, _, _ := svc.Open(seed)
	if _, err := svc.SaveDraft(seed, open.ID, emergencyplan.DraftInput{Title: open.Title, Summary: "补充勒索软件处置措施。",
		Reason: "年度评审。", Chapters: open.Chapters}); err != nil {
		t.Fatal(err)
	}
	mgr := newBrowser(t, e.HTTP.URL, "plan-submit", "zh-CN", 1366, 768)
	mgr.open("/login")
	mgr.fill("username", "zhang.wei")
	mgr.fill("password", servertest.Password)
	mgr.submit("login-submit")
	mgr.open(emergencyplan.Path(open.ID))
	mgr.submit("revision-submit")
	mgr.see("#revision-status", "待领导小组批准")
	boss := newBrowser(t, e.HTTP.URL, "plan-approve", "zh-CN", 1366, 768)
	boss.open("/login")
	boss.fill("username", "boss")
	boss.fill("password", servertest.Password)
	boss.submit("login-submit")
	boss.open(emergencyplan.Path(open.ID))
	got, _ := svc.Get(seed, open.ID)
	boss.submit("approve-" + strconv.FormatInt(got.ApprovalID, 10))
	boss.open("/emergency/plan")
	boss.see("#plan-current", "V1.1")
	boss.checkPage()
}
