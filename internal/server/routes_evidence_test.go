package server_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Evidence routes aim at an incident no organisation has (999999): an
// allowed caller gets 404 or a validation error, a forbidden one 403.
func init() {
	const inc = "/api/v1/incidents/999999"
	addRouteCases(map[string]routeCase{
		"GET /api/v1/incidents/{id}/evidence":                {Perm: auth.PermEvidenceRead, Path: inc + "/evidence"},
		"POST /api/v1/incidents/{id}/evidence":               {Perm: auth.PermEvidenceWrite, Path: inc + "/evidence", Body: "x", ContentType: "multipart/form-data; boundary=b"},
		"GET /api/v1/incidents/{id}/evidence/{eid}":          {Perm: auth.PermEvidenceRead, Path: inc + "/evidence/1"},
		"GET /api/v1/incidents/{id}/evidence/{eid}/download": {Perm: auth.PermEvidenceRead, Path: inc + "/evidence/1/download"},
		"POST /api/v1/incidents/{id}/evidence/{eid}/custody": {Perm: auth.PermEvidenceWrite, Path: inc + "/evidence/1/custody", Body: `{"action":"note","note":"x"}`},
		"GET /api/v1/incidents/{id}/iocs":                    {Perm: auth.PermEvidenceRead, Path: inc + "/iocs"},
		"POST /api/v1/incidents/{id}/iocs":                   {Perm: auth.PermEvidenceWrite, Path: inc + "/iocs", Body: `{"type":"ip","value":"192.0.2.1"}`},
		"DELETE /api/v1/incidents/{id}/iocs/{iid}":           {Perm: auth.PermEvidenceWrite, Path: inc + "/iocs/1"},
		"GET /api/v1/attack-techniques":                      {Perm: auth.PermEvidenceRead, Path: "/api/v1/attack-techniques"},
		"GET /api/v1/iocs":                                   {Perm: auth.PermEvidenceRead, Path: "/api/v1/iocs?q=fixture"},
		"GET /api/v1/incidents/{id}/intel-notes":             {Perm: auth.PermEvidenceRead, Path: inc + "/intel-notes"},
		"GET /incidents/{id}/evidence":                       {Perm: auth.PermEvidenceRead, Path: "/incidents/999999/evidence"},
		"POST /incidents/{id}/evidence":                      {Perm: auth.PermEvidenceWrite, Path: "/incidents/999999/evidence", Body: "x", ContentType: "multipart/form-data; boundary=b"},
		"GET /incidents/{id}/evidence/{eid}":                 {Perm: auth.PermEvidenceRead, Path: "/incidents/999999/evidence/1"},
		"GET /incidents/{id}/evidence/{eid}/download":        {Perm: auth.PermEvidenceRead, Path: "/incidents/999999/evidence/1/download"},
		"POST /incidents/{id}/evidence/{eid}/custody":        {Perm: auth.PermEvidenceWrite, Path: "/incidents/999999/evidence/1/custody", Body: "action=note&note=x"},
		"POST /incidents/{id}/iocs":                          {Perm: auth.PermEvidenceWrite, Path: "/incidents/999999/iocs", Body: "type=ip&value=192.0.2.1"},
		"POST /incidents/{id}/iocs/{iid}/delete":             {Perm: auth.PermEvidenceWrite, Path: "/incidents/999999/iocs/1/delete"},
		"POST /incidents/{id}/intel-notes":                   {Perm: auth.PermEvidenceWrite, Path: "/incidents/999999/intel-notes", Body: "body=x&techniques=T1190"},
		"GET /iocs":                                          {Perm: auth.PermEvidenceRead, Path: "/iocs?q=fixture"},
		"POST /api/v1/incidents/{id}/intel-notes":            {Perm: auth.PermEvidenceWrite, Path: inc + "/intel-notes", Body: `{"body":"x","techniques":["T1190"]}`},
	})
}

// multipartBody builds an upload form with one file and some fields.
func multipartBody(t *testing.T, name, content string, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	return mw.FormDataContentType(), &b
}

