package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func pbCall(t *testing.T, e *servertest.Env, tok, method, path, body string, status int) map[string]any {
	t.Helper()
	res := e.API(tok, method, path, body, 0)
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d: %.600s", method, path, res.StatusCode, status, res.Body)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(res.Body), &m)
	return m
}

func postPlaybookFile(t *testing.T, e *servertest.Env, tok, query string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "playbooks.yaml")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/playbooks/import"+query, &buf)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// Playbooks through the API: list, create with field errors, replace a
// default (its copy), export, import into another organisation (dry run,
// refusal naming the step, apply), delete.
func TestPlaybooksAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mt := e.Token(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager))
		rt := e.Token(e.CreateUser("resp", e.Org, auth.RoleResponder))
		list := pbCall(t, e, rt, "GET", "/api/v1/playbooks", "", 200)
		if items := list["items"].([]any); len(items) != 6 || items[0].(map[string]any)["source"] != "default" {
			t.Fatalf("list %v", list)
		}
		body := `{"key":"phishing","name_zh":"钓鱼邮件处置","categories":["NA-02"],"steps":[
			{"phase":"containment","title":"删除同批邮件","due":"2h","role":"system_admin"},
			{"phase":"detection","title":"收集样本","due":"30m"}]}`
		pbCall(t, e, rt, "POST", "/api/v1/playbooks", body, 403)
		// Unknown fields are refused (422), as in the YAML files.
		pbCall(t, e, mt, "POST", "/api/v1/playbooks", `{"key":"x","name_zh":"","categories":[],"steps":[],"extra":1}`, 422)
		m := pbCall(t, e, mt, "POST", "/api/v1/playbooks", `{"key":"x","name_zh":"","categories":[],"steps":[{"phase":"later","title":"","due":"1w"}]}`, 422)
		fields := fmt.Sprint(m["error"].(map[string]any)["fields"])
		for _, f := range []string{"key", "name_zh", "categories", "steps.0.phase", "steps.0.title", "steps.0.due"} {
			if !strings.Contains(fields, "field:"+f+" ") {
				t.Errorf("no error for %s: %s", f, fields)
			}
		}
		p := pbCall(t, e, mt, "POST", "/api/v1/playbooks", body, 201)
		if p["source"] != "custom" || p["enabled"] != true || p["steps"].([]any)[0].(map[string]any)["phase"] != "detection" {
			t.Errorf("created %v", p)
		}
		d := pbCall(t, e, rt, "GET", "/api/v1/playbooks/ddos", "", 200)
		pbCall(t, e, rt, "GET", "/api/v1/playbooks/nope", "", 404)
		d["name_zh"] = "拒绝服务攻击处置（本单位）"
		d["enabled"] = false
		delete(d, "source")
		delete(d, "updated_at")
		b, _ := json.Marshal(d)
		pbCall(t, e, rt, "PUT", "/api/v1/playbooks/ddos", string(b), 403)
		d2 := pbCall(t, e, mt, "PUT", "/api/v1/playbooks/ddos", string(b), 200)
		if d2["source"] != "customised" || d2["enabled"] != false || d2["name_zh"] != "拒绝服务攻击处置（本单位）" {
			t.Errorf("replaced %v", d2)
		}
		pbCall(t, e, mt, "PUT", "/api/v1/playbooks/ddos", strings.Replace(string(b), `"key":"ddos"`, `"key":"other"`, 1), 422)

		res := e.API(rt, "GET", "/api/v1/playbooks/export", "", 0)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/yaml") ||
			!strings.Contains(res.Body, "key: phishing") || !strings.Contains(res.Body, "拒绝服务攻击处置（本单位）") {
			t.Fatalf("export %d %s\n%.300s", res.StatusCode, res.Header.Get("Content-Type"), res.Body)
		}
		file := res.Body
		one := e.API(rt, "GET", "/api/v1/playbooks/export?key=phishing", "", 0)
		if one.StatusCode != 200 || strings.Contains(one.Body, "key: ddos") || !strings.Contains(one.Header.Get("Content-Disposition"), "playbook-phishing.yaml") {
			t.Errorf("export one %d %s", one.StatusCode, one.Body)
		}
		if r := e.API(rt, "GET", "/api/v1/playbooks/export?key=nope", "", 0); r.StatusCode != 404 {
			t.Errorf("export unknown %d", r.StatusCode)
		}

		orgB := e.CreateOrg("乙单位")
		bt := e.Token(e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager))
		if code, _ := postPlaybookFile(t, e, rt, "", []byte(file)); code != 403 {
			t.Errorf("responder imports: %d", code)
		}
		broken := strings.Replace(file, "title: 收集样本", "title: ''", 1)
		code, r := postPlaybookFile(t, e, bt, "", []byte(broken))
		if code != 422 || !strings.Contains(fmt.Sprint(r), "phishing.steps.detection.1.title") {
			t.Errorf("broken file: %d %v", code, r)
		}
		code, r = postPlaybookFile(t, e, bt, "?dry_run=true", []byte(file))
		if code != 200 || r["applied"] != false || len(r["items"].([]any)) != 7 {
			t.Fatalf("dry run: %d %v", code, r)
		}
		if code, r = postPlaybookFile(t, e, bt, "", []byte(file)); code != 200 || r["applied"] != true {
			t.Fatalf("import: %d %v", code, r)
		}
		again := e.API(bt, "GET", "/api/v1/playbooks/export", "", 0)
		if again.Body != file {
			t.Errorf("export → import → export differs:\n%s\n---\n%s", again.Body, file)
		}
		if code, r = postPlaybookFile(t, e, bt, "", []byte("version: 1\nplaybooks:\n  - key: a1\n    bogus: 1\n")); code != 422 || !strings.Contains(fmt.Sprint(r), "bogus") {
			t.Errorf("unknown field: %d %v", code, r)
		}

		pbCall(t, e, mt, "DELETE", "/api/v1/playbooks/hacking", "", 409)
		pbCall(t, e, rt, "DELETE", "/api/v1/playbooks/phishing", "", 403)
		pbCall(t, e, mt, "DELETE", "/api/v1/playbooks/ddos", "", 204)
		if d := pbCall(t, e, rt, "GET", "/api/v1/playbooks/ddos", "", 200); d["source"] != "default" || d["enabled"] != true {
			t.Errorf("after reset %v", d)
		}
		pbCall(t, e, mt, "DELETE", "/api/v1/playbooks/phishing", "", 204)
		pbCall(t, e, rt, "GET", "/api/v1/playbooks/phishing", "", 404)
	})
}

