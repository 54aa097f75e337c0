package incident

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/deadline"
	"bulwark/internal/i18n"
	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/workflow"
)

// Escalation is what follows from an incident's grade and phase, after the
// seed's 应急响应流程图 and the reporting measures: grades I and II go to
// the leadership group (领导小组), which must approve starting the
// emergency plan (启动应急预案) before the incident may leave detection;
// grades I to III engage the working group (应急响应工作组); the reports to
// the regulator and their deadlines; and the notifications of all of it.
// Service and Lifecycle call its after* methods inside their own
// transactions, so the incident, its approval, its deadlines and its
// messages commit together. A nil *Escalation does nothing (services built
// without the application's wiring).
type Escalation struct {
	DB        *store.DB
	Clock     clock.Clock
	Approvals *workflow.Service
	Deadlines *deadline.Service
	Notify    *notify.Service
	// Location is the installation's time zone, for the times written
	// into messages and prefilled reports. Nil means UTC.
	Location *time.Location
}

// ActivationObject is the object type of plan-activation approvals; their
// object id is the incident's id.
const ActivationObject = "incident_activation"

// ActivationStep is the step name of a plan-activation approval.
const ActivationStep = "plan_activation"

// Activation states. An incident whose grade needs no activation is
// "not_required" unless an approval was ever asked for it.
const (
	ActivationNotRequired = "not_required"
	ActivationNone        = "none" // required, never asked (or the request was cancelled)
)

// ActivationRoles decide whether the emergency plan is started: the
// leadership group (the seed: Ⅰ、Ⅱ级事件 → 上报应急领导小组 → 启动本预案).
var ActivationRoles = []auth.Role{auth.RoleLeadership}

// Event kinds this package adds to notify's list.
const (
	// KindEngaged: the grade reached I-III, the working group responds.
	KindEngaged = "incident.engaged"
	// KindReportSubmitted: a report to the regulator was recorded.
	KindReportSubmitted = "incident.report_submitted"
)

func init() {
	notify.Register(KindEngaged, "notify.event.incident.engaged")
	notify.Register(KindReportSubmitted, "notify.event.incident.report_submitted")
}

// NewEscalation builds the escalation rules and hooks plan activations
// into approvals: a decision is recorded on the incident in the decision's
// transaction, and the inbox links an activation to its incident.
func NewEscalation(db *store.DB, c clock.Clock, approvals *workflow.Service, deadlines *deadline.Service, n *notify.Service, loc *time.Location) *Escalation {
	x := &Escalation{DB: db, Clock: c, Approvals: approvals, Deadlines: deadlines, Notify: n, Location: loc}
	approvals.OnDecided(ActivationObject, x.onActivationDecided)
	workflow.RegisterLink(ActivationObject, func(id string) string { return "/incidents/" + id })
	return x
}

func (x *Escalation) now() time.Time { return x.Clock.Now().UTC().Truncate(time.Microsecond) }

func (x *Escalation) loc() *time.Location {
	if x.Location == nil {
		return time.UTC
	}
	return x.Location
}

// Major reports whether grade g goes to the leadership group (I or II).
func Major(g int) bool { return g == GradeI || g == GradeII }

// Engages reports whether grade g engages the working group (I to III).
func Engages(g int) bool { return g >= GradeI && g <= GradeIII }

// Activation is the state of an incident's plan activation as the surfaces
// show it.
type Activation struct {
	// Required: the grade is I or II, so leaving detection waits for it.
	Required bool `json:"required"`
	// Status: not_required, none, or the newest approval's status
	// (pending, approved, rejected, withdrawn).
	Status      string     `json:"status"`
	ApprovalID  int64      `json:"approval_id,omitempty"`
	RequestedAt *time.Time `json:"requested_at"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at"`
	Reason      string     `json:"reason,omitempty"`
	// WorkingGroup: the grade is I to III, the working group is engaged.
	WorkingGroup bool `json:"working_group_engaged"`
	// CanRequest: a new request may be made (required, none pending or
	// approved).
	CanRequest bool `json:"can_request"`
}

// Approved reports whether the plan's start was approved.
func (a Activation) Approved() bool { return a.Status == workflow.StatusApproved }

