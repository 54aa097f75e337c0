package playbook_test

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/i18n"
	"bulwark/internal/incident"
	"bulwark/internal/playbook"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/task"
)

// bed is a test organisation with the people who use playbooks.
type bed struct {
	t                            *testing.T
	e                            *servertest.Env
	svc                          *playbook.Service
	mgr, resp, viewer            context.Context
	sysAdmin                     context.Context
	respID, sysAdminID, viewerID int64
}

func newBed(t *testing.T, db *store.DB) *bed {
	e := servertest.NewOn(t, db)
	resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
	sa := e.CreateUser("sa", e.Org, auth.RoleSystemAdmin)
	viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
	return &bed{t: t, e: e, svc: e.App.Playbooks, viewerID: viewer.ID,
		mgr:      e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org),
		resp:     e.Actor(resp, e.Org),
		viewer:   e.Actor(viewer, e.Org),
		sysAdmin: e.Actor(sa, e.Org), respID: resp.ID, sysAdminID: sa.ID,
	}
}

func (b *bed) must(err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

func refused(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || (key != "" && ae.Key != key) {
		t.Errorf("%s: got %v, want %s %s", what, err, code, key)
	}
}

func fieldsOf(err error) []string {
	var out []string
	for _, f := range apperr.As(err).Fields {
		out = append(out, f.Field+" "+f.Key)
	}
	return out
}

func keys(ps []playbook.Playbook) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key+":"+string(p.Source))
	}
	return out
}

func own() playbook.Playbook {
	return playbook.Playbook{Key: "phishing", NameZh: "钓鱼邮件处置", Categories: []string{"na-02"}, Enabled: true,
		Steps: []playbook.Step{
			{Phase: incident.PhaseSummary, Title: "总结", Due: "7d"},
			{Phase: incident.PhaseDetection, Title: "收集样本", Due: "90m", Role: auth.RoleResponder},
			{Phase: incident.PhaseContainment, Title: "删除同批邮件", Notes: "全员邮箱检索"},
		}}
}

