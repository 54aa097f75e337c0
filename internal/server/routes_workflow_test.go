package server_test

import "bulwark/internal/auth"

// Route cases of approvals and tasks. Decisions, withdrawals and task
// updates aim at ids that do not exist: whoever may act gets 404, whoever
// may not gets 403 before the lookup.
func init() {
	addRouteCases(map[string]routeCase{
		"GET /approvals":                       {Perm: auth.PermApprovalRead, Path: "/approvals"},
		"POST /approvals/{id}/decision":        {Perm: auth.PermApprovalDecide, Path: "/approvals/999999/decision", Body: "decision=approve"},
		"POST /approvals/{id}/withdraw":        {Perm: auth.PermApprovalRequest, Path: "/approvals/999999/withdraw"},
		"GET /tasks":                           {Perm: auth.PermTaskRead, Path: "/tasks"},
		"POST /tasks/{id}":                     {Perm: auth.PermTaskRead, Path: "/tasks/999999", Body: "status=done"},
		"GET /api/v1/approvals":                {Perm: auth.PermApprovalRead, Path: "/api/v1/approvals?object_type=incident&object_id=1"},
		"POST /api/v1/approvals/{id}/decision": {Perm: auth.PermApprovalDecide, Path: "/api/v1/approvals/999999/decision", Body: `{"approve":true}`},
		"POST /api/v1/approvals/{id}/withdraw": {Perm: auth.PermApprovalRequest, Path: "/api/v1/approvals/999999/withdraw", Body: `{}`},
		"GET /api/v1/tasks":                    {Perm: auth.PermTaskRead, Path: "/api/v1/tasks?object_type=incident&object_id=1"},
		"POST /api/v1/tasks":                   {Perm: auth.PermTaskWrite, Path: "/api/v1/tasks", Body: `{"title":""}`},
		"PATCH /api/v1/tasks/{id}":             {Perm: auth.PermTaskRead, Path: "/api/v1/tasks/999999", Body: `{"notes":"x"}`},
	})
}
