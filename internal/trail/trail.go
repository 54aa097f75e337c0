// Package trail is the audit trail as people read it: listing and opening
// records with the permission check and the organisation scope that package
// audit, which only writes and verifies the chain, leaves to its callers.
// An auditor sees the records of the organisation they work in and never
// another's; a platform admin may also read the installation-level records
// (organisation 0: logins with unknown usernames, throttled logins).
package trail

import (
	"context"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Service reads the trail.
type Service struct {
	DB *store.DB
}

// Query narrows a listing. Zero fields do not filter.
type Query struct {
	Actor      string
	Action     string // prefix: "asset." or "user.create"
	ObjectType string
	ObjectID   string
	From       time.Time // inclusive
	To         time.Time // exclusive
	Before     int64     // cursor: records older than this seq
	Limit      int       // 1..MaxLimit, DefaultLimit when 0
	// Installation lists the records of no organisation (platform admin).
	Installation bool
}

// Page is one page of records, newest first. NextBefore is the cursor of the
// next (older) page, 0 when this is the last.
type Page struct {
	Items      []audit.Entry
	NextBefore int64
}

const (
	DefaultLimit = 50
	MaxLimit     = 200
	maxText      = 200
)

// ObjectTypes are the object types records name, for filters.
var ObjectTypes = []string{"asset", "user", "org", "token"}

// ActionGroups are the action prefixes offered as a filter.
var ActionGroups = []string{"asset.", "user.", "login.", "logout", "account.", "session.", "token.", "org."}

// List returns records matching q in the caller's organisation.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	a, err := auth.Require(ctx, auth.PermAuditRead)
	if err != nil {
		return Page{}, err
	}
	orgID := a.OrgID
	if q.Installation {
		if !a.PlatformAdmin {
			return Page{}, apperr.New(apperr.Forbidden, "err.forbidden")
		}
		orgID = 0
	}
	if err := q.validate(); err != nil {
		return Page{}, err
	}
	f := audit.Filter{OrgID: orgID, Actor: strings.TrimSpace(q.Actor), Action: strings.TrimSpace(q.Action),
		ObjectType: strings.TrimSpace(q.ObjectType), ObjectID: strings.TrimSpace(q.ObjectID), BeforeSeq: q.Before, Limit: q.Limit}
	if !q.From.IsZero() {
		f.FromMicros = store.Micros(q.From)
	}
	if !q.To.IsZero() {
		f.ToMicros = store.Micros(q.To)
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	items, next, err := audit.List(ctx, s.DB.Read(), f)
	if err != nil {
		return Page{}, apperr.Wrap(err, "list audit records")
	}
	if items == nil {
		items = []audit.Entry{}
	}
	return Page{Items: items, NextBefore: next}, nil
}

func (q Query) validate() error {
	var c apperr.Collector
	for field, v := range map[string]string{"actor": q.Actor, "action": q.Action, "object_type": q.ObjectType, "object_id": q.ObjectID} {
		if len([]rune(v)) > maxText {
			c.Add(field, "err.too_long", maxText)
		}
	}
	if q.Before < 0 {
		c.Add("before", "err.wrong_type")
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		c.Add("limit", "err.audit_limit", MaxLimit)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		c.Add("to", "err.audit_range")
	}
	return c.Err()
}

// Get returns one record: one of the caller's organisation, or any for a
// platform admin, who works across organisations anyway and reaches records
// of every organisation from user and organisation histories. A record the
// caller may not see is reported as not found, not as forbidden.
func (s *Service) Get(ctx context.Context, seq int64) (audit.Entry, error) {
	a, err := auth.Require(ctx, auth.PermAuditRead)
	if err != nil {
		return audit.Entry{}, err
	}
	e, found, err := audit.Get(ctx, s.DB.Read(), seq)
	if err != nil {
		return audit.Entry{}, apperr.Wrap(err, "read audit record")
	}
	if !found || (e.OrgID != a.OrgID && !a.PlatformAdmin) {
		return audit.Entry{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	return e, nil
}
