package incident_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/deadline"
	"bulwark/internal/incident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// deadlines returns the incident's deadline rows by kind.
func (x *esc) deadlines(id int64) map[string]deadline.Deadline {
	x.t.Helper()
	ds, err := x.e.App.Escalation.ReportDeadlines(x.viewer, id)
	x.must(err)
	out := map[string]deadline.Deadline{}
	for _, d := range ds {
		out[d.Kind] = d
	}
	return out
}

func basicFields() map[string]string {
	return map[string]string{"unit_name": "某某公司", "facility": "门户网站", "discovered_at": "2026-11-25 16:00",
		"event_type": "网络攻击事件—网页篡改事件", "event_grade": "较大事件（Ⅲ级）"}
}

func completeFields() map[string]string {
	f := basicFields()
	f["impact"] = "首页被篡改约 40 分钟"
	f["measures"] = "已下线首页并恢复备份，效果良好"
	return f
}

// The deadline table follows the incident in the same transactions: the
// first report from grading (moved with the discovery time, cleared below
// III), a supplementary report after a partial first report, the summary
// from the end of handling (cleared on reopening), each met by its report.
// The incident's own columns stay the record of what it owes.
func TestReportDeadlinesFollowTheIncident(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		esc := x.e.App.Escalation
		t0 := x.e.Clock.Now().UTC().Truncate(time.Microsecond)
		i := x.create("门户首页被篡改", 0)
		if ds := x.deadlines(i.ID); len(ds) != 0 {
			t.Fatalf("ungraded incident has deadlines: %+v", ds)
		}
		i = x.regrade(x.mgr, i.ID, incident.GradeIII, "影响门户")
		d := x.deadlines(i.ID)[incident.DeadlineFirst]
		if !d.DueAt.Equal(t0.Add(4*time.Hour)) || !d.StartAt.Equal(t0) || !i.ReportDueAt.Equal(d.DueAt) {
			t.Fatalf("first report deadline %+v, incident due %v", d, i.ReportDueAt)
		}
		// A corrected discovery time moves it.
		in := incident.Input{Title: i.Title, DiscoveredAt: t0.Add(-time.Hour), Category: i.Category}
		i, err := x.e.App.Incidents.Update(x.resp, i.ID, in)
		x.must(err)
		if d = x.deadlines(i.ID)[incident.DeadlineFirst]; !d.DueAt.Equal(t0.Add(3*time.Hour)) || !d.DueAt.Equal(*i.ReportDueAt) {
			t.Errorf("after moving discovery: %+v", d)
		}
		// Below III nothing is reported; back to III it is due again.
		x.regrade(x.mgr, i.ID, incident.GradeIV, "误报")
		if ds := x.deadlines(i.ID); len(ds) != 0 {
			t.Errorf("grade IV keeps deadlines: %+v", ds)
		}
		i = x.regrade(x.mgr, i.ID, incident.GradeIII, "复核")
		// A partial first report meets it and asks for a supplement.
		sent := t0.Add(30 * time.Minute)
		x.e.Clock.Advance(time.Hour)
		r, err := esc.Submit(x.resp, i.ID, incident.ReportInput{Kind: incident.ReportFirst, Recipient: "省网信办", SentAt: sent,
			Partial: true, Fields: basicFields()})
		x.must(err)
		ds := x.deadlines(i.ID)
		if !ds[incident.DeadlineFirst].MetAt.Equal(sent) || r.FollowupDueAt == nil || !r.FollowupDueAt.Equal(sent.Add(incident.DefaultFollowup)) ||
			!ds[incident.DeadlineFollowup].DueAt.Equal(sent.Add(24*time.Hour)) || !ds[incident.DeadlineFollowup].MetAt.IsZero() {
			t.Errorf("after a partial first report: %+v, report %+v", ds, r)
		}
		if got, _ := x.e.App.Incidents.Get(x.viewer, i.ID); got.ReportedAt == nil || !got.ReportedAt.Equal(sent) {
			t.Errorf("incident reported at %v, want %v", got.ReportedAt, sent)
		}
		// The supplementary report meets it.
		_, err = esc.Submit(x.resp, i.ID, incident.ReportInput{Kind: incident.ReportSupplementary, Recipient: "省网信办", Fields: completeFields()})
		x.must(err)
		if f := x.deadlines(i.ID)[incident.DeadlineFollowup]; !f.MetAt.Equal(x.e.Clock.Now().UTC().Truncate(time.Microsecond)) {
			t.Errorf("supplementary deadline after the report: %+v", f)
		}
		// Handling ends (leadership closes it out), the summary is due in
		// 30 days; reopening clears it; ending again sets it anew.
		l := x.e.App.Lifecycle
		_, err = l.Exception(x.leader, i.ID, incident.PhaseClosed, "处置完毕")
		x.must(err)
		end := x.e.Clock.Now().UTC().Truncate(time.Microsecond)
		if s := x.deadlines(i.ID)[incident.DeadlineSummary]; !s.DueAt.Equal(end.Add(incident.SummaryWindow)) || !s.StartAt.Equal(end) {
			t.Errorf("summary deadline: %+v", s)
		}
		x.e.Clock.Advance(time.Hour)
		_, err = l.Reopen(x.resp, i.ID, "发现残留后门")
		x.must(err)
		if _, ok := x.deadlines(i.ID)[incident.DeadlineSummary]; ok {
			t.Error("reopening kept the summary deadline")
		}
		_, err = l.Exception(x.leader, i.ID, incident.PhaseSummary, "后门已清除")
		x.must(err)
		end = x.e.Clock.Now().UTC().Truncate(time.Microsecond)
		if s := x.deadlines(i.ID)[incident.DeadlineSummary]; !s.DueAt.Equal(end.Add(incident.SummaryWindow)) {
			t.Errorf("summary deadline after the second end: %+v", s)
		}
		summary := completeFields()
		summary["handling"] = "抑制、根除、恢复均已完成"
		_, err = esc.Submit(x.resp, i.ID, incident.ReportInput{Kind: incident.ReportSummary, Recipient: "省网信办", Fields: summary})
		x.must(err)
		got, _ := x.e.App.Incidents.Get(x.viewer, i.ID)
		if s := x.deadlines(i.ID)[incident.DeadlineSummary]; s.MetAt.IsZero() || got.SummaryReportedAt == nil || !got.SummaryReportedAt.Equal(s.MetAt) {
			t.Errorf("summary met %+v, incident %v", s, got.SummaryReportedAt)
		}
	})
}

