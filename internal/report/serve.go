package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
)

// DOCXType is the content type of a .docx file.
const DOCXType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// ServeDOCX renders doc and sends it as a download named filename (UTF-8
// allowed; asciiName is the fallback for old clients). It renders into
// memory first, so a failure sends an error, never half a file: the error
// returned is the rendering's, before anything was written.
func ServeDOCX(w http.ResponseWriter, doc Document, filename, asciiName string) error {
	var buf bytes.Buffer
	if err := DOCX(&buf, doc); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", DOCXType)
	h.Set("Content-Disposition", disposition("attachment", filename, asciiName))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes()) // a client gone away is not our error
	return nil
}

// ServeHTML renders doc as its printable page and sends it inline. The
// page carries its CSS in one style element; the response's own
// Content-Security-Policy allows exactly that element (by its hash) and
// nothing else: no script, no outside resource.
func ServeHTML(w http.ResponseWriter, doc Document) error {
	var buf bytes.Buffer
	if err := HTML(&buf, doc); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src "+styleHash(buf.Bytes())+
		"; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// styleHash is the CSP source of the page's style element: 'sha256-…' of
// its content, or 'none' when it has none.
func styleHash(page []byte) string {
	_, rest, ok := bytes.Cut(page, []byte("<style>"))
	if !ok {
		return "'none'"
	}
	css, _, ok := bytes.Cut(rest, []byte("</style>"))
	if !ok {
		return "'none'"
	}
	sum := sha256.Sum256(css)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// disposition names a download: the ASCII fallback (anything else in it
// dropped) and the UTF-8 name in RFC 5987 form.
func disposition(kind, name, ascii string) string {
	var safe []byte
	for i := 0; i < len(ascii); i++ {
		if c := ascii[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			safe = append(safe, c)
		}
	}
	return fmt.Sprintf("%s; filename=\"%s\"; filename*=UTF-8''%s", kind, safe, pathEscape(name))
}

// pathEscape percent-encodes everything but RFC 5987's attr-char.
func pathEscape(s string) string {
	const ok = "!#$&+-.^_`|~"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte(ok), c) >= 0 {
			b = append(b, c)
			continue
		}
		b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
	}
	return string(b)
}
