package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

func init() {
	workflow.RegisterLink("uithing", func(id string) string { return "/uithings/" + id })
}

func requestApproval(t *testing.T, e *servertest.Env, ctx context.Context, id, title string, roles ...auth.Role) workflow.Approval {
	t.Helper()
	var a workflow.Approval
	if err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		a, err = e.App.Approvals.Request(ctx, tx, workflow.Request{ObjectType: "uithing", ObjectID: id, Step: "plan", Title: title, Roles: roles})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestApprovalInboxAndDecision(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		e.CreateUser("itm", e.Org, auth.RoleITManager)
		a := requestApproval(t, e, e.Actor(author, e.Org), "5", "抑制方案：隔离 Web 服务器", auth.RoleSecurityManager)
		mgr, itm, auth1 := e.Login("mgr"), e.Login("itm"), e.Login("author")

		inbox := admWant(t, mgr.Get("/approvals"), 200, "manager's inbox")
		for _, want := range []string{"待我审批", "抑制方案：隔离 Web 服务器", `href="/uithings/5"`, fmt.Sprintf(`id="approve-%d"`, a.ID), "信息安全经理"} {
			if !strings.Contains(inbox.Body, want) {
				t.Errorf("inbox lacks %q:\n%s", want, inbox.Body)
			}
		}
		for name, c := range map[string]*servertest.Client{"it manager": itm, "author": auth1} {
			if page := admWant(t, c.Get("/approvals"), 200, name+"'s inbox"); strings.Contains(page.Body, "隔离 Web 服务器") {
				t.Errorf("%s sees the approval in their inbox", name)
			}
		}
		path := fmt.Sprintf("/approvals/%d/decision", a.ID)
		admWant(t, itm.PostForm(path, url.Values{"decision": {"approve"}}), http.StatusForbidden, "wrong role")
		admWant(t, auth1.PostForm(path, url.Values{"decision": {"approve"}}), http.StatusForbidden, "author")
		res := admWant(t, mgr.PostForm(path, url.Values{"decision": {"reject"}, "reason": {""}}), http.StatusUnprocessableEntity, "reject without reason")
		if !strings.Contains(res.Body, "驳回时必须填写理由") {
			t.Errorf("no reason message:\n%s", res.Body)
		}
		res = admWant(t, mgr.PostForm(path, url.Values{"decision": {"approve"}, "reason": {"同意"}}), http.StatusSeeOther, "approve")
		if loc := res.Header.Get("Location"); loc != "/uithings/5?flash=flash.approval_approved" {
			t.Errorf("redirect to %s", loc)
		}
		admWant(t, mgr.PostForm(path, url.Values{"decision": {"reject"}, "reason": {"x"}}), http.StatusConflict, "second decision")
		if page := admWant(t, mgr.Get("/approvals"), 200, "inbox after"); !strings.Contains(page.Body, "目前没有等待您审批的事项") {
			t.Errorf("decided approval still in the inbox")
		}
		got, _ := e.App.Approvals.Get(e.Actor(author, e.Org), a.ID)
		if got.Status != workflow.StatusApproved || got.Reason != "同意" || got.DecidedByName != "mgr" {
			t.Errorf("stored %+v", got)
		}

		// The author withdraws the next one; the manager cannot.
		b := requestApproval(t, e, e.Actor(author, e.Org), "6", "根除方案", auth.RoleSecurityManager)
		wpath := fmt.Sprintf("/approvals/%d/withdraw", b.ID)
		admWant(t, mgr.PostForm(wpath, nil), http.StatusForbidden, "withdraw by the manager")
		res = admWant(t, auth1.PostForm(wpath, nil), http.StatusSeeOther, "withdraw by the author")
		if loc := res.Header.Get("Location"); loc != "/uithings/6?flash=flash.approval_withdrawn" {
			t.Errorf("redirect to %s", loc)
		}
	})
}

func TestMyTasksPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		lead := e.CreateUser("lead", e.Org, auth.RoleSecurityManager)
		resp := e.CreateUser("resp", e.Org, auth.RoleViewer)
		ctx := e.Actor(lead, e.Org)
		var late, later task.Task
		if err := e.DB.Tx(ctx, func(tx *store.Tx) error {
			var err error
			if late, err = e.App.Tasks.Create(ctx, tx, task.Task{ObjectType: "uithing", ObjectID: "9", Group: "抑制", Title: "断开受感染主机", AssigneeID: resp.ID, DueAt: e.Clock.Now().Add(time.Hour)}); err != nil {
				return err
			}
			later, err = e.App.Tasks.Create(ctx, tx, task.Task{ObjectType: "uithing", ObjectID: "9", Title: "复核防火墙策略", AssigneeID: resp.ID, DueAt: e.Clock.Now().Add(72 * time.Hour)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(2 * time.Hour)
		c := e.Login("resp")
		page := admWant(t, c.Get("/tasks"), 200, "my tasks")
		first, second := strings.Index(page.Body, "断开受感染主机"), strings.Index(page.Body, "复核防火墙策略")
		if first < 0 || second < first {
			t.Fatalf("tasks missing or out of due order:\n%s", page.Body)
		}
		if !strings.Contains(page.Body, fmt.Sprintf(`id="task-%d" class="overdue"`, late.ID)) || strings.Contains(page.Body, fmt.Sprintf(`id="task-%d" class="overdue"`, later.ID)) ||
			!strings.Contains(page.Body, "已逾期") || !strings.Contains(page.Body, `href="/uithings/9"`) {
			t.Errorf("overdue not marked as it should be:\n%s", page.Body)
		}
		// The assignee (a viewer) updates status and notes of their task.
		res := admWant(t, c.PostForm(fmt.Sprintf("/tasks/%d", late.ID), url.Values{"status": {"done"}, "notes": {"已断网"}}), http.StatusSeeOther, "update")
		if loc := res.Header.Get("Location"); loc != "/tasks?flash=flash.task_saved" {
			t.Errorf("redirect %s", loc)
		}
		got, _ := e.App.Tasks.Get(ctx, late.ID)
		if got.Status != task.StatusDone || got.Notes != "已断网" {
			t.Errorf("stored %+v", got)
		}
		admWant(t, c.PostForm(fmt.Sprintf("/tasks/%d", later.ID), url.Values{"status": {"paused"}}), http.StatusUnprocessableEntity, "bad status")
		page = admWant(t, c.Get("/tasks"), 200, "my tasks after")
		if strings.Contains(page.Body, "断开受感染主机") {
			t.Errorf("done task still listed")
		}
		// Someone who is not the assignee and may not manage tasks is refused.
		e.CreateUser("other", e.Org, auth.RoleViewer)
		admWant(t, e.Login("other").PostForm(fmt.Sprintf("/tasks/%d", later.ID), url.Values{"status": {"done"}}), http.StatusForbidden, "other viewer")
	})
}