// The scanner announces the incident's deadlines from the table, once,
// whatever restarts happen in between.
func TestReportDeadlinesAnnouncedOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		i := x.create("勒索软件", incident.GradeII)
		near, overdue := x.e.App.DeadlineHooks()
		scan := func(after time.Duration) deadline.Result {
			s := &deadline.Scanner{DB: db, Clock: x.e.Clock, OnNear: near, OnOverdue: overdue}
			res, err := s.ScanOnce(x.e.System(x.e.Org), i.DiscoveredAt.Add(after))
			x.must(err)
			return res
		}
		for _, st := range []struct {
			at         time.Duration
			near, over int
		}{{time.Hour, 0, 0}, {3 * time.Hour, 1, 0}, {3*time.Hour + time.Minute, 0, 0}, {5 * time.Hour, 0, 1}, {6 * time.Hour, 0, 0}} {
			if res := scan(st.at); res.Near != st.near || res.Overdue != st.over {
				t.Errorf("scan at +%v: %+v, want near %d overdue %d", st.at, res, st.near, st.over)
			}
		}
		ev, ok, err := x.e.App.Escalation.DeadlineEvent(x.e.System(x.e.Org), nil, deadline.Deadline{ObjectType: "asset", ObjectID: "1"}, true)
		if ok || err != nil || ev.Kind != "" {
			t.Errorf("an asset's deadline described as an incident's: %+v %v %v", ev, ok, err)
		}
	})
}

