package web_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func lcWant(t *testing.T, res servertest.Response, status int, what string, words ...string) servertest.Response {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%.2000s", what, res.StatusCode, status, res.Body)
	}
	for _, w := range words {
		if !strings.Contains(res.Body, w) {
			t.Errorf("%s: page lacks %q", what, w)
		}
	}
	return res
}

// The whole response through the UI: a responder moves the incident into
// containment, is refused leaving it without a plan, drafts and submits a
// plan, a security manager approves it from the page's approval box, the
// responder records it carried out and effective; the flow, the timeline
// with a manual entry, the leadership exception and reopening follow.
func TestResponseUI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgrU := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		viewerU := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		leaderU := e.CreateUser("leader", e.Org, auth.RoleLeadership)
		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "门户网站被篡改", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/incidents/%d", inc.ID)
		r := e.SessionClient(resp, e.Org)
		mgr := e.SessionClient(mgrU, e.Org)
		viewer := e.SessionClient(viewerU, e.Org)
		leader := e.SessionClient(leaderU, e.Org)

		lcWant(t, r.Get(base), 200, "incident page links", base+"/response", base+"/timeline")
		lcWant(t, r.PostForm(base+"/transition", url.Values{"to": {"containment"}}), 303, "to containment")
		lcWant(t, r.Get(base+"/response"), 200, "response page", "本阶段尚无方案", base+"/flow.svg", "当前阶段尚无方案")
		lcWant(t, r.PostForm(base+"/transition", url.Values{"to": {"eradication"}}), 409, "leave without plan", "当前阶段尚无方案")
		lcWant(t, r.PostForm(base+"/plans", url.Values{"measures": {" "}, "scope": {"门户"}}), 422, "empty measures", "门户")
		lcWant(t, r.PostForm(base+"/plans", url.Values{"measures": {"下线被篡改页面"}, "scope": {"门户网站"}}), 303, "draft")
		plans, err := e.App.Lifecycle.Plans(e.Actor(resp, e.Org), inc.ID)
		if err != nil || len(plans) != 1 {
			t.Fatalf("plans %v %v", plans, err)
		}
		p := plans[0]
		lcWant(t, viewer.PostForm(base+"/plans", url.Values{"measures": {"x"}}), 403, "viewer drafts")
		lcWant(t, r.PostForm(fmt.Sprintf("%s/plans/%d/submit", base, p.ID), nil), 303, "submit")
		plans, _ = e.App.Lifecycle.Plans(e.Actor(resp, e.Org), inc.ID)
		aid := plans[0].ApprovalID
		page := lcWant(t, mgr.Get(base+"/response"), 200, "manager sees the approval", fmt.Sprintf(`id="approve-%d"`, aid), "待审批", inc.Number+" 抑制方案")
		if strings.Contains(lcWant(t, r.Get(base+"/response"), 200, "author's page").Body, fmt.Sprintf(`id="approve-%d"`, aid)) {
			t.Error("the author is offered the approve button")
		}
		_ = page
		res := mgr.PostForm(fmt.Sprintf("/approvals/%d/decision", aid), url.Values{"decision": {"approve"}})
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), fmt.Sprintf("/incident-plans/%d", p.ID)) {
			t.Fatalf("decision: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		lcWant(t, mgr.Get(fmt.Sprintf("/incident-plans/%d", p.ID)), 303, "plan link")
		lcWant(t, r.PostForm(fmt.Sprintf("%s/plans/%d/executed", base, p.ID), url.Values{"notes": {""}}), 422, "execute without notes")
		lcWant(t, r.PostForm(fmt.Sprintf("%s/plans/%d/executed", base, p.ID), url.Values{"notes": {"已下线"}}), 303, "executed")
		lcWant(t, r.PostForm(fmt.Sprintf("%s/plans/%d/effect", base, p.ID), url.Values{"effect": {"effective"}, "notes": {"页面恢复正常"}}), 303, "judged")
		lcWant(t, r.Get(base+"/response"), 200, "judged plan", "已判定", "有效", "页面恢复正常")

		svg := lcWant(t, r.Get(base+"/flow.svg"), 200, "flow", "响应流程图", "等待：应急响应工作组")
		if ct := svg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
			t.Errorf("flow content type %q", ct)
		}
		dec := xml.NewDecoder(bytes.NewReader([]byte(svg.Body)))
		for {
			if _, err := dec.Token(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("flow is not well-formed XML: %v", err)
			}
		}
		if !strings.Contains(svg.Body, `class="phase current" data-phase="containment"`) {
			t.Error("flow does not mark containment current")
		}

		lcWant(t, r.PostForm(base+"/transition", url.Values{"to": {"eradication"}}), 303, "to eradication")
		lcWant(t, r.PostForm(base+"/timeline", url.Values{"kind": {"manual"}, "happened_at": {"2026-11-25T07:30"}, "body": {"电话通报属地网信部门"}}), 303, "manual entry")
		lcWant(t, r.PostForm(base+"/timeline", url.Values{"kind": {"manual"}, "happened_at": {"yesterday"}, "body": {"x"}}), 422, "bad time")
		lcWant(t, r.PostForm(base+"/timeline", url.Values{"kind": {"comment"}, "body": {"复核完毕"}}), 303, "comment")
		lcWant(t, viewer.PostForm(base+"/timeline", url.Values{"kind": {"comment"}, "body": {"x"}}), 403, "viewer comments")
		tl := lcWant(t, viewer.Get(base+"/timeline"), 200, "timeline", "电话通报属地网信部门", "手工记录", "复核完毕", "提交方案审批",
			"方案已认可", "效果判定", "进入下一阶段", "批准")
		if strings.Contains(tl.Body, `id="add-entry"`) {
			t.Error("the viewer is offered the add-entry form")
		}
		if strings.Index(tl.Body, "复核完毕") > strings.Index(tl.Body, "电话通报属地网信部门") {
			t.Error("timeline not newest first")
		}

		// Leadership's exception: refused without a reason, then closes.
		lcWant(t, r.Get(base+"/response"), 200, "responder page")
		if strings.Contains(r.Get(base+"/response").Body, `id="exception-submit"`) {
			t.Error("responder offered the exception")
		}
		lcWant(t, leader.PostForm(base+"/exception", url.Values{"to": {"closed"}, "reason": {""}}), 422, "exception without reason", "请填写理由")
		lcWant(t, r.PostForm(base+"/exception", url.Values{"to": {"closed"}, "reason": {"x"}}), 403, "responder exception")
		lcWant(t, leader.PostForm(base+"/exception", url.Values{"to": {"closed"}, "reason": {"业务已恢复，领导小组决定结束"}}), 303, "exception")
		lcWant(t, leader.Get(base+"/timeline"), 200, "exception on the timeline", "领导小组例外决定", "业务已恢复，领导小组决定结束")
		lcWant(t, r.Get(base+"/response"), 200, "closed page", `id="reopen-submit"`, `id="exceptions"`, "业务已恢复，领导小组决定结束")
		lcWant(t, r.Get(base+"/flow.svg"), 200, "closed flow", "事件已关闭", `class="phase current" data-phase="closed"`)
		lcWant(t, r.PostForm(base+"/reopen", url.Values{"reason": {"再次篡改"}}), 303, "reopen")
		lcWant(t, r.Get(base+"/timeline"), 200, "reopen on timeline", "重新打开事件", "再次篡改")
	})
}
