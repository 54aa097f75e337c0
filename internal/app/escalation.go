package app

import (
	"context"
	"log/slog"

	"bulwark/internal/deadline"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// wireEscalation connects the incident services to approvals, deadlines
// and notifications, and announces every approval request of any module
// (approval.waiting) in the request's own transaction.
func (a *App) wireEscalation() {
	a.Escalation = incident.NewEscalation(a.DB, a.Clock, a.Approvals, a.Deadlines, a.Notify, a.Options.Location)
	a.Incidents.Escalation = a.Escalation
	a.Lifecycle.Escalation = a.Escalation
	a.Approvals.OnRequested(func(ctx context.Context, tx *store.Tx, ap workflow.Approval) error {
		title := ap.Title
		if title == "" {
			title = ap.Step
		}
		return a.Notify.Publish(ctx, tx, notify.Event{OrgID: ap.OrgID, Kind: "approval.waiting", Title: title,
			Body: i18n.T("zh-CN", "escalation.notify.approval_body", ap.AuthorName), Link: workflow.Link(ap.ObjectType, ap.ObjectID),
			Roles: ap.Roles})
	})
}

// DeadlineHooks are the deadline scanner's hooks: each notice becomes a
// deadline.near or deadline.overdue event in the scanner's transaction,
// so it is queued exactly once (the scanner claims each notice once, and a
// failure to queue rolls the claim back). Incidents and CAPA describe their
// own deadlines; any other object's deadline is announced by its kind.
func (a *App) DeadlineHooks() (near, overdue deadline.Hook) {
	hook := func(over bool) deadline.Hook {
		return func(ctx context.Context, tx *store.Tx, d deadline.Deadline) error {
			// Each module describes its own deadlines.
			var ev notify.Event
			var ok bool
			for _, describe := range []func(context.Context, *store.Tx, deadline.Deadline, bool) (notify.Event, bool, error){
				a.Escalation.DeadlineEvent, a.Reviews.DeadlineEvent} {
				var err error
				if ev, ok, err = describe(ctx, tx, d, over); err != nil {
					return err
				}
				if ok {
					break
				}
			}
			if !ok {
				kind, key := "deadline.near", "escalation.notify.other_near"
				if over {
					kind, key = "deadline.overdue", "escalation.notify.other_overdue"
				}
				slog.InfoContext(ctx, kind, "object_type", d.ObjectType, "object_id", d.ObjectID, "kind", d.Kind)
				ev = notify.Event{OrgID: d.OrgID, Kind: kind, Title: i18n.T("zh-CN", key, d.ObjectType, d.ObjectID, d.Kind),
					Link: workflow.Link(d.ObjectType, d.ObjectID)}
			}
			return a.Notify.Publish(ctx, tx, ev)
		}
	}
	return hook(false), hook(true)
}
