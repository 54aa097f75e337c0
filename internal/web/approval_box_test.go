package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/workflow"
)

// The partial an object page includes shows the approvals and only the
// buttons the caller may use.
func TestApprovalBoxPartial(t *testing.T) {
	u, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	items := []workflow.Item{
		{Approval: workflow.Approval{ID: 1, Title: "抑制方案", Roles: []auth.Role{auth.RoleSecurityManager, auth.RoleLeadership},
			AuthorName: "resp", Status: workflow.StatusPending, CreatedAt: at}, CanDecide: true},
		{Approval: workflow.Approval{ID: 2, Title: "根除方案", Roles: []auth.Role{auth.RoleSecurityManager}, AuthorName: "resp",
			Status: workflow.StatusRejected, DecidedBy: 7, DecidedByName: "mgr", Reason: "证据不足", CreatedAt: at, DecidedAt: at}},
		{Approval: workflow.Approval{ID: 3, Title: "恢复方案", Roles: []auth.Role{auth.RoleSecurityManager}, AuthorName: "me",
			Status: workflow.StatusPending, CreatedAt: at}, CanWithdraw: true},
	}
	tpl := template.Must(u.pages["approvals"].Clone()).Funcs(u.funcs("zh-CN", &auth.Actor{UserID: 1}))
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "approval_box", items); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`action="/approvals/1/decision"`, `id="approve-1"`, `id="reject-1"`, "信息安全经理、领导小组",
		"已驳回", "mgr", "证据不足", `action="/approvals/3/withdraw"`} {
		if !strings.Contains(html, want) {
			t.Errorf("box lacks %q:\n%s", want, html)
		}
	}
	for _, not := range []string{`/approvals/2/decision`, `/approvals/3/decision`, `/approvals/1/withdraw`} {
		if strings.Contains(html, not) {
			t.Errorf("box offers %q, which the caller may not use", not)
		}
	}
	buf.Reset()
	if err := tpl.ExecuteTemplate(&buf, "approval_box", []workflow.Item{}); err != nil || !strings.Contains(buf.String(), "暂无审批") {
		t.Errorf("empty box: %v %s", err, buf.String())
	}
}
