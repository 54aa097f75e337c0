package incident

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Objects names audit objects of one type that belong to an incident
// outside this package (its review, corrective actions, evidence, the
// approvals of those), for AllEvents.
type Objects struct {
	Type string
	IDs  []string
}

// TimelineSource names, for the incident, objects of another module whose
// audit records belong on its timeline (the post-incident review, its
// CAPA, their approvals). It runs as the reader, so it leaves out what the
// reader may not see.
type TimelineSource func(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]Objects, error)

// OnTimeline registers src for Timeline and AllEvents. Modules call it
// once while the application is wired.
func (l *Lifecycle) OnTimeline(src TimelineSource) { l.sources = append(l.sources, src) }

// sourced gathers the registered sources' objects.
func (l *Lifecycle) sourced(ctx context.Context, q store.Querier, orgID, incidentID int64) ([]Objects, error) {
	var out []Objects
	for _, src := range l.sources {
		objs, err := src(ctx, q, orgID, incidentID)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// AllEvents yields the incident's whole timeline, oldest first: what
// Timeline shows (the incident's own records, its plans and their
// approvals, the objects of the registered sources, the entries people
// added) without Timeline's limit, plus the audit records of the related
// objects the caller names. It is one query
// read as it goes, so the incident report streams 10,000 entries into its
// table without holding them. A failure is yielded as the last pair.
func (l *Lifecycle) AllEvents(ctx context.Context, incidentID int64, related []Objects) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		actor, err := auth.Require(ctx, auth.PermIncidentRead)
		if err != nil {
			yield(Event{}, err)
			return
		}
		query, args, err := l.eventsQuery(ctx, actor.OrgID, incidentID, related)
		if err != nil {
			yield(Event{}, apperr.Wrap(err, "incident events"))
			return
		}
		rows, err := l.DB.Read().QueryContext(ctx, query, args...)
		if err != nil {
			yield(Event{}, apperr.Wrap(fmt.Errorf("read events of incident %d: %w", incidentID, err), "incident events"))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var at, seq int64
			var manual int
			var e audit.Entry
			if err := rows.Scan(&at, &seq, &e.Actor, &e.Action, &e.ObjectType, &e.After, &manual); err != nil {
				yield(Event{}, apperr.Wrap(fmt.Errorf("read events of incident %d: %w", incidentID, err), "incident events"))
				return
			}
			ev := Event{At: store.FromMicros(at), Actor: e.Actor, Action: e.Action, Object: e.ObjectType, Seq: seq}
			if manual == 1 {
				// A person's entry: the body is the text, the kind the action.
				ev.Manual, ev.Action, ev.Text = e.Action == EntryManual, "timeline."+e.Action, e.After
			} else {
				ev.Text = eventText(e)
			}
			if !yield(ev, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Event{}, apperr.Wrap(fmt.Errorf("read events of incident %d: %w", incidentID, err), "incident events"))
		}
	}
}

// eventsQuery is one UNION ALL over the audit records of every object of
// the incident (each branch uses the audit_log (object_type, object_id)
// index) and its timeline entries, ordered by time and then by the audit
// sequence, as the chain recorded them.
func (l *Lifecycle) eventsQuery(ctx context.Context, orgID, incidentID int64, related []Objects) (string, []any, error) {
	q := l.DB.Read()
	if _, err := get(ctx, q, orgID, incidentID); err != nil {
		return "", nil, err
	}
	plans, err := plansOf(ctx, q, orgID, incidentID)
	if err != nil {
		return "", nil, err
	}
	objs := map[string][]string{"incident": {strconv.FormatInt(incidentID, 10)}}
	for _, p := range plans {
		objs[PlanObject] = append(objs[PlanObject], planID(p))
	}
	rows, err := q.QueryContext(ctx, `SELECT a.id FROM approvals a JOIN incident_plans p ON a.object_id = CAST(p.id AS TEXT)
		AND p.org_id = a.org_id WHERE a.org_id = $1 AND a.object_type = $2 AND p.incident_id = $3`, orgID, PlanObject, incidentID)
	if err != nil {
		return "", nil, fmt.Errorf("approvals of incident %d: %w", incidentID, err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", nil, fmt.Errorf("approvals of incident %d: %w", incidentID, err)
		}
		objs["approval"] = append(objs["approval"], strconv.FormatInt(id, 10))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("approvals of incident %d: %w", incidentID, err)
	}
	more, err := l.sourced(ctx, q, orgID, incidentID)
	if err != nil {
		return "", nil, err
	}
	for _, o := range append(slices.Clone(related), more...) {
		objs[o.Type] = append(objs[o.Type], o.IDs...)
	}
	types := make([]string, 0, len(objs))
	for t := range objs {
		types = append(types, t)
	}
	slices.Sort(types) // the same text for the same incident
	args := []any{orgID}
	var parts []string
	for _, t := range types {
		ids := slices.Compact(slices.Sorted(slices.Values(objs[t])))
		if len(ids) == 0 {
			continue
		}
		args = append(args, t)
		typeArg := len(args)
		ph := make([]string, len(ids))
		for k, id := range ids {
			args = append(args, id)
			ph[k] = fmt.Sprintf("$%d", len(args))
		}
		parts = append(parts, fmt.Sprintf(`SELECT at, seq, actor, action, object_type, after_json, 0 AS manual FROM audit_log
			WHERE org_id = $1 AND object_type = $%d AND object_id IN (%s)`, typeArg, strings.Join(ph, ", ")))
	}
	args = append(args, incidentID)
	parts = append(parts, fmt.Sprintf(`SELECT happened_at, 0, author_name, kind, 'incident_timeline', body, 1 FROM incident_timeline
		WHERE org_id = $1 AND incident_id = $%d`, len(args)))
	return strings.Join(parts, "\nUNION ALL\n") + "\nORDER BY 1, 2", args, nil
}
