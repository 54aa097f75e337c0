package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/docx"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// draftForm is the draft form as a browser would post it for rev.
func draftForm(rev emergencyplan.Revision) url.Values {
	f := url.Values{"title": {rev.Title}, "summary": {rev.Summary}, "reason": {rev.Reason}, "chapters": {fmt.Sprint(len(rev.Chapters) + 1)}}
	for i, c := range rev.Chapters {
		f.Set(emergencyplan.ChapterField(i, "title"), c.Title)
		f.Set(emergencyplan.ChapterField(i, "body"), c.Body)
		f.Set(emergencyplan.ChapterField(i, "source"), c.Source)
		f.Set(emergencyplan.ChapterField(i, "position"), fmt.Sprint(i+1))
	}
	return f
}

func TestEmergencyPlanPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgrUser := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		mgr := e.SessionClient(mgrUser, e.Org)
		boss := e.SessionClient(e.CreateUser("boss", e.Org, auth.RoleLeadership), e.Org)
		viewer := e.SessionClient(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)

		emWant(t, viewer.Get("/emergency"), 200, "emergency page links the plan", `href="/emergency/plan"`)
		page := emWant(t, viewer.Get("/emergency/plan"), 200, "no plan yet", "尚未发布应急预案")
		if strings.Contains(page.Body, `id="plan-start"`) {
			t.Error("the viewer is offered to start the plan")
		}
		emWant(t, mgr.Get("/emergency/plan"), 200, "manager", `id="plan-start"`, "开始编制预案")
		res := emWant(t, mgr.PostForm("/emergency/plan/revisions", nil), 303, "start")
		edit := res.Header.Get("Location")
		if !strings.HasPrefix(edit, "/emergency/plan/revisions/") || !strings.Contains(edit, "/edit") {
			t.Fatalf("start redirects to %q", edit)
		}
		emWant(t, mgr.Get(strings.Split(edit, "?")[0]), 200, "draft form", "总则", "组织机构与职责", `name="chapters[3].source" value="organisation"`)
		open, ok, err := e.App.EmergencyPlan.Open(e.Actor(mgrUser, e.Org))
		if err != nil || !ok {
			t.Fatal(err)
		}
		// A refused save shows each message at its chapter and keeps the text.
		f := draftForm(open)
		f.Set("chapters[2].title", "")
		f.Set("chapters[2].body", "保留我写的内容")
		f.Set("incidents", "SJ-2099-0001")
		f.Set("effective_from", "下个月")
		emWant(t, mgr.PostForm(emergencyplan.Path(open.ID), f), 422, "bad draft", "请填写此项", "本单位没有事件 SJ-2099-0001",
			"日期格式应为", "保留我写的内容", `value="SJ-2099-0001"`)
		// A good save: a chapter removed, one added, two swapped.
		f = draftForm(open)
		f.Set("chapters[9].remove", "1")
		f.Set(emergencyplan.ChapterField(len(open.Chapters), "title"), "术语和定义")
		f.Set(emergencyplan.ChapterField(len(open.Chapters), "body"), "**事件**：……")
		f.Set("chapters[0].position", "2")
		f.Set("chapters[1].position", "1")
		emWant(t, mgr.PostForm(emergencyplan.Path(open.ID), f), 303, "save")
		rev := emWant(t, viewer.Get(emergencyplan.Path(open.ID)), 200, "revision page", "1. 适用范围", "2. 总则", "10. 术语和定义",
			"<strong>事件</strong>", "草案", "由应急组织的最新数据生成")
		if strings.Contains(rev.Body, "附则") || strings.Contains(rev.Body, `id="revision-submit"`) {
			t.Error("the removed chapter shows, or the viewer may submit")
		}
		emWant(t, mgr.PostForm(emergencyplan.Path(open.ID)+"/submit", nil), 303, "submit")
		emWant(t, mgr.Get(emergencyplan.Path(open.ID)+"/edit"), 303, "a submitted revision is not edited")
		box := emWant(t, boss.Get(emergencyplan.Path(open.ID)), 200, "leadership sees the approval", "待领导小组批准", "/approvals/")
		if !strings.Contains(box.Body, `id="approve-`) {
			t.Fatal("leadership is not offered the decision")
		}
		own := emWant(t, mgr.Get(emergencyplan.Path(open.ID)), 200, "author")
		if strings.Contains(own.Body, `id="approve-`) {
			t.Error("the author is offered to approve")
		}
		got, _ := e.App.EmergencyPlan.Get(e.Actor(mgrUser, e.Org), open.ID)
		emWant(t, boss.PostForm(fmt.Sprintf("/approvals/%d/decision", got.ApprovalID), url.Values{"decision": {"approve"}}), 303, "approve")
		emWant(t, viewer.Get("/emergency/plan"), 200, "plan in force", "V1.0", `id="plan-export-docx"`, "术语和定义", "boss")

		// Exports, as anyone of the organisation.
		d := viewer.Get(emergencyplan.Path(open.ID) + "/export?format=docx")
		if d.StatusCode != 200 || d.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
			!strings.Contains(d.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("docx export: %d %v", d.StatusCode, d.Header)
		}
		text, err := docx.Text(bytes.NewReader([]byte(d.Body)), int64(len(d.Body)))
		if err != nil || !strings.Contains(text, "第十章 术语和定义") || !strings.Contains(text, "附件1 应急处置组织架构") {
			t.Fatalf("docx export text (%v):\n%s", err, text)
		}
		h := emWant(t, viewer.Get(emergencyplan.Path(open.ID)+"/export?format=html"), 200, "html export", "<figure><svg", "文件制修订记录")
		if csp := h.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "script") {
			t.Errorf("html export CSP %q", csp)
		}
		emWant(t, viewer.Get(emergencyplan.Path(open.ID)+"/export?format=pdf"), 422, "unknown format")
		// The next revision starts from V1.0.
		res = emWant(t, mgr.PostForm("/emergency/plan/revisions", nil), 303, "next revision")
		emWant(t, mgr.Get(strings.Split(res.Header.Get("Location"), "?")[0]), 200, "V1.1 form", "V1.1", "术语和定义")
	})
}
