package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/httpx"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func emCall[T any](t *testing.T, e *servertest.Env, token, method, path, body string, org int64, status int) T {
	t.Helper()
	res := e.API(token, method, path, body, org)
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, status, res.Body)
	}
	var v T
	if res.Body != "" {
		if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
			t.Fatalf("%s %s: decode: %v: %s", method, path, err, res.Body)
		}
	}
	return v
}

type onDutyJSON struct {
	At    string             `json:"at"`
	Items []emergency.Member `json:"items"`
}

func TestEmergencyAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.Token(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager))
		viewer := e.Token(e.CreateUser("viewer", e.Org, auth.RoleViewer))

		leader := emCall[emergency.Member](t, e, mgr, "POST", "/api/v1/emergency/members",
			`{"group":"leadership","name":"张三","position":"leader","title":"董事长","phone":"13800138000","im":"dd_zhang"}`, 0, 201)
		if leader.ID == 0 || leader.Group != "leadership" || leader.IM != "dd_zhang" {
			t.Fatalf("created %+v", leader)
		}
		for _, c := range []struct{ body, field, code string }{
			{`{"group":"leadership","name":"李四","position":"leader"}`, "position", "emergency_one_leader"},
			{`{"group":"leadership","name":"李四","email":"li@"}`, "email", "emergency_bad_email"},
			{`{"group":"leadership","name":"李四","phone":"12"}`, "phone", "emergency_bad_phone"},
			{`{"group":"nowhere","name":"李四"}`, "group", "emergency_bad_group"},
		} {
			body := emCall[httpx.ErrorBody](t, e, mgr, "POST", "/api/v1/emergency/members", c.body, 0, 422)
			if len(body.Error.Fields) == 0 || body.Error.Fields[0].Field != c.field || body.Error.Fields[0].Code != c.code {
				t.Errorf("%s: %+v", c.body, body.Error)
			}
		}
		patched := emCall[emergency.Member](t, e, mgr, "PATCH", fmt.Sprintf("/api/v1/emergency/members/%d", leader.ID), `{"phone":"010-12345678"}`, 0, 200)
		if patched.Phone != "010-12345678" || patched.Name != "张三" || patched.Position != "leader" {
			t.Errorf("patched %+v", patched)
		}
		office := emCall[emergency.Unit](t, e, mgr, "PUT", "/api/v1/emergency/groups/office", `{"location":"技术部","duties":"综合协调"}`, 0, 200)
		if office.ID == 0 || office.Kind != "office" || office.Location != "技术部" {
			t.Errorf("office %+v", office)
		}
		emCall[httpx.ErrorBody](t, e, mgr, "PUT", "/api/v1/emergency/groups/support", `{"name":"x"}`, 0, 404)
		unit := emCall[emergency.Unit](t, e, mgr, "POST", "/api/v1/emergency/units", `{"name":"线路维护单位","category":"line"}`, 0, 201)
		emCall[emergency.Member](t, e, mgr, "POST", "/api/v1/emergency/members",
			fmt.Sprintf(`{"group":"support","unit_id":%d,"name":"吴工","position":"contact","phone":"13700137000"}`, unit.ID), 0, 201)
		groups := emCall[struct{ Items []emergency.Unit }](t, e, viewer, "GET", "/api/v1/emergency/groups", "", 0, 200)
		if len(groups.Items) != 4 || groups.Items[0].Kind != "leadership" || len(groups.Items[0].Members) != 1 || groups.Items[2].Location != "技术部" ||
			groups.Items[3].Name != "线路维护单位" || groups.Items[3].Members[0].Name != "吴工" {
			t.Errorf("groups %+v", groups.Items)
		}

		sh := emCall[emergency.Shift](t, e, mgr, "POST", "/api/v1/emergency/shifts",
			fmt.Sprintf(`{"member_id":%d,"duty_role":"lead","starts_at":"2026-11-25T00:00:00Z","ends_at":"2026-11-25T12:00:00Z"}`, leader.ID), 0, 201)
		if sh.Member != "张三" {
			t.Errorf("shift %+v", sh)
		}
		on := emCall[onDutyJSON](t, e, viewer, "GET", "/api/v1/emergency/on-duty?at=2026-11-25T11:59:59Z", "", 0, 200)
		if len(on.Items) != 1 || on.Items[0].Name != "张三" || on.Items[0].DutyRole != "lead" {
			t.Errorf("on duty %+v", on)
		}
		// Now (08:00 UTC on the test clock) by default; the end is not part of a shift.
		if on := emCall[onDutyJSON](t, e, viewer, "GET", "/api/v1/emergency/on-duty", "", 0, 200); len(on.Items) != 1 || on.At != "2026-11-25T08:00:00Z" {
			t.Errorf("on duty now %+v", on)
		}
		if on := emCall[onDutyJSON](t, e, viewer, "GET", "/api/v1/emergency/on-duty?at=2026-11-25T12:00:00Z", "", 0, 200); len(on.Items) != 0 {
			t.Errorf("on duty at the end %+v", on)
		}
		emCall[httpx.ErrorBody](t, e, viewer, "GET", "/api/v1/emergency/on-duty?at=yesterday", "", 0, 422)
		list := emCall[struct{ Items []emergency.Shift }](t, e, viewer, "GET", "/api/v1/emergency/shifts?from=2026-11-24T00:00:00Z&to=2026-11-26T00:00:00Z", "", 0, 200)
		if len(list.Items) != 1 || list.Items[0].ID != sh.ID {
			t.Errorf("shifts %+v", list.Items)
		}
		emCall[httpx.ErrorBody](t, e, viewer, "POST", "/api/v1/emergency/members", `{"group":"leadership","name":"x"}`, 0, 403)

		// Another organisation's manager sees and touches nothing of this one.
		orgB := e.CreateOrg("客户B")
		other := e.Token(e.CreateUser("mgr-b", orgB, auth.RoleSecurityManager))
		res := e.API(other, "GET", "/api/v1/emergency/groups", "", orgB)
		if res.StatusCode != 200 || strings.Contains(res.Body, "张三") || strings.Contains(res.Body, "线路维护单位") {
			t.Errorf("org B groups: %d %s", res.StatusCode, res.Body)
		}
		for _, c := range []struct{ method, path, body string }{
			{"PATCH", fmt.Sprintf("/api/v1/emergency/members/%d", leader.ID), `{"name":"hijacked"}`},
			{"DELETE", fmt.Sprintf("/api/v1/emergency/members/%d", leader.ID), ""},
			{"PATCH", fmt.Sprintf("/api/v1/emergency/units/%d", unit.ID), `{"name":"hijacked"}`},
			{"DELETE", fmt.Sprintf("/api/v1/emergency/units/%d", unit.ID), ""},
			{"DELETE", fmt.Sprintf("/api/v1/emergency/shifts/%d", sh.ID), ""},
		} {
			if res := e.API(other, c.method, c.path, c.body, orgB); res.StatusCode != 404 {
				t.Errorf("org B %s %s: %d", c.method, c.path, res.StatusCode)
			}
		}
		if on := emCall[onDutyJSON](t, e, other, "GET", "/api/v1/emergency/on-duty?at=2026-11-25T11:00:00Z", "", orgB, 200); len(on.Items) != 0 {
			t.Errorf("org B on duty: %+v", on)
		}

		emCall[struct{}](t, e, mgr, "DELETE", fmt.Sprintf("/api/v1/emergency/shifts/%d", sh.ID), "", 0, 204)
		emCall[struct{}](t, e, mgr, "DELETE", fmt.Sprintf("/api/v1/emergency/members/%d", leader.ID), "", 0, 204)
		emCall[struct{}](t, e, mgr, "DELETE", fmt.Sprintf("/api/v1/emergency/units/%d", unit.ID), "", 0, 204)
		groups = emCall[struct{ Items []emergency.Unit }](t, e, viewer, "GET", "/api/v1/emergency/groups", "", 0, 200)
		if len(groups.Items) != 3 || len(groups.Items[0].Members) != 0 {
			t.Errorf("after deletes %+v", groups.Items)
		}
	})
}
