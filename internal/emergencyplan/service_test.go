package emergencyplan_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	if e := apperr.As(err); e != nil {
		for _, f := range e.Fields {
			out[f.Field] = f.Key
		}
	}
	return out
}

// mustOf makes a helper that fails the test on an error and returns the
// value: okR := mustOf[Revision](t); r := okR(svc.Get(ctx, id)).
func mustOf[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// input is a draft's current content as a DraftInput, to change a part.
func input(r emergencyplan.Revision) emergencyplan.DraftInput {
	in := emergencyplan.DraftInput{Title: r.Title, Summary: r.Summary, Reason: r.Reason, MajorChange: r.MajorChange,
		Chapters: slices.Clone(r.Chapters)}
	for _, inc := range r.Incidents {
		in.IncidentIDs = append(in.IncidentIDs, inc.ID)
	}
	return in
}

func actions(t *testing.T, db *store.DB, org int64, id int64) []string {
	t.Helper()
	recs, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: org, ObjectType: emergencyplan.Object, ObjectID: fmt.Sprint(id)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Action)
	}
	slices.Sort(out)
	return out
}

// decide finds the revision's pending approval and decides it as ctx.
func decide(ctx context.Context, e *servertest.Env, r emergencyplan.Revision, approve bool, reason string) error {
	_, err := e.App.Approvals.Decide(ctx, r.ApprovalID, approve, reason)
	return err
}

func TestRevisionLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.EmergencyPlan
		okR, okI, okL := mustOf[emergencyplan.Revision](t), mustOf[incident.Incident](t), mustOf[[]emergencyplan.Revision](t)
		mgrUser := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		mgr := e.Actor(mgrUser, e.Org)
		mgr2 := e.Actor(e.CreateUser("mgr2", e.Org, auth.RoleSecurityManager), e.Org)
		boss := e.Actor(e.CreateUser("boss", e.Org, auth.RoleLeadership), e.Org)
		viewer := e.Actor(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)
		resp := e.Actor(e.CreateUser("resp", e.Org, auth.RoleResponder), e.Org)
		inc := okI(e.App.Incidents.Create(resp, incident.Input{Title: "官网首页被篡改", DiscoveredAt: e.Clock.Now().Add(-time.Hour)}))

		// A new organisation has no plan in force and nothing open.
		if _, ok, err := svc.Current(viewer); ok || err != nil {
			t.Fatalf("current of a new organisation: %v %v", ok, err)
		}
		if _, err := svc.StartDraft(viewer); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("viewer starts a draft: %v", err)
		}
		if _, err := svc.StartDraft(boss); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("leadership starts a draft: %v (they approve, the security manager drafts)", err)
		}
		// The first draft is the default plan, V1.0, in the author's language.
		d := okR(svc.StartDraft(mgr))
		if d.Version != "V1.0" || d.Status != emergencyplan.StatusDraft || len(d.Chapters) != 10 || d.Chapters[0].Title != "总则" ||
			d.Chapters[3].Source != emergencyplan.SourceOrganisation || d.Chapters[5].Source != emergencyplan.SourceResponse ||
			d.Title != "信息安全应急预案" || d.AuthorName != "mgr" {
			t.Fatalf("first draft %+v", d)
		}
		if _, err := svc.StartDraft(mgr2); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second open revision: %v", err)
		}
		if got, ok := must2(t, svc.Open)(viewer); !ok || got.ID != d.ID || len(got.Chapters) != 10 {
			t.Fatalf("open revision as viewer: %+v %v", got, ok)
		}

		// Bad input: every problem at once, and nothing is lost.
		bad := input(d)
		bad.Title = ""
		bad.EffectiveFrom = "2026/12/01"
		bad.IncidentNumbers = []string{"SJ-2099-9999"}
		bad.Chapters[1].Title = " "
		bad.Chapters[2].Source = "weather"
		bad.Chapters[4].Source = emergencyplan.SourceOrganisation
		bad.Chapters[6].Body = strings.Repeat("长", emergencyplan.MaxBody+1)
		_, err := svc.SaveDraft(mgr, d.ID, bad)
		want := map[string]string{"title": "err.required", "effective_from": "err.eplan_bad_date", "incidents": "err.eplan_unknown_incident",
			"chapters[1].title": "err.required", "chapters[2].source": "err.invalid_choice",
			"chapters[4].source": "err.eplan_source_twice", "chapters[6].body": "err.too_long"}
		if got := fieldKeys(err); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("bad draft: %v\nwant %v", got, want)
		}
		if got := okR(svc.Get(viewer, d.ID)); got.Title != d.Title || len(got.Chapters) != 10 {
			t.Fatalf("a refused save changed the draft: %+v", got)
		}
		if _, err := svc.SaveDraft(mgr, d.ID, emergencyplan.DraftInput{Title: "x"}); fieldKeys(err)["chapters"] != "err.eplan_no_chapters" {
			t.Fatalf("no chapters: %v", err)
		}

		// A good save: reordered chapters, a chapter added, an incident by number.
		good := input(d)
		good.Chapters = append(good.Chapters, emergencyplan.Chapter{Title: "术语", Body: "- 事件：……"})
		good.Chapters[0], good.Chapters[1] = good.Chapters[1], good.Chapters[0]
		good.IncidentNumbers = []string{strings.ToLower(inc.Number)}
		good.Summary = ""
		d = okR(svc.SaveDraft(mgr2, d.ID, good))
		if len(d.Chapters) != 11 || d.Chapters[0].Title != "适用范围" || len(d.Incidents) != 1 || d.Incidents[0].ID != inc.ID || d.AuthorName != "mgr" {
			t.Fatalf("saved draft %+v", d)
		}
		// Submitting wants the revision record's summary.
		if _, err := svc.Submit(mgr, d.ID); fieldKeys(err)["summary"] != "err.eplan_submit_needs" {
			t.Fatalf("submit without summary: %v", err)
		}
		good.Summary = "首次发布。"
		d = okR(svc.SaveDraft(mgr, d.ID, good))
		d = okR(svc.Submit(mgr2, d.ID))
		if d.Status != emergencyplan.StatusSubmitted || d.ApprovalID == 0 {
			t.Fatalf("submitted %+v", d)
		}
		if _, err := svc.SaveDraft(mgr, d.ID, good); apperr.As(err) == nil || apperr.As(err).Key != "err.eplan_submitted" {
			t.Fatalf("edit while submitted: %v", err)
		}
		// Only the leadership group decides; the author never does.
		if err := decide(mgr, e, d, true, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the author's role decides: %v", err)
		}
		if err := decide(resp, e, d, true, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a responder decides: %v", err)
		}
		e.Clock.Advance(time.Hour)
		if err := decide(boss, e, d, true, "同意发布"); err != nil {
			t.Fatal(err)
		}
		cur, ok := must2(t, svc.Current)(viewer)
		if !ok || cur.ID != d.ID || cur.Version != "V1.0" || cur.Status != emergencyplan.StatusApproved || cur.ApprovedByName != "boss" ||
			cur.EffectiveAt == nil || !cur.EffectiveAt.Equal(e.Clock.Now().Truncate(time.Microsecond)) || len(cur.Chapters) != 11 {
			t.Fatalf("current after approval: %+v %v", cur, ok)
		}
		if got := actions(t, db, e.Org, d.ID); fmt.Sprint(got) != "[emergency_plan.approved emergency_plan.create emergency_plan.submit emergency_plan.update emergency_plan.update]" {
			t.Errorf("audit %v", got)
		}
		// Approved revisions are read-only.
		if _, err := svc.SaveDraft(mgr, d.ID, good); apperr.As(err) == nil || apperr.As(err).Key != "err.eplan_approved_readonly" {
			t.Fatalf("edit approved: %v", err)
		}
		if err := svc.Discard(mgr, d.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("discard approved: %v", err)
		}

		// V1.1: a copy of V1.0; rejected with a reason, then approved.
		v11 := okR(svc.StartDraft(mgr, inc.ID))
		if v11.Version != "V1.1" || v11.BasedOn != d.ID || len(v11.Chapters) != 11 || len(v11.Incidents) != 1 {
			t.Fatalf("V1.1 draft %+v", v11)
		}
		in := input(v11)
		in.Summary, in.Reason = "补充网页篡改的处置措施。", "事件复盘发现处置步骤不清。"
		in.Chapters[6].Body += "\n\n网页被篡改时，先下线页面并保存证据。"
		v11 = okR(svc.SaveDraft(mgr, v11.ID, in))
		v11 = okR(svc.Submit(mgr, v11.ID))
		if err := decide(boss, e, v11, false, ""); fieldKeys(err)["reason"] == "" {
			t.Fatalf("rejection without reason: %v", err)
		}
		if err := decide(boss, e, v11, false, "请补充取证要求"); err != nil {
			t.Fatal(err)
		}
		v11 = okR(svc.Get(viewer, v11.ID))
		if v11.Status != emergencyplan.StatusDraft || v11.RejectReason != "请补充取证要求" {
			t.Fatalf("returned %+v", v11)
		}
		v11 = okR(svc.Submit(mgr, v11.ID))
		if err := decide(boss, e, v11, true, ""); err != nil {
			t.Fatal(err)
		}
		if cur, _ := must2(t, svc.Current)(viewer); cur.Version != "V1.1" {
			t.Fatalf("current %s, want V1.1", cur.Version)
		}

		// V2.0: a major change that takes effect on a later day.
		v2 := okR(svc.StartDraft(mgr))
		in = input(v2)
		in.MajorChange, in.Summary, in.Reason, in.EffectiveFrom = true, "按新办法重写。", "《网络安全事件报告管理办法》施行。", "2026-12-10"
		v2 = okR(svc.SaveDraft(mgr, v2.ID, in))
		if v2.Version != "V2.0" || v2.EffectiveFrom == nil {
			t.Fatalf("major draft %+v", v2)
		}
		v2 = okR(svc.Submit(mgr, v2.ID))
		if err := decide(boss, e, v2, true, ""); err != nil {
			t.Fatal(err)
		}
		if cur, _ := must2(t, svc.Current)(viewer); cur.Version != "V1.1" {
			t.Fatalf("before its day V2.0 is in force (current %s)", cur.Version)
		}
		e.Clock.Advance(20 * 24 * time.Hour)
		if cur, _ := must2(t, svc.Current)(viewer); cur.Version != "V2.0" || !cur.EffectiveAt.Equal(time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("after its day: current %s effective %v", cur.Version, cur.EffectiveAt)
		}

		// The revision record, and the revisions an incident prompted.
		record := okL(svc.Record(viewer))
		var versions []string
		for _, r := range record {
			versions = append(versions, r.Version)
		}
		if fmt.Sprint(versions) != "[V1.0 V1.1 V2.0]" {
			t.Errorf("record %v", versions)
		}
		byInc := okL(svc.RevisionsForIncident(viewer, inc.ID))
		if len(byInc) != 2 || byInc[0].ID != v11.ID || byInc[1].ID != d.ID {
			t.Errorf("revisions of the incident: %+v", byInc)
		}
		if got := emergencyplan.Path(v11.ID); got != fmt.Sprintf("/emergency/plan/revisions/%d", v11.ID) {
			t.Errorf("path %s", got)
		}

		// A draft nobody wants is discarded.
		v3 := okR(svc.StartDraft(mgr))
		if err := svc.Discard(viewer, v3.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("viewer discards: %v", err)
		}
		if err := svc.Discard(mgr, v3.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(viewer, v3.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("discarded draft: %v", err)
		}
		if all := okL(svc.Revisions(viewer)); len(all) != 3 {
			t.Errorf("%d revisions after discarding", len(all))
		}
	})
}

