package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/org"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

var incidentLocation = regexp.MustCompile(`^/incidents/(\d+)\?`)

// A responder reports an incident on an asset, a second report on the same
// asset is flagged as a suspected duplicate, a security manager grades it
// (proposal, override with reason), the page counts down to the report
// deadline of the organisation's type, and the report is recorded.
func TestIncidentPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		a, err := e.App.Assets.Create(e.Actor(mgr, e.Org), asset.Asset{Name: "门户网站服务器", Type: asset.TypeServer, C: 5, I: 5, A: 5})
		if err != nil {
			t.Fatal(err)
		}
		o, _ := e.App.Orgs.Get(e.System(e.Org), e.Org)
		if _, err := e.App.Orgs.Update(e.System(e.Org), e.Org, o.Name, org.TypeStateOrgan); err != nil {
			t.Fatal(err)
		}
		rc := e.SessionClient(resp, e.Org)
		if res := rc.Get("/incidents/new"); res.StatusCode != 200 || !strings.Contains(res.Body, "NA-09") || !strings.Contains(res.Body, "门户网站服务器") {
			t.Fatalf("new form: %d", res.StatusCode)
		}
		discovered := e.Clock.Now().Add(-30 * time.Minute).In(e.Cfg.Location)
		form := url.Values{"title": {"门户首页被篡改"}, "discovered_at": {discovered.Format("2006-01-02T15:04")}, "source": {"monitoring"},
			"category": {"NA-09"}, "grade": {"3"}, "asset_ids": {fmt.Sprint(a.ID)}, "business_systems": {"门户网站，OA"}}
		res := rc.PostForm("/incidents", form)
		m := incidentLocation.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != 303 || m == nil {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		id := m[1]
		page := rc.Get("/incidents/" + id)
		for _, want := range []string{"SJ-2026-0001", "网页篡改事件", `class="grade g3"`, "剩余 1 小时 30 分", `http-equiv="refresh"`,
			`href="/assets/` + fmt.Sprint(a.ID), "报告人初判"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("incident page lacks %q", want)
			}
		}
		// The same asset again: the form comes back with the suspect first.
		form.Set("title", "门户再次异常")
		res = rc.PostForm("/incidents", form)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `id="duplicates"`) || !strings.Contains(res.Body, "SJ-2026-0001") {
			t.Fatalf("duplicate check: %d", res.StatusCode)
		}
		form.Set("duplicates_checked", "1")
		if res = rc.PostForm("/incidents", form); res.StatusCode != 303 {
			t.Fatalf("confirmed duplicate: %d %s", res.StatusCode, res.Body)
		}
		// Without an alert source the promoted form says so.
		if res = rc.PostForm("/incidents/new?from_alert=A-9", nil); res.StatusCode != 200 || !strings.Contains(res.Body, `id="incident-notice"`) {
			t.Errorf("from alert: %d", res.StatusCode)
		}
		// The responder does not grade.
		if res = rc.Get("/incidents/" + id + "/grade"); res.StatusCode != 403 {
			t.Errorf("responder grade form: %d", res.StatusCode)
		}

		mc := e.SessionClient(mgr, e.Org)
		g := url.Values{"importance": {"general"}, "loss": {"relatively_serious"}, "impact": {"general"}, "op": {"propose"}}
		res = mc.PostForm("/incidents/"+id+"/grade", g)
		// Asset value 5 makes the object especially important: 特别重要 × 较大 = III.
		if res.StatusCode != 200 || !strings.Contains(res.Body, `id="grade-proposal"`) || !strings.Contains(res.Body, "受影响资产价值提高了") {
			t.Fatalf("proposal: %d %s", res.StatusCode, res.Body)
		}
		g.Set("op", "save")
		g.Set("grade", "2")
		if res = mc.PostForm("/incidents/"+id+"/grade", g); res.StatusCode != 422 || !strings.Contains(res.Body, "必须填写理由") {
			t.Fatalf("override without reason: %d", res.StatusCode)
		}
		g.Set("reason", "涉及中央单位门户")
		if res = mc.PostForm("/incidents/"+id+"/grade", g); res.StatusCode != 303 {
			t.Fatalf("override: %d %s", res.StatusCode, res.Body)
		}
		page = mc.Get("/incidents/" + id)
		if !strings.Contains(page.Body, `class="grade g2"`) || !strings.Contains(page.Body, "人工调整：涉及中央单位门户") ||
			!regexp.MustCompile(`<del>较大（III级·黄）</del>.*?<ins>重大（II级·橙）</ins>`).MatchString(page.Body) {
			t.Errorf("graded page lacks the grade or its reason")
		}
		e.Clock.Advance(2 * time.Hour)
		rc = e.SessionClient(resp, e.Org) // the earlier session has idled out
		page = rc.Get("/incidents/" + id)
		if !strings.Contains(page.Body, `id="incident-overdue"`) || !strings.Contains(page.Body, "已超期 30 分钟") {
			t.Errorf("overdue not shown")
		}
		if res = rc.PostForm("/incidents/"+id+"/reported", nil); res.StatusCode != 303 {
			t.Fatalf("reported: %d", res.StatusCode)
		}
		page = rc.Get("/incidents/" + id)
		if strings.Contains(page.Body, `id="incident-overdue"`) || strings.Contains(page.Body, `http-equiv="refresh"`) || !strings.Contains(page.Body, "已报告") {
			t.Errorf("reported page still counts down")
		}
		list := rc.Get("/incidents?grade=2&category=NA")
		if !strings.Contains(list.Body, "门户首页被篡改") || strings.Contains(list.Body, "门户再次异常") {
			t.Errorf("list filter: %s", list.Body)
		}
		// Viewers read but do not report.
		vc := e.SessionClient(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)
		if vc.Get("/incidents/"+id).StatusCode != 200 || vc.Get("/incidents/new").StatusCode != 403 {
			t.Errorf("viewer access wrong")
		}
	})
}

