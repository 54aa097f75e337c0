package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func uploadYAML(c *servertest.Client, path string, data []byte) servertest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "playbooks.yaml")
	fw.Write(data)
	mw.Close()
	return c.Do("POST", path, mw.FormDataContentType(), &buf)
}

func stepForm(rows ...[5]string) url.Values {
	f := url.Values{}
	for _, r := range rows {
		f.Add("step_order", r[0])
		f.Add("step_phase", r[1])
		f.Add("step_title", r[2])
		f.Add("step_due", r[3])
		f.Add("step_role", r[4])
		f.Add("step_notes", "")
	}
	return f
}

// Playbooks in the UI: the list, the form with its errors beside the
// fields (nothing typed is lost), a changed default and going back, the
// export and the import with its preview.
func TestPlaybooksUI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.SessionClient(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
		viewer := e.SessionClient(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)

		page := lcWant(t, viewer.Get("/playbooks"), 200, "list", "网站、网页不恰当言论及网页篡改处置", "黑客攻击处置", "计算机病毒处置",
			"勒索软件处置", "数据泄露处置", "拒绝服务（DDoS）攻击处置", "MP-07", `href="/playbooks"`)
		if strings.Contains(page.Body, `id="playbook-new"`) {
			t.Error("viewer is offered a new playbook")
		}
		lcWant(t, mgr.Get("/playbooks"), 200, "manager's list", `id="playbook-new"`, `id="playbook-import"`)
		lcWant(t, viewer.Get("/playbooks/new"), 403, "viewer's form")
		lcWant(t, viewer.Get("/playbooks/ransomware"), 200, "show", "断网隔离受感染主机", "+15m", "应急响应工作组", "抑制")
		lcWant(t, viewer.Get("/playbooks/nope"), 404, "unknown")

		// A form with problems: each shows at its field, the rows as typed.
		f := stepForm([5]string{"10", "detection", "收集邮件样本", "soon", "responder"},
			[5]string{"x", "containment", "删除同批邮件", "2h", ""},
			[5]string{"30", "containment", "", "1h", ""},
			[5]string{"40", "containment", "", "", ""})
		f.Set("key", "Phishing!")
		f.Set("name_zh", "钓鱼邮件处置")
		f.Add("categories", "NA-02")
		res := lcWant(t, mgr.PostForm("/playbooks", f), 422, "bad form", "钓鱼邮件处置", "收集邮件样本", `value="soon"`, "删除同批邮件")
		for _, id := range []string{`id="key-error"`, `id="step-due-0-error"`, `id="step-title-2-error"`} {
			if !strings.Contains(res.Body, id) {
				t.Errorf("bad form lacks %s", id)
			}
		}
		if !strings.Contains(res.Body, "顺序须为非负整数") {
			t.Error("bad order number not shown")
		}
		f = stepForm([5]string{"10", "containment", "删除同批邮件", "2h", "system_admin"},
			[5]string{"5", "detection", "收集邮件样本", "90m", "responder"},
			[5]string{"", "containment", "", "", ""})
		f.Set("key", "phishing")
		f.Set("name_zh", "钓鱼邮件处置")
		f.Set("enabled", "1")
		f.Add("categories", "NA-02")
		res = mgr.PostForm("/playbooks", f)
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/playbooks/phishing") {
			t.Fatalf("create: %d %s\n%.1500s", res.StatusCode, res.Header.Get("Location"), res.Body)
		}
		show := lcWant(t, viewer.Get("/playbooks/phishing"), 200, "created", "收集邮件样本", "+1h30m", "本单位")
		if strings.Index(show.Body, "收集邮件样本") > strings.Index(show.Body, "删除同批邮件") {
			t.Error("steps not in phase order")
		}

		// Changing a default keeps a copy; going back restores it.
		lcWant(t, mgr.Get("/playbooks/virus/edit"), 200, "edit default", "保存修改后，本单位将使用自己的副本", "立即将感染主机从网络隔离")
		ed := stepForm([5]string{"10", "containment", "立即隔离感染主机", "10m", "responder"})
		ed.Set("name_zh", "病毒处置（本单位）")
		ed.Add("categories", "MP")
		ed.Set("enabled", "1")
		lcWant(t, mgr.PostForm("/playbooks/virus", ed), 303, "save default")
		lcWant(t, viewer.Get("/playbooks/virus"), 200, "customised", "病毒处置（本单位）", "已修改的默认", "立即隔离感染主机")
		lcWant(t, viewer.PostForm("/playbooks/virus", ed), 403, "viewer saves")
		lcWant(t, mgr.PostForm("/playbooks/virus/delete", nil), 303, "reset")
		lcWant(t, viewer.Get("/playbooks/virus"), 200, "reset", "计算机病毒处置", "立即将感染主机从网络隔离")
		lcWant(t, mgr.PostForm("/playbooks/hacking/delete", nil), 409, "delete default", "默认剧本不能删除")
		lcWant(t, mgr.PostForm("/playbooks/ddos/enabled", url.Values{"enabled": {"0"}}), 303, "disable")
		lcWant(t, viewer.Get("/playbooks/ddos"), 200, "disabled", `id="playbook-disabled"`)

		// Export and import into another organisation.
		exp := lcWant(t, viewer.Get("/playbooks/export.yaml"), 200, "export", "key: phishing", "version: 1")
		if !strings.Contains(exp.Header.Get("Content-Disposition"), "playbooks.yaml") {
			t.Errorf("export headers %v", exp.Header)
		}
		lcWant(t, viewer.Get("/playbooks/phishing/export.yaml"), 200, "export one", "key: phishing")
		orgB := e.CreateOrg("乙单位")
		mgrB := e.SessionClient(e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager), orgB)
		lcWant(t, mgrB.Get("/playbooks/import"), 200, "import form", `id="playbook-import-form"`)
		lcWant(t, uploadYAML(viewer, "/playbooks/import", []byte(exp.Body)), 403, "viewer imports")
		broken := strings.Replace(exp.Body, "title: 删除同批邮件", "title: ''", 1)
		lcWant(t, uploadYAML(mgrB, "/playbooks/import", []byte(broken)), 422, "broken import", "phishing", "抑制阶段第 1 步", "请填写此项")
		lcWant(t, uploadYAML(mgrB, "/playbooks/import", []byte("version: 1\nplaybooks:\n  - key: a1\n    owner: x\n")), 422,
			"unknown field", "owner")
		lcWant(t, uploadYAML(mgrB, "/playbooks/import", nil), 422, "empty file", "文件是空的")
		var nofile bytes.Buffer
		mw := multipart.NewWriter(&nofile)
		mw.WriteField("x", "1")
		mw.Close()
		lcWant(t, mgrB.Do("POST", "/playbooks/import", mw.FormDataContentType(), &nofile), 422, "no file", "请选择要导入的 .yaml 文件")
		pv := lcWant(t, uploadYAML(mgrB, "/playbooks/import", []byte(exp.Body)), 200, "preview", "新建", "替换现有", "无变化", `id="import-confirm"`)
		sum := pv.Body[strings.Index(pv.Body, `name="sha256" value="`)+len(`name="sha256" value="`):]
		sum = sum[:64]
		if strings.Contains(mgrB.Get("/playbooks").Body, "钓鱼邮件处置") {
			t.Fatal("the preview imported")
		}
		lcWant(t, mgrB.PostForm("/playbooks/import/confirm", url.Values{"sha256": {sum}}), 303, "confirm")
		lcWant(t, mgrB.Get("/playbooks"), 200, "imported", "钓鱼邮件处置")
		// A hash the organisation never uploaded is not found.
		lcWant(t, mgr.PostForm("/playbooks/import/confirm", url.Values{"sha256": {strings.Repeat("a", 64)}}), 404, "foreign hash")
	})
}

