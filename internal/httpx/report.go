package httpx

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"bulwark/internal/report"
)

// ServeReport answers with doc as a DOCX download (format "docx") or as
// the standalone printable HTML page (format "html"). The page keeps its
// own inline style, which its policy allows and nothing else: no script,
// no request anywhere. The document is rendered in full before the first
// byte is sent, so a failure is still an error page, not half a file.
func ServeReport(w http.ResponseWriter, doc report.Document, format string) error {
	var buf bytes.Buffer
	name := doc.Title
	if doc.Subtitle != "" {
		name += " " + doc.Subtitle
	}
	switch format {
	case "html":
		if err := report.HTML(&buf, doc); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name+".html"))
	case "docx":
		if err := report.DOCX(&buf, doc); err != nil {
			return err
		}
		w.Header().Set("Content-Type", DOCXType)
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".docx"))
	default:
		return fmt.Errorf("report format %q", format)
	}
	w.Header().Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

// DOCXType is the content type of a Word document.
const DOCXType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
