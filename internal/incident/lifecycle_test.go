package incident_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// lc is a lifecycle test bed: an incident and the people working it.
type lc struct {
	t                        *testing.T
	e                        *servertest.Env
	resp, resp2, mgr, leader context.Context
	viewer                   context.Context
	inc                      incident.Incident
}

func newLC(t *testing.T, db *store.DB) *lc {
	e := servertest.NewOn(t, db)
	c := &lc{t: t, e: e,
		resp:   e.Actor(e.CreateUser("resp", e.Org, auth.RoleResponder), e.Org),
		resp2:  e.Actor(e.CreateUser("resp2", e.Org, auth.RoleResponder), e.Org),
		mgr:    e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org),
		leader: e.Actor(e.CreateUser("leader", e.Org, auth.RoleLeadership), e.Org),
		viewer: e.Actor(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org),
	}
	var err error
	c.inc, err = e.App.Incidents.Create(c.resp, incident.Input{Title: "网页篡改", DiscoveredAt: e.Clock.Now(), Grade: 3})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *lc) must(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

// refused checks err is an apperr with code and, when key is set, key.
func refused(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != code || (key != "" && ae.Key != key) {
		t.Errorf("%s: got %v, want %s %s", what, err, code, key)
	}
}

func (c *lc) move(to incident.Phase) {
	c.t.Helper()
	c.e.Clock.Advance(time.Minute)
	_, err := c.e.App.Lifecycle.Transition(c.resp, c.inc.ID, to, "")
	c.must(err)
}

// workPlan takes the current phase's plan from draft to judged effective:
// drafted by a responder, approved by the security manager, carried out.
func (c *lc) workPlan(effect string) incident.Plan {
	c.t.Helper()
	l := c.e.App.Lifecycle
	p, err := l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "断开受影响服务器网络", Scope: "门户网站", Risks: "服务中断", Resources: "网络组"})
	c.must(err)
	p, err = l.Submit(c.resp, c.inc.ID, p.ID)
	c.must(err)
	_, err = c.e.App.Approvals.Decide(c.mgr, p.ApprovalID, true, "")
	c.must(err)
	p, err = l.Executed(c.resp, c.inc.ID, p.ID, "已断网")
	c.must(err)
	p, err = l.Judge(c.resp2, c.inc.ID, p.ID, effect, "篡改页面已下线")
	c.must(err)
	return p
}

func TestLifecycleHappyPath(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		if c.inc.Phase != incident.PhaseDetection {
			t.Fatalf("new incident in %s", c.inc.Phase)
		}
		c.move(incident.PhaseContainment)
		for _, ph := range []incident.Phase{incident.PhaseContainment, incident.PhaseEradication, incident.PhaseRecovery} {
			p := c.workPlan(incident.EffectEffective)
			if p.Phase != ph || !p.Done() || p.ExecutedBy != "resp" || p.JudgedBy != "resp2" {
				t.Fatalf("plan of %s: %+v", ph, p)
			}
			next := map[incident.Phase]incident.Phase{incident.PhaseContainment: incident.PhaseEradication,
				incident.PhaseEradication: incident.PhaseRecovery, incident.PhaseRecovery: incident.PhaseSummary}[ph]
			c.move(next)
		}
		// Handling ended on entering summary: the summary report (grade
		// III is reported) is due 30 days later.
		sum, err := c.e.App.Incidents.Get(c.resp, c.inc.ID)
		c.must(err)
		if sum.HandlingEndedAt == nil || sum.SummaryDueAt == nil || !sum.SummaryDueAt.Equal(sum.HandlingEndedAt.Add(30*24*time.Hour)) ||
			!sum.HandlingEndedAt.Equal(c.e.Clock.Now().UTC().Truncate(time.Microsecond)) {
			t.Errorf("end of handling: %v, summary due %v", sum.HandlingEndedAt, sum.SummaryDueAt)
		}
		// Closing needs the post-incident review (事故总结) recorded.
		_, err = c.e.App.Lifecycle.Transition(c.resp, c.inc.ID, incident.PhaseClosed, "")
		refused(t, "close without a review", err, apperr.Conflict, "err.review_required")
		held := c.e.Clock.Now()
		_, err = c.e.App.Reviews.SaveReview(c.resp, c.inc.ID, postincident.ReviewInput{HeldAt: &held, AttendeeNames: []string{"应急小组"},
			RootCause: "弱口令", Impact: "首页被篡改", Lessons: "启用多因素认证"})
		c.must(err)
		c.move(incident.PhaseClosed)
		got, err := c.e.App.Incidents.Get(c.resp, c.inc.ID)
		c.must(err)
		if got.Phase != incident.PhaseClosed || got.Status != "closed" {
			t.Errorf("closed incident reads %s/%s", got.Phase, got.Status)
		}
		plans, err := c.e.App.Lifecycle.Plans(c.viewer, c.inc.ID)
		c.must(err)
		if len(plans) != 3 {
			t.Errorf("%d plans, want 3", len(plans))
		}
		// Closed: no more moves until reopened.
		_, err = c.e.App.Lifecycle.Transition(c.resp, c.inc.ID, incident.PhaseClosed, "")
		refused(t, "move a closed incident", err, apperr.Conflict, "err.lifecycle_closed")
	})
}

func TestLifecycleRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		l := c.e.App.Lifecycle
		_, err := l.Transition(c.resp, c.inc.ID, incident.PhaseEradication, "")
		refused(t, "skip containment", err, apperr.Conflict, "err.lifecycle_skip")
		_, err = l.Transition(c.resp, c.inc.ID, incident.PhasePreparation, "")
		refused(t, "move back", err, apperr.Conflict, "err.lifecycle_backward")
		_, err = l.Transition(c.viewer, c.inc.ID, incident.PhaseContainment, "")
		refused(t, "viewer moves", err, apperr.Forbidden, "")
		_, err = l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "x"})
		refused(t, "plan in detection", err, apperr.Conflict, "err.lifecycle_no_plan_phase")
		c.move(incident.PhaseContainment)

		leave := func(key string) {
			t.Helper()
			_, err := l.Transition(c.resp, c.inc.ID, incident.PhaseEradication, "")
			refused(t, "leave containment", err, apperr.Conflict, key)
		}
		leave("err.lifecycle_need_plan")
		_, err = l.Draft(c.viewer, c.inc.ID, incident.PlanInput{Measures: "x"})
		refused(t, "viewer drafts", err, apperr.Forbidden, "")
		_, err = l.Draft(c.resp, c.inc.ID, incident.PlanInput{})
		refused(t, "empty plan", err, apperr.Invalid, "")
		p, err := l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "封堵IP"})
		c.must(err)
		leave("err.lifecycle_need_submit")
		// A security manager drafting: still may not approve their own plan
		// when a responder submits it.
		p, err = l.Draft(c.mgr, c.inc.ID, incident.PlanInput{Measures: "封堵IP 1.2.3.4"})
		c.must(err)
		if p.AuthorID == 0 || p.AuthorName != "resp" || p.Measures != "封堵IP 1.2.3.4" {
			t.Fatalf("redraft kept %+v", p)
		}
		p, err = l.Submit(c.resp, c.inc.ID, p.ID)
		c.must(err)
		leave("err.lifecycle_need_approval")
		_, err = l.Executed(c.resp, c.inc.ID, p.ID, "done")
		refused(t, "execute unapproved", err, apperr.Conflict, "err.lifecycle_plan_state")
		_, err = c.e.App.Approvals.Decide(c.resp, p.ApprovalID, true, "")
		refused(t, "submitter approves", err, apperr.Forbidden, "")
		_, err = c.e.App.Approvals.Decide(c.viewer, p.ApprovalID, true, "")
		refused(t, "viewer approves", err, apperr.Forbidden, "")

		// Rejection returns it to draft with the reason; redraft, resubmit.
		_, err = c.e.App.Approvals.Decide(c.mgr, p.ApprovalID, false, "范围不清")
		c.must(err)
		plans, _ := l.Plans(c.resp, c.inc.ID)
		if plans[0].Status != incident.PlanDraft || plans[0].RejectReason != "范围不清" {
			t.Fatalf("rejected plan: %+v", plans[0])
		}
		_, err = l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "封堵IP 1.2.3.4", Scope: "出口防火墙"})
		c.must(err)
		p, err = l.Submit(c.resp, c.inc.ID, p.ID)
		c.must(err)
		_, err = c.e.App.Approvals.Decide(c.mgr, p.ApprovalID, true, "")
		c.must(err)
		leave("err.lifecycle_need_execution")
		_, err = l.Executed(c.resp, c.inc.ID, p.ID, "")
		refused(t, "execute without notes", err, apperr.Invalid, "")
		_, err = l.Executed(c.resp, c.inc.ID, p.ID, "已封堵")
		c.must(err)
		leave("err.lifecycle_need_effect")
		_, err = l.Judge(c.resp, c.inc.ID, p.ID, "great", "x")
		refused(t, "unknown effect", err, apperr.Invalid, "")
		_, err = l.Judge(c.resp, c.inc.ID, p.ID, incident.EffectNotEffective, "仍有外联")
		c.must(err)
		// Not effective: the phase needs a new plan.
		leave("err.lifecycle_need_plan")
		p2 := c.workPlan(incident.EffectEffective)
		if p2.ID == p.ID {
			t.Fatal("not effective plan reused")
		}
		_, err = l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "x"})
		refused(t, "third plan after an effective one", err, apperr.Conflict, "err.lifecycle_plan_done")
		c.move(incident.PhaseEradication)
	})
}

