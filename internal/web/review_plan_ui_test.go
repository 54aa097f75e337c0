package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Point 9's link from the review to the revision of the emergency plan:
// the security manager asks from the review page to revise the plan for the
// incident; a draft revision naming it opens, a second incident is named in
// the same open draft, and both reviews list the revision. Those who may
// not edit the plan see the list but not the button.
func TestReviewLinksToPlanRevision(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgrU := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		respU := e.CreateUser("resp", e.Org, auth.RoleResponder)
		var ids []int64
		for _, title := range []string{"勒索软件感染", "数据库被拖库"} {
			inc, err := e.App.Incidents.Create(e.Actor(respU, e.Org), incident.Input{Title: title, DiscoveredAt: e.Clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, inc.ID)
		}
		mgr, resp := e.SessionClient(mgrU, e.Org), e.SessionClient(respU, e.Org)
		review := func(id int64) string { return fmt.Sprintf("/incidents/%d/review", id) }

		lcWant(t, mgr.Get(review(ids[0])), 200, "review before", "尚无以本事件为修订原因", `id="plan-revise"`)
		res := mgr.PostForm("/emergency/plan/revisions", url.Values{"incident": {fmt.Sprint(ids[0])}})
		if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "/edit") {
			t.Fatalf("revise for the first incident: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		lcWant(t, mgr.PostForm("/emergency/plan/revisions", url.Values{"incident": {fmt.Sprint(ids[1])}}), 303, "revise for the second")

		revs, err := e.App.EmergencyPlan.Revisions(e.Actor(mgrU, e.Org))
		if err != nil || len(revs) != 1 {
			t.Fatalf("one open draft is expected: %+v %v", revs, err)
		}
		full, err := e.App.EmergencyPlan.Get(e.Actor(mgrU, e.Org), revs[0].ID)
		if err != nil || len(full.Incidents) != 2 || full.Incidents[0].ID != ids[0] || full.Incidents[1].ID != ids[1] {
			t.Fatalf("the draft names %+v (%v), want incidents %v", full.Incidents, err, ids)
		}
		for _, id := range ids {
			lcWant(t, mgr.Get(review(id)), 200, "review lists the revision", fmt.Sprintf(`href="/emergency/plan/revisions/%d"`, full.ID), full.Version)
		}
		// Naming an incident twice changes nothing.
		lcWant(t, mgr.PostForm("/emergency/plan/revisions", url.Values{"incident": {fmt.Sprint(ids[0])}}), 303, "revise again")
		if again, _ := e.App.EmergencyPlan.Get(e.Actor(mgrU, e.Org), full.ID); len(again.Incidents) != 2 {
			t.Errorf("named twice: %+v", again.Incidents)
		}
		page := lcWant(t, resp.Get(review(ids[0])), 200, "responder's review", full.Version)
		if strings.Contains(page.Body, `id="plan-revise"`) {
			t.Error("the responder is offered to revise the plan")
		}
		lcWant(t, resp.PostForm("/emergency/plan/revisions", url.Values{"incident": {fmt.Sprint(ids[0])}}), 403, "responder revises")
		// Another organisation's incident cannot be named.
		orgB := e.CreateOrg("客户B")
		mgrB := e.SessionClient(e.CreateUser("mgr-b", orgB, auth.RoleSecurityManager), orgB)
		if res := mgrB.PostForm("/emergency/plan/revisions", url.Values{"incident": {fmt.Sprint(ids[0])}}); res.StatusCode < 400 {
			t.Errorf("org B names org A's incident: %d", res.StatusCode)
		}
	})
}
