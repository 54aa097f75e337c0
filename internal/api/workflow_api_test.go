package api_test

import (
	"fmt"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

func TestApprovalsAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		itm := e.CreateUser("itm", e.Org, auth.RoleITManager)
		ta, tm, ti := e.Token(author), e.Token(mgr), e.Token(itm)
		ctx := e.Actor(author, e.Org)
		var a, b workflow.Approval
		if err := e.DB.Tx(ctx, func(tx *store.Tx) error {
			var err error
			r := workflow.Request{ObjectType: "incident", ObjectID: "12", Step: "containment_plan", Title: "抑制方案", Roles: []auth.Role{auth.RoleSecurityManager}}
			if a, err = e.App.Approvals.Request(ctx, tx, r); err != nil {
				return err
			}
			b, err = e.App.Approvals.Request(ctx, tx, r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var list struct{ Items []workflow.Item }
		apiCall(t, e, tm, "GET", "/api/v1/approvals", "", 0).want(200).into(&list)
		if len(list.Items) != 2 || !list.Items[0].CanDecide || list.Items[0].Title != "抑制方案" {
			t.Errorf("manager's pending: %+v", list.Items)
		}
		apiCall(t, e, ta, "GET", "/api/v1/approvals", "", 0).want(200).into(&list)
		if len(list.Items) != 0 {
			t.Errorf("author's pending: %+v", list.Items)
		}
		apiCall(t, e, ta, "GET", "/api/v1/approvals?object_type=incident&object_id=12", "", 0).want(200).into(&list)
		if len(list.Items) != 2 || list.Items[0].CanDecide || !list.Items[0].CanWithdraw {
			t.Errorf("object's approvals for the author: %+v", list.Items)
		}
		path := fmt.Sprintf("/api/v1/approvals/%d/decision", a.ID)
		apiCall(t, e, ti, "POST", path, `{"approve":true}`, 0).want(403)
		apiCall(t, e, ta, "POST", path, `{"approve":true}`, 0).want(403)
		if c := apiCall(t, e, tm, "POST", path, `{"reason":"x"}`, 0).want(422); c.fieldCode("approve") != "required" {
			t.Errorf("missing approve: %s", c.body)
		}
		if c := apiCall(t, e, tm, "POST", path, `{"approve":false}`, 0).want(422); c.fieldCode("reason") != "approval_reason_required" {
			t.Errorf("reject without reason: %s", c.body)
		}
		var got workflow.Item
		apiCall(t, e, tm, "POST", path, `{"approve":false,"reason":"影响评估缺失"}`, 0).want(200).into(&got)
		if got.Status != workflow.StatusRejected || got.Reason != "影响评估缺失" || got.DecidedBy != mgr.ID || got.CanDecide {
			t.Errorf("decision: %+v", got)
		}
		apiCall(t, e, tm, "POST", path, `{"approve":true}`, 0).want(409)
		wpath := fmt.Sprintf("/api/v1/approvals/%d/withdraw", b.ID)
		apiCall(t, e, tm, "POST", wpath, `{}`, 0).want(403)
		apiCall(t, e, ta, "POST", wpath, `{"reason":"重写"}`, 0).want(200).into(&got)
		if got.Status != workflow.StatusWithdrawn {
			t.Errorf("withdraw: %+v", got)
		}
		// Another organisation's member finds nothing.
		orgB := e.CreateOrg("B")
		tb := e.Token(e.CreateUser("mgrB", orgB, auth.RoleSecurityManager))
		apiCall(t, e, tb, "GET", "/api/v1/approvals?object_type=incident&object_id=12", "", orgB).want(200).into(&list)
		if len(list.Items) != 0 {
			t.Errorf("org B sees %+v", list.Items)
		}
	})
}

func TestTasksAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		lead := e.CreateUser("lead", e.Org, auth.RoleSecurityManager)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		tl, tr, tv := e.Token(lead), e.Token(resp), e.Token(viewer)
		due := e.Clock.Now().Add(time.Hour).Format(time.RFC3339)
		body := fmt.Sprintf(`{"object_type":"incident","object_id":"12","group":"containment","title":"隔离主机","assignee_id":%d,"due_at":%q}`, resp.ID, due)
		apiCall(t, e, tv, "POST", "/api/v1/tasks", body, 0).want(403)
		if c := apiCall(t, e, tl, "POST", "/api/v1/tasks", `{"object_type":"incident","object_id":"12","title":""}`, 0).want(422); c.fieldCode("title") != "required" {
			t.Errorf("empty title: %s", c.body)
		}
		var created task.Task
		apiCall(t, e, tl, "POST", "/api/v1/tasks", body, 0).want(201).into(&created)
		if created.AssigneeID != resp.ID || created.Status != task.StatusOpen || created.DueAt.Format(time.RFC3339) != due || created.Overdue {
			t.Errorf("created %+v", created)
		}
		e.Clock.Advance(2 * time.Hour)
		var list struct{ Items []task.Task }
		apiCall(t, e, tr, "GET", "/api/v1/tasks", "", 0).want(200).into(&list)
		if len(list.Items) != 1 || list.Items[0].ID != created.ID || !list.Items[0].Overdue {
			t.Errorf("mine: %+v", list.Items)
		}
		apiCall(t, e, tv, "GET", "/api/v1/tasks?object_type=incident&object_id=12", "", 0).want(200).into(&list)
		if len(list.Items) != 1 {
			t.Errorf("object's tasks: %+v", list.Items)
		}
		path := fmt.Sprintf("/api/v1/tasks/%d", created.ID)
		apiCall(t, e, tv, "PATCH", path, `{"status":"done"}`, 0).want(403)
		var got task.Task
		apiCall(t, e, tr, "PATCH", path, `{"status":"in_progress","notes":"已隔离"}`, 0).want(200).into(&got)
		if got.Status != task.StatusInProgress || got.Notes != "已隔离" || !got.Overdue {
			t.Errorf("patched %+v", got)
		}
		apiCall(t, e, tr, "PATCH", path, `{"status":"done"}`, 0).want(200).into(&got)
		if got.Overdue {
			t.Errorf("a done task is overdue: %+v", got)
		}
		apiCall(t, e, tr, "GET", "/api/v1/tasks", "", 0).want(200).into(&list)
		if len(list.Items) != 0 {
			t.Errorf("done task still mine: %+v", list.Items)
		}
	})
}