// The platform admin edits the tree and the thresholds; a security manager
// sees them read-only and cannot post.
func TestIncidentCategoryPages(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	root := e.SessionClient(e.CreateUser("root", e.Org, auth.RoleAdmin), e.Org)
	mgr := e.SessionClient(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
	page := mgr.Get("/incident-categories")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "勒索软件事件") || strings.Contains(page.Body, `action="/incident-categories/MP-07"`) ||
		!strings.Contains(page.Body, "待核实") {
		t.Fatalf("read-only page: %d", page.StatusCode)
	}
	if res := mgr.PostForm("/incident-categories/MP-07", url.Values{"name_zh": {"x"}, "name_en": {"x"}}); res.StatusCode != 403 {
		t.Errorf("manager edited: %d", res.StatusCode)
	}
	res := root.PostForm("/incident-categories/MP-07", url.Values{"name_zh": {"勒索软件事件"}, "name_en": {"Ransomware event"}, "annex_b_code": {"B-1-7"}, "active": {"1"}})
	if res.StatusCode != 303 {
		t.Fatalf("admin edit: %d %s", res.StatusCode, res.Body)
	}
	if res = root.PostForm("/incident-categories/AB/children", url.Values{"name_zh": {"账号异常事件"}, "name_en": {"Account anomaly event"}}); res.StatusCode != 303 {
		t.Fatalf("admin add: %d", res.StatusCode)
	}
	if res = root.PostForm("/incident-criteria/economic_loss", url.Values{"threshold_1": {"1"}, "threshold_2": {"2"}, "threshold_3": {"3"}}); res.StatusCode != 422 || !strings.Contains(res.Body, "特别重大 ≥ 重大 ≥ 较大") {
		t.Errorf("thresholds out of order: %d", res.StatusCode)
	}
	if res = root.PostForm("/incident-criteria/economic_loss", url.Values{"threshold_1": {"100000000"}, "threshold_2": {"20000000"}, "threshold_3": {"5000000"}, "verified": {"1"}}); res.StatusCode != 303 {
		t.Errorf("thresholds: %d", res.StatusCode)
	}
	page = mgr.Get("/incident-categories")
	if !strings.Contains(page.Body, "B-1-7") || !strings.Contains(page.Body, "AB-04") {
		t.Errorf("edits not shown")
	}
}
