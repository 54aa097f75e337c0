package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The lifecycle through the API: detection → containment (plan drafted by
// a responder, approved by a security manager, executed, judged effective)
// → eradication → recovery → summary → closed, with the refusals naming
// what is missing, a reopening and the timeline.
func TestLifecycleAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		rt := e.Token(e.CreateUser("resp", e.Org, auth.RoleResponder))
		mt := e.Token(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager))
		vt := e.Token(e.CreateUser("viewer", e.Org, auth.RoleViewer))
		lt := e.Token(e.CreateUser("leader", e.Org, auth.RoleLeadership))
		call := func(tok, method, path, body string, status int) map[string]any {
			t.Helper()
			res := e.API(tok, method, path, body, 0)
			if res.StatusCode != status {
				t.Fatalf("%s %s: %d, want %d: %.500s", method, path, res.StatusCode, status, res.Body)
			}
			var m map[string]any
			_ = json.Unmarshal([]byte(res.Body), &m)
			return m
		}
		inc := call(rt, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"勒索软件","discovered_at":%q,"grade":2}`,
			e.Clock.Now().Format("2006-01-02T15:04:05Z07:00")), 201)
		base := fmt.Sprintf("/api/v1/incidents/%v", inc["id"])
		if inc["phase"] != "detection" {
			t.Fatalf("new incident phase %v", inc["phase"])
		}
		if m := call(rt, "POST", base+"/transition", `{"to":"eradication"}`, 409); !strings.Contains(fmt.Sprint(m), "跳过") && !strings.Contains(fmt.Sprint(m), "skip") {
			t.Errorf("skip refusal does not say so: %v", m)
		}
		call(vt, "POST", base+"/transition", `{"to":"containment"}`, 403)
		// Grade II: containment waits for the leadership group to approve
		// starting the emergency plan.
		act, _ := inc["activation"].(map[string]any)
		if act["status"] != "pending" {
			t.Fatalf("activation of a grade II incident: %v", inc["activation"])
		}
		call(rt, "POST", base+"/transition", `{"to":"containment"}`, 409)
		call(lt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", act["approval_id"]), `{"approve":true}`, 200)
		if m := call(rt, "POST", base+"/transition", `{"to":"containment"}`, 200); m["phase"] != "containment" {
			t.Fatalf("moved to %v", m["phase"])
		}
		for _, ph := range []string{"containment", "eradication", "recovery"} {
			call(rt, "POST", base+"/transition", `{"to":"x"}`, 422)
			p := call(rt, "POST", base+"/plans", `{"measures":"隔离受感染主机","scope":"办公网","risks":"业务中断","resources":"系统组"}`, 201)
			if p["phase"] != ph || p["status"] != "draft" {
				t.Fatalf("plan %v", p)
			}
			pbase := fmt.Sprintf("%s/plans/%v", base, p["id"])
			p = call(rt, "POST", pbase+"/submit", ``, 200)
			call(rt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", p["approval_id"]), `{"approve":true}`, 403)
			call(mt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", p["approval_id"]), `{"approve":true}`, 200)
			call(rt, "POST", pbase+"/executed", `{"notes":"已隔离"}`, 200)
			if p = call(rt, "POST", pbase+"/effect", `{"effect":"effective","notes":"无新感染"}`, 200); p["effect"] != "effective" {
				t.Fatalf("judged %v", p)
			}
			next := map[string]string{"containment": "eradication", "eradication": "recovery", "recovery": "summary"}[ph]
			call(rt, "POST", base+"/transition", fmt.Sprintf(`{"to":%q}`, next), 200)
		}
		// Closing needs the post-incident review recorded.
		call(mt, "POST", base+"/transition", `{"to":"closed","reason":"总结完成"}`, 409)
		call(rt, "PUT", base+"/review", fmt.Sprintf(`{"held_at":%q,"attendee_names":["应急小组"],"root_cause":"钓鱼邮件","impact":"办公网 3 台主机","lessons":"加强邮件网关"}`,
			e.Clock.Now().Format("2006-01-02T15:04:05Z07:00")), 200)
		if m := call(mt, "POST", base+"/transition", `{"to":"closed","reason":"总结完成"}`, 200); m["phase"] != "closed" {
			t.Fatalf("closed? %v", m["phase"])
		}
		var plans []map[string]any
		res := e.API(vt, "GET", base+"/plans", "", 0)
		if err := json.Unmarshal([]byte(res.Body), &plans); err != nil || len(plans) != 3 {
			t.Fatalf("plans: %v %s", err, res.Body)
		}
		call(rt, "POST", base+"/reopen", `{}`, 422)
		call(lt, "POST", base+"/reopen", `{"reason":"x"}`, 403)
		if m := call(rt, "POST", base+"/reopen", `{"reason":"发现残留后门"}`, 200); m["phase"] != "detection" {
			t.Fatalf("reopened into %v", m["phase"])
		}
		call(lt, "POST", base+"/exception", `{"to":"containment"}`, 422)
		call(lt, "POST", base+"/exception", `{"to":"summary","reason":"残留后门已由厂商清除"}`, 200)
		call(rt, "POST", base+"/timeline", `{"kind":"manual","body":"厂商远程清除","happened_at":"2026-11-25T07:00:00Z"}`, 201)
		call(vt, "POST", base+"/timeline", `{"kind":"comment","body":"x"}`, 403)
		var ev []map[string]any
		res = e.API(vt, "GET", base+"/timeline", "", 0)
		if err := json.Unmarshal([]byte(res.Body), &ev); err != nil || len(ev) < 20 {
			t.Fatalf("timeline: %v %d events", err, len(ev))
		}
		if ev[len(ev)-1]["action"] != "timeline.manual" || ev[len(ev)-1]["manual"] != true {
			t.Errorf("the manual entry, before everything else, is not last: %v", ev[len(ev)-1])
		}
		if ev[0]["action"] != "incident.exception" || ev[0]["actor"] != "leader" {
			t.Errorf("newest event %v", ev[0])
		}
	})
}
