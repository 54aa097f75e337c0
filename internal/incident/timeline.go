package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Kinds of the entries people add to a timeline.
const (
	EntryManual  = "manual"  // something done outside Bulwark, at its own time
	EntryComment = "comment" // a remark, at the time it was written
)

// Event is one line of an incident's timeline: an audit record of the
// incident, of one of its plans or their approvals, or an entry a person
// added (Manual, or a comment).
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // audit action, or timeline.manual / timeline.comment
	Object string    `json:"object"` // object type the record is about
	Text   string    `json:"text,omitempty"`
	Manual bool      `json:"manual"`
	Seq    int64     `json:"seq,omitempty"` // audit sequence number
}

// EntryInput is an entry a person adds. HappenedAt is required for manual
// entries and ignored for comments.
type EntryInput struct {
	Kind       string    `json:"kind"`
	Body       string    `json:"body"`
	HappenedAt time.Time `json:"happened_at"`
}

// AddEntry adds a manual entry or a comment to the incident's timeline.
func (l *Lifecycle) AddEntry(ctx context.Context, incidentID int64, in EntryInput) (Event, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentReport)
	if err != nil {
		return Event{}, err
	}
	now := l.now()
	in.Body = strings.TrimSpace(in.Body)
	var c apperr.Collector
	switch n := utf8.RuneCountInString(in.Body); {
	case n == 0:
		c.Add("body", "err.required")
	case n > 10000:
		c.Add("body", "err.too_long", 10000)
	}
	switch in.Kind {
	case EntryComment:
		in.HappenedAt = now
	case EntryManual:
		if in.HappenedAt.IsZero() {
			c.Add("happened_at", "err.required")
		} else if in.HappenedAt.After(now.Add(5 * time.Minute)) {
			c.Add("happened_at", "err.lifecycle_future")
		}
	default:
		c.Add("kind", "err.invalid_choice")
	}
	if err := c.Err(); err != nil {
		return Event{}, err
	}
	in.HappenedAt = in.HappenedAt.UTC().Truncate(time.Microsecond)
	ev := Event{At: in.HappenedAt, Actor: actor.Username, Action: "timeline." + in.Kind, Object: "incident_timeline",
		Text: in.Body, Manual: in.Kind == EntryManual}
	err = l.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := get(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO incident_timeline (org_id, incident_id, kind, body, happened_at,
			author_id, author_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			actor.OrgID, incidentID, in.Kind, in.Body, store.Micros(in.HappenedAt), actor.UserID, actor.Username,
			store.Micros(now)).Scan(&id); err != nil {
			return fmt.Errorf("insert timeline entry: %w", err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("incident_timeline.add", "incident_timeline", strconv.FormatInt(id, 10), nil,
			map[string]any{"incident_id": incidentID, "kind": in.Kind, "body": in.Body, "happened_at": in.HappenedAt}))
	})
	return ev, apperr.Wrap(err, "add timeline entry")
}

// timelineLimit is how many of the newest events Timeline returns; older
// ones stay in the audit trail (and the incident report, which reads all).
const timelineLimit = 500

// Timeline returns the incident's newest events (timelineLimit), newest first: the audit records
// of the incident, of its plans and of their approvals, and the entries
// people added (at the time they say things happened).
func (l *Lifecycle) Timeline(ctx context.Context, incidentID int64) ([]Event, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return nil, err
	}
	q := l.DB.Read()
	if _, err := get(ctx, q, actor.OrgID, incidentID); err != nil {
		return nil, apperr.Wrap(err, "incident timeline")
	}
	plans, err := plansOf(ctx, q, actor.OrgID, incidentID)
	if err != nil {
		return nil, apperr.Wrap(err, "incident timeline")
	}
	type obj struct{ typ, id string }
	objs := []obj{{"incident", strconv.FormatInt(incidentID, 10)}}
	seenApproval := map[int64]bool{}
	for _, p := range plans {
		objs = append(objs, obj{PlanObject, planID(p)})
	}
	// Every approval ever requested for a plan (a rejected one is
	// replaced by the next submission's), from the approvals table.
	rows, err := q.QueryContext(ctx, `SELECT a.id FROM approvals a JOIN incident_plans p ON a.object_id = CAST(p.id AS TEXT)
		AND p.org_id = a.org_id WHERE a.org_id = $1 AND a.object_type = $2 AND p.incident_id = $3`,
		actor.OrgID, PlanObject, incidentID)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("approvals of incident %d: %w", incidentID, err), "incident timeline")
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "incident timeline")
		}
		if !seenApproval[id] {
			seenApproval[id] = true
			objs = append(objs, obj{"approval", strconv.FormatInt(id, 10)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "incident timeline")
	}
	// The tasks of the incident's phases: who created, assigned and
	// finished each.
	taskIDs, err := incidentTaskIDs(ctx, q, actor.OrgID, incidentID)
	if err != nil {
		return nil, apperr.Wrap(err, "incident timeline")
	}
	for _, id := range taskIDs {
		objs = append(objs, obj{"task", id})
	}
	var out []Event
	for _, o := range objs {
		entries, _, err := audit.List(ctx, q, audit.Filter{OrgID: actor.OrgID, ObjectType: o.typ, ObjectID: o.id, Limit: timelineLimit})
		if err != nil {
			return nil, apperr.Wrap(err, "incident timeline")
		}
		for _, e := range entries {
			out = append(out, Event{At: e.At, Actor: e.Actor, Action: e.Action, Object: e.ObjectType, Seq: e.Seq, Text: eventText(e)})
		}
	}
	trows, err := q.QueryContext(ctx, `SELECT kind, body, happened_at, author_name FROM incident_timeline
		WHERE org_id = $1 AND incident_id = $2 ORDER BY happened_at DESC LIMIT $3`, actor.OrgID, incidentID, timelineLimit)
	if err != nil {
		return nil, apperr.Wrap(err, "incident timeline")
	}
	defer trows.Close()
	for trows.Next() {
		var ev Event
		var at int64
		if err := trows.Scan(&ev.Action, &ev.Text, &at, &ev.Actor); err != nil {
			return nil, apperr.Wrap(err, "incident timeline")
		}
		ev.Manual = ev.Action == EntryManual
		ev.Action, ev.Object, ev.At = "timeline."+ev.Action, "incident_timeline", store.FromMicros(at)
		out = append(out, ev)
	}
	if err := trows.Err(); err != nil {
		return nil, apperr.Wrap(err, "incident timeline")
	}
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return int(b.Seq - a.Seq)
	})
	// Each source gave its newest timelineLimit, so the newest
	// timelineLimit of the merge are exact.
	if len(out) > timelineLimit {
		out = out[:timelineLimit]
	}
	return out, nil
}

// eventText is the reason a person gave, when the record carries one.
func eventText(e audit.Entry) string {
	var after struct {
		Reason       string `json:"reason"`
		RejectReason string `json:"reject_reason"`
		Effect       string `json:"effect"`
		EffectNotes  string `json:"effect_notes"`
	}
	if e.After == "" || json.Unmarshal([]byte(e.After), &after) != nil {
		return ""
	}
	switch {
	case e.Action == "incident_plan.judge":
		return after.Effect + ": " + after.EffectNotes
	case after.Reason != "":
		return after.Reason
	case e.Action == "incident_plan.returned":
		return after.RejectReason
	}
	return ""
}