// The plan's author is refused as approver even when they hold the role.
func TestPlanAuthorNeverApproves(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		c.move(incident.PhaseContainment)
		l := c.e.App.Lifecycle
		p, err := l.Draft(c.mgr, c.inc.ID, incident.PlanInput{Measures: "隔离"})
		c.must(err)
		p, err = l.Submit(c.resp, c.inc.ID, p.ID)
		c.must(err)
		_, err = c.e.App.Approvals.Decide(c.mgr, p.ApprovalID, true, "")
		refused(t, "author approves", err, apperr.Forbidden, "err.approval_own")
		mgr2 := c.e.Actor(c.e.CreateUser("mgr2", c.e.Org, auth.RoleSecurityManager), c.e.Org)
		_, err = c.e.App.Approvals.Decide(mgr2, p.ApprovalID, true, "")
		c.must(err)
	})
}

// Approving roles are organisation data: leadership may be named for a
// phase, and then a security manager is refused.
func TestPlanApproversPerPhase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		l := c.e.App.Lifecycle
		refused(t, "responder sets approvers", l.SetApprovers(c.resp, incident.PhaseContainment, []auth.Role{auth.RoleLeadership}), apperr.Forbidden, "")
		refused(t, "viewer as approver", l.SetApprovers(c.mgr, incident.PhaseContainment, []auth.Role{auth.RoleViewer}), apperr.Invalid, "")
		c.must(l.SetApprovers(c.mgr, incident.PhaseContainment, []auth.Role{auth.RoleLeadership}))
		m, err := l.Approvers(c.viewer)
		c.must(err)
		if len(m[incident.PhaseContainment]) != 1 || m[incident.PhaseContainment][0] != auth.RoleLeadership || m[incident.PhaseRecovery][0] != auth.RoleSecurityManager {
			t.Fatalf("approvers %v", m)
		}
		c.move(incident.PhaseContainment)
		p, err := l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "隔离"})
		c.must(err)
		p, err = l.Submit(c.resp, c.inc.ID, p.ID)
		c.must(err)
		_, err = c.e.App.Approvals.Decide(c.mgr, p.ApprovalID, true, "")
		refused(t, "security manager not named", err, apperr.Forbidden, "")
		_, err = c.e.App.Approvals.Decide(c.leader, p.ApprovalID, true, "")
		c.must(err)
	})
}