// What a report may be: the items of its kind, required ones filled (the
// first two items only in a partial first report), choices and lengths
// kept, sent not in the future nor before discovery; and when: one first
// report while one is due, supplements after it, the summary once handling
// ended. Every refusal names the field or says what is wrong; nothing
// partial is recorded.
func TestRegulatorReportRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		esc := x.e.App.Escalation
		i := x.create("门户首页被篡改", incident.GradeIII)
		iv := x.create("误报", incident.GradeIV)
		now := x.e.Clock.Now()
		with := func(f map[string]string, kv ...string) map[string]string {
			out := map[string]string{}
			for k, v := range f {
				out[k] = v
			}
			for n := 0; n+1 < len(kv); n += 2 {
				out[kv[n]] = kv[n+1]
			}
			return out
		}
		for _, tc := range []struct {
			name  string
			in    incident.ReportInput
			field string
			key   string
		}{
			{"unknown kind", incident.ReportInput{Kind: "interim", Recipient: "x", Fields: completeFields()}, "kind", "err.invalid_choice"},
			{"no recipient", incident.ReportInput{Kind: "first", Fields: completeFields()}, "recipient", "err.required"},
			{"sent in the future", incident.ReportInput{Kind: "first", Recipient: "x", SentAt: now.Add(time.Hour), Fields: completeFields()}, "sent_at", "err.incident_reported_future"},
			{"sent before discovery", incident.ReportInput{Kind: "first", Recipient: "x", SentAt: now.Add(-time.Hour), Fields: completeFields()}, "sent_at", "err.regulator_sent_before_discovery"},
			{"complete report without impact", incident.ReportInput{Kind: "first", Recipient: "x", Fields: basicFields()}, "fields.impact", "err.required"},
			{"partial without the unit", incident.ReportInput{Kind: "first", Recipient: "x", Partial: true, Fields: with(basicFields(), "unit_name", " ")}, "fields.unit_name", "err.required"},
			{"partial supplement", incident.ReportInput{Kind: "supplementary", Recipient: "x", Partial: true, Fields: completeFields()}, "partial", "err.regulator_partial_first_only"},
			{"follow-up before sending", incident.ReportInput{Kind: "first", Recipient: "x", Partial: true, FollowupDueAt: now.Add(-time.Minute), Fields: basicFields()}, "followup_due_at", "err.regulator_followup_before"},
			{"follow-up a year on", incident.ReportInput{Kind: "first", Recipient: "x", Partial: true, FollowupDueAt: now.Add(365 * 24 * time.Hour), Fields: basicFields()}, "followup_due_at", "err.regulator_followup_far"},
			{"unknown item", incident.ReportInput{Kind: "first", Recipient: "x", Fields: with(completeFields(), "mood", "焦虑")}, "fields.mood", "err.regulator_field_unknown"},
			{"summary item in a first report", incident.ReportInput{Kind: "first", Recipient: "x", Fields: with(completeFields(), "handling", "x")}, "fields.handling", "err.regulator_field_summary_only"},
			{"not a choice", incident.ReportInput{Kind: "first", Recipient: "x", Fields: with(completeFields(), "crime_suspected", "maybe")}, "fields.crime_suspected", "err.invalid_choice"},
			{"too long", incident.ReportInput{Kind: "first", Recipient: "x", Fields: with(completeFields(), "unit_name", strings.Repeat("长", 201))}, "fields.unit_name", "err.too_long"},
		} {
			_, err := esc.Submit(x.resp, i.ID, tc.in)
			if got := fieldKey(err, tc.field); got != tc.key {
				t.Errorf("%s: %s = %q, want %q (%v)", tc.name, tc.field, got, tc.key, err)
			}
		}
		for _, tc := range []struct {
			name string
			id   int64
			in   incident.ReportInput
			key  string
		}{
			{"first report of grade IV", iv.ID, incident.ReportInput{Kind: "first", Recipient: "x", Fields: completeFields()}, "err.incident_no_report_due"},
			{"supplement before the first", i.ID, incident.ReportInput{Kind: "supplementary", Recipient: "x", Fields: completeFields()}, "err.regulator_first_missing"},
			{"summary before handling ended", i.ID, incident.ReportInput{Kind: "summary", Recipient: "x", Fields: completeFields()}, "err.regulator_no_summary_due"},
		} {
			_, err := esc.Submit(x.resp, tc.id, tc.in)
			refused(t, tc.name, err, apperr.Conflict, tc.key)
		}
		_, err := esc.Submit(x.viewer, i.ID, incident.ReportInput{Kind: "first", Recipient: "x", Fields: completeFields()})
		refused(t, "viewer reports", err, apperr.Forbidden, "")
		if list, _ := esc.Reports(x.viewer, i.ID); len(list) != 0 {
			t.Fatalf("refused reports were recorded: %+v", list)
		}

		// A first report, then a correction: the first stays as it was sent.
		first, err := esc.Submit(x.resp, i.ID, incident.ReportInput{Kind: "first", Recipient: " 省网信办 ", SentAt: now,
			Fields: with(completeFields(), "crime_suspected", "yes", "trend", " ")})
		x.must(err)
		if first.Seq != 1 || first.Recipient != "省网信办" || first.Fields["crime_suspected"] != "yes" || first.Partial || first.Via != incident.ViaForm ||
			first.SubmittedByName != "resp" || first.FollowupDueAt != nil {
			t.Errorf("first report: %+v", first)
		}
		if _, ok := first.Fields["trend"]; ok {
			t.Error("an empty item was stored")
		}
		_, err = esc.Submit(x.resp, i.ID, incident.ReportInput{Kind: "first", Recipient: "x", Fields: completeFields()})
		refused(t, "second first report", err, apperr.Conflict, "err.incident_already_reported")
		fix := with(completeFields(), "impact", "首页被篡改约 55 分钟（更正）")
		supp, err := esc.Submit(x.resp, i.ID, incident.ReportInput{Kind: "supplementary", Recipient: "省网信办", Fields: fix})
		x.must(err)
		_, again, err := esc.Report(x.viewer, i.ID, first.ID)
		x.must(err)
		if supp.Seq != 2 || again.Fields["impact"] != "首页被篡改约 40 分钟" {
			t.Errorf("supplement %d; the first report now says %q", supp.Seq, again.Fields["impact"])
		}
		var n int
		x.must(db.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'incident.regulator_report' AND object_id = $1`,
			strconv.FormatInt(i.ID, 10)).Scan(&n))
		if n != 2 {
			t.Errorf("%d report audit records, want 2", n)
		}
		// A report id is is not found through another incident.
		if _, _, err := esc.Report(x.viewer, iv.ID, first.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("report through another incident: %v", err)
		}
	})
}

// The shortcut (POST .../reported, the old button) records a first report
// too: its time, who, and the incident's basic items as they stood.
func TestMarkReportedIsAReport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		i := x.create("门户首页被篡改", incident.GradeIII)
		at := x.e.Clock.Now().Add(20 * time.Minute).UTC().Truncate(time.Microsecond)
		x.e.Clock.Advance(time.Hour)
		got, err := x.e.App.Incidents.MarkReported(x.resp, i.ID, at)
		x.must(err)
		list, err := x.e.App.Escalation.Reports(x.viewer, i.ID)
		x.must(err)
		if got.ReportedAt == nil || !got.ReportedAt.Equal(at) || len(list) != 1 || list[0].Via != incident.ViaShortcut ||
			list[0].Kind != incident.ReportFirst || !list[0].SentAt.Equal(at) || list[0].Fields["unit_name"] == "" || list[0].Fields["impact"] != "" {
			t.Fatalf("shortcut: %+v %+v", got.ReportedAt, list)
		}
		if d := x.deadlines(i.ID)[incident.DeadlineFirst]; !d.MetAt.Equal(at) {
			t.Errorf("first report deadline after the shortcut: %+v", d)
		}
		// Reading the report as a document is a download, recorded on the
		// incident's trail with who read which report.
		if _, _, _, err := x.e.App.Escalation.Document(x.viewer, i.ID, list[0].ID, "zh-CN"); err != nil {
			t.Fatal(err)
		}
		var n int
		x.must(db.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'incident.regulator_report_download'
			AND object_id = $1 AND actor = 'viewer'`, fmt.Sprint(i.ID)).Scan(&n))
		if n != 1 {
			t.Errorf("%d download records, want 1", n)
		}
	})
}

