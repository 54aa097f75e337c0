package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func evidenceForm(t *testing.T, name, content string, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	// Fields after the file: the file is stored first, recorded after.
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	return mw.FormDataContentType(), &b
}

var evidenceLink = regexp.MustCompile(`href="(/incidents/\d+/evidence/\d+)"`)

// A responder uploads evidence, adds an IOC and an intel note through the
// pages; a viewer opens the record (a custody entry), downloads the file
// with safe headers and finds the IOC by search, but gets no forms.
func TestEvidencePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.Cfg.MaxUpload = 4096
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "门户首页被篡改", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/incidents/%d/evidence", inc.ID)
		rc := e.SessionClient(resp, e.Org)
		if page := rc.Get(fmt.Sprintf("/incidents/%d", inc.ID)); !strings.Contains(page.Body, `href="`+base+`"`) {
			t.Fatal("incident page has no link to its evidence")
		}
		content := "<html>hacked by x</html>"
		ct, body := evidenceForm(t, "index.html", content, map[string]string{"collected_by": "李四", "collected_at": "2026-03-01T10:30", "collected_from": "web-01 /var/www"})
		if res := rc.Do("POST", base, ct, body); res.StatusCode != 303 {
			t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
		}
		// Too large: the form comes back with the message by the file field.
		ct, body = evidenceForm(t, "mem.raw", strings.Repeat("A", 8000), map[string]string{"collected_by": "李四"})
		if res := rc.Do("POST", base, ct, body); res.StatusCode != 413 || !strings.Contains(res.Body, `id="file-error"`) {
			t.Fatalf("too large: %d", res.StatusCode)
		}
		if res := rc.PostForm(fmt.Sprintf("/incidents/%d/iocs", inc.ID), url.Values{"type": {"url"}, "value": {"javascript:alert(1)"}}); res.StatusCode != 422 || !strings.Contains(res.Body, `id="ioc_value-error"`) {
			t.Fatalf("bad ioc: %d", res.StatusCode)
		}
		if res := rc.PostForm(fmt.Sprintf("/incidents/%d/iocs", inc.ID), url.Values{"type": {"ip"}, "value": {"198.51.100.0/24"}, "tags": {"扫描源"}}); res.StatusCode != 303 {
			t.Fatalf("ioc: %d %s", res.StatusCode, res.Body)
		}
		if res := rc.PostForm(fmt.Sprintf("/incidents/%d/intel-notes", inc.ID), url.Values{"body": {"利用上传漏洞写入 WebShell"}, "technique": {"T1190", "T1505.003"}, "techniques": {"T1070"}}); res.StatusCode != 303 {
			t.Fatalf("note: %d %s", res.StatusCode, res.Body)
		}
		if res := rc.PostForm(fmt.Sprintf("/incidents/%d/intel-notes", inc.ID), url.Values{"body": {"x"}, "techniques": {"T12"}}); res.StatusCode != 422 || !strings.Contains(res.Body, `id="techniques-error"`) {
			t.Fatalf("bad technique: %d", res.StatusCode)
		}

		vc := e.SessionClient(viewer, e.Org)
		page := vc.Get(base)
		for _, want := range []string{"index.html", "24 B", "李四", "2026-03-01 10:30", "web-01 /var/www", "198.51.100.0/24", "扫描源",
			"T1505.003", "利用面向公众的应用程序", "T1070"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("evidence page lacks %q", want)
			}
		}
		for _, form := range []string{`id="evidence-form"`, `id="ioc-form"`, `id="intel-form"`} {
			if strings.Contains(page.Body, form) {
				t.Errorf("viewer sees %s", form)
			}
		}
		m := evidenceLink.FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no link to the evidence record")
		}
		dl := vc.Get(m[1] + "/download")
		if dl.StatusCode != 200 || dl.Body != content || dl.Header.Get("Content-Type") != "application/octet-stream" ||
			dl.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download: %d %v", dl.StatusCode, dl.Header)
		}
		rec := vc.Get(m[1])
		for _, want := range []string{"上传", "下载", "查看", "resp", "viewer"} {
			if !strings.Contains(rec.Body, want) {
				t.Errorf("record page lacks %q", want)
			}
		}
		if res := vc.PostForm(m[1]+"/custody", url.Values{"action": {"transfer"}, "note": {"x"}}); res.StatusCode != 403 {
			t.Errorf("viewer transfer: %d", res.StatusCode)
		}
		if res := rc.PostForm(m[1]+"/custody", url.Values{"action": {"transfer"}, "note": {"移交公安机关"}}); res.StatusCode != 303 {
			t.Errorf("transfer: %d %s", res.StatusCode, res.Body)
		}
		if rec := rc.Get(m[1]); !strings.Contains(rec.Body, "移交公安机关") {
			t.Error("transfer not in the custody log")
		}
		res := vc.Get("/iocs?q=198.51.100.77")
		if res.StatusCode != 200 || !strings.Contains(res.Body, inc.Number) {
			t.Errorf("search: %d", res.StatusCode)
		}
		if res := vc.Get("/iocs?q=203.0.113.1"); !strings.Contains(res.Body, `id="ioc-none"`) {
			t.Error("search without a match")
		}

		// Another organisation: 404 on the page, the record and the file.
		orgB := e.CreateOrg("客户B")
		other := e.SessionClient(e.CreateUser("b-resp", orgB, auth.RoleResponder), orgB)
		for _, p := range []string{base, m[1], m[1] + "/download"} {
			if res := other.Get(p); res.StatusCode != 404 || strings.Contains(res.Body, "李四") {
				t.Errorf("org B %s: %d", p, res.StatusCode)
			}
		}
		if res := other.Get("/iocs?q=198.51.100.77"); strings.Contains(res.Body, inc.Number) {
			t.Error("org B finds org A's IOC")
		}
	})
}
