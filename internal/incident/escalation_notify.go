package incident

import (
	"context"
	"strconv"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/notify"
	"bulwark/internal/store"
)

// The messages of incident events. Each title starts with the incident's
// number, so a reader of a mail subject or a robot message knows at once
// which incident it is; the body gives the grade, the discovery time, the
// first-report deadline and the phase (catalogue texts pick what they
// need with explicit argument indexes: %[1]s grade, %[2]s discovered at,
// %[3]s first report due, %[4]s phase, %[5]s category).

// incidentLink is the UI path of an incident.
func incidentLink(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

// timeText writes t in the installation's zone, minutes precision.
func (x *Escalation) timeText(t time.Time) string {
	return t.In(x.loc()).Format("2006-01-02 15:04")
}

func (x *Escalation) bodyArgs(i Incident) []any {
	due := "—"
	if i.ReportDueAt != nil {
		due = x.timeText(*i.ReportDueAt)
	}
	cat := i.Category
	if cat == "" {
		cat = "—"
	}
	return []any{zh(gradeKey(i.GradeValue())), x.timeText(i.DiscoveredAt), due, zh("incident.phase." + string(i.Phase)), cat}
}

// publish queues an event about i in tx.
func (x *Escalation) publish(ctx context.Context, tx *store.Tx, i Incident, kind string, roles []auth.Role, titleKey, bodyKey string) error {
	if x.Notify == nil {
		return nil
	}
	return x.Notify.Publish(ctx, tx, notify.Event{OrgID: i.OrgID, Kind: kind, Title: zh(titleKey, i.Number, i.Title),
		Body: zh(bodyKey, x.bodyArgs(i)...), Link: incidentLink(i.ID), Roles: roles})
}

// deadlineRoles hear of an incident's reporting deadlines: the working
// group and the security manager, who send the reports, and for grades
// I-II the leadership group as well.
func deadlineRoles(i Incident) []auth.Role {
	roles := []auth.Role{auth.RoleResponder, auth.RoleSecurityManager}
	if Major(i.GradeValue()) {
		roles = append(roles, auth.RoleLeadership)
	}
	return roles
}

// DeadlineEvent is the event announcing that d, a deadline of an incident,
// came near (overdue false) or passed; ok is false when d belongs to
// another kind of object. It runs in the scanner's transaction, as the
// system of d's organisation.
func (x *Escalation) DeadlineEvent(ctx context.Context, tx *store.Tx, d deadline.Deadline, overdue bool) (ev notify.Event, ok bool, err error) {
	if d.ObjectType != "incident" {
		return notify.Event{}, false, nil
	}
	id, err := strconv.ParseInt(d.ObjectID, 10, 64)
	if err != nil {
		return notify.Event{}, false, nil
	}
	i, err := get(ctx, tx, d.OrgID, id)
	if err != nil {
		return notify.Event{}, false, err
	}
	kind, titleKey, bodyKey := "deadline.near", "escalation.notify.deadline_near", "escalation.notify.deadline_near_body"
	if overdue {
		kind, titleKey, bodyKey = "deadline.overdue", "escalation.notify.deadline_overdue", "escalation.notify.deadline_overdue_body"
	}
	what := zh("escalation.deadline." + d.Kind)
	return notify.Event{OrgID: d.OrgID, Kind: kind, Title: zh(titleKey, i.Number, what, i.Title),
		Body: zh(bodyKey, what, x.timeText(d.DueAt), zh(gradeKey(i.GradeValue())), x.timeText(i.DiscoveredAt)),
		Link: incidentLink(i.ID), Roles: deadlineRoles(i)}, true, nil
}
