package incident_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/workflow"
)

// esc is a test bed for escalation: the people who report, grade and
// decide, and helpers that fail the test on error.
type esc struct {
	t                         *testing.T
	e                         *servertest.Env
	resp, mgr, leader, viewer context.Context
	respUser, leaderUser      int64
}

func newEsc(t *testing.T, db *store.DB) *esc {
	e := servertest.NewOn(t, db)
	resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
	leader := e.CreateUser("leader", e.Org, auth.RoleLeadership)
	return &esc{t: t, e: e, resp: e.Actor(resp, e.Org), leader: e.Actor(leader, e.Org),
		mgr:      e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org),
		viewer:   e.Actor(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org),
		respUser: resp.ID, leaderUser: leader.ID}
}

func (x *esc) must(err error) {
	x.t.Helper()
	if err != nil {
		x.t.Fatal(err)
	}
}

func (x *esc) create(title string, grade int) incident.Incident {
	x.t.Helper()
	i, err := x.e.App.Incidents.Create(x.resp, incident.Input{Title: title, DiscoveredAt: x.e.Clock.Now(), Grade: grade, Category: "NA-09"})
	x.must(err)
	return i
}

// regrade sets the grade by override, with a reason.
func (x *esc) regrade(ctx context.Context, id int64, grade int, reason string) incident.Incident {
	x.t.Helper()
	f := incident.Factors{Importance: incident.ImportanceGeneral, Loss: incident.LossMinor, Impact: incident.ImpactGeneral}
	i, _, err := x.e.App.Incidents.Grade(ctx, id, incident.GradeInput{Factors: f, Grade: grade, Reason: reason})
	x.must(err)
	return i
}

func (x *esc) activation(id int64) incident.Activation {
	x.t.Helper()
	a, err := x.e.App.Escalation.Activation(x.viewer, id)
	x.must(err)
	return a
}

func (x *esc) incidentActions(id int64) []string {
	x.t.Helper()
	rows, err := x.e.DB.Read().Query(`SELECT action FROM audit_log WHERE object_type = 'incident' AND object_id = $1 ORDER BY seq`, strconv.FormatInt(id, 10))
	x.must(err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		x.must(rows.Scan(&a))
		out = append(out, a)
	}
	return out
}