func TestLifecycleExceptionAndReopen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		l := c.e.App.Lifecycle
		c.move(incident.PhaseContainment)
		_, err := l.Exception(c.leader, c.inc.ID, incident.PhaseEradication, "  ")
		refused(t, "exception without reason", err, apperr.Invalid, "")
		_, err = l.Exception(c.resp, c.inc.ID, incident.PhaseEradication, "急")
		refused(t, "exception by a responder", err, apperr.Forbidden, "")
		_, err = l.Exception(c.mgr, c.inc.ID, incident.PhaseEradication, "急")
		refused(t, "exception by a security manager", err, apperr.Forbidden, "")
		c.e.Clock.Advance(time.Minute)
		got, err := l.Exception(c.leader, c.inc.ID, incident.PhaseClosed, "误报：经核实为正常变更")
		c.must(err)
		if got.Phase != incident.PhaseClosed || got.HandlingEndedAt == nil || got.SummaryDueAt == nil {
			t.Fatalf("exception left %s, handling ended %v, summary due %v", got.Phase, got.HandlingEndedAt, got.SummaryDueAt)
		}
		_, err = l.Reopen(c.resp, c.inc.ID, "")
		refused(t, "reopen without reason", err, apperr.Invalid, "")
		_, err = l.Reopen(c.viewer, c.inc.ID, "再次发现")
		refused(t, "viewer reopens", err, apperr.Forbidden, "")
		c.e.Clock.Advance(time.Minute)
		got, err = l.Reopen(c.resp, c.inc.ID, "再次发现篡改")
		c.must(err)
		if got.Phase != incident.PhaseDetection {
			t.Fatalf("reopened into %s", got.Phase)
		}
		if got.HandlingEndedAt != nil || got.SummaryDueAt != nil {
			t.Errorf("reopened incident keeps the end of handling %v / %v", got.HandlingEndedAt, got.SummaryDueAt)
		}
		if r, _ := l.Round(c.resp, c.inc.ID); r != 1 {
			t.Errorf("round %d after reopening", r)
		}
		_, err = l.Reopen(c.resp, c.inc.ID, "again")
		refused(t, "reopen an open incident", err, apperr.Conflict, "err.lifecycle_not_closed")

		ev, err := l.Timeline(c.viewer, c.inc.ID)
		c.must(err)
		var exc, reo bool
		for _, e := range ev {
			exc = exc || (e.Action == "incident.exception" && e.Actor == "leader" && strings.Contains(e.Text, "误报"))
			reo = reo || (e.Action == "incident.reopen" && e.Text == "再次发现篡改")
		}
		if !exc || !reo {
			t.Errorf("timeline lacks the exception (%v) or the reopening (%v): %+v", exc, reo, ev)
		}
	})
}

