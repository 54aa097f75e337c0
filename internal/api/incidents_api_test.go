package api_test

import (
	"encoding/json"
	"fmt"
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

// The names of issue 3 point 13, exactly: scripts rely on them.
func TestIncidentAPINames(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("resp", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		rt, mt := e.Token(resp), e.Token(mgr)

		// The tree: code, name_zh, name_en, children.
		res := e.API(rt, "GET", "/api/v1/incident-categories", "", 0)
		var tree []map[string]any
		if err := json.Unmarshal([]byte(res.Body), &tree); err != nil || res.StatusCode != 200 || len(tree) != 10 {
			t.Fatalf("categories: %d %v %.300s", res.StatusCode, err, res.Body)
		}
		for _, k := range []string{"code", "name_zh", "name_en", "annex_b_code", "children"} {
			if _, ok := tree[0][k]; !ok {
				t.Errorf("category lacks %q", k)
			}
		}
		if kids, _ := tree[9]["children"].([]any); tree[9]["code"] != "OTH" || kids == nil || len(kids) != 0 {
			t.Errorf("OTH: %v", tree[9])
		}
		if kids, _ := tree[1]["children"].([]any); len(kids) != 21 || kids[8].(map[string]any)["code"] != "NA-09" {
			t.Errorf("NA children: %d", len(kids))
		}

		a, err := e.App.Assets.Create(e.Actor(mgr, e.Org), asset.Asset{Name: "门户网站", Type: asset.TypeApplication, C: 3, I: 3, A: 3})
		if err != nil {
			t.Fatal(err)
		}
		discovered := e.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
		body := fmt.Sprintf(`{"title":"门户首页被篡改","description":"首页出现违法信息","discovered_at":%q,"category":"NA-09","grade":3,"asset_ids":[%d],"business_systems":["门户网站"],"source":"monitoring"}`, discovered, a.ID)
		res = e.API(rt, "POST", "/api/v1/incidents", body, 0)
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		var got map[string]any
		_ = json.Unmarshal([]byte(res.Body), &got)
		for _, k := range []string{"id", "number", "category", "grade", "phase", "report_due_at", "title", "discovered_at", "asset_ids", "report_overdue"} {
			if _, ok := got[k]; !ok {
				t.Errorf("incident JSON lacks %q: %s", k, res.Body)
			}
		}
		// A new organisation is "other operator": 4 hours from discovery.
		wantDue := e.Clock.Now().Add(3 * time.Hour).UTC().Format(time.RFC3339)
		if got["number"] != "SJ-2026-0001" || got["category"] != "NA-09" || got["grade"] != 3.0 || got["phase"] != "detection" ||
			got["report_due_at"] != wantDue {
			t.Errorf("created: %s (want due %s)", res.Body, wantDue)
		}
		id := int64(got["id"].(float64))

		// Grade IV, ungraded: report_due_at is null.
		res = e.API(rt, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"扫描","discovered_at":%q}`, discovered), 0)
		if !strings.Contains(res.Body, `"report_due_at":null`) || !strings.Contains(res.Body, `"grade":null`) {
			t.Errorf("ungraded: %s", res.Body)
		}
		// A second report on the same asset names the first as a suspected duplicate.
		res = e.API(rt, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"门户异常","discovered_at":%q,"asset_ids":[%d]}`, discovered, a.ID), 0)
		if res.StatusCode != 201 || !strings.Contains(res.Body, `"suspected_duplicates":[{"id":`+fmt.Sprint(id)+`,"number":"SJ-2026-0001"`) {
			t.Errorf("duplicate suspicion: %d %s", res.StatusCode, res.Body)
		}
		// Errors name fields.
		res = e.API(rt, "POST", "/api/v1/incidents", `{"title":"x","discovered_at":"yesterday","category":"XX"}`, 0)
		if res.StatusCode != 422 || !strings.Contains(res.Body, `"field":"discovered_at"`) {
			t.Errorf("bad time: %d %s", res.StatusCode, res.Body)
		}

		// List with filters and totals.
		res = e.API(rt, "GET", "/api/v1/incidents?category=NA&grade=3&q=篡改", "", 0)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `"total":1`) || !strings.Contains(res.Body, "SJ-2026-0001") {
			t.Errorf("list: %d %s", res.StatusCode, res.Body)
		}
		// PATCH keeps absent fields and refuses the grade.
		res = e.API(rt, "PATCH", fmt.Sprintf("/api/v1/incidents/%d", id), `{"title":"门户首页被篡改（已恢复）"}`, 0)
		if res.StatusCode != 200 || !strings.Contains(res.Body, "已恢复") || !strings.Contains(res.Body, `"category":"NA-09"`) {
			t.Errorf("patch: %d %s", res.StatusCode, res.Body)
		}
		if res = e.API(rt, "PATCH", fmt.Sprintf("/api/v1/incidents/%d", id), `{"grade":1}`, 0); res.StatusCode != 422 {
			t.Errorf("patch grade: %d", res.StatusCode)
		}

		// Grading: proposal, then an override that needs a reason.
		gpath := fmt.Sprintf("/api/v1/incidents/%d/grade", id)
		factors := `"factors":{"importance":"general","loss":"minor","impact":"general"},"figures":{"homepage_defaced":45}`
		res = e.API(rt, "POST", gpath, "{"+factors+"}", 0)
		if res.StatusCode != 403 {
			t.Errorf("responder grading: %d", res.StatusCode)
		}
		res = e.API(mt, "POST", gpath, "{"+factors+"}", 0)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `"grade":3`) || !strings.Contains(res.Body, `"criterion":"homepage_defaced"`) || strings.Contains(res.Body, `"incident"`) {
			t.Errorf("proposal: %d %s", res.StatusCode, res.Body)
		}
		if res = e.API(mt, "POST", gpath, "{"+factors+`,"grade":2}`, 0); res.StatusCode != 422 || !strings.Contains(res.Body, `"field":"reason"`) {
			t.Errorf("override without reason: %d %s", res.StatusCode, res.Body)
		}
		res = e.API(mt, "POST", gpath, "{"+factors+`,"grade":2,"reason":"涉及省级门户"}`, 0)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `"grade_confirmed":true`) || !strings.Contains(res.Body, `"kind":"manual"`) {
			t.Errorf("override: %d %s", res.StatusCode, res.Body)
		}

		// The organisation becomes a CII operator; regrading recomputes the deadline: 1 hour, already past.
		o, _ := e.App.Orgs.Get(e.System(e.Org), e.Org)
		if _, err := e.App.Orgs.Update(e.System(e.Org), e.Org, o.Name, org.TypeCII); err != nil {
			t.Fatal(err)
		}
		res = e.API(mt, "POST", gpath, "{"+factors+`,"grade":3,"reason":"复核为较大"}`, 0)
		if !strings.Contains(res.Body, `"report_due_at":"`+e.Clock.Now().UTC().Format(time.RFC3339)+`"`) || !strings.Contains(res.Body, `"report_overdue":false`) {
			t.Errorf("regrade as CII: %s", res.Body)
		}
		e.Clock.Advance(time.Minute)
		res = e.API(rt, "GET", fmt.Sprintf("/api/v1/incidents/%d", id), "", 0)
		if !strings.Contains(res.Body, `"report_overdue":true`) {
			t.Errorf("overdue: %s", res.Body)
		}
		res = e.API(rt, "POST", fmt.Sprintf("/api/v1/incidents/%d/reported", id), "", 0)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `"report_overdue":false`) || strings.Contains(res.Body, `"reported_at":null`) {
			t.Errorf("reported: %d %s", res.StatusCode, res.Body)
		}
	})
}
