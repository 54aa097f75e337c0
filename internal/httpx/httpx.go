// Package httpx holds what the UI and the API share about HTTP: the route
// table entry, the request's session, client addresses, and the one place
// that turns an error into a response.
package httpx

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"bulwark/internal/account"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
)

// Route is one entry of a surface's route table. Every route that is not
// Public requires a signed-in caller; what the caller may do is then decided
// by the service it calls.
type Route struct {
	Method  string
	Pattern string // net/http pattern path, e.g. /assets/{id}
	Public  bool
	Handler http.HandlerFunc
	// API routes describe themselves for the OpenAPI document.
	Doc *Doc
}

// Doc is a route's OpenAPI description.
type Doc struct {
	Summary   string
	Tag       string
	Request   string // schema name of the JSON body, if any
	Response  string // schema name of the 2xx body, if any
	Status    int    // 2xx status; 200 when 0
	Query     []string
	Paginated bool
	Binary    string // content type for a file response
	Multipart bool
}

// Session is who the request comes from, as resolved by the server.
type Session struct {
	Raw   string // the session cookie's value, empty for token calls
	User  account.User
	Token bool // authenticated with an API token
}

type sessionKey struct{}

// WithSession stores s in ctx.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the request's session, or nil when anonymous.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// ClientIP is the caller's address: the socket peer, or with trustProxy the
// first address in X-Forwarded-For.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Lang is the language to answer in: the signed-in user's choice, else the
// "lang" cookie, else the browser's Accept-Language.
func Lang(r *http.Request) string {
	if a := auth.FromContext(r.Context()); a != nil && i18n.Valid(a.Locale) {
		return a.Locale
	}
	if c, err := r.Cookie("lang"); err == nil && i18n.Valid(c.Value) {
		return c.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ErrorBody is the API's error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail explains an error; Fields lists per-field problems.
type ErrorDetail struct {
	Code    apperr.Code  `json:"code"`
	Message string       `json:"message"`
	Fields  []FieldIssue `json:"fields,omitempty"`
}

// FieldIssue is one field's problem, in the caller's language.
type FieldIssue struct {
	Field   string `json:"field"`
	Row     int    `json:"row,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorDetailOf localises err; internal errors are logged here, once, and
// shown only as "internal error".
func ErrorDetailOf(r *http.Request, err error) (int, ErrorDetail) {
	ae := apperr.As(err)
	if ae.Code == apperr.Internal {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	lang := Lang(r)
	d := ErrorDetail{Code: ae.Code, Message: i18n.Message(lang, ae)}
	for _, f := range ae.Fields {
		d.Fields = append(d.Fields, FieldIssue{Field: f.Field, Row: f.Row, Code: strings.TrimPrefix(f.Key, "err."), Message: i18n.Field(lang, f)})
	}
	return ae.Code.Status(), d
}

// WriteError answers an API call with err.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, d := ErrorDetailOf(r, err)
	WriteJSON(w, status, ErrorBody{Error: d})
}