// A report starts prefilled from the incident: the unit, the affected
// assets and systems, the discovery time, category and grade, the grading
// figures, the plans carried out, the recipient by the organisation's type;
// a supplement starts from the latest report.
func TestPrefill(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		esc := x.e.App.Escalation
		a, err := x.e.App.Assets.Create(x.mgr, asset.Asset{Name: "门户网站服务器", Type: asset.TypeServer, C: 5, I: 5, A: 5})
		x.must(err)
		i, err := x.e.App.Incidents.Create(x.resp, incident.Input{Title: "门户首页被篡改", DiscoveredAt: x.e.Clock.Now(), Category: "NA-09",
			AssetIDs: []int64{a.ID}, BusinessSystems: []string{"门户网站", "信息公开"}})
		x.must(err)
		f := incident.Factors{Importance: incident.ImportanceGeneral, Loss: incident.LossMinor, Impact: incident.ImpactGeneral}
		_, _, err = x.e.App.Incidents.Grade(x.mgr, i.ID, incident.GradeInput{Factors: f, Figures: map[string]int64{"homepage_defaced": 40}, Grade: 3, Reason: "首页被篡改 40 分钟"})
		x.must(err)
		in, err := esc.Prefill(x.resp, i.ID, incident.ReportFirst)
		x.must(err)
		want := map[string]string{"unit_name": "本单位", "event_type": "网络攻击事件—网页篡改事件", "event_grade": "较大事件（Ⅲ级）",
			"discovered_at": x.e.Clock.Now().In(time.UTC).Format("2006-01-02 15:04")}
		for k, v := range want {
			if in.Fields[k] != v {
				t.Errorf("prefilled %s = %q, want %q", k, in.Fields[k], v)
			}
		}
		if !strings.Contains(in.Fields["facility"], a.Number+" 门户网站服务器") || !strings.Contains(in.Fields["facility"], "业务系统：门户网站、信息公开") ||
			!strings.Contains(in.Fields["impact"], "首页被篡改或出现违法信息时长：40 分钟") || in.Recipient != "属地省级网信部门" {
			t.Errorf("prefilled %+v", in)
		}
		_, err = esc.Prefill(x.resp, i.ID, "interim")
		if fieldKey(err, "kind") != "err.invalid_choice" {
			t.Errorf("prefill of no kind: %v", err)
		}
		in.Fields["impact"] = "首页被篡改 40 分钟，已恢复"
		in.Fields["cause"] = "CMS 弱口令"
		if in.Fields["measures"] != "" {
			t.Errorf("measures prefilled without any plan: %q", in.Fields["measures"])
		}
		in.Fields["measures"] = "下线首页，恢复备份"
		_, err = esc.Submit(x.resp, i.ID, in)
		x.must(err)
		// The containment plan carried out becomes the measures taken.
		l := x.e.App.Lifecycle
		_, err = l.Transition(x.resp, i.ID, incident.PhaseContainment, "")
		x.must(err)
		p, err := l.Draft(x.resp, i.ID, incident.PlanInput{Measures: "断开门户服务器外网"})
		x.must(err)
		p, err = l.Submit(x.resp, i.ID, p.ID)
		x.must(err)
		_, err = x.e.App.Approvals.Decide(x.mgr, p.ApprovalID, true, "")
		x.must(err)
		_, err = l.Executed(x.resp, i.ID, p.ID, "已断开")
		x.must(err)
		_, err = l.Judge(x.resp, i.ID, p.ID, incident.EffectEffective, "篡改页面不再可访问")
		x.must(err)
		sup, err := esc.Prefill(x.resp, i.ID, incident.ReportSupplementary)
		x.must(err)
		if sup.Fields["impact"] != "首页被篡改 40 分钟，已恢复" || sup.Fields["cause"] != "CMS 弱口令" || sup.Fields["event_grade"] != "较大事件（Ⅲ级）" ||
			sup.Fields["measures"] != "抑制阶段：断开门户服务器外网（已判定）；效果：有效，篡改页面不再可访问" {
			t.Errorf("supplement prefill: %+v", sup.Fields)
		}
	})
}