// Defaults, an organisation's own playbook, a changed default (its own
// copy), disabling, resetting, and who may do what.
func TestPlaybooksCopyOnWrite(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		s := b.svc
		list, err := s.List(b.viewer)
		b.must(err)
		if got := keys(list); !reflect.DeepEqual(got, []string{"web-content:default", "hacking:default", "virus:default",
			"ransomware:default", "data-leak:default", "ddos:default"}) {
			t.Fatalf("defaults %v", got)
		}
		_, err = s.Create(b.resp, own())
		refused(t, "responder creates", err, apperr.Forbidden, "")
		_, err = s.Create(b.viewer, own())
		refused(t, "viewer creates", err, apperr.Forbidden, "")

		bad := own()
		bad.Key, bad.Categories = "Bad Key", []string{"ZZ-99", "NA"}
		bad.Steps[0].Title, bad.Steps[1].Due, bad.Steps[2].Phase = "", "tomorrow", "closed"
		_, err = s.Create(b.mgr, bad)
		if got := fieldsOf(err); !reflect.DeepEqual(got, []string{"key err.playbook_key", "categories err.playbook_category_unknown",
			"steps.0.title err.required", "steps.1.due err.playbook_due", "steps.2.phase err.invalid_choice"}) {
			t.Errorf("field errors %v", got)
		}
		dup := own()
		dup.Key = "virus"
		_, err = s.Create(b.mgr, dup)
		if got := fieldsOf(err); !reflect.DeepEqual(got, []string{"key err.duplicate"}) {
			t.Errorf("default's key: %v", got)
		}

		p, err := s.Create(b.mgr, own())
		b.must(err)
		if p.Source != playbook.SourceCustom || p.Categories[0] != "NA-02" || p.Steps[0].Phase != incident.PhaseDetection ||
			p.Steps[0].Due != "1h30m" || p.Steps[2].Phase != incident.PhaseSummary {
			t.Errorf("created %+v", p)
		}
		_, err = s.Create(b.mgr, own())
		refused(t, "same key twice", err, apperr.Invalid, "")

		// Changing a default keeps a copy; the default stays as shipped.
		v, err := s.Get(b.mgr, "virus")
		b.must(err)
		v.NameZh = "病毒处置（本单位）"
		v.Steps = append(v.Steps, playbook.Step{Phase: incident.PhaseRecovery, Title: "通知用户恢复使用", Due: "2d"})
		v, err = s.Update(b.mgr, "virus", v)
		b.must(err)
		if v.Source != playbook.SourceCustomised || v.NameZh != "病毒处置（本单位）" {
			t.Errorf("customised %+v", v)
		}
		got, err := s.Get(b.viewer, "virus")
		b.must(err)
		if got.NameZh != "病毒处置（本单位）" || len(got.Steps) != len(playbook.Defaults()[2].Steps)+1 {
			t.Errorf("stored copy %+v", got)
		}
		_, err = s.SetEnabled(b.mgr, "ddos", false)
		b.must(err)
		list, _ = s.List(b.viewer)
		if got := keys(list); !reflect.DeepEqual(got, []string{"web-content:default", "hacking:default", "virus:customised",
			"ransomware:default", "data-leak:default", "ddos:customised", "phishing:custom"}) {
			t.Errorf("list %v", got)
		}

		// Another organisation sees the defaults as shipped and nothing else.
		orgB := b.e.CreateOrg("乙单位")
		other := b.e.Actor(b.e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager), orgB)
		listB, err := s.List(other)
		b.must(err)
		if got := keys(listB); len(got) != 6 || slices.Contains(got, "phishing:custom") || listB[2].NameZh != playbook.Defaults()[2].NameZh || !listB[5].Enabled {
			t.Errorf("org B sees %v", got)
		}
		_, err = s.Get(other, "phishing")
		refused(t, "org B reads org A's playbook", err, apperr.NotFound, "")
		refused(t, "org B deletes org A's playbook", s.Delete(other, "phishing"), apperr.NotFound, "")

		// Delete: a default cannot go, a changed default goes back, an own one goes.
		refused(t, "delete a default", s.Delete(b.mgr, "hacking"), apperr.Conflict, "err.playbook_default_delete")
		b.must(s.Delete(b.mgr, "virus"))
		got, _ = s.Get(b.viewer, "virus")
		if got.Source != playbook.SourceDefault || got.NameZh != playbook.Defaults()[2].NameZh {
			t.Errorf("after reset %+v", got)
		}
		b.must(s.Delete(b.mgr, "phishing"))
		_, err = s.Get(b.viewer, "phishing")
		refused(t, "deleted", err, apperr.NotFound, "")
		refused(t, "viewer deletes", s.Delete(b.viewer, "ddos"), apperr.Forbidden, "")

		// Every change is in the audit trail with a catalogue name.
		entries := auditActions(t, b.e, "playbook")
		for _, a := range []string{"playbook.create", "playbook.update", "playbook.disable", "playbook.reset", "playbook.delete"} {
			if !slices.Contains(entries, a) {
				t.Errorf("audit lacks %s: %v", a, entries)
			}
			if !i18n.Has("action." + a) {
				t.Errorf("action %s has no catalogue name", a)
			}
		}
	})
}

func auditActions(t *testing.T, e *servertest.Env, objectType string) []string {
	t.Helper()
	var out []string
	rows, err := e.DB.Read().Query(`SELECT action FROM audit_log WHERE object_type = $1 ORDER BY seq`, objectType)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// The defaults name only codes of the shipped classification tree.
func TestDefaultsCategoriesExist(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		tree, err := b.e.App.Incidents.Categories(b.viewer, false)
		b.must(err)
		codes := map[string]bool{}
		for _, c := range tree {
			codes[c.Code] = true
			for _, ch := range c.Children {
				codes[ch.Code] = true
			}
		}
		for _, p := range playbook.Defaults() {
			b.must(p.Check(func(c string) bool { return codes[c] }))
		}
	})
}

