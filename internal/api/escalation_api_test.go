package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/docx"
	"bulwark/internal/httpx"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Escalation over the API: a grade II incident's JSON carries its plan
// activation and deadlines; leadership rejects and the responder asks
// again; the report items are served with the unverified ones marked; a
// report is prefilled, refused with field errors, recorded, listed and
// downloaded as DOCX and printable HTML in the caller's language; the old
// "reported" shortcut refuses a second first report.
func TestEscalationAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		rt := e.Token(resp)
		lt := e.Token(e.CreateUser("leader", e.Org, auth.RoleLeadership))
		vt := e.Token(e.CreateUser("viewer", e.Org, auth.RoleViewer))
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
		inc := call(rt, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"勒索软件","discovered_at":%q,"grade":2,"category":"MP-07"}`,
			e.Clock.Now().Format("2006-01-02T15:04:05Z07:00")), 201)
		base := fmt.Sprintf("/api/v1/incidents/%v", inc["id"])
		act, _ := inc["activation"].(map[string]any)
		if act["required"] != true || act["status"] != "pending" || act["working_group_engaged"] != true || act["can_request"] != false {
			t.Fatalf("activation: %v", inc["activation"])
		}
		ds, _ := inc["deadlines"].([]any)
		if len(ds) != 1 || ds[0].(map[string]any)["kind"] != "report.first" {
			t.Errorf("deadlines: %v", inc["deadlines"])
		}
		call(lt, "POST", fmt.Sprintf("/api/v1/approvals/%v/decision", act["approval_id"]), `{"approve":false,"reason":"先查清影响"}`, 200)
		got := call(vt, "GET", base, "", 200)
		if a := got["activation"].(map[string]any); a["status"] != "rejected" || a["reason"] != "先查清影响" || a["can_request"] != true {
			t.Errorf("after rejection: %v", a)
		}
		call(vt, "POST", base+"/activation", `{}`, 403)
		if a := call(rt, "POST", base+"/activation", `{"note":"影响已查清"}`, 200); a["status"] != "pending" {
			t.Errorf("asked again: %v", a)
		}
		call(rt, "POST", base+"/activation", ``, 409)

		// The items, with the unverified ones marked.
		res := e.API(vt, "GET", "/api/v1/regulator-report-fields", "", 0)
		var fields []map[string]any
		if err := json.Unmarshal([]byte(res.Body), &fields); err != nil || len(fields) < 10 {
			t.Fatalf("fields: %v %s", err, res.Body)
		}
		for _, f := range fields {
			if f["key"] == "trend" && (f["to_confirm"] != true || !strings.Contains(fmt.Sprint(f["help_zh"]), "待核实") || f["label_en"] == "") {
				t.Errorf("trend: %v", f)
			}
			if f["key"] == "impact" && (f["to_confirm"] != false || f["required"] != true) {
				t.Errorf("impact: %v", f)
			}
		}

		pre := call(rt, "GET", base+"/regulator-reports/prefill?kind=first", "", 200)
		pf := pre["fields"].(map[string]any)
		if pf["unit_name"] != "本单位" || pf["event_type"] != "恶意程序事件—勒索软件事件" || pre["recipient"] != "属地省级网信部门" {
			t.Errorf("prefill: %v", pre)
		}
		call(rt, "GET", base+"/regulator-reports/prefill?kind=nope", "", 422)
		m := call(rt, "POST", base+"/regulator-reports", `{"kind":"first","recipient":"省网信办","sent_at":"yesterday","fields":{"unit_name":"x"}}`, 422)
		if !strings.Contains(fmt.Sprint(m), "sent_at") {
			t.Errorf("bad time: %v", m)
		}
		m = call(rt, "POST", base+"/regulator-reports", `{"kind":"first","recipient":"省网信办","fields":{"unit_name":"某单位"}}`, 422)
		for _, f := range []string{"fields.facility", "fields.impact", "fields.measures"} {
			if !strings.Contains(fmt.Sprint(m), f) {
				t.Errorf("missing %s not named: %v", f, m)
			}
		}
		body, _ := json.Marshal(map[string]any{"kind": "first", "recipient": "省网信办", "partial": true,
			"fields": map[string]string{"unit_name": "某单位", "facility": "文件服务器", "discovered_at": "2026-11-25 16:00",
				"event_type": "勒索软件事件", "event_grade": "重大事件（Ⅱ级）", "ransom_amount": "2 BTC"}})
		rep := call(rt, "POST", base+"/regulator-reports", string(body), 201)
		if rep["kind"] != "first" || rep["partial"] != true || rep["followup_due_at"] == nil || rep["seq"] != float64(1) {
			t.Fatalf("report: %v", rep)
		}
		var list []map[string]any
		res = e.API(vt, "GET", base+"/regulator-reports", "", 0)
		if err := json.Unmarshal([]byte(res.Body), &list); err != nil || len(list) != 1 {
			t.Fatalf("list: %s", res.Body)
		}
		one := call(vt, "GET", fmt.Sprintf("%s/regulator-reports/%v", base, rep["id"]), "", 200)
		if one["fields"].(map[string]any)["ransom_amount"] != "2 BTC" {
			t.Errorf("one: %v", one)
		}
		call(rt, "POST", base+"/reported", ``, 409)

		// Downloads in the caller's language.
		num := fmt.Sprint(inc["number"])
		for _, lang := range []string{"zh-CN", "en"} {
			if err := e.App.Accounts.SetLocale(e.Actor(resp, e.Org), lang); err != nil {
				t.Fatal(err)
			}
			res = e.API(rt, "GET", fmt.Sprintf("%s/regulator-reports/%v/docx", base, rep["id"]), "", 0)
			text, err := docx.Text(bytes.NewReader([]byte(res.Body)), int64(len(res.Body)))
			title := map[string]string{"zh-CN": "网络安全事件报告", "en": "Cybersecurity incident report"}[lang]
			if err != nil || res.Header.Get("Content-Type") != httpx.DOCXType || !strings.HasPrefix(text, title) || !strings.Contains(text, num) {
				t.Errorf("%s docx: %v %q %q", lang, err, res.Header, text)
			}
			res = e.API(rt, "GET", fmt.Sprintf("%s/regulator-reports/%v/html", base, rep["id"]), "", 0)
			if res.StatusCode != 200 || !strings.Contains(res.Body, title) || !strings.HasPrefix(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("%s html: %d %v", lang, res.StatusCode, res.Header)
			}
		}
		call(vt, "GET", fmt.Sprintf("%s/regulator-reports/%d", base, 999999), "", 404)
	})
}
