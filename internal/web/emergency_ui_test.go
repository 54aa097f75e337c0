package web_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func emWant(t *testing.T, res servertest.Response, status int, what string, contains ...string) servertest.Response {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, status, res.Body)
	}
	for _, c := range contains {
		if !strings.Contains(res.Body, c) {
			t.Errorf("%s: response lacks %q", what, c)
		}
	}
	return res
}

func TestEmergencyOrganisationPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgrUser := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		mgr := e.SessionClient(mgrUser, e.Org)
		viewer := e.SessionClient(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)

		emWant(t, mgr.Get("/emergency"), 200, "empty organisation", "应急领导小组", "应急响应工作组", "工作组办公室",
			`src="/emergency/chart.svg?v=`, `id="emergency-add-member"`)
		emWant(t, mgr.PostForm("/emergency/members", url.Values{"place": {"leadership"}, "name": {"张建国"}, "position": {"leader"},
			"title": {"董事长"}, "phone": {"13800138000"}, "im": {"wx_zhang"}}), 303, "add the leader")
		// A second leader, a bad phone: the form comes back with the message and what was typed.
		emWant(t, mgr.PostForm("/emergency/members", url.Values{"place": {"leadership"}, "name": {"李明"}, "position": {"leader"}}),
			422, "second leader", "每个小组只能有一位组长", `value="李明"`)
		emWant(t, mgr.PostForm("/emergency/members", url.Values{"place": {"office"}, "name": {"孙丽"}, "phone": {"打电话"}}),
			422, "bad phone", "电话格式不正确")
		emWant(t, mgr.PostForm("/emergency/units", url.Values{"name": {"网络设备维护单位"}, "category": {"network"}}), 303, "add a unit")
		units, err := e.App.Emergency.Organisation(e.Actor(mgrUser, e.Org))
		if err != nil || len(units) != 4 {
			t.Fatalf("units %+v %v", units, err)
		}
		emWant(t, mgr.PostForm("/emergency/members", url.Values{"place": {fmt.Sprintf("support:%d", units[3].ID)}, "name": {"周工"},
			"position": {"contact"}, "phone": {"010-12345678"}}), 303, "add a support contact")
		emWant(t, mgr.PostForm("/emergency/groups/office", url.Values{"location": {"技术部"}}), 303, "office location")
		emWant(t, mgr.Get("/emergency"), 200, "filled organisation", "张建国", "董事长", "wx_zhang", "网络设备维护单位", "网络维护", "周工", "技术部")

		chart := emWant(t, mgr.Get("/emergency/chart.svg"), 200, "chart", "张建国", "周工", "工作组办公室（设在技术部）")
		if ct := chart.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
			t.Errorf("chart content type %q", ct)
		}
		if csp := chart.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
			t.Errorf("chart CSP %q", csp)
		}
		dec := xml.NewDecoder(bytes.NewReader([]byte(chart.Body)))
		for {
			if _, err := dec.Token(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("served chart is not XML: %v", err)
			}
		}

		// A viewer sees it all but has no way to change it.
		page := emWant(t, viewer.Get("/emergency"), 200, "viewer page", "张建国")
		if strings.Contains(page.Body, `id="emergency-add-member"`) || strings.Contains(page.Body, "/delete") {
			t.Error("the viewer is offered changes")
		}
		emWant(t, viewer.Get("/emergency/chart.svg"), 200, "viewer chart")
		emWant(t, viewer.PostForm("/emergency/members", url.Values{"place": {"leadership"}, "name": {"x"}}), 403, "viewer adds")

		// Edit, then remove.
		leaders, _ := e.App.Emergency.Members(e.Actor(mgrUser, e.Org), "leadership")
		id := leaders[0].ID
		emWant(t, mgr.Get(fmt.Sprintf("/emergency/members/%d/edit", id)), 200, "edit form", `value="张建国"`, `value="leadership" selected`)
		emWant(t, mgr.PostForm(fmt.Sprintf("/emergency/members/%d", id), url.Values{"place": {"leadership"}, "name": {"张建国"},
			"position": {"leader"}, "email": {"zhang@example.com"}}), 303, "update")
		emWant(t, mgr.Get("/emergency"), 200, "after update", "zhang@example.com")
		emWant(t, mgr.PostForm(fmt.Sprintf("/emergency/members/%d/delete", id), nil), 303, "delete")
		if page := mgr.Get("/emergency"); strings.Contains(page.Body, "张建国") {
			t.Error("a removed member is still shown")
		}
		emWant(t, mgr.PostForm(fmt.Sprintf("/emergency/units/%d/delete", units[3].ID), nil), 303, "delete unit")
		if page := mgr.Get("/emergency"); strings.Contains(page.Body, "周工") {
			t.Error("a removed unit's contact is still shown")
		}
	})
}