// activationOf reads the activation state of i inside q.
func (x *Escalation) activationOf(ctx context.Context, q store.Querier, i Incident) (Activation, workflow.Approval, error) {
	out := Activation{Required: Major(i.GradeValue()), WorkingGroup: Engages(i.GradeValue()), Status: ActivationNotRequired}
	a, ok, err := x.Approvals.Latest(ctx, q, i.OrgID, ActivationObject, strconv.FormatInt(i.ID, 10), ActivationStep)
	if err != nil {
		return out, a, err
	}
	switch {
	case ok:
		out.Status, out.ApprovalID, out.Reason, out.DecidedBy = a.Status, a.ID, a.Reason, a.DecidedByName
		created := a.CreatedAt
		out.RequestedAt = &created
		if !a.DecidedAt.IsZero() && a.DecidedAt.Unix() > 0 {
			d := a.DecidedAt
			out.DecidedAt = &d
		}
	case out.Required:
		out.Status = ActivationNone
	}
	out.CanRequest = out.Required && out.Status != workflow.StatusPending && out.Status != workflow.StatusApproved
	return out, a, nil
}

// Activation returns the plan-activation state of an incident.
func (x *Escalation) Activation(ctx context.Context, incidentID int64) (Activation, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentRead)
	if err != nil {
		return Activation{}, err
	}
	i, err := get(ctx, x.DB.Read(), actor.OrgID, incidentID)
	if err != nil {
		return Activation{}, apperr.Wrap(err, "plan activation")
	}
	a, _, err := x.activationOf(ctx, x.DB.Read(), i)
	return a, apperr.Wrap(err, "plan activation")
}