// Export from one organisation, import into another: the same playbooks.
// A file with a problem imports nothing and names the problem.
func TestImportExportRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		s := b.svc
		_, err := s.Create(b.mgr, own())
		b.must(err)
		v, _ := s.Get(b.mgr, "virus")
		v.Description = "本单位：多行\n说明"
		_, err = s.Update(b.mgr, "virus", v)
		b.must(err)
		_, err = s.SetEnabled(b.mgr, "ddos", false)
		b.must(err)
		var file bytes.Buffer
		b.must(s.Export(b.viewer, "", &file))

		orgB := b.e.CreateOrg("乙单位")
		mgrB := b.e.Actor(b.e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager), orgB)
		_, err = s.Import(b.viewer, file.Bytes(), "x.yaml", true)
		refused(t, "viewer imports", err, apperr.Forbidden, "")
		plan, err := s.Import(mgrB, file.Bytes(), "playbooks.yaml", true)
		b.must(err)
		actions := map[string]playbook.ImportAction{}
		for _, it := range plan.Items {
			actions[it.Key] = it.Action
		}
		if plan.Applied || actions["phishing"] != playbook.ImportCreate || actions["virus"] != playbook.ImportUpdate ||
			actions["ddos"] != playbook.ImportUpdate || actions["hacking"] != playbook.ImportUnchanged || plan.Changes() != 3 {
			t.Errorf("plan %+v", plan)
		}
		if l, _ := s.List(mgrB); len(l) != 6 {
			t.Fatal("the dry run wrote")
		}
		res, err := s.Import(mgrB, file.Bytes(), "playbooks.yaml", false)
		b.must(err)
		if !res.Applied {
			t.Fatal("not applied")
		}
		listA, _ := s.List(b.mgr)
		listB, _ := s.List(mgrB)
		if !reflect.DeepEqual(data(listA), data(listB)) {
			t.Errorf("org B after import differs:\n%+v\n%+v", data(listB), data(listA))
		}
		if keys(listB)[1] != "hacking:default" {
			t.Errorf("an unchanged default got a copy: %v", keys(listB))
		}
		// Importing the same file again changes nothing.
		res, err = s.Import(mgrB, file.Bytes(), "playbooks.yaml", false)
		b.must(err)
		if res.Changes() != 0 {
			t.Errorf("second import changes %d", res.Changes())
		}
		// One bad step: nothing is written, the issue says where.
		broken := strings.Replace(file.String(), "本单位：多行", "本单位：改过", 1)
		broken = strings.Replace(broken, "title: 收集样本", "title: ''", 1)
		broken = strings.Replace(broken, "- NA-02", "- XX-01", 1)
		broken = strings.Replace(broken, "[NA-02]", "[XX-01]", 1)
		res, err = s.Import(mgrB, []byte(broken), "broken.yaml", false)
		refused(t, "broken file", err, apperr.Invalid, "")
		if res == nil || res.Applied {
			t.Fatalf("broken import %+v", res)
		}
		if got := fieldsOf(err); !reflect.DeepEqual(got, []string{"phishing.categories err.playbook_category_unknown",
			"phishing.steps.detection.1.title err.required"}) {
			t.Errorf("issues %v", got)
		}
		if v, _ := s.Get(mgrB, "virus"); strings.Contains(v.Description, "改过") {
			t.Error("a refused import wrote")
		}
		if acts := auditActions(t, b.e, "playbook"); !slices.Contains(acts, "playbook.import") {
			t.Errorf("import not audited: %v", acts)
		}
	})
}

func data(ps []playbook.Playbook) []playbook.Playbook {
	out := make([]playbook.Playbook, len(ps))
	for i, p := range ps {
		p.UpdatedAt = time.Time{}
		out[i] = p
	}
	return out
}

