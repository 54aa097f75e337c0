package incidentreport_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/evidence"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/servertest"
	"bulwark/internal/task"
)

// world is an incident handled from report to closure, with something in
// every section of its report, and the people who handled it.
type world struct {
	e                         *servertest.Env
	resp, mgr, leader, viewer context.Context
	itMgr, auditor            context.Context
	respU, mgrU, leaderU      account.User
	inc                       incident.Incident
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// step moves the fake clock, so every record has its own minute.
func (w *world) step() { w.e.Clock.Advance(time.Minute) }

func seed(t testing.TB, e *servertest.Env) *world {
	t.Helper()
	w := &world{e: e}
	w.respU = e.CreateUser("zhangsan", e.Org, auth.RoleResponder)
	w.mgrU = e.CreateUser("lisi", e.Org, auth.RoleSecurityManager)
	w.leaderU = e.CreateUser("wangwu", e.Org, auth.RoleLeadership)
	w.resp, w.mgr, w.leader = e.Actor(w.respU, e.Org), e.Actor(w.mgrU, e.Org), e.Actor(w.leaderU, e.Org)
	w.viewer = e.Actor(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)
	w.itMgr = e.Actor(e.CreateUser("itmgr", e.Org, auth.RoleITManager), e.Org)
	w.auditor = e.Actor(e.CreateUser("auditor", e.Org, auth.RoleAuditor), e.Org)

	a, err := e.App.Assets.Create(w.mgr, asset.Asset{Number: "ZC-0001", Name: "门户网站服务器", Type: asset.TypeServer, C: 3, I: 4, A: 4})
	must(t, err)
	l, ev, r := e.App.Lifecycle, e.App.Evidence, e.App.Reviews
	w.inc, err = e.App.Incidents.Create(w.resp, incident.Input{Title: "门户网站首页被篡改 <b>&",
		Description: "09:00 监控发现门户首页出现非法内容。\nHome page defaced.", DiscoveredAt: e.Clock.Now().Add(-30 * time.Minute),
		Source: incident.SourceMonitoring, AssetIDs: []int64{a.ID}, BusinessSystems: []string{"门户网站", "信息公开"},
		Category: "NA-09"})
	must(t, err)
	id := w.inc.ID
	w.step()
	_, _, err = e.App.Incidents.Grade(w.mgr, id, incident.GradeInput{Factors: incident.Factors{Importance: incident.ImportanceImportant,
		Loss: incident.LossRelatively, Impact: incident.ImpactGeneral}, Figures: map[string]int64{"homepage_defaced": 60}})
	must(t, err)
	w.step()
	_, err = e.App.Incidents.MarkReported(w.mgr, id, time.Time{})
	must(t, err)
	w.step()
	_, err = l.AddEntry(w.resp, id, incident.EntryInput{Kind: incident.EntryManual, Body: "电话通知网信办值班室", HappenedAt: e.Clock.Now().Add(-10 * time.Minute)})
	must(t, err)

	// Evidence, IOCs, intel.
	f, err := ev.Save(w.resp, id, e.Cfg.Data, 1<<20, "access.log", strings.NewReader("10.0.0.8 - - POST /upload.php\n"))
	must(t, err)
	at := e.Clock.Now().Add(-5 * time.Minute)
	_, err = ev.Add(w.resp, id, f, evidence.Meta{Description: "Web 访问日志", CollectedBy: "张三", CollectedAt: &at, CollectedFrom: "web-01:/var/log/nginx"})
	must(t, err)
	_, err = ev.AddIOC(w.resp, id, evidence.IOCInput{Type: "ip", Value: "203.0.113.7", Description: "上传 webshell 的来源地址"})
	must(t, err)
	_, err = ev.AddIOC(w.resp, id, evidence.IOCInput{Type: "hash", Value: strings.Repeat("ab", 32), Description: "webshell"})
	must(t, err)
	_, err = ev.AddNote(w.resp, id, "攻击者利用插件上传漏洞", "T1190, T1505.003")
	must(t, err)

	// The plan phases, each plan approved by the security manager.
	w.step()
	_, err = l.Transition(w.resp, id, incident.PhaseContainment, "")
	must(t, err)
	_, err = e.App.Tasks.Add(w.resp, task.Task{ObjectType: "incident", ObjectID: strconv.FormatInt(id, 10), Group: string(incident.PhaseContainment),
		Title: "断开门户服务器外网", AssigneeID: w.respU.ID, DueAt: e.Clock.Now().Add(time.Hour)})
	must(t, err)
	names := map[incident.Phase]string{incident.PhaseContainment: "断开外网", incident.PhaseEradication: "清除 webshell", incident.PhaseRecovery: "恢复首页"}
	cur := incident.PhaseContainment
	for _, next := range []incident.Phase{incident.PhaseEradication, incident.PhaseRecovery, incident.PhaseSummary} {
		w.step()
		p, err := l.Draft(w.resp, id, incident.PlanInput{Measures: names[cur], Scope: "门户网站", Risks: "短暂中断", Resources: "系统组"})
		must(t, err)
		p, err = l.Submit(w.resp, id, p.ID)
		must(t, err)
		w.step()
		_, err = e.App.Approvals.Decide(w.mgr, p.ApprovalID, true, "同意")
		must(t, err)
		w.step()
		_, err = l.Executed(w.resp, id, p.ID, "已执行")
		must(t, err)
		_, err = l.Judge(w.mgr, id, p.ID, incident.EffectEffective, "无复发")
		must(t, err)
		_, err = l.Transition(w.resp, id, next, "")
		must(t, err)
		cur = next
	}

	// The review, CAPA and recommendations.
	w.step()
	held := e.Clock.Now().Add(-time.Minute)
	_, err = r.SaveReview(w.resp, id, postincident.ReviewInput{HeldAt: &held, Place: "三楼会议室", AttendeeIDs: []int64{w.respU.ID, w.mgrU.ID},
		AttendeeNames: []string{"厂商 王工"}, Minutes: "复盘处置过程", RootCause: "CMS 插件存在任意文件上传漏洞",
		Impact: "门户首页被篡改 2 小时，未发现数据泄露", Lessons: "插件上线前须经安全测试",
		PlanRevisionNeeded: true, PlanRevisionNotes: "补充网页篡改处置步骤"})
	must(t, err)
	c1, err := r.AddCAPA(w.resp, id, postincident.CAPAInput{Kind: postincident.KindCorrective, Description: "升级插件并禁止上传目录执行脚本",
		OwnerID: w.mgrU.ID, DueAt: e.Clock.Now().Add(7 * 24 * time.Hour)})
	must(t, err)
	_, err = r.AddCAPA(w.resp, id, postincident.CAPAInput{Kind: postincident.KindPreventive, Description: "发布流程增加安全测试",
		OwnerID: w.respU.ID, DueAt: e.Clock.Now().Add(30 * 24 * time.Hour)})
	must(t, err)
	set, err := r.SubmitCAPAs(w.resp, id)
	must(t, err)
	w.step()
	_, err = e.App.Approvals.Decide(w.leader, set.ID, true, "同意整改")
	must(t, err)
	_, err = r.Progress(w.mgr, id, c1.ID, postincident.CAPADone, "插件已升级")
	must(t, err)
	_, err = r.Verify(w.leader, id, c1.ID, true, "复测通过")
	must(t, err)
	x, err := r.ProposeSanction(w.mgr, id, postincident.SanctionInput{Kind: postincident.SanctionReward, PersonID: w.respU.ID,
		Reason: "十分钟内隔离服务器", Measure: "通报表扬"})
	must(t, err)
	_, err = e.App.Approvals.Decide(w.leader, x.ApprovalID, true, "")
	must(t, err)
	y, err := r.ProposeSanction(w.resp, id, postincident.SanctionInput{Kind: postincident.SanctionPenalty, PersonName: "外包运维 李某",
		Reason: "未及时更新插件"})
	must(t, err)
	_, err = e.App.Approvals.Decide(w.leader, y.ApprovalID, false, "更新职责不在外包方")
	must(t, err)
	// The review asks for the plan to be revised: a draft revision names
	// the incident.
	_, err = e.App.EmergencyPlan.ReviseFor(w.mgr, id)
	must(t, err)
	w.step()
	_, err = l.Transition(w.mgr, id, incident.PhaseClosed, "总结完成")
	must(t, err)
	w.inc, err = e.App.Incidents.Get(w.resp, id)
	must(t, err)
	w.step()
	return w
}
