package api

import (
	"net/http"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
	"bulwark/internal/task"
	"bulwark/internal/workflow"
)

func init() {
	registerSchema("Approval", workflow.Item{})
	registerSchema("ApprovalList", ApprovalList{})
	registerSchema("DecisionInput", decisionInput{})
	registerSchema("WithdrawInput", withdrawInput{})
	registerSchema("Task", task.Task{})
	registerSchema("TaskList", TaskList{})
	registerSchema("TaskInput", taskInput{})
	registerSchema("TaskPatch", task.Patch{})
}

func (h *API) workflowRoutes() []httpx.Route {
	obj := []string{"object_type", "object_id"}
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/approvals", Handler: h.listApprovals,
			Doc: &httpx.Doc{Summary: "Approvals waiting for the caller, or an object's approvals (object_type and object_id)", Tag: "approvals", Response: "ApprovalList", Query: obj}},
		{Method: "POST", Pattern: "/api/v1/approvals/{id}/decision", Handler: h.decideApproval,
			Doc: &httpx.Doc{Summary: "Approve or reject (a rejection needs a reason)", Tag: "approvals", Request: "DecisionInput", Response: "Approval"}},
		{Method: "POST", Pattern: "/api/v1/approvals/{id}/withdraw", Handler: h.withdrawApproval,
			Doc: &httpx.Doc{Summary: "Withdraw one's own pending approval request", Tag: "approvals", Request: "WithdrawInput", Response: "Approval"}},
		{Method: "GET", Pattern: "/api/v1/tasks", Handler: h.listTasks,
			Doc: &httpx.Doc{Summary: "The caller's open tasks by due date, or an object's tasks (object_type and object_id)", Tag: "tasks", Response: "TaskList", Query: obj}},
		{Method: "POST", Pattern: "/api/v1/tasks", Handler: h.createTask,
			Doc: &httpx.Doc{Summary: "Create a task attached to an object", Tag: "tasks", Request: "TaskInput", Response: "Task", Status: 201}},
		{Method: "PATCH", Pattern: "/api/v1/tasks/{id}", Handler: h.patchTask,
			Doc: &httpx.Doc{Summary: "Change some fields of a task (its assignee may change status and notes)", Tag: "tasks", Request: "TaskPatch", Response: "Task"}},
	}
}

// ApprovalList is a list of approvals as the caller sees them.
type ApprovalList struct {
	Items []workflow.Item `json:"items"`
}

// TaskList is a list of tasks.
type TaskList struct {
	Items []task.Task `json:"items"`
}

type decisionInput struct {
	Approve *bool  `json:"approve"`
	Reason  string `json:"reason"`
}

type withdrawInput struct {
	Reason string `json:"reason"`
}

type taskInput struct {
	ObjectType string      `json:"object_type"`
	ObjectID   string      `json:"object_id"`
	Group      string      `json:"group"`
	Title      string      `json:"title"`
	Notes      string      `json:"notes"`
	AssigneeID int64       `json:"assignee_id"`
	DueAt      *time.Time  `json:"due_at"`
	Status     task.Status `json:"status"`
}

func (h *API) listApprovals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var list []workflow.Approval
	var err error
	if q.Get("object_type") != "" || q.Get("object_id") != "" {
		list, err = h.App.Approvals.ForObject(r.Context(), q.Get("object_type"), q.Get("object_id"))
	} else {
		list, err = h.App.Approvals.Pending(r.Context())
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ApprovalList{Items: workflow.Items(r.Context(), list)})
}

func (h *API) decideApproval(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in decisionInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if in.Approve == nil {
		httpx.WriteError(w, r, apperr.Fields([]apperr.FieldError{{Field: "approve", Key: "err.required"}}))
		return
	}
	a, err := h.App.Approvals.Decide(r.Context(), id, *in.Approve, in.Reason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, workflow.Items(r.Context(), []workflow.Approval{a})[0])
}

func (h *API) withdrawApproval(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in withdrawInput
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	a, err := h.App.Approvals.Withdraw(r.Context(), id, in.Reason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, workflow.Items(r.Context(), []workflow.Approval{a})[0])
}

func (h *API) listTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var list []task.Task
	var err error
	if q.Get("object_type") != "" || q.Get("object_id") != "" {
		list, err = h.App.Tasks.ForObject(r.Context(), q.Get("object_type"), q.Get("object_id"))
	} else {
		list, err = h.App.Tasks.Mine(r.Context())
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, TaskList{Items: list})
}

func (h *API) createTask(w http.ResponseWriter, r *http.Request) {
	var in taskInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	t := task.Task{ObjectType: in.ObjectType, ObjectID: in.ObjectID, Group: in.Group, Title: in.Title, Notes: in.Notes,
		AssigneeID: in.AssigneeID, Status: in.Status}
	if in.DueAt != nil {
		t.DueAt = *in.DueAt
	}
	created, err := h.App.Tasks.Add(r.Context(), t)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/tasks/"+strconv.FormatInt(created.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, created)
}

func (h *API) patchTask(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var p task.Patch
	if err := decode(r, &p); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	t, err := h.App.Tasks.Update(r.Context(), id, p)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}
