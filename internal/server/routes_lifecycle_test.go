package server_test

import (
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Lifecycle routes aim at incident and plan 999999, which no organisation
// has: an allowed caller gets 404 (or a validation error), a forbidden one
// 403.
func init() {
	addRouteCases(map[string]routeCase{
		"GET /api/v1/incidents/{id}/plans":                 {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999/plans"},
		"POST /api/v1/incidents/{id}/plans":                {Perm: auth.PermIncidentPlan, Path: "/api/v1/incidents/999999/plans", Body: `{"measures":"x"}`},
		"POST /api/v1/incidents/{id}/plans/{pid}/submit":   {Perm: auth.PermIncidentPlan, Path: "/api/v1/incidents/999999/plans/999999/submit"},
		"POST /api/v1/incidents/{id}/plans/{pid}/executed": {Perm: auth.PermIncidentPlan, Path: "/api/v1/incidents/999999/plans/999999/executed", Body: `{"notes":"x"}`},
		"POST /api/v1/incidents/{id}/plans/{pid}/effect":   {Perm: auth.PermIncidentPlan, Path: "/api/v1/incidents/999999/plans/999999/effect", Body: `{"effect":"effective","notes":"x"}`},
		"POST /api/v1/incidents/{id}/transition":           {Perm: auth.PermIncidentTransition, Path: "/api/v1/incidents/999999/transition", Body: `{"to":"containment"}`},
		"POST /api/v1/incidents/{id}/exception":            {Perm: auth.PermIncidentException, Path: "/api/v1/incidents/999999/exception", Body: `{"to":"closed","reason":"x"}`},
		"POST /api/v1/incidents/{id}/reopen":               {Perm: auth.PermIncidentTransition, Path: "/api/v1/incidents/999999/reopen", Body: `{"reason":"x"}`},
		"GET /api/v1/incidents/{id}/timeline":              {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999/timeline"},
		"POST /api/v1/incidents/{id}/timeline":             {Perm: auth.PermIncidentReport, Path: "/api/v1/incidents/999999/timeline", Body: `{"kind":"comment","body":"x"}`},
		"GET /incidents/{id}/response":                     {Perm: auth.PermIncidentRead, Path: "/incidents/999999/response"},
		"GET /incidents/{id}/flow.svg":                     {Perm: auth.PermIncidentRead, Path: "/incidents/999999/flow.svg"},
		"POST /incidents/{id}/plans":                       {Perm: auth.PermIncidentPlan, Path: "/incidents/999999/plans", Body: "measures=x"},
		"POST /incidents/{id}/plans/{pid}/submit":          {Perm: auth.PermIncidentPlan, Path: "/incidents/999999/plans/999999/submit"},
		"POST /incidents/{id}/plans/{pid}/executed":        {Perm: auth.PermIncidentPlan, Path: "/incidents/999999/plans/999999/executed", Body: "notes=x"},
		"POST /incidents/{id}/plans/{pid}/effect":          {Perm: auth.PermIncidentPlan, Path: "/incidents/999999/plans/999999/effect", Body: "effect=effective&notes=x"},
		"POST /incidents/{id}/transition":                  {Perm: auth.PermIncidentTransition, Path: "/incidents/999999/transition", Body: "to=containment"},
		"POST /incidents/{id}/exception":                   {Perm: auth.PermIncidentException, Path: "/incidents/999999/exception", Body: "to=closed&reason=x"},
		"POST /incidents/{id}/reopen":                      {Perm: auth.PermIncidentTransition, Path: "/incidents/999999/reopen", Body: "reason=x"},
		"GET /incidents/{id}/timeline":                     {Perm: auth.PermIncidentRead, Path: "/incidents/999999/timeline"},
		"POST /incidents/{id}/timeline":                    {Perm: auth.PermIncidentReport, Path: "/incidents/999999/timeline", Body: "kind=comment&body=x"},
		// A phase without plans: refused as invalid for the allowed.
		"POST /incident-approvers": {Perm: auth.PermEmergencyManage, Path: "/incident-approvers", Body: "phase=detection&roles=leadership"},
		"GET /incident-plans/{id}": {Perm: auth.PermIncidentRead, Path: "/incident-plans/999999"},
	})
}

// A second organisation never sees or moves the first one's incident
// lifecycle: plans, timeline, flow, transitions.
func TestLifecycleDoesNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("orga-resp", e.Org, auth.RoleResponder)
		ctx := e.Actor(resp, e.Org)
		inc, err := e.App.Incidents.Create(ctx, incident.Input{Title: "orga 机密事件", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Lifecycle.Transition(ctx, inc.ID, incident.PhaseContainment, ""); err != nil {
			t.Fatal(err)
		}
		p, err := e.App.Lifecycle.Draft(ctx, inc.ID, incident.PlanInput{Measures: "orga 机密方案"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Lifecycle.AddEntry(ctx, inc.ID, incident.EntryInput{Kind: incident.EntryComment, Body: "orga 机密评论"}); err != nil {
			t.Fatal(err)
		}
		orgB := e.CreateOrg("客户B")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			for _, path := range []string{"/api/v1/incidents/%d/plans", "/api/v1/incidents/%d/timeline", "/incidents/%d/response",
				"/incidents/%d/timeline", "/incidents/%d/flow.svg"} {
				p := fmt.Sprintf(path, inc.ID)
				res := c.call(e, "GET", p, routeCase{})
				if strings.Contains(res.Body, "orga 机密") || res.StatusCode < 300 {
					t.Errorf("GET %s as %s of org B: %d", p, c.role, res.StatusCode)
				}
			}
			for _, w := range []struct{ method, path, body string }{
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/plans", inc.ID), `{"measures":"hijack"}`},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/plans/%d/submit", inc.ID, p.ID), ``},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/transition", inc.ID), `{"to":"eradication"}`},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/exception", inc.ID), `{"to":"closed","reason":"x"}`},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/timeline", inc.ID), `{"kind":"comment","body":"x"}`},
				{"GET", fmt.Sprintf("/incident-plans/%d", p.ID), ``},
			} {
				if res := c.call(e, w.method, w.path, routeCase{Body: w.body}); res.StatusCode < 400 {
					t.Errorf("%s %s as %s of org B: %d", w.method, w.path, c.role, res.StatusCode)
				}
			}
		}
		got, err := e.App.Incidents.Get(ctx, inc.ID)
		if err != nil || got.Phase != incident.PhaseContainment {
			t.Errorf("org A's incident moved: %v %v", got.Phase, err)
		}
	})
}