func TestTimeline(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		l := c.e.App.Lifecycle
		start := c.e.Clock.Now()
		c.move(incident.PhaseContainment)
		c.e.Clock.Advance(time.Minute)
		c.workPlan(incident.EffectEffective)
		c.e.Clock.Advance(time.Minute)
		// Something done outside Bulwark before the incident moved on.
		_, err := l.AddEntry(c.resp, c.inc.ID, incident.EntryInput{Kind: incident.EntryManual, Body: "电话通知网信办", HappenedAt: start.Add(30 * time.Second)})
		c.must(err)
		_, err = l.AddEntry(c.resp2, c.inc.ID, incident.EntryInput{Kind: incident.EntryComment, Body: "已复核"})
		c.must(err)
		_, err = l.AddEntry(c.resp, c.inc.ID, incident.EntryInput{Kind: incident.EntryManual, Body: "x", HappenedAt: c.e.Clock.Now().Add(time.Hour)})
		refused(t, "entry in the future", err, apperr.Invalid, "")
		_, err = l.AddEntry(c.resp, c.inc.ID, incident.EntryInput{Kind: incident.EntryManual, Body: "x"})
		refused(t, "manual entry without time", err, apperr.Invalid, "")
		_, err = l.AddEntry(c.viewer, c.inc.ID, incident.EntryInput{Kind: incident.EntryComment, Body: "x"})
		refused(t, "viewer comments", err, apperr.Forbidden, "")

		ev, err := l.Timeline(c.viewer, c.inc.ID)
		c.must(err)
		for k := 1; k < len(ev); k++ {
			if ev[k].At.After(ev[k-1].At) {
				t.Fatalf("timeline not newest first at %d: %v after %v", k, ev[k].At, ev[k-1].At)
			}
		}
		pos := map[string]int{}
		for k, e := range ev {
			if _, ok := pos[e.Action]; !ok {
				pos[e.Action] = k
			}
			if !i18n.Has("action." + e.Action) {
				t.Errorf("action %s has no catalogue name", e.Action)
			}
		}
		for _, a := range []string{"incident.create", "incident.transition", "incident_plan.create", "incident_plan.submit",
			"approval.request", "approval.approve", "incident_plan.approved", "incident_plan.execute", "incident_plan.judge",
			"timeline.manual", "timeline.comment"} {
			if _, ok := pos[a]; !ok {
				t.Errorf("timeline lacks %s", a)
			}
		}
		// The manual entry sits at its own time: between creation and the move.
		if !(pos["timeline.comment"] < pos["incident_plan.judge"] && pos["incident.transition"] < pos["timeline.manual"] &&
			pos["timeline.manual"] < pos["incident.create"]) {
			t.Errorf("order wrong: %v", pos)
		}
		for _, e := range ev {
			if e.Action == "timeline.manual" && (!e.Manual || e.Actor != "resp" || !e.At.Equal(start.Add(30*time.Second))) {
				t.Errorf("manual entry %+v", e)
			}
		}
		// Another organisation's responder sees nothing.
		orgB := c.e.CreateOrg("B")
		rb := c.e.Actor(c.e.CreateUser("rb", orgB, auth.RoleResponder), orgB)
		_, err = l.Timeline(rb, c.inc.ID)
		refused(t, "other org reads timeline", err, apperr.NotFound, "")
		_, err = l.Plans(rb, c.inc.ID)
		refused(t, "other org reads plans", err, apperr.NotFound, "")
	})
}

func TestFlowSVG(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		c := newLC(t, db)
		l := c.e.App.Lifecycle
		c.move(incident.PhaseContainment)
		p, err := l.Draft(c.resp, c.inc.ID, incident.PlanInput{Measures: "<script>&"})
		c.must(err)
		_, err = l.Submit(c.resp, c.inc.ID, p.ID)
		c.must(err)
		plans, err := l.Plans(c.resp, c.inc.ID)
		c.must(err)
		ap, err := l.Approvers(c.resp)
		c.must(err)
		f := incident.FlowOf(incident.PhaseContainment, 0, plans, ap)
		var b bytes.Buffer
		c.must(f.SVG(&b, func(k string, a ...any) string { return i18n.T("zh-CN", k, a...) }))
		d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
		current, steps := "", 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, b.String())
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "g" {
				var class, phase string
				for _, a := range se.Attr {
					switch a.Name.Local {
					case "class":
						class = a.Value
					case "data-phase":
						phase = a.Value
					}
				}
				if class == "phase current" {
					current = phase
				}
				if class == "step done" {
					steps++
				}
			}
		}
		if current != "containment" || steps != 1 {
			t.Errorf("current %q, %d steps done", current, steps)
		}
		if !strings.Contains(b.String(), "等待审批：信息安全经理") {
			t.Errorf("flow does not say who it waits on:\n%s", b.String())
		}
	})
}
