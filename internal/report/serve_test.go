package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"bulwark/internal/docx"
)

// The printable page is served with a policy that allows its one style
// element by hash and nothing else; the DOCX is a named attachment that
// reads back as the document's text.
func TestServe(t *testing.T) {
	doc := Document{Title: "网络安全事件报告", Lang: "zh-CN", Blocks: []Block{Paragraph("首次报告")}}
	rec := httptest.NewRecorder()
	if err := ServeHTML(rec, doc); err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	css := body[strings.Index(body, "<style>")+len("<style>") : strings.Index(body, "</style>")]
	sum := sha256.Sum256([]byte(css))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") ||
		!strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "script") {
		t.Errorf("policy %q", csp)
	}
	rec = httptest.NewRecorder()
	if err := ServeDOCX(rec, doc, "SJ-2026-0001 首次报告.docx", "SJ-2026-0001 report 1.docx"); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get("Content-Disposition"); got != `attachment; filename="SJ-2026-0001report1.docx"; filename*=UTF-8''SJ-2026-0001%20%E9%A6%96%E6%AC%A1%E6%8A%A5%E5%91%8A.docx` {
		t.Errorf("disposition %q", got)
	}
	text, err := docx.Text(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil || text != "网络安全事件报告\n首次报告\n" || rec.Header().Get("Content-Type") != DOCXType {
		t.Errorf("docx %q %v", text, err)
	}
}