// An incident's phase tasks and playbooks through the API.
func TestIncidentTasksAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		rt := e.Token(resp)
		vt := e.Token(e.CreateUser("viewer", e.Org, auth.RoleViewer))
		st := e.Token(e.CreateUser("sa", e.Org, auth.RoleSystemAdmin))
		inc := pbCall(t, e, rt, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"流量异常","discovered_at":%q,"category":"NA-08"}`,
			e.Clock.Now().Format("2006-01-02T15:04:05Z07:00")), 201)
		base := fmt.Sprintf("/api/v1/incidents/%v", inc["id"])

		sug := pbCall(t, e, vt, "GET", base+"/playbooks", "", 200)
		if s := sug["suggested"].([]any); len(s) != 2 || s[0].(map[string]any)["key"] != "ddos" || s[1].(map[string]any)["key"] != "hacking" {
			t.Errorf("suggested %v", sug["suggested"])
		}
		pbCall(t, e, vt, "POST", base+"/playbooks", `{"key":"ddos"}`, 403)
		pbCall(t, e, st, "POST", base+"/playbooks", `{"key":"ddos"}`, 403)
		pbCall(t, e, rt, "POST", base+"/playbooks", `{"key":""}`, 422)
		ap := pbCall(t, e, rt, "POST", base+"/playbooks", `{"key":"ddos"}`, 201)
		made := ap["tasks"].([]any)
		if ap["run"].(map[string]any)["key"] != "ddos" || len(made) < 5 {
			t.Fatalf("applied %v", ap)
		}
		again := pbCall(t, e, rt, "POST", base+"/playbooks", `{"key":"ddos"}`, 409)
		if msg := fmt.Sprint(again); !strings.Contains(msg, "resp") {
			t.Errorf("second application: %v", again)
		}

		pbCall(t, e, vt, "POST", base+"/tasks", `{"phase":"containment","title":"x"}`, 403)
		bad := pbCall(t, e, rt, "POST", base+"/tasks", `{"phase":"closed","title":""}`, 422)
		if f := fmt.Sprint(bad); !strings.Contains(f, "field:phase") || !strings.Contains(f, "field:title") {
			t.Errorf("bad task %v", bad)
		}
		tk := pbCall(t, e, rt, "POST", base+"/tasks", fmt.Sprintf(`{"phase":"recovery","title":"通知用户","assignee_id":%d,"due_at":"2026-11-26T08:00:00Z"}`, resp.ID), 201)
		if tk["phase"] != "recovery" || tk["assignee_name"] != "resp" || tk["playbook"] != nil {
			t.Errorf("task %v", tk)
		}
		list := pbCall(t, e, vt, "GET", base+"/tasks", "", 200)["items"].([]any)
		if len(list) != len(made)+1 {
			t.Fatalf("%d tasks", len(list))
		}
		first := list[0].(map[string]any)
		if first["phase"] != "detection" || first["playbook"].(map[string]any)["key"] != "ddos" || first["playbook"].(map[string]any)["suggested_role"] == "" {
			t.Errorf("first task %v", first)
		}
		// Updates go through the tasks resource.
		done := pbCall(t, e, rt, "PATCH", fmt.Sprintf("/api/v1/tasks/%v", first["id"]), `{"status":"done","notes":"已确认"}`, 200)
		if done["status"] != "done" {
			t.Errorf("patched %v", done)
		}

		// Another organisation sees nothing of it.
		orgB := e.CreateOrg("乙单位")
		bt := e.Token(e.CreateUser("b-resp", orgB, auth.RoleResponder))
		for _, p := range []string{base + "/tasks", base + "/playbooks"} {
			if r := e.API(bt, "GET", p, "", 0); r.StatusCode != 404 || strings.Contains(r.Body, "流量") {
				t.Errorf("org B GET %s: %d %s", p, r.StatusCode, r.Body)
			}
		}
		pbCall(t, e, bt, "POST", base+"/tasks", `{"phase":"containment","title":"x"}`, 404)
		pbCall(t, e, bt, "POST", base+"/playbooks", `{"key":"hacking"}`, 404)
		pbCall(t, e, bt, "PATCH", fmt.Sprintf("/api/v1/tasks/%v", first["id"]), `{"notes":"x"}`, 404)
	})
}
