package e2e_test

import (
	"fmt"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// TestBrowserEmergencyScreens shows the emergency organisation, its chart,
// the member form with a refused phone number and the duty roster in both
// languages, on a desktop and a phone: nothing scrolls the page sideways
// (the chart and the week scroll in their frames), no key is missing, the
// CSP holds (the chart is an <img> of the server's SVG).
func TestBrowserEmergencyScreens(t *testing.T) {
	chromiumPath(t)
	e := servertest.New(t, store.SQLite)
	users := map[string]string{"zh-CN": "zhang.wei", "en": "alice"}
	for lang, name := range users {
		u := e.CreateUser(name, e.Org, auth.RoleSecurityManager)
		if err := e.App.Accounts.SetLocale(e.Actor(u, e.Org), lang); err != nil {
			t.Fatal(err)
		}
	}
	mgr := e.CreateUser("seed", e.Org, auth.RoleSecurityManager)
	ctx := e.Actor(mgr, e.Org)
	svc := e.App.Emergency
	add := func(m emergency.Member) emergency.Member {
		out, err := svc.CreateMember(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	lead := add(emergency.Member{Group: "leadership", Name: "张建国", Position: "leader", Title: "董事长", Phone: "13800138000"})
	add(emergency.Member{Group: "leadership", Name: "李明", Position: "deputy", Title: "技术部负责人", Email: "li.ming@example.com"})
	duty := add(emergency.Member{Group: "working_group", Name: "赵强", Position: "leader", Title: "信息安全经理", IM: "wx_zhaoqiang"})
	if _, err := svc.SaveGroup(ctx, "office", emergency.Unit{Location: "技术部"}); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"网络设备维护单位", "线路维护单位", "安全厂商应急小组", "区公安网安大队"} {
		u, err := svc.CreateUnit(ctx, emergency.Unit{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		add(emergency.Member{Group: "support", UnitID: u.ID, Name: fmt.Sprintf("联络人%d", i+1), Position: "contact", Phone: "010-12345678"})
	}
	now := e.Clock.Now()
	for i, m := range []emergency.Member{lead, duty, lead} {
		if _, err := svc.CreateShift(ctx, emergency.Shift{MemberID: m.ID, DutyRole: "lead",
			StartsAt: now.Add(time.Duration(i*10) * time.Hour), EndsAt: now.Add(time.Duration(i*10+12) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}

	for _, lang := range []string{"zh-CN", "en"} {
		b := newBrowser(t, e.HTTP.URL, "emergency-"+lang, lang, 1366, 768)
		b.open("/login")
		b.fill("username", users[lang])
		b.fill("password", servertest.Password)
		b.submit("login-submit")
		b.open("/emergency")
		b.see("h1", map[string]string{"zh-CN": "应急组织", "en": "Emergency organisation"}[lang])
		b.see("main", "张建国", "网络设备维护单位")
		b.checkPage()
		look(b, "emergency")
		b.open("/emergency/members/new?place=office")
		b.fill("name", "孙丽")
		b.fill("phone", "not a phone")
		b.submit("emergency-member-save")
		b.see(".field-error", map[string]string{"zh-CN": "电话格式不正确", "en": "Not a phone number"}[lang])
		b.checkPage()
		look(b, "emergency-member-errors")
		b.open("/emergency/duty")
		b.see("#on-duty", "张建国")
		b.checkPage()
		look(b, "emergency-duty")
	}
}