// Grades I-II ask the leadership group to approve starting the emergency
// plan; until it does, detection cannot be left for containment, and the
// refusal says what waits on whom. A rejection keeps its reason and a new
// request can be made; a regrade below II cancels a pending request with
// the reason; a regrade up asks again; the approval lets the incident on.
func TestPlanActivationFollowsTheGrade(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		l := x.e.App.Lifecycle
		i := x.create("勒索软件加密文件服务器", incident.GradeII)
		a := x.activation(i.ID)
		if !a.Required || a.Status != workflow.StatusPending || !a.WorkingGroup || a.CanRequest || a.ApprovalID == 0 {
			t.Fatalf("activation after reporting grade II: %+v", a)
		}
		ap, err := x.e.App.Approvals.Get(x.leader, a.ApprovalID)
		x.must(err)
		if ap.ObjectType != incident.ActivationObject || len(ap.Roles) != 1 || ap.Roles[0] != auth.RoleLeadership || ap.AuthorID != 0 ||
			!strings.Contains(ap.Title, i.Number) || !strings.Contains(ap.Title, "启动应急预案") {
			t.Errorf("approval: %+v", ap)
		}
		if pend, _ := x.e.App.Approvals.Pending(x.leader); len(pend) != 1 || pend[0].ID != ap.ID {
			t.Errorf("leadership inbox: %+v", pend)
		}
		if pend, _ := x.e.App.Approvals.Pending(x.mgr); len(pend) != 0 {
			t.Errorf("security manager's inbox has the activation: %+v", pend)
		}
		if link := workflow.Link(ap.ObjectType, ap.ObjectID); link != "/incidents/"+ap.ObjectID {
			t.Errorf("inbox link %q", link)
		}
		_, err = l.Transition(x.resp, i.ID, incident.PhaseContainment, "")
		refused(t, "containment while pending", err, apperr.Conflict, "err.escalation_activation_pending")

		// The leadership group rejects: the reason stays; asking again is possible.
		_, err = x.e.App.Approvals.Decide(x.leader, ap.ID, false, "影响范围尚未查清")
		x.must(err)
		if a = x.activation(i.ID); a.Status != workflow.StatusRejected || a.Reason != "影响范围尚未查清" || !a.CanRequest || a.DecidedBy != "leader" {
			t.Errorf("after rejection: %+v", a)
		}
		_, err = l.Transition(x.resp, i.ID, incident.PhaseContainment, "")
		refused(t, "containment after rejection", err, apperr.Conflict, "err.escalation_activation_rejected")
		if ae := apperr.As(err); ae == nil || len(ae.Args) != 1 || ae.Args[0] != "影响范围尚未查清" {
			t.Errorf("the refusal does not carry the reason: %v", err)
		}
		_, err = x.e.App.Escalation.RequestActivation(x.viewer, i.ID, "")
		refused(t, "viewer asks", err, apperr.Forbidden, "")
		a, err = x.e.App.Escalation.RequestActivation(x.resp, i.ID, "已查清影响范围：3 台服务器")
		x.must(err)
		if a.Status != workflow.StatusPending || a.ApprovalID == ap.ID {
			t.Errorf("asked again: %+v", a)
		}
		_, err = x.e.App.Escalation.RequestActivation(x.resp, i.ID, "")
		refused(t, "asked twice", err, apperr.Conflict, "err.escalation_activation_open")

		// Regraded to III: the pending request is cancelled with the reason.
		second := a.ApprovalID
		x.e.Clock.Advance(time.Minute)
		x.regrade(x.mgr, i.ID, incident.GradeIII, "仅影响内部测试系统")
		cancelled, err := x.e.App.Approvals.Get(x.leader, second)
		x.must(err)
		if cancelled.Status != workflow.StatusWithdrawn || !strings.Contains(cancelled.Reason, "较大事件（Ⅲ级）") ||
			!strings.Contains(cancelled.Reason, "仅影响内部测试系统") || cancelled.DecidedByName != "mgr" {
			t.Errorf("cancelled approval: %+v", cancelled)
		}
		if a = x.activation(i.ID); a.Required || a.CanRequest || !a.WorkingGroup {
			t.Errorf("after regrade to III: %+v", a)
		}
		_, err = x.e.App.Escalation.RequestActivation(x.resp, i.ID, "")
		refused(t, "ask for grade III", err, apperr.Conflict, "err.escalation_not_major")

		// Regraded to I: asked again; leadership approves; containment opens.
		x.e.Clock.Advance(time.Minute)
		x.regrade(x.mgr, i.ID, incident.GradeI, "核心业务系统数据被加密")
		if a = x.activation(i.ID); a.Status != workflow.StatusPending || a.ApprovalID == second {
			t.Fatalf("after regrade to I: %+v", a)
		}
		_, err = x.e.App.Approvals.Decide(x.leader, a.ApprovalID, true, "")
		x.must(err)
		if a = x.activation(i.ID); !a.Approved() || a.CanRequest {
			t.Errorf("approved: %+v", a)
		}
		_, err = l.Transition(x.resp, i.ID, incident.PhaseContainment, "")
		x.must(err)
		// An approved activation stands through later regrades.
		x.regrade(x.mgr, i.ID, incident.GradeII, "复核")
		if a = x.activation(i.ID); !a.Approved() {
			t.Errorf("after regrade I to II: %+v", a)
		}

		want := []string{"incident.create", "incident.activation_request", "incident.activation_rejected", "incident.activation_request",
			"incident.grade", "incident.activation_withdrawn", "incident.regrade", "incident.activation_request",
			"incident.activation_approved", "incident.transition", "incident.regrade"}
		if got := x.incidentActions(i.ID); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("incident audit trail:\n got %v\nwant %v", got, want)
		}
	})
}

// Leadership's exception still moves a grade I incident on while the
// activation waits, audited as an exception; a leader who graded the
// incident may still decide its activation (the request is the system's);
// an incident that is not I-II is not held back.
func TestPlanActivationExceptions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		l := x.e.App.Lifecycle
		i := x.create("门户被篡改", 0)
		if a := x.activation(i.ID); a.Required || a.Status != incident.ActivationNotRequired || a.WorkingGroup {
			t.Errorf("ungraded: %+v", a)
		}
		x.regrade(x.leader, i.ID, incident.GradeI, "省级门户首页被篡改")
		a := x.activation(i.ID)
		if _, err := x.e.App.Approvals.Decide(x.leader, a.ApprovalID, true, "同意启动"); err != nil {
			t.Errorf("the leader who graded cannot decide the system's request: %v", err)
		}
		j := x.create("数据泄露", incident.GradeI)
		out, err := l.Exception(x.leader, j.ID, incident.PhaseContainment, "先行抑制，审批补办")
		x.must(err)
		if out.Phase != incident.PhaseContainment || x.activation(j.ID).Status != workflow.StatusPending {
			t.Errorf("exception: %v %+v", out.Phase, x.activation(j.ID))
		}
		k := x.create("扫描探测", incident.GradeIII)
		if _, err := l.Transition(x.resp, k.ID, incident.PhaseContainment, ""); err != nil {
			t.Errorf("grade III held back: %v", err)
		}
	})
}
