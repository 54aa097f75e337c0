package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var pageFooter = regexp.MustCompile(`第(\d+)页共(\d+)页`)

// TestLibreOfficeOpens converts the sample report to PDF with LibreOffice
// when it is installed (it is not in CI): a file LibreOffice cannot read
// fails here, and the PDF's text shows the fields were laid out (the
// footer's page count among them). Set BULWARK_KEEP_PDF=dir to keep the
// PDF for a look at the fonts and layout.
func TestLibreOfficeOpens(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) not installed")
	}
	if testing.Short() {
		t.Skip("slow: starts LibreOffice")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "report.docx")
	doc := timelineDoc(60) // enough rows to run over several pages
	if err := os.WriteFile(src, renderDOCX(t, doc), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, "report.pdf")
	if _, err := os.Stat(pdf); err != nil {
		t.Fatalf("no PDF produced: %v", err)
	}
	if keep := os.Getenv("BULWARK_KEEP_PDF"); keep != "" {
		data, _ := os.ReadFile(pdf)
		if err := os.WriteFile(filepath.Join(keep, "report.pdf"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not installed: PDF produced, text not checked")
		return
	}
	out, err := exec.CommandContext(ctx, pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"信息安全事件应急处置报告", "Acme & Sons", "10.0.0.59", "批准"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// pdftotext drops the spaces around CJK text, so compare without them.
	pages := pageFooter.FindAllStringSubmatch(strings.Join(strings.Fields(text), ""), -1)
	if len(pages) < 3 {
		t.Fatalf("found %d page footers, want one per page (3 or more)", len(pages))
	}
	total := pages[0][2]
	for i, p := range pages {
		if p[1] != strconv.Itoa(i+1) || p[2] != total {
			t.Errorf("footer %d reads 第%s页共%s页", i+1, p[1], p[2])
		}
	}
	if total != strconv.Itoa(len(pages)) {
		t.Errorf("footers say %s pages, found %d", total, len(pages))
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}
