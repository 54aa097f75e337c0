package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/trail"
)

func (u *UI) auditRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/audit", Handler: u.auditList},
		{Method: "GET", Pattern: "/audit/{seq}", Handler: u.auditShow},
	}
}

func (u *UI) trail() *trail.Service { return &trail.Service{DB: u.App.DB} }

// maxRowChanges is how many changed fields a list row shows; the record's
// page shows them all.
const maxRowChanges = 5

type auditRow struct {
	Seq         int64
	At          time.Time
	Actor       string
	IP          string
	ActionLabel string
	ObjectLabel string
	ObjectID    string
	ObjectLink  string
	Changes     []audit.FieldChange
	More        int // changed fields not shown
}

type option struct {
	Value, Label string
}

type auditListData struct {
	Form         url.Values // the filter as submitted, to refill the form
	Groups       []option
	ObjectTypes  []option
	Installation bool
	MayScope     bool // platform admin: may switch to installation records
	Rows         []auditRow
	NextLink     string
	NewestLink   string // back to the first page when paging
}

// auditQueryForm reads the filter form. Dates are days in the configured
// time zone; "to" includes its whole day.
func (u *UI) auditQueryForm(q url.Values) (trail.Query, error) {
	tq := trail.Query{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id")}
	if strings.TrimSpace(tq.Action) == "" {
		tq.Action = q.Get("group")
	}
	var c apperr.Collector
	for _, p := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &tq.From, 0}, {"to", &tq.To, 1}} {
		if s := strings.TrimSpace(q.Get(p.name)); s != "" {
			d, err := time.ParseInLocation("2006-01-02", s, u.location())
			if err != nil {
				c.Add(p.name, "err.audit_date")
				continue
			}
			*p.dst = d.AddDate(0, 0, p.add)
		}
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			c.Add("before", "err.wrong_type")
		}
		tq.Before = n
	}
	tq.Installation = q.Get("scope") == "installation"
	return tq, c.Err()
}

func (u *UI) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tq, err := u.auditQueryForm(q)
	var page trail.Page
	if err == nil {
		page, err = u.trail().List(r.Context(), tq)
	} else if _, perr := auth.Require(r.Context(), auth.PermAuditRead); perr != nil {
		// A malformed filter says nothing to someone who may not look.
		err = perr
	}
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		u.fail(w, r, err)
		return
	}
	a := auth.FromContext(r.Context())
	lang := httpx.Lang(r)
	d := auditListData{Form: q, Installation: tq.Installation, MayScope: a.PlatformAdmin}
	// With one organisation the filters do not offer organisation records
	// as a choice (the free prefix still finds them).
	n, cerr := u.App.Orgs.Count(r.Context())
	if cerr != nil {
		u.fail(w, r, cerr)
		return
	}
	for _, g := range trail.ActionGroups {
		if g != "org." || n > 1 {
			d.Groups = append(d.Groups, option{g, i18n.T(lang, "audit.group."+strings.TrimSuffix(g, "."))})
		}
	}
	for _, t := range trail.ObjectTypes {
		if t != "org" || n > 1 {
			d.ObjectTypes = append(d.ObjectTypes, option{t, objectLabel(lang, t)})
		}
	}
	for _, e := range page.Items {
		row := auditRow{Seq: e.Seq, At: e.At, Actor: e.Actor, IP: e.IP, ActionLabel: actionLabel(lang, e.Action),
			ObjectLabel: objectLabel(lang, e.ObjectType), ObjectID: e.ObjectID, ObjectLink: objectLink(a, e.ObjectType, e.ObjectID),
			Changes: audit.Diff(e.Before, e.After)}
		if n := len(row.Changes); n > maxRowChanges {
			row.Changes, row.More = row.Changes[:maxRowChanges], n-maxRowChanges
		}
		d.Rows = append(d.Rows, row)
	}
	if page.NextBefore > 0 {
		d.NextLink = "/audit" + qset(q, "before", fmt.Sprint(page.NextBefore))
	}
	if tq.Before > 0 {
		d.NewestLink = "/audit" + qset(q, "before", "")
	}
	v := u.view(r, "audit", d)
	v.Title = i18n.T(v.Lang, "audit.title")
	status := http.StatusOK
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "audit_list", v)
}

type auditShowData struct {
	Entry       audit.Entry
	ActionLabel string
	ObjectLabel string
	ObjectLink  string
	Changes     []audit.FieldChange
	Before      string // indented JSON
	After       string
}

func (u *UI) auditShow(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil {
		u.fail(w, r, apperr.New(apperr.NotFound, "err.not_found"))
		return
	}
	e, err := u.trail().Get(r.Context(), seq)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	d := auditShowData{Entry: e, ActionLabel: actionLabel(lang, e.Action), ObjectLabel: objectLabel(lang, e.ObjectType),
		ObjectLink: objectLink(auth.FromContext(r.Context()), e.ObjectType, e.ObjectID),
		Changes:    audit.Diff(e.Before, e.After), Before: indentJSON(e.Before), After: indentJSON(e.After)}
	v := u.view(r, "audit", d)
	v.Title = i18n.T(v.Lang, "audit.record.title", e.Seq)
	u.render(w, r, http.StatusOK, "audit_show", v)
}

// indentJSON pretty-prints stored JSON for reading; what was hashed is the
// stored text, so anything that does not parse is shown as it is.
func indentJSON(s string) string {
	if s == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}