func TestEmergencyDutyWeek(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgrUser := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		mgr := e.SessionClient(mgrUser, e.Org)
		ctx := e.Actor(mgrUser, e.Org)
		zhang, err := e.App.Emergency.CreateMember(ctx, emergency.Member{Group: "working_group", Name: "张三", Phone: "13800138000"})
		if err != nil {
			t.Fatal(err)
		}
		li, err := e.App.Emergency.CreateMember(ctx, emergency.Member{Group: "working_group", Name: "李四"})
		if err != nil {
			t.Fatal(err)
		}
		emWant(t, mgr.Get("/emergency/duty"), 200, "empty roster", "当前无人值班", "无人值班：00:00–24:00")
		emWant(t, mgr.Get("/emergency/duty/shifts/new?date=2026-11-25"), 200, "shift form", "张三", `value="2026-11-25T08:00"`)
		// The clock is 2026-11-25 08:00 UTC, 16:00 in Shanghai (the test configuration's zone).
		res := emWant(t, mgr.PostForm("/emergency/duty/shifts", url.Values{"member_id": {fmt.Sprint(zhang.ID)}, "duty_role": {"lead"},
			"starts_at": {"2026-11-25T08:00"}, "ends_at": {"2026-11-25T20:00"}}), 303, "add a shift")
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/emergency/duty?week=2026-11-23") {
			t.Errorf("redirect to %q", loc)
		}
		emWant(t, mgr.PostForm("/emergency/duty/shifts", url.Values{"member_id": {fmt.Sprint(li.ID)}, "duty_role": {"lead"},
			"starts_at": {"2026-11-25T18:00"}, "ends_at": {"2026-11-26T08:00"}, "contact": {"010-12345678"}}), 303, "add an overlapping shift")
		emWant(t, mgr.PostForm("/emergency/duty/shifts", url.Values{"member_id": {fmt.Sprint(li.ID)}, "duty_role": {"lead"},
			"starts_at": {"tomorrow"}, "ends_at": {"2026-11-26T08:00"}}), 422, "bad time", "时间格式不正确")
		emWant(t, mgr.PostForm("/emergency/duty/shifts", url.Values{"member_id": {fmt.Sprint(li.ID)}, "duty_role": {"lead"},
			"starts_at": {"2026-11-26T08:00"}, "ends_at": {"2026-11-26T07:00"}}), 422, "end before start", "结束时间必须晚于开始时间")

		week := emWant(t, mgr.Get("/emergency/duty?week=2026-11-25"), 200, "roster week",
			"2026-11-23 起的一周", "08:00–20:00", "18:00–11-26 08:00", "无人值班：00:00–08:00",
			"重叠 18:00–20:00：值班长 张三、李四", "当前值班（2026-11-25 16:00）")
		if i := strings.Index(week.Body, `id="on-duty"`); i < 0 || !strings.Contains(week.Body[i:i+600], "张三") {
			t.Errorf("张三 is not shown on duty now")
		}
		// Thursday: 李四 until 08:00, then nobody.
		if i := strings.Index(week.Body, `id="day-2026-11-26"`); i < 0 || !strings.Contains(week.Body[i:], "无人值班：08:00–24:00") {
			t.Error("thursday's gap is not shown")
		}
		emWant(t, mgr.Get("/emergency/duty?week=2026-11-30"), 200, "next week", "2026-11-30 起的一周", `href="?week=2026-11-23"`)
		emWant(t, mgr.Get("/emergency/duty?week=nope"), 422, "bad week")

		shifts, err := e.App.Emergency.Shifts(ctx, e.Clock.Now().Add(-48*3600e9), e.Clock.Now().Add(48*3600e9))
		if err != nil || len(shifts) != 2 {
			t.Fatalf("shifts %+v %v", shifts, err)
		}
		emWant(t, mgr.Get(fmt.Sprintf("/emergency/duty/shifts/%d/edit", shifts[0].ID)), 200, "edit shift form",
			`value="2026-11-25T08:00"`, `value="2026-11-25T20:00"`, fmt.Sprintf(`action="/emergency/duty/shifts/%d"`, shifts[0].ID))
		emWant(t, mgr.PostForm(fmt.Sprintf("/emergency/duty/shifts/%d", shifts[0].ID), url.Values{"member_id": {fmt.Sprint(zhang.ID)},
			"duty_role": {"lead"}, "starts_at": {"2026-11-25T09:00"}, "ends_at": {"2026-11-25T18:00"}}), 303, "move the shift")
		emWant(t, mgr.Get("/emergency/duty?week=2026-11-23"), 200, "after the move", "09:00–18:00", "无人值班：00:00–09:00")
		emWant(t, mgr.PostForm(fmt.Sprintf("/emergency/duty/shifts/%d/delete", shifts[1].ID), url.Values{"week": {"2026-11-23"}}), 303, "delete shift")
		if page := mgr.Get("/emergency/duty?week=2026-11-23"); strings.Contains(page.Body, "重叠") {
			t.Error("the overlap is still shown after removing a shift")
		}
	})
}
