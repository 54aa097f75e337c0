package incidentreport

import (
	"net/http"
	"strconv"
	"strings"

	"bulwark/internal/evidence"
)

// htmlPolicy is the printable page's own Content-Security-Policy. The page
// is one self-contained file whose CSS is inline (so it can be saved,
// mailed and printed anywhere), so it may use inline styles; nothing else
// loads and no script runs. Every value in it was escaped by html/template.
const htmlPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Serve sends f: the DOCX as an attachment, the HTML shown in the browser
// to print, both never cached. The UI and the API both use it.
func Serve(w http.ResponseWriter, f File) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	disposition := evidence.Disposition(f.Name)
	if strings.HasPrefix(f.ContentType, "text/html") {
		disposition = "inline" + strings.TrimPrefix(disposition, "attachment")
		h.Set("Content-Security-Policy", htmlPolicy)
	}
	h.Set("Content-Disposition", disposition)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Body)
}
