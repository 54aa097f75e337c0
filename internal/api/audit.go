package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/httpx"
	"bulwark/internal/trail"
)

func init() {
	registerSchema("AuditPage", AuditPage{})
}

func (h *API) auditRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/audit", Handler: h.listAudit,
			Doc: &httpx.Doc{Summary: "Audit records of the current organisation, newest first, with a cursor: pass next_before as before for the next page; scope=installation lists installation-level records (platform admin)",
				Tag: "audit", Response: "AuditPage",
				Query: []string{"actor", "action", "object_type", "object_id", "from", "to", "before", "limit", "scope"}}},
	}
}

func (h *API) trail() *trail.Service { return &trail.Service{DB: h.App.DB} }

// AuditRecord is a stored record with the top-level fields it changed.
type AuditRecord struct {
	audit.Entry
	Changes []audit.FieldChange `json:"changes"`
}

// AuditPage is one page of the trail; NextBefore is 0 on the last page.
type AuditPage struct {
	Items      []AuditRecord `json:"items"`
	NextBefore int64         `json:"next_before"`
}

func (h *API) listAudit(w http.ResponseWriter, r *http.Request) {
	q, err := auditQuery(r.URL.Query())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := h.trail().List(r.Context(), q)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := AuditPage{Items: make([]AuditRecord, 0, len(p.Items)), NextBefore: p.NextBefore}
	for _, e := range p.Items {
		ch := audit.Diff(e.Before, e.After)
		if ch == nil {
			ch = []audit.FieldChange{}
		}
		out.Items = append(out.Items, AuditRecord{Entry: e, Changes: ch})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// auditQuery reads the listing's query parameters; times are RFC 3339, so
// the caller states the time zone.
func auditQuery(v url.Values) (trail.Query, error) {
	q := trail.Query{Actor: v.Get("actor"), Action: v.Get("action"), ObjectType: v.Get("object_type"), ObjectID: v.Get("object_id")}
	var c apperr.Collector
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				c.Add(p.name, "err.audit_time")
				continue
			}
			*p.dst = t
		}
	}
	if s := v.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			c.Add("before", "err.wrong_type")
		}
		q.Before = n
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			c.Add("limit", "err.audit_limit", trail.MaxLimit)
		}
		q.Limit = n
	}
	switch v.Get("scope") {
	case "", "org":
	case "installation":
		q.Installation = true
	default:
		c.Add("scope", "err.invalid_choice")
	}
	return q, c.Err()
}