// activationRecord is what the incident's audit trail keeps of a request.
type activationRecord struct {
	ApprovalID int64  `json:"approval_id"`
	Grade      int    `json:"grade"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
}

// requestActivation asks the leadership group, inside tx, to approve
// starting the emergency plan for i. The approval is the installation's
// request (the system in i's organisation), not the person's who graded:
// it follows from the grade by rule, so any leadership member may decide
// it, even one who graded the incident. Who caused it is recorded on the
// incident as incident.activation_request.
func (x *Escalation) requestActivation(ctx context.Context, tx *store.Tx, i Incident, why string) error {
	actor := auth.FromContext(ctx)
	sys := auth.WithActor(ctx, auth.System(i.OrgID))
	a, err := x.Approvals.Request(sys, tx, workflow.Request{ObjectType: ActivationObject, ObjectID: strconv.FormatInt(i.ID, 10),
		Step: ActivationStep, Title: zh("escalation.approval.title", i.Number, zh(gradeKey(i.GradeValue())), i.Title), Roles: ActivationRoles})
	if err != nil {
		return fmt.Errorf("request plan activation for incident %d: %w", i.ID, err)
	}
	return audit.Append(ctx, tx, x.now(), actor.Audit("incident.activation_request", "incident", strconv.FormatInt(i.ID, 10), nil,
		activationRecord{ApprovalID: a.ID, Grade: i.GradeValue(), Status: a.Status, Reason: why}))
}

// RequestActivation asks again after a rejection (or for an incident of
// grade I-II that has no request, e.g. one graded before this rule), with
// an optional note for the leadership group.
func (x *Escalation) RequestActivation(ctx context.Context, incidentID int64, note string) (Activation, error) {
	actor, err := auth.Require(ctx, auth.PermIncidentTransition)
	if err != nil {
		return Activation{}, err
	}
	if note, err = checkReason(note, false); err != nil {
		return Activation{}, err
	}
	var out Activation
	err = x.DB.Tx(ctx, func(tx *store.Tx) error {
		i, err := get(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		cur, _, err := x.activationOf(ctx, tx, i)
		if err != nil {
			return err
		}
		switch {
		case !cur.Required:
			return apperr.New(apperr.Conflict, "err.escalation_not_major")
		case cur.Status == workflow.StatusPending:
			return apperr.New(apperr.Conflict, "err.escalation_activation_open")
		case cur.Status == workflow.StatusApproved:
			return apperr.New(apperr.Conflict, "err.escalation_activation_done")
		}
		if err := x.requestActivation(ctx, tx, i, note); err != nil {
			return err
		}
		out, _, err = x.activationOf(ctx, tx, i)
		return err
	})
	return out, apperr.Wrap(err, "request plan activation")
}

// onActivationDecided records the leadership group's decision (or the
// cancellation) on the incident, so its history and timeline show it.
func (x *Escalation) onActivationDecided(ctx context.Context, tx *store.Tx, a workflow.Approval) error {
	id, err := strconv.ParseInt(a.ObjectID, 10, 64)
	if err != nil {
		return fmt.Errorf("incident id %q: %w", a.ObjectID, err)
	}
	i, err := get(ctx, tx, a.OrgID, id)
	if err != nil {
		return err
	}
	actor := auth.FromContext(ctx)
	return audit.Append(ctx, tx, x.now(), actor.Audit("incident.activation_"+a.Status, "incident", a.ObjectID, nil,
		activationRecord{ApprovalID: a.ID, Grade: i.GradeValue(), Status: a.Status, Reason: a.Reason}))
}

// checkActivation refuses to leave detection for containment while a
// grade I-II incident's plan activation is not approved, naming what
// waits and on whom. Leadership's exception is not checked here.
func (x *Escalation) checkActivation(ctx context.Context, tx *store.Tx, i Incident, to Phase) error {
	if x == nil || i.Phase != PhaseDetection || to != PhaseContainment || !Major(i.GradeValue()) {
		return nil
	}
	a, _, err := x.activationOf(ctx, tx, i)
	if err != nil {
		return err
	}
	switch a.Status {
	case workflow.StatusApproved:
		return nil
	case workflow.StatusPending:
		return apperr.New(apperr.Conflict, "err.escalation_activation_pending", a.ApprovalID)
	case workflow.StatusRejected:
		return apperr.New(apperr.Conflict, "err.escalation_activation_rejected", a.Reason)
	}
	return apperr.New(apperr.Conflict, "err.escalation_activation_none")
}

// afterGrade runs in the transaction that gave i its grade (creation with
// the reporter's grade, confirmation, override, regrade); before is nil at
// creation. Rising to I-II asks the leadership group and tells it;
// falling below while a request is pending cancels it with the reason;
// reaching I-III engages the working group; the report deadlines follow
// the new grade.
func (x *Escalation) afterGrade(ctx context.Context, tx *store.Tx, before *Incident, after Incident) error {
	if x == nil {
		return nil
	}
	old, g := 0, after.GradeValue()
	if before != nil {
		old = before.GradeValue()
	}
	cur, pending, err := x.activationOf(ctx, tx, after)
	if err != nil {
		return err
	}
	switch {
	case Major(g) && cur.CanRequest:
		if err := x.requestActivation(ctx, tx, after, zh("escalation.reason.graded", zh(gradeKey(g)))); err != nil {
			return err
		}
	case !Major(g) && cur.Status == workflow.StatusPending:
		why := zh("escalation.reason.regraded_down", zh(gradeKey(g)), after.GradeReason)
		if _, err := x.Approvals.Cancel(ctx, tx, pending.ID, why); err != nil {
			return fmt.Errorf("cancel plan activation %d: %w", pending.ID, err)
		}
	}
	if Major(g) && g != old {
		if err := x.publish(ctx, tx, after, "incident.graded_major", ActivationRoles, "escalation.notify.graded_major",
			"escalation.notify.graded_major_body"); err != nil {
			return err
		}
	}
	if Engages(g) && !Engages(old) {
		if err := x.publish(ctx, tx, after, KindEngaged, []auth.Role{auth.RoleResponder}, "escalation.notify.engaged",
			"escalation.notify.engaged_body"); err != nil {
			return err
		}
	}
	return x.syncDeadlines(ctx, tx, before, after)
}

// afterCreate announces a new incident and applies its reporter's grade.
func (x *Escalation) afterCreate(ctx context.Context, tx *store.Tx, i Incident) error {
	if x == nil {
		return nil
	}
	if err := x.publish(ctx, tx, i, "incident.created", []auth.Role{auth.RoleResponder, auth.RoleSecurityManager},
		"escalation.notify.created", "escalation.notify.created_body"); err != nil {
		return err
	}
	return x.afterGrade(ctx, tx, nil, i)
}

// afterUpdate moves the deadlines when the reported facts moved them (a
// corrected discovery time).
func (x *Escalation) afterUpdate(ctx context.Context, tx *store.Tx, before, after Incident) error {
	if x == nil {
		return nil
	}
	return x.syncDeadlines(ctx, tx, &before, after)
}

// afterPhase runs after a transition, an exception or a reopening: the
// summary report's deadline follows the end of handling, and closing is
// announced.
func (x *Escalation) afterPhase(ctx context.Context, tx *store.Tx, before, after Incident) error {
	if x == nil {
		return nil
	}
	if after.Phase == PhaseClosed && before.Phase != PhaseClosed {
		roles := []auth.Role{auth.RoleResponder, auth.RoleSecurityManager}
		if Major(after.GradeValue()) {
			roles = append(roles, auth.RoleLeadership)
		}
		if err := x.publish(ctx, tx, after, "incident.closed", roles, "escalation.notify.closed", "escalation.notify.closed_body"); err != nil {
			return err
		}
	}
	return x.syncDeadlines(ctx, tx, &before, after)
}

// zh is catalogue text in the working language. Messages and approval
// titles are stored text shown as written (the outbox, the inbox), so
// they are written in Chinese, as plan approval titles are; the event
// kind's label around them is rendered in each channel's own language.
func zh(key string, args ...any) string { return i18n.T("zh-CN", key, args...) }

// gradeKey is the catalogue key of grade g's name in reports and messages.
func gradeKey(g int) string { return fmt.Sprintf("escalation.grade.%d", g) }
