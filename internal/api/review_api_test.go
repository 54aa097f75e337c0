package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/docx"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The post-incident review through the API: the review with its field
// errors, CAPA proposed, changed, approved through the approvals API,
// done and verified, a recommendation decided, the incident closed, and
// the report downloaded in both formats and languages.
func TestReviewAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		respU := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgrU := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		leaderU := e.CreateUser("leader", e.Org, auth.RoleLeadership)
		rt, mt, lt := e.Token(respU), e.Token(mgrU), e.Token(leaderU)
		vt := e.Token(e.CreateUser("viewer", e.Org, auth.RoleViewer))
		inc, err := e.App.Incidents.Create(e.Actor(respU, e.Org), incident.Input{Title: "勒索软件", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Lifecycle.Exception(e.Actor(leaderU, e.Org), inc.ID, incident.PhaseSummary, "测试"); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)
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
		rfc := func(t time.Time) string { return t.Format(time.RFC3339) }

		st := call(vt, "GET", base+"/review", "", 200)
		if ready := st["readiness"].(map[string]any); ready["ready"] != false || ready["review_recorded"] != false {
			t.Errorf("readiness %v", ready)
		}
		if len(st["people"].([]any)) < 4 {
			t.Errorf("people %v", st["people"])
		}
		m := call(rt, "PUT", base+"/review", `{"held_at":"yesterday","attendee_ids":[999999]}`, 422)
		if !strings.Contains(fmt.Sprint(m), "held_at") {
			t.Errorf("bad held_at: %v", m)
		}
		m = call(rt, "PUT", base+"/review", `{"attendee_ids":[999999],"lessons":"x"}`, 422)
		if !strings.Contains(fmt.Sprint(m), "attendee_ids") {
			t.Errorf("unknown attendee: %v", m)
		}
		call(vt, "PUT", base+"/review", `{"lessons":"x"}`, 403)
		rev := call(rt, "PUT", base+"/review", fmt.Sprintf(`{"held_at":%q,"attendee_ids":[%d],"attendee_names":["外部专家"],
			"root_cause":"弱口令","impact":"3 台主机加密","lessons":"启用多因素认证","plan_revision_needed":false}`,
			rfc(e.Clock.Now()), mgrU.ID), 200)
		if len(rev["attendees"].([]any)) != 2 || rev["round"] != float64(0) {
			t.Errorf("review %v", rev)
		}

		c := call(rt, "POST", base+"/capas", fmt.Sprintf(`{"kind":"corrective","description":"全员重置口令","owner_id":%d,"due_at":%q}`,
			mgrU.ID, rfc(e.Clock.Now().Add(72*time.Hour))), 201)
		cpath := fmt.Sprintf("%s/capas/%v", base, c["id"])
		call(rt, "PATCH", cpath, `{"due_at":"soon"}`, 422)
		c = call(rt, "PATCH", cpath, `{"description":"全员重置口令并启用 MFA"}`, 200)
		if c["description"] != "全员重置口令并启用 MFA" || c["status"] != "draft" {
			t.Errorf("patched %v", c)
		}
		a := call(rt, "POST", base+"/capas/submit", "", 201)
		call(mt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", a["id"]), `{"approve":true}`, 403)
		call(lt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", a["id"]), `{"approve":true}`, 200)
		call(rt, "POST", cpath+"/progress", `{"status":"done","notes":"x"}`, 403)
		call(mt, "POST", cpath+"/progress", `{"status":"done"}`, 422)
		call(mt, "POST", cpath+"/progress", `{"status":"done","notes":"已完成"}`, 200)
		var mine []map[string]any
		if err := json.Unmarshal([]byte(e.API(mt, "GET", "/api/v1/capas?mine=true", "", 0).Body), &mine); err != nil || len(mine) != 1 {
			t.Errorf("my CAPA %v %v", mine, err)
		}
		call(mt, "GET", "/api/v1/capas?mine=maybe", "", 422)
		call(mt, "POST", cpath+"/verify", `{"accept":true,"notes":"x"}`, 403)
		if c = call(lt, "POST", cpath+"/verify", `{"accept":true,"notes":"抽查通过"}`, 200); c["status"] != "verified" {
			t.Errorf("verified %v", c)
		}

		x := call(mt, "POST", base+"/sanctions", fmt.Sprintf(`{"kind":"reward","person_id":%d,"reason":"连夜恢复","measure":"奖金"}`, respU.ID), 201)
		call(vt, "GET", base+"/sanctions", "", 403)
		call(lt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", x["approval_id"]), `{"approve":false,"reason":"另行表彰"}`, 200)
		var list []map[string]any
		if err := json.Unmarshal([]byte(e.API(lt, "GET", base+"/sanctions", "", 0).Body), &list); err != nil || len(list) != 1 ||
			list[0]["status"] != "rejected" || list[0]["decision_reason"] != "另行表彰" {
			t.Errorf("recommendations %v %v", list, err)
		}
		if m := call(rt, "POST", base+"/transition", `{"to":"closed"}`, 200); m["phase"] != "closed" {
			t.Errorf("closed? %v", m["phase"])
		}

		res := e.API(mt, "GET", base+"/report.docx", "", 0)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "wordprocessingml") {
			t.Fatalf("report.docx: %d %v", res.StatusCode, res.Header)
		}
		text, err := docx.Text(bytes.NewReader([]byte(res.Body)), int64(len(res.Body)))
		if err != nil || !strings.Contains(text, "信息安全事件应急处置报告") || !strings.Contains(text, "全员重置口令并启用 MFA") {
			t.Errorf("report text: %v %.300s", err, text)
		}
		res = e.API(mt, "GET", base+"/report.html?lang=en", "", 0)
		if res.StatusCode != 200 || !strings.Contains(res.Body, "Information Security Incident Response Report") {
			t.Errorf("report.html in English: %d", res.StatusCode)
		}
		if res = e.API(mt, "GET", base+"/report.html?lang=fr", "", 0); res.StatusCode != 422 {
			t.Errorf("lang=fr: %d", res.StatusCode)
		}
		if res = e.API(vt, "GET", base+"/report.docx", "", 0); res.StatusCode != 403 {
			t.Errorf("viewer's report: %d", res.StatusCode)
		}
	})
}