// must2 unwraps the (value, ok, error) getters.
func must2[T any](t *testing.T, f func(context.Context) (T, bool, error)) func(context.Context) (T, bool) {
	return func(ctx context.Context) (T, bool) {
		t.Helper()
		v, ok, err := f(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v, ok
	}
}

// The author of a revision never approves it, even when they also sit in
// the leadership group and someone else submitted it.
func TestAuthorNeverApproves(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.EmergencyPlan
		okR := mustOf[emergencyplan.Revision](t)

		dual := e.Actor(e.CreateUser("dual", e.Org, auth.RoleSecurityManager, auth.RoleLeadership), e.Org)
		mgr := e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
		admin := e.Actor(e.CreateUser("root", e.Org, auth.RoleAdmin), e.Org)
		d := okR(svc.StartDraft(dual))
		d = okR(svc.Submit(mgr, d.ID))
		err := decide(dual, e, d, true, "")
		if e := apperr.As(err); e == nil || e.Key != "err.approval_own" {
			t.Fatalf("author approves: %v", err)
		}
		// A platform admin may decide any approval but their own.
		if err := decide(admin, e, d, true, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// A second organisation sees and changes nothing of the first one's plan.
func TestPlanDoesNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.EmergencyPlan
		okR, okI, okL := mustOf[emergencyplan.Revision](t), mustOf[incident.Incident](t), mustOf[[]emergencyplan.Revision](t)
		mgrA := e.Actor(e.CreateUser("a-mgr", e.Org, auth.RoleSecurityManager), e.Org)
		incA := okI(e.App.Incidents.Create(mgrA, incident.Input{Title: "A 的事件", DiscoveredAt: e.Clock.Now()}))
		dA := okR(svc.StartDraft(mgrA, incA.ID))
		orgB := e.CreateOrg("客户B")
		mgrB := e.Actor(e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager), orgB)
		bossB := e.Actor(e.CreateUser("b-boss", orgB, auth.RoleLeadership), orgB)
		if _, err := svc.Get(mgrB, dA.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("B reads A's revision: %v", err)
		}
		if _, err := svc.Document(mgrB, dA.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("B exports A's revision: %v", err)
		}
		for name, err := range map[string]error{
			"save":    func() error { _, err := svc.SaveDraft(mgrB, dA.ID, input(dA)); return err }(),
			"submit":  func() error { _, err := svc.Submit(mgrB, dA.ID); return err }(),
			"discard": svc.Discard(mgrB, dA.ID),
		} {
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("B %s on A's revision: %v", name, err)
			}
		}
		if _, ok := must2(t, svc.Open)(mgrB); ok {
			t.Error("B sees A's open revision")
		}
		if list := okL(svc.RevisionsForIncident(mgrB, incA.ID)); len(list) != 0 {
			t.Errorf("B finds A's revisions by A's incident: %+v", list)
		}
		// B's own draft cannot cite A's incident, by id or number.
		dB := okR(svc.StartDraft(mgrB))
		in := input(dB)
		in.IncidentIDs, in.IncidentNumbers = []int64{incA.ID}, []string{incA.Number}
		if _, err := svc.SaveDraft(mgrB, dB.ID, in); fieldKeys(err)["incidents"] != "err.eplan_unknown_incident" {
			t.Fatalf("B cites A's incident: %v", err)
		}
		if _, err := svc.StartDraft(mgrB, incA.ID); err == nil {
			t.Fatal("B starts a draft citing A's incident")
		}
		// B's leadership cannot decide A's approval.
		dA = okR(svc.Submit(mgrA, dA.ID))
		if err := decide(bossB, e, dA, true, ""); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("B's leadership decides A's approval: %v", err)
		}
	})
}