// The response page: playbooks suggested by category, applied into the
// phases, a second application refused with a message, tasks added with
// field errors, updated by their assignee.
func TestIncidentTasksUI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		respU := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgrU := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		viewerU := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		resp := e.SessionClient(respU, e.Org)
		mgr := e.SessionClient(mgrU, e.Org)
		viewer := e.SessionClient(viewerU, e.Org)
		// The responder is on duty, so steps for responders go to them.
		mctx := e.Actor(mgrU, e.Org)
		m, err := e.App.Emergency.CreateMember(mctx, emergency.Member{Group: emergency.GroupWorkingGroup, UserID: respU.ID, Name: "值班员"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Emergency.CreateShift(mctx, emergency.Shift{MemberID: m.ID, DutyRole: emergency.DutyStaff,
			StartsAt: e.Clock.Now().Add(-1e9), EndsAt: e.Clock.Now().Add(8 * 3600e9)}); err != nil {
			t.Fatal(err)
		}
		inc, err := e.App.Incidents.Create(e.Actor(respU, e.Org), incident.Input{Title: "门户网站被篡改", DiscoveredAt: e.Clock.Now(), Category: "NA-09"})
		if err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/incidents/%d", inc.ID)
		page := lcWant(t, resp.Get(base+"/response"), 200, "response", `id="phase-tasks"`, `id="suggest-web-content"`, `id="suggest-hacking"`,
			`id="apply-web-content"`, "暂无任务")
		if strings.Index(page.Body, `id="suggest-web-content"`) > strings.Index(page.Body, `id="suggest-hacking"`) {
			t.Error("the specific playbook is not first")
		}
		vp := lcWant(t, viewer.Get(base+"/response"), 200, "viewer's page", `id="suggest-web-content"`)
		if strings.Contains(vp.Body, `id="apply-web-content"`) || strings.Contains(vp.Body, `id="task-add-form"`) {
			t.Error("viewer is offered to apply or add")
		}
		lcWant(t, viewer.PostForm(base+"/playbooks", url.Values{"key": {"web-content"}}), 403, "viewer applies")
		res := resp.PostForm(base+"/playbooks", url.Values{"key": {"web-content"}})
		if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "#phase-tasks") {
			t.Fatalf("apply: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		page = lcWant(t, resp.Get(base+"/response"), 200, "applied", "留存不当信息的现场记录", "来自剧本：网站、网页不恰当言论及网页篡改处置",
			"建议：应急响应工作组", "已应用")
		if strings.Contains(page.Body, `id="apply-web-content"`) {
			t.Error("an applied playbook is offered again")
		}
		lcWant(t, resp.PostForm(base+"/playbooks", url.Values{"key": {"web-content"}}), 409, "apply twice", "不能重复应用", "resp")

		// Tasks the responder is on duty for are theirs: the list of my tasks shows them.
		// They name the incident and the phase, not the raw object type and group.
		page = lcWant(t, resp.Get("/tasks"), 200, "my tasks", "留存不当信息的现场记录", base+"/response", "安全事件 #", "检测")
		if strings.Contains(page.Body, ">detection<") || strings.Contains(page.Body, ">incident ") {
			t.Error("my tasks show raw object types or groups")
		}

		// Adding a task: errors beside the fields, the text kept.
		res = lcWant(t, mgr.PostForm(base+"/tasks", url.Values{"phase": {"recovery"}, "title": {" "}, "notes": {"通知业务部门"}, "due_at": {"明天"}}),
			422, "bad task", "通知业务部门", `id="task-title-error"`, `id="task-due-error"`)
		if strings.Contains(res.Body, `id="exec-notes"`) && strings.Contains(res.Body, `class="field invalid"><label for="exec-notes"`) {
			t.Error("the task's error marks the plan form")
		}
		lcWant(t, viewer.PostForm(base+"/tasks", url.Values{"phase": {"recovery"}, "title": {"x"}}), 403, "viewer adds")
		lcWant(t, mgr.PostForm(base+"/tasks", url.Values{"phase": {"recovery"}, "title": {"通知业务部门恢复"},
			"assignee_id": {fmt.Sprint(viewerU.ID)}, "due_at": {"2026-11-25T07:00"}}), 303, "add task")
		tasks, err := e.App.Playbooks.IncidentTasks(e.Actor(mgrU, e.Org), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var mine int64
		for _, tk := range tasks {
			if tk.Title == "通知业务部门恢复" {
				mine = tk.ID
			}
		}
		// The viewer, its assignee, sees the overdue flag and may update status and notes only.
		vp = lcWant(t, viewer.Get(base+"/response"), 200, "viewer's task", fmt.Sprintf(`id="task-edit-%d"`, mine), "已逾期")
		if strings.Contains(vp.Body, fmt.Sprintf(`id="edit-title-%d"`, mine)) {
			t.Error("the assignee is offered to rename")
		}
		edit := fmt.Sprintf("%s/tasks/%d", base, mine)
		lcWant(t, viewer.PostForm(edit, url.Values{"title": {"改名"}}), 403, "assignee renames")
		lcWant(t, viewer.PostForm(edit, url.Values{"status": {"done"}, "notes": {"已电话通知"}}), 303, "assignee updates")
		lcWant(t, mgr.PostForm(edit, url.Values{"title": {"通知业务部门恢复"}, "phase": {"recovery"}, "due_at": {"soon"},
			"status": {"done"}, "notes": {"改期"}}), 422, "bad due", fmt.Sprintf(`id="edit-due-%d-error"`, mine), "改期")
		lcWant(t, viewer.Get(base+"/response"), 200, "done", "已电话通知", "已完成")
		lcWant(t, mgr.PostForm(fmt.Sprintf("%s/tasks/%d", base, 999999), url.Values{"notes": {"x"}}), 404, "unknown task")

		// The timeline shows the application and the tasks' changes.
		lcWant(t, viewer.Get(base+"/timeline"), 200, "timeline", "应用处置剧本", "新建任务", "更新任务")
	})
}