func apiDo(t *testing.T, e *servertest.Env, token, method, path, ct string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.HTTP.URL+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	res, err := e.NewClient().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// Over the API: upload, record, download with safe headers, size limit,
// and a second organisation that sees none of it.
func TestEvidenceAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.Cfg.MaxUpload = 4096
		resp := e.CreateUser("orga-resp", e.Org, auth.RoleResponder)
		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "orga 事件", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		tok := e.Token(resp)
		base := fmt.Sprintf("/api/v1/incidents/%d", inc.ID)
		ct, body := multipartBody(t, "orga-page.html", "<html><script>alert('orga')</script>", map[string]string{
			"collected_by": "张三", "collected_at": "2026-01-02T03:04:05+08:00", "collected_from": "web-01", "description": "orga 篡改页面"})
		res, out := apiDo(t, e, tok, "POST", base+"/evidence", ct, body)
		if res.StatusCode != 201 || !strings.Contains(out, `"collected_by":"张三"`) || !strings.Contains(out, `"collected_at":"2026-01-01T19:04:05Z"`) {
			t.Fatalf("upload: %d %s", res.StatusCode, out)
		}
		loc := res.Header.Get("Location")
		res, out = apiDo(t, e, tok, "GET", loc+"/download", "", nil)
		if res.StatusCode != 200 || !strings.Contains(out, "alert('orga')") ||
			res.Header.Get("Content-Type") != "application/octet-stream" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="orga-page.html"`) {
			t.Fatalf("download: %d %v %s", res.StatusCode, res.Header, out)
		}
		res, out = apiDo(t, e, tok, "GET", loc, "", nil)
		if res.StatusCode != 200 || !strings.Contains(out, `"action":"download"`) || !strings.Contains(out, `"action":"view"`) {
			t.Fatalf("record: %d %s", res.StatusCode, out)
		}
		ct, body = multipartBody(t, "big.raw", strings.Repeat("A", 8192), map[string]string{"collected_by": "x"})
		if res, out = apiDo(t, e, tok, "POST", base+"/evidence", ct, body); res.StatusCode != 413 {
			t.Fatalf("too large: %d %s", res.StatusCode, out)
		}
		res, out = apiDo(t, e, tok, "POST", base+"/iocs", "application/json", strings.NewReader(`{"type":"domain","value":"ORGA.example.com","tags":["c2"]}`))
		if res.StatusCode != 201 || !strings.Contains(out, `"value":"orga.example.com"`) {
			t.Fatalf("ioc: %d %s", res.StatusCode, out)
		}
		res, out = apiDo(t, e, tok, "POST", base+"/iocs", "application/json", strings.NewReader(`{"type":"ip","value":"300.1.1.1"}`))
		if res.StatusCode != 422 || !strings.Contains(out, `"field":"value"`) {
			t.Fatalf("bad ioc: %d %s", res.StatusCode, out)
		}
		if res, out = apiDo(t, e, tok, "GET", "/api/v1/iocs?q=orga.EXAMPLE.com", "", nil); res.StatusCode != 200 || !strings.Contains(out, inc.Number) {
			t.Fatalf("search: %d %s", res.StatusCode, out)
		}
		res, out = apiDo(t, e, tok, "POST", base+"/intel-notes", "application/json", strings.NewReader(`{"body":"orga 分析","techniques":["T1190","T1059.01"]}`))
		if res.StatusCode != 422 || !strings.Contains(out, "techniques") {
			t.Fatalf("bad technique: %d %s", res.StatusCode, out)
		}
		if res, out = apiDo(t, e, tok, "GET", "/api/v1/attack-techniques", "", nil); res.StatusCode != 200 || !strings.Contains(out, `"id":"T1059.001"`) || !strings.Contains(out, "利用面向公众的应用程序") {
			t.Fatalf("techniques: %d %s", res.StatusCode, out)
		}

		// Org B: every read is 404 and shows nothing; no download is logged.
		orgB := e.CreateOrg("客户B")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue
			}
			for _, p := range []string{base + "/evidence", loc, loc + "/download", base + "/iocs", base + "/intel-notes", "/api/v1/iocs?q=orga.example.com"} {
				res, out := apiDo(t, e, c.token, "GET", p, "", nil)
				if strings.Contains(out, "orga") || (res.StatusCode < 300 && !strings.HasPrefix(p, "/api/v1/iocs")) {
					t.Errorf("%s as %s of org B: %d %s", p, c.role, res.StatusCode, out)
				}
			}
		}
		var n int
		if err := db.Read().QueryRow(`SELECT COUNT(*) FROM incident_custody WHERE action = 'download'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("downloads logged: %d, %v", n, err)
		}
	})
}
