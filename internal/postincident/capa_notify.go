package postincident

import (
	"context"
	"strconv"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/i18n"
	"bulwark/internal/notify"
	"bulwark/internal/store"
)

// DeadlineEvent is the event announcing that d, a CAPA's due date, came
// near (overdue false) or passed; ok is false for deadlines of other
// objects. It names the incident, the action and its owner, so the notice
// says what is due without opening Bulwark. Like the incident's notices it
// is written in Chinese, the language approval titles are stored in.
func (s *Service) DeadlineEvent(ctx context.Context, tx *store.Tx, d deadline.Deadline, overdue bool) (notify.Event, bool, error) {
	if d.ObjectType != CAPAObject || d.Kind != CAPADeadline {
		return notify.Event{}, false, nil
	}
	id, err := strconv.ParseInt(d.ObjectID, 10, 64)
	if err != nil {
		return notify.Event{}, false, nil
	}
	list, err := s.listCAPA(ctx, tx, `c.org_id = $1 AND c.id = $2`, d.OrgID, id)
	if err != nil || len(list) == 0 {
		return notify.Event{}, false, err
	}
	c := list[0]
	kind, key := "deadline.near", "review.notify.capa_near"
	if overdue {
		kind, key = "deadline.overdue", "review.notify.capa_overdue"
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	owner := c.OwnerName
	if owner == "" {
		owner = "—"
	}
	return notify.Event{OrgID: d.OrgID, Kind: kind,
		Title: i18n.T("zh-CN", key, c.IncidentNumber, c.Description),
		Body:  i18n.T("zh-CN", "review.notify.capa_body", owner, c.DueAt.In(loc).Format("2006-01-02 15:04")),
		Link:  "/incidents/" + strconv.FormatInt(c.IncidentID, 10) + "/review",
		Roles: []auth.Role{auth.RoleSecurityManager, auth.RoleResponder}}, true, nil
}
