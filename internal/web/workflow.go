package web

import (
	"net/http"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
	"bulwark/internal/i18n"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

// workflowRoutes are the caller's own work: the approvals waiting on them
// and their tasks. Objects show their approvals with the "approval_box"
// partial, whose forms post here.
func (u *UI) workflowRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/approvals", Handler: u.approvalInbox},
		{Method: "POST", Pattern: "/approvals/{id}/decision", Handler: u.approvalDecide},
		{Method: "POST", Pattern: "/approvals/{id}/withdraw", Handler: u.approvalWithdraw},
		{Method: "GET", Pattern: "/tasks", Handler: u.taskList},
		{Method: "POST", Pattern: "/tasks/{id}", Handler: u.taskUpdate},
	}
}

type approvalInboxData struct {
	Items []workflow.Item
	// ErrorID is the approval whose decision failed validation: the form
	// shows its message beside that one.
	ErrorID int64
	Reason  string
}

func (u *UI) renderInbox(w http.ResponseWriter, r *http.Request, status int, errID int64, err error) {
	list, lerr := u.App.Approvals.Pending(r.Context())
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	v := u.view(r, "approvals", approvalInboxData{Items: workflow.Items(r.Context(), list), ErrorID: errID, Reason: r.PostFormValue("reason")})
	v.Title = i18n.T(v.Lang, "approval.inbox.title")
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "approvals", v)
}

func (u *UI) approvalInbox(w http.ResponseWriter, r *http.Request) {
	u.renderInbox(w, r, http.StatusOK, 0, nil)
}

// approvalBack is where to go after acting on a: its object's page when its
// module registered one, else the inbox.
func approvalBack(a workflow.Approval) string {
	if l := workflow.Link(a.ObjectType, a.ObjectID); l != "" {
		return l
	}
	return "/approvals"
}

func (u *UI) approvalDecide(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	approve := r.PostFormValue("decision") == "approve"
	if d := r.PostFormValue("decision"); d != "approve" && d != "reject" {
		u.renderInbox(w, r, 0, id, apperr.Fields([]apperr.FieldError{{Field: "decision", Key: "err.invalid_choice"}}))
		return
	}
	a, err := u.App.Approvals.Decide(r.Context(), id, approve, r.PostFormValue("reason"))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderInbox(w, r, 0, id, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	flash := "flash.approval_approved"
	if !approve {
		flash = "flash.approval_rejected"
	}
	redirect(w, r, approvalBack(a), flash)
}

func (u *UI) approvalWithdraw(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	a, err := u.App.Approvals.Withdraw(r.Context(), id, r.PostFormValue("reason"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirect(w, r, approvalBack(a), "flash.approval_withdrawn")
}

type taskListData struct {
	Tasks    []taskRow
	Statuses []task.Status
}

// taskRow is a task with the link to the object it belongs to.
type taskRow struct {
	task.Task
	Link string
}

func (u *UI) taskList(w http.ResponseWriter, r *http.Request) {
	u.renderTasks(w, r, http.StatusOK, nil)
}

func (u *UI) renderTasks(w http.ResponseWriter, r *http.Request, status int, err error) {
	mine, lerr := u.App.Tasks.Mine(r.Context())
	if lerr != nil {
		u.fail(w, r, lerr)
		return
	}
	rows := make([]taskRow, 0, len(mine))
	for _, t := range mine {
		rows = append(rows, taskRow{Task: t, Link: workflow.Link(t.ObjectType, t.ObjectID)})
	}
	v := u.view(r, "tasks", taskListData{Tasks: rows, Statuses: task.Statuses})
	v.Title = i18n.T(v.Lang, "task.list.title")
	if err != nil {
		status = v.setErr(r, err)
	}
	u.render(w, r, status, "tasks", v)
}

// taskUpdate changes a task's status and notes (what the list's form
// offers; the assignee may do this on their own task).
func (u *UI) taskUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, apperr.New(apperr.Invalid, "err.invalid_input"))
		return
	}
	var p task.Patch
	if s, ok := r.PostForm["status"]; ok {
		st := task.Status(s[0])
		p.Status = &st
	}
	if n, ok := r.PostForm["notes"]; ok {
		p.Notes = &n[0]
	}
	if _, err := u.App.Tasks.Update(r.Context(), id, p); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			u.renderTasks(w, r, 0, err)
			return
		}
		u.fail(w, r, err)
		return
	}
	back := "/tasks"
	if b := r.PostFormValue("back"); b != "" {
		back = safeNext(b)
	}
	redirect(w, r, back, "flash.task_saved")
}
