package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

type importReply struct {
	SHA256  string             `json:"sha256"`
	DryRun  bool               `json:"dry_run"`
	Mode    string             `json:"mode"`
	Applied bool               `json:"applied"`
	Counts  asset.ImportCounts `json:"counts"`
	Unknown []string           `json:"unknown_columns"`
	Errors  []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Rows []struct {
		Row    int    `json:"row"`
		Action string `json:"action"`
		Number string `json:"number"`
	} `json:"rows"`
	Error struct {
		Code   string `json:"code"`
		Fields []struct {
			Row   int    `json:"row"`
			Field string `json:"field"`
			Code  string `json:"code"`
		} `json:"fields"`
	} `json:"error"`
}

func postImport(t *testing.T, e *servertest.Env, token, query, filename string, data []byte) (int, importReply) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/assets/import"+query, &buf)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out importReply
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.StatusCode, out
}

func TestAPIImportDryRunAndApply(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("importer", e.Org, auth.RoleSecurityAdmin)
		tok := e.Token(u)
		file := []byte("Number,Name,Type,IP addresses,Extra\nAPI-1,core switch,network_device,10.0.0.1,x\nAPI-2,,server,,\nAPI-3,web,server,10.0.0.500,\n")

		code, r := postImport(t, e, tok, "?dry_run=true", "a.csv", file)
		if code != 200 || !r.DryRun || r.Applied || r.Counts != (asset.ImportCounts{Rows: 3, Create: 1, Error: 2}) || len(r.Rows) != 3 {
			t.Fatalf("dry run: %d %+v", code, r)
		}
		if len(r.Errors) != 2 || r.Errors[0].Row != 3 || r.Errors[0].Field != "Name" || r.Errors[0].Code != "required" ||
			r.Errors[1].Row != 4 || r.Errors[1].Field != "IP addresses" || r.Errors[1].Code != "bad_ip" || r.Errors[1].Message == "" {
			t.Errorf("row errors: %+v", r.Errors)
		}
		if len(r.Unknown) != 1 || r.Unknown[0] != "Extra" {
			t.Errorf("unknown columns: %v", r.Unknown)
		}
		// Applying all: refused with every row's problem, nothing written.
		code, r = postImport(t, e, tok, "", "a.csv", file)
		if code != 422 || r.Error.Code != "invalid" || len(r.Error.Fields) != 2 || r.Error.Fields[1].Row != 4 || r.Error.Fields[1].Field != "IP addresses" {
			t.Fatalf("apply with errors: %d %+v", code, r.Error)
		}
		if p, _ := e.App.Assets.List(e.Actor(u, e.Org), asset.Filter{}); p.Total != 0 {
			t.Fatalf("refused import wrote %d assets", p.Total)
		}
		code, r = postImport(t, e, tok, "?dry_run=false&mode=valid_only", "a.csv", file)
		if code != 200 || !r.Applied || r.Mode != "valid_only" || r.Counts.Create != 1 {
			t.Fatalf("valid only: %d %+v", code, r)
		}
		// Again: the good row is now unchanged.
		code, r = postImport(t, e, tok, "?dry_run=true", "a.csv", file)
		if code != 200 || r.Counts.Unchanged != 1 || r.Rows[0].Action != "unchanged" {
			t.Errorf("re-import: %+v", r.Counts)
		}
		if code, _ := postImport(t, e, tok, "?mode=everything", "a.csv", file); code != 422 {
			t.Errorf("bad mode: %d", code)
		}
		// A viewer is refused before the upload is read.
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		if code, r := postImport(t, e, e.Token(viewer), "?dry_run=true", "a.csv", file); code != 403 || r.Error.Code != "forbidden" {
			t.Errorf("viewer: %d %+v", code, r.Error)
		}
	})
}

func TestAPIExport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("auditor", e.Org, auth.RoleAuditor)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		if _, err := e.App.Assets.Create(e.Actor(mgr, e.Org), asset.Asset{Name: "数据库服务器", Type: asset.TypeServer, C: 5, I: 4, A: 3}); err != nil {
			t.Fatal(err)
		}
		tok := e.Token(u)
		get := func(q string) (*http.Response, string) {
			req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/assets/export"+q, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		res, body := get("?format=csv&lang=en")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(body, "\xEF\xBB\xBFNumber,Name,Type") || !strings.Contains(body, "数据库服务器,Server") {
			t.Fatalf("csv: %d %v\n%s", res.StatusCode, res.Header, body)
		}
		res, body = get("?type=network_device")
		if res.StatusCode != 200 || !strings.HasPrefix(body, "PK\x03\x04") {
			t.Fatalf("xlsx: %d", res.StatusCode)
		}
		if res, body := get("?format=pdf"); res.StatusCode != 422 || !strings.Contains(body, `"field":"format"`) {
			t.Errorf("bad format: %d %s", res.StatusCode, body)
		}
	})
}
