package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/tabular"
)

// uploadForm is the import form as a browser posts it.
func uploadForm(t *testing.T, filename string, data []byte, validOnly bool) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if validOnly {
		mw.WriteField("valid_only", "1")
	}
	mw.Close()
	return mw.FormDataContentType(), &buf
}

var hashField = regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`)

func TestImportPreviewConfirmFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("sysadmin", e.Org, auth.RoleSystemAdmin)
		c := e.SessionClient(u, e.Org)

		page := c.Get("/assets/import")
		for _, want := range []string{`id="import-file"`, `accept=".xlsx,.csv"`, `name="valid_only"`, `id="import-preview"`,
			`href="/assets/import/template.xlsx"`, `enctype="multipart/form-data"`, "import.css"} {
			if page.StatusCode != 200 || !strings.Contains(page.Body, want) {
				t.Fatalf("import form (%d) lacks %s", page.StatusCode, want)
			}
		}

		// A good workbook: preview, nothing written yet, then confirm.
		var wb bytes.Buffer
		w, _ := tabular.NewXLSXWriter(&wb, "Sheet1", nil)
		for _, r := range [][]any{{"资产名称", "资产类型", "IP地址"}, {"核心交换机", "网络设备", "10.0.0.1"}, {"Web服务器", "服务器", "10.0.1.5"}} {
			w.WriteRow(r)
		}
		w.Close()
		ct, body := uploadForm(t, "资产表.xlsx", wb.Bytes(), false)
		prev := c.Do("POST", "/assets/import", ct, body)
		if prev.StatusCode != 200 || !strings.Contains(prev.Body, `id="import-confirm"`) || !strings.Contains(prev.Body, "新建 2") {
			t.Fatalf("preview: %d\n%s", prev.StatusCode, prev.Body)
		}
		if p, _ := e.App.Assets.List(e.Actor(u, e.Org), asset.Filter{}); p.Total != 0 {
			t.Fatalf("preview wrote %d assets", p.Total)
		}
		m := hashField.FindStringSubmatch(prev.Body)
		if m == nil {
			t.Fatal("preview keeps no hash")
		}
		if _, err := os.Stat(filepath.Join(e.Cfg.Data, "uploads", "sha256", m[1][:2], m[1])); err != nil {
			t.Errorf("upload not stored by hash: %v", err)
		}
		res := c.PostForm("/assets/import/confirm", url.Values{"sha256": {m[1]}, "mode": {"all"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/assets?flash=flash.imported" {
			t.Fatalf("confirm: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
		}
		list := c.Get("/assets?flash=flash.imported")
		if !strings.Contains(list.Body, "资产导入完成") || !strings.Contains(list.Body, "核心交换机") || !strings.Contains(list.Body, "Web服务器") {
			t.Errorf("list after import lacks the flash or the assets")
		}

		// A file with a bad row: errors with row, column and reason; no
		// confirm button unless valid rows only is chosen.
		bad := []byte("资产名称,资产类型,IP地址\n防火墙,安全设备,10.0.0.254\n坏行,服务器,300.1.1.1\n")
		ct, body = uploadForm(t, "bad.csv", bad, false)
		prev = c.Do("POST", "/assets/import", ct, body)
		if prev.StatusCode != 200 || strings.Contains(prev.Body, `id="import-confirm"`) || !strings.Contains(prev.Body, `id="import-blocked"`) {
			t.Fatalf("preview with errors: %d\n%s", prev.StatusCode, prev.Body)
		}
		if !strings.Contains(prev.Body, `data-row="3"`) || !strings.Contains(prev.Body, "“IP地址”：“300.1.1.1”不是有效的IP地址或网段。") {
			t.Errorf("row 3's error not shown with its column and reason:\n%s", prev.Body)
		}
		// Posting the confirm anyway (mode all) imports nothing.
		h := sha256.Sum256(bad)
		sum := hex.EncodeToString(h[:])
		res = c.PostForm("/assets/import/confirm", url.Values{"sha256": {sum}, "mode": {"all"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "未导入任何数据") {
			t.Errorf("forced confirm with errors: %d", res.StatusCode)
		}
		ct, body = uploadForm(t, "bad.csv", bad, true)
		prev = c.Do("POST", "/assets/import", ct, body)
		if !strings.Contains(prev.Body, `id="import-confirm"`) || !strings.Contains(prev.Body, `name="mode" value="valid_only"`) {
			t.Fatalf("valid-only preview offers no confirm:\n%s", prev.Body)
		}
		res = c.PostForm("/assets/import/confirm", url.Values{"sha256": {sum}, "mode": {"valid_only"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("valid-only confirm: %d\n%s", res.StatusCode, res.Body)
		}
		if p, _ := e.App.Assets.List(e.Actor(u, e.Org), asset.Filter{}); p.Total != 3 {
			t.Errorf("%d assets after valid-only import, want 3", p.Total)
		}

		// Another organisation cannot confirm this organisation's upload.
		orgB := e.CreateOrg("单位B")
		ub := e.CreateUser("b-admin", orgB, auth.RoleSystemAdmin)
		res = e.SessionClient(ub, orgB).PostForm("/assets/import/confirm", url.Values{"sha256": {sum}, "mode": {"valid_only"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("confirm of another organisation's upload: %d, want 404", res.StatusCode)
		}
		if res := c.PostForm("/assets/import/confirm", url.Values{"sha256": {"../../etc/passwd"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("confirm with a bad hash: %d", res.StatusCode)
		}

		// No file, and a file over the limit, come back to the form.
		ct, body = uploadForm(t, "", nil, false)
		if res := c.Do("POST", "/assets/import", ct, body); res.StatusCode != 422 || !strings.Contains(res.Body, "请选择要导入的") {
			t.Errorf("no file: %d", res.StatusCode)
		}
		e.Cfg.MaxUpload = 2048
		ct, body = uploadForm(t, "big.csv", append([]byte("资产名称\n"), bytes.Repeat([]byte("x\n"), 4000)...), false)
		if res := c.Do("POST", "/assets/import", ct, body); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "文件太大") {
			t.Errorf("too large: %d\n%s", res.StatusCode, res.Body)
		}
	})
}

func TestExportDownloads(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		u := e.CreateUser("leader", e.Org, auth.RoleLeadership)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		ctx := e.Actor(mgr, e.Org)
		for _, a := range []asset.Asset{
			{Name: "核心交换机", Type: asset.TypeNetwork, C: 3, I: 3, A: 3},
			{Name: "=1+1 Web", Type: asset.TypeServer, C: 3, I: 3, A: 3},
		} {
			if _, err := e.App.Assets.Create(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		c := e.SessionClient(u, e.Org)
		res := c.Get("/assets/export.csv?type=server")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Body, "\xEF\xBB\xBF资产编号,资产名称") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv export: %d %v\n%s", res.StatusCode, res.Header, res.Body)
		}
		if strings.Contains(res.Body, "核心交换机") || !strings.Contains(res.Body, "'=1+1 Web") {
			t.Errorf("csv export ignores the filter or does not defuse formulas:\n%s", res.Body)
		}
		res = c.Get("/assets/export.xlsx")
		tab, err := tabular.Read([]byte(res.Body), tabular.DefaultLimits)
		if err != nil || len(tab.Rows) != 2 || res.Header.Get("Content-Type") != asset.ExportXLSX.ContentType() {
			t.Fatalf("xlsx export: %v %v", err, res.Header)
		}
		if res := c.Get("/assets/export.csv?sort=bogus"); res.StatusCode != 422 || strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("bad sort: %d %v", res.StatusCode, res.Header)
		}
		tmpl := e.SessionClient(mgr, e.Org).Get("/assets/import/template.xlsx")
		if tmpl.StatusCode != 200 || !strings.HasPrefix(tmpl.Body, "PK\x03\x04") {
			t.Errorf("template: %d", tmpl.StatusCode)
		}
	})
}
