package evidence

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// SafeTypes are the content types a download may carry: none of them is
// rendered as active content by a browser. Anything else is served as
// application/octet-stream.
var SafeTypes = map[string]bool{
	"text/plain; charset=utf-8": true, "image/png": true, "image/jpeg": true, "image/gif": true,
	"image/webp": true, "application/pdf": true, "application/zip": true, "application/x-gzip": true,
}

// ServeType is the content type a download of e is served with.
func ServeType(e Evidence) string {
	if SafeTypes[e.ContentType] {
		return e.ContentType
	}
	return "application/octet-stream"
}

// Disposition is the Content-Disposition of a download of a file named
// name: always an attachment, with an ASCII fallback name and the real
// name in RFC 5987 form, so no name can break out of the header.
func Disposition(name string) string {
	ascii := make([]rune, 0, len(name))
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return `attachment; filename="` + string(ascii) + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// WriteDownload sends content as e's download: an attachment, with the
// stored type only when it is on the safe list, no sniffing and a sandbox,
// so evidence (often hostile: a defaced page, a phishing mail) is never
// rendered or run by the browser. The UI and the API both use it.
func WriteDownload(w http.ResponseWriter, e Evidence, content io.Reader) {
	h := w.Header()
	h.Set("Content-Type", ServeType(e))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Content-Disposition", Disposition(e.Filename))
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, content)
}
