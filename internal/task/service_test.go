package task_test

import (
	"context"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/task"
)

func create(t *testing.T, e *servertest.Env, ctx context.Context, in task.Task) (task.Task, error) {
	t.Helper()
	var out task.Task
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = e.App.Tasks.Create(ctx, tx, in)
		return err
	})
	return out, err
}

func titles(l []task.Task) []string {
	var out []string
	for _, x := range l {
		out = append(out, x.Title)
	}
	return out
}

func TestTasks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		lead := e.CreateUser("lead", e.Org, auth.RoleResponder)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		orgB := e.CreateOrg("B")
		outsider := e.CreateUser("outsider", orgB, auth.RoleResponder)
		ctx := e.Actor(lead, e.Org)
		now := e.Clock.Now()
		mk := func(title string, assignee int64, due time.Time) task.Task {
			t.Helper()
			x, err := create(t, e, ctx, task.Task{ObjectType: "incident", ObjectID: "42", Group: "containment",
				Title: title, AssigneeID: assignee, DueAt: due})
			if err != nil {
				t.Fatalf("create %s: %v", title, err)
			}
			return x
		}
		later := mk("隔离主机", resp.ID, now.Add(48*time.Hour))
		soon := mk("收集日志", resp.ID, now.Add(2*time.Hour))
		undated := mk("通知供应商", resp.ID, time.Time{})
		forViewer := mk("确认影响", viewer.ID, now.Add(time.Hour))
		if soon.Status != task.StatusOpen || soon.AssigneeName != "resp" || soon.CreatedBy != lead.ID || soon.Overdue {
			t.Errorf("created: %+v", soon)
		}

		// Refusals.
		for _, tc := range []struct {
			name string
			ctx  context.Context
			in   task.Task
			code apperr.Code
			key  string
		}{
			{"no title", ctx, task.Task{ObjectType: "incident", ObjectID: "42"}, apperr.Invalid, "err.required"},
			{"assignee of another organisation", ctx, task.Task{ObjectType: "incident", ObjectID: "42", Title: "x", AssigneeID: outsider.ID}, apperr.Invalid, "err.task_assignee"},
			{"bad status", ctx, task.Task{ObjectType: "incident", ObjectID: "42", Title: "x", Status: "paused"}, apperr.Invalid, "err.invalid_choice"},
			{"viewer", e.Actor(viewer, e.Org), task.Task{ObjectType: "incident", ObjectID: "42", Title: "x"}, apperr.Forbidden, "err.forbidden"},
		} {
			_, err := create(t, e, tc.ctx, tc.in)
			if ae := apperr.As(err); err == nil || ae.Code != tc.code || (ae.Key != tc.key && (len(ae.Fields) == 0 || ae.Fields[0].Key != tc.key)) {
				t.Errorf("%s: %v, want %s %s", tc.name, err, tc.code, tc.key)
			}
		}

		// Mine: soonest first, undated last; overdue by the clock.
		mine, err := e.App.Tasks.Mine(e.Actor(resp, e.Org))
		if err != nil {
			t.Fatal(err)
		}
		if got := titles(mine); len(got) != 3 || got[0] != soon.Title || got[1] != later.Title || got[2] != undated.Title {
			t.Errorf("mine: %v", got)
		}
		e.Clock.Advance(3 * time.Hour)
		mine, _ = e.App.Tasks.Mine(e.Actor(resp, e.Org))
		if !mine[0].Overdue || mine[1].Overdue || mine[2].Overdue {
			t.Errorf("overdue after 3h: %v %v %v", mine[0].Overdue, mine[1].Overdue, mine[2].Overdue)
		}
		// Done is never overdue and leaves the list.
		done, err := e.App.Tasks.Complete(e.Actor(resp, e.Org), soon.ID)
		if err != nil || done.Status != task.StatusDone || done.Overdue || done.UpdatedBy != resp.ID {
			t.Errorf("complete: %+v %v", done, err)
		}
		mine, _ = e.App.Tasks.Mine(e.Actor(resp, e.Org))
		if got := titles(mine); len(got) != 2 || got[0] != later.Title {
			t.Errorf("mine after completing: %v", got)
		}

		// The assignee without task.write changes status and notes only.
		st, notes, title := task.StatusInProgress, "已联系机房", "改名"
		vctx := e.Actor(viewer, e.Org)
		if got, err := e.App.Tasks.Update(vctx, forViewer.ID, task.Patch{Status: &st, Notes: &notes}); err != nil || got.Notes != notes || got.Status != st {
			t.Errorf("assignee update: %+v %v", got, err)
		}
		if _, err := e.App.Tasks.Update(vctx, forViewer.ID, task.Patch{Title: &title}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("assignee renaming: %v", err)
		}
		if _, err := e.App.Tasks.Update(vctx, later.ID, task.Patch{Status: &st}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer updating another's task: %v", err)
		}
		// Reassigning outside the organisation is refused.
		if _, err := e.App.Tasks.Update(ctx, later.ID, task.Patch{AssigneeID: &outsider.ID}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("reassign to outsider: %v", err)
		}

		all, err := e.App.Tasks.ForObject(e.Actor(viewer, e.Org), "incident", "42")
		if err != nil || len(all) != 4 {
			t.Errorf("for object: %v %v", titles(all), err)
		}
		// Another organisation sees nothing.
		if l, _ := e.App.Tasks.ForObject(e.Actor(outsider, orgB), "incident", "42"); len(l) != 0 {
			t.Errorf("org B sees %v", titles(l))
		}
		if _, err := e.App.Tasks.Get(e.Actor(outsider, orgB), later.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B get: %v", err)
		}
		var creates, updates int
		_ = e.DB.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'task.create'`).Scan(&creates)
		_ = e.DB.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'task.update'`).Scan(&updates)
		if creates != 4 || updates != 2 {
			t.Errorf("audit: %d creates, %d updates; want 4, 2", creates, updates)
		}
	})
}
