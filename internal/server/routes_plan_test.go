package server_test

import (
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The emergency plan's routes. Revision 999999 exists nowhere: an allowed
// caller gets 404, a forbidden one 403. Starting a revision is allowed
// once (the first allowed caller opens it, the next get 409).
func init() {
	read, manage := auth.PermEmergencyRead, auth.PermEmergencyManage
	addRouteCases(map[string]routeCase{
		"GET /emergency/plan":                               {Perm: read, Path: "/emergency/plan"},
		"POST /emergency/plan/revisions":                    {Perm: manage, Path: "/emergency/plan/revisions"},
		"GET /emergency/plan/revisions/{id}":                {Perm: read, Path: "/emergency/plan/revisions/999999"},
		"GET /emergency/plan/revisions/{id}/edit":           {Perm: manage, Path: "/emergency/plan/revisions/999999/edit"},
		"POST /emergency/plan/revisions/{id}":               {Perm: manage, Path: "/emergency/plan/revisions/999999", Body: "title=x&chapters=1&chapters%5B0%5D.title=x"},
		"POST /emergency/plan/revisions/{id}/submit":        {Perm: manage, Path: "/emergency/plan/revisions/999999/submit"},
		"POST /emergency/plan/revisions/{id}/delete":        {Perm: manage, Path: "/emergency/plan/revisions/999999/delete"},
		"GET /emergency/plan/revisions/{id}/export":         {Perm: read, Path: "/emergency/plan/revisions/999999/export?format=docx"},
		"GET /api/v1/emergency/plan":                        {Perm: read, Path: "/api/v1/emergency/plan"},
		"GET /api/v1/emergency/plan/revisions":              {Perm: read, Path: "/api/v1/emergency/plan/revisions?incident_id=999999"},
		"POST /api/v1/emergency/plan/revisions":             {Perm: manage, Path: "/api/v1/emergency/plan/revisions"},
		"GET /api/v1/emergency/plan/revisions/{id}":         {Perm: read, Path: "/api/v1/emergency/plan/revisions/999999"},
		"PUT /api/v1/emergency/plan/revisions/{id}":         {Perm: manage, Path: "/api/v1/emergency/plan/revisions/999999", Body: `{"title":"x","chapters":[{"title":"x"}]}`},
		"DELETE /api/v1/emergency/plan/revisions/{id}":      {Perm: manage, Path: "/api/v1/emergency/plan/revisions/999999"},
		"POST /api/v1/emergency/plan/revisions/{id}/submit": {Perm: manage, Path: "/api/v1/emergency/plan/revisions/999999/submit"},
		"GET /api/v1/emergency/plan/revisions/{id}/export":  {Perm: read, Path: "/api/v1/emergency/plan/revisions/999999/export?format=html"},
	})
}

// A second organisation never sees, exports, changes or approves the
// first one's plan, through the UI or the API.
func TestEmergencyPlanDoesNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.Actor(e.CreateUser("orga-mgr", e.Org, auth.RoleSecurityManager), e.Org)
		inc, err := e.App.Incidents.Create(mgr, incident.Input{Title: "orga 机密事件", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		svc := e.App.EmergencyPlan
		rev, err := svc.StartDraft(mgr, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := emergencyplan.DraftInput{Title: "orga 机密预案", Summary: "orga 机密修订", Reason: "orga", IncidentIDs: []int64{inc.ID},
			Chapters: append(rev.Chapters, emergencyplan.Chapter{Title: "orga 机密章节", Body: "orga 机密正文"})}
		if rev, err = svc.SaveDraft(mgr, rev.ID, in); err != nil {
			t.Fatal(err)
		}
		if rev, err = svc.Submit(mgr, rev.ID); err != nil {
			t.Fatal(err)
		}
		orgB := e.CreateOrg("客户B")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			for _, p := range []string{"/emergency/plan", "/emergency/plan/revisions/%d", "/emergency/plan/revisions/%d/edit",
				"/emergency/plan/revisions/%d/export?format=html", "/emergency/plan/revisions/%d/export?format=docx",
				"/api/v1/emergency/plan", "/api/v1/emergency/plan/revisions", "/api/v1/emergency/plan/revisions?incident_id=%d",
				"/api/v1/emergency/plan/revisions/%d", "/api/v1/emergency/plan/revisions/%d/export?format=html", "/approvals"} {
				path := p
				if strings.Contains(p, "%d") {
					id := rev.ID
					if strings.Contains(p, "incident_id") {
						id = inc.ID
					}
					path = fmt.Sprintf(p, id)
				}
				res := c.call(e, "GET", path, routeCase{})
				if strings.Contains(res.Body, "orga") || strings.Contains(res.Body, "机密") {
					t.Errorf("GET %s as %s of org B shows org A's plan (%d)", path, c.role, res.StatusCode)
				}
				if strings.Contains(p, "revisions/%d") && res.StatusCode < 400 {
					t.Errorf("GET %s as %s of org B: %d", path, c.role, res.StatusCode)
				}
			}
			for _, w := range []struct{ method, path, body string }{
				{"POST", fmt.Sprintf("/emergency/plan/revisions/%d", rev.ID), "title=hijack&chapters=1&chapters%5B0%5D.title=x"},
				{"POST", fmt.Sprintf("/emergency/plan/revisions/%d/submit", rev.ID), ""},
				{"POST", fmt.Sprintf("/emergency/plan/revisions/%d/delete", rev.ID), ""},
				{"PUT", fmt.Sprintf("/api/v1/emergency/plan/revisions/%d", rev.ID), `{"title":"hijack","chapters":[{"title":"x"}]}`},
				{"POST", fmt.Sprintf("/api/v1/emergency/plan/revisions/%d/submit", rev.ID), ""},
				{"DELETE", fmt.Sprintf("/api/v1/emergency/plan/revisions/%d", rev.ID), ""},
				{"POST", fmt.Sprintf("/api/v1/approvals/%d/decision", rev.ApprovalID), `{"approve":true}`},
			} {
				if res := c.call(e, w.method, w.path, routeCase{Body: w.body}); res.StatusCode < 400 {
					t.Errorf("%s %s as %s of org B: %d", w.method, w.path, c.role, res.StatusCode)
				}
			}
		}
		got, err := svc.Get(mgr, rev.ID)
		if err != nil || got.Title != "orga 机密预案" || got.Status != emergencyplan.StatusSubmitted {
			t.Fatalf("org A's revision changed: %+v %v", got, err)
		}
	})
}