// Suggestions by category, applying a playbook (tasks in their phases,
// due from the offsets, on-duty assignment, origin shown), refusing a
// second application and a closed incident.
func TestApply(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		s := b.svc
		e := b.e
		inc, err := e.App.Incidents.Create(b.resp, incident.Input{Title: "文件被加密", DiscoveredAt: e.Clock.Now(), Category: "MP-07"})
		b.must(err)
		sug, err := s.Suggest(b.viewer, inc.ID)
		b.must(err)
		var names []string
		for _, g := range sug.Suggested {
			names = append(names, g.Key)
		}
		if !reflect.DeepEqual(names, []string{"ransomware", "virus"}) || !sug.Suggested[0].Specific || sug.Suggested[1].Specific {
			t.Errorf("suggested %v", names)
		}
		if len(sug.Others) != 4 {
			t.Errorf("others %d", len(sug.Others))
		}

		// The system admin is on duty: steps suggesting that role go to them.
		mem, err := e.App.Emergency.CreateMember(b.mgr, emergency.Member{Group: emergency.GroupWorkingGroup, UserID: b.sysAdminID, Name: "值班系统管理员"})
		b.must(err)
		now := e.Clock.Now()
		_, err = e.App.Emergency.CreateShift(b.mgr, emergency.Shift{MemberID: mem.ID, DutyRole: emergency.DutyLead,
			StartsAt: now.Add(-time.Hour), EndsAt: now.Add(8 * time.Hour)})
		b.must(err)

		_, _, err = s.Apply(b.viewer, inc.ID, "ransomware")
		refused(t, "viewer applies", err, apperr.Forbidden, "")
		_, _, err = s.Apply(b.sysAdmin, inc.ID, "ransomware")
		refused(t, "system admin applies", err, apperr.Forbidden, "")
		_, _, err = s.Apply(b.resp, inc.ID, "no-such")
		refused(t, "unknown playbook", err, apperr.Invalid, "")

		run, made, err := s.Apply(b.resp, inc.ID, "ransomware")
		b.must(err)
		def := playbook.Defaults()[3]
		if run.Key != "ransomware" || len(made) != len(def.Steps) {
			t.Fatalf("run %+v, %d tasks", run, len(made))
		}
		tasks, err := s.IncidentTasks(b.viewer, inc.ID)
		b.must(err)
		if len(tasks) != len(def.Steps) {
			t.Fatalf("%d tasks", len(tasks))
		}
		for i, tk := range tasks {
			st := def.Steps[i]
			if tk.Phase != st.Phase || tk.Title != st.Title || tk.Notes != st.Notes || tk.Playbook == nil ||
				tk.Playbook.Key != "ransomware" || tk.Playbook.Role != st.Role || !tk.DueAt.Equal(now.Add(st.Offset())) {
				t.Errorf("task %d %+v (step %+v)", i, tk, st)
			}
			wantAssignee := int64(0)
			if st.Role == auth.RoleSystemAdmin {
				wantAssignee = b.sysAdminID
			}
			if tk.AssigneeID != wantAssignee {
				t.Errorf("task %q assigned to %d, want %d", tk.Title, tk.AssigneeID, wantAssignee)
			}
		}

		_, _, err = s.Apply(b.mgr, inc.ID, "ransomware")
		refused(t, "apply twice", err, apperr.Conflict, "err.playbook_applied")
		if ae := apperr.As(err); !strings.Contains(i18n.Message("zh-CN", ae), "resp") || !strings.Contains(i18n.Message("zh-CN", ae), "勒索软件") {
			t.Errorf("message %q does not say when and who", i18n.Message("zh-CN", ae))
		}
		_, err = s.SetEnabled(b.mgr, "virus", false)
		b.must(err)
		_, _, err = s.Apply(b.mgr, inc.ID, "virus")
		refused(t, "disabled playbook", err, apperr.Conflict, "err.playbook_disabled")
		sug, _ = s.Suggest(b.viewer, inc.ID)
		if len(sug.Suggested) != 1 || len(sug.Applied) != 1 || sug.Applied[0].AppliedByName != "resp" {
			t.Errorf("after applying %+v", sug)
		}

		// The application is on the incident's timeline.
		ev, err := e.App.Lifecycle.Timeline(b.viewer, inc.ID)
		b.must(err)
		seen := map[string]int{}
		for _, x := range ev {
			seen[x.Action]++
			if !i18n.Has("action." + x.Action) {
				t.Errorf("action %s has no catalogue name", x.Action)
			}
		}
		if seen["incident.playbook_apply"] != 1 || seen["task.create"] != len(def.Steps) {
			t.Errorf("timeline: %v", seen)
		}

		// A closed incident takes no new tasks.
		_, err = e.App.Lifecycle.Exception(e.Actor(e.CreateUser("leader", e.Org, auth.RoleLeadership), e.Org), inc.ID, incident.PhaseClosed, "误报")
		b.must(err)
		_, _, err = s.Apply(b.mgr, inc.ID, "hacking")
		refused(t, "closed incident", err, apperr.Conflict, "err.playbook_incident_closed")
		_, err = s.AddTask(b.mgr, inc.ID, playbook.TaskInput{Phase: incident.PhaseSummary, Title: "x"})
		refused(t, "task on closed incident", err, apperr.Conflict, "err.playbook_incident_closed")
	})
}

// Tasks people add to phases, and who may change them.
func TestIncidentTasks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		s := b.svc
		e := b.e
		inc, err := e.App.Incidents.Create(b.resp, incident.Input{Title: "门户被篡改", DiscoveredAt: e.Clock.Now()})
		b.must(err)
		_, err = s.AddTask(b.mgr, inc.ID, playbook.TaskInput{Phase: "closed", Title: " "})
		if got := fieldsOf(err); !reflect.DeepEqual(got, []string{"phase err.invalid_choice", "title err.required"}) {
			t.Errorf("field errors %v", got)
		}
		orgB := e.CreateOrg("乙单位")
		outsider := e.CreateUser("outsider", orgB, auth.RoleResponder)
		_, err = s.AddTask(b.mgr, inc.ID, playbook.TaskInput{Phase: incident.PhaseContainment, Title: "隔离", AssigneeID: outsider.ID})
		if got := fieldsOf(err); !reflect.DeepEqual(got, []string{"assignee_id err.task_assignee"}) {
			t.Errorf("outsider assignee %v", got)
		}
		_, err = s.AddTask(b.viewer, inc.ID, playbook.TaskInput{Phase: incident.PhaseContainment, Title: "隔离"})
		refused(t, "viewer adds", err, apperr.Forbidden, "")
		due := e.Clock.Now().Add(-time.Hour)
		// The viewer may hold a task (a department's contact, say) but
		// not manage tasks: as its assignee they update status and notes.
		tk, err := s.AddTask(b.mgr, inc.ID, playbook.TaskInput{Phase: incident.PhaseContainment, Title: "隔离服务器",
			AssigneeID: b.viewerID, DueAt: due})
		b.must(err)
		_, err = s.AddTask(b.mgr, inc.ID, playbook.TaskInput{Phase: incident.PhaseDetection, Title: "截图留存"})
		b.must(err)
		list, err := s.IncidentTasks(b.viewer, inc.ID)
		b.must(err)
		if len(list) != 2 || list[0].Phase != incident.PhaseDetection || list[1].ID != tk.ID || !list[1].Overdue || list[1].Playbook != nil {
			t.Errorf("tasks %+v", list)
		}

		done, title := task.StatusDone, "改名"
		_, err = s.UpdateTask(b.viewer, inc.ID, tk.ID, task.Patch{Title: &title})
		refused(t, "assignee renames", err, apperr.Forbidden, "")
		notes := "已拔网线"
		got, err := s.UpdateTask(b.viewer, inc.ID, tk.ID, task.Patch{Status: &done, Notes: &notes})
		b.must(err)
		if got.Status != done || got.Notes != notes || got.Overdue {
			t.Errorf("updated %+v", got)
		}
		_, err = s.UpdateTask(b.viewer, inc.ID, list[0].ID, task.Patch{Notes: &notes})
		refused(t, "viewer updates another's task", err, apperr.Forbidden, "")
		bad := "closed"
		_, err = s.UpdateTask(b.mgr, inc.ID, tk.ID, task.Patch{Group: &bad})
		refused(t, "bad phase", err, apperr.Invalid, "")

		// A task is reached only through its own incident.
		other, err := e.App.Incidents.Create(b.resp, incident.Input{Title: "另一事件", DiscoveredAt: e.Clock.Now()})
		b.must(err)
		_, err = s.UpdateTask(b.mgr, other.ID, tk.ID, task.Patch{Notes: &notes})
		refused(t, "task through another incident", err, apperr.NotFound, "")

		// Another organisation sees none of it.
		mgrB := e.Actor(e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager), orgB)
		_, err = s.IncidentTasks(mgrB, inc.ID)
		refused(t, "org B lists", err, apperr.NotFound, "")
		_, err = s.AddTask(mgrB, inc.ID, playbook.TaskInput{Phase: incident.PhaseContainment, Title: "x"})
		refused(t, "org B adds", err, apperr.NotFound, "")
		_, err = s.UpdateTask(mgrB, inc.ID, tk.ID, task.Patch{Notes: &notes})
		refused(t, "org B updates", err, apperr.NotFound, "")
		_, _, err = s.Apply(mgrB, inc.ID, "hacking")
		refused(t, "org B applies", err, apperr.NotFound, "")
		_, err = s.Suggest(mgrB, inc.ID)
		refused(t, "org B suggestions", err, apperr.NotFound, "")
	})
}
