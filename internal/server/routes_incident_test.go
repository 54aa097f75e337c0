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

// Incident routes aim at an incident no organisation has (999999): an
// allowed caller gets 404 or a validation error, a forbidden one 403, so the
// matrix is checked without one caller's change disturbing the next.
func init() {
	grade := `{"factors":{"importance":"general","loss":"minor","impact":"general"}}`
	addRouteCases(map[string]routeCase{
		"GET /api/v1/incident-categories":     {Perm: auth.PermIncidentRead, Path: "/api/v1/incident-categories"},
		"GET /api/v1/incident-grade-criteria": {Perm: auth.PermIncidentRead, Path: "/api/v1/incident-grade-criteria"},
		"GET /api/v1/incidents":               {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents?q=fixture"},
		"POST /api/v1/incidents":              {Perm: auth.PermIncidentReport, Path: "/api/v1/incidents", Body: `{"title":""}`},
		"GET /api/v1/incidents/{id}":          {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999"},
		"PATCH /api/v1/incidents/{id}":        {Perm: auth.PermIncidentReport, Path: "/api/v1/incidents/999999", Body: `{"title":"x"}`},
		"POST /api/v1/incidents/{id}/grade":   {Perm: auth.PermIncidentGrade, Path: "/api/v1/incidents/999999/grade", Body: grade},
		"GET /incidents":                      {Perm: auth.PermIncidentRead, Path: "/incidents?q=fixture"},
		"GET /incidents/new":                  {Perm: auth.PermIncidentReport, Path: "/incidents/new"},
		"POST /incidents/new":                 {Perm: auth.PermIncidentReport, Path: "/incidents/new?from_alert=A-1"},
		"POST /incidents":                     {Perm: auth.PermIncidentReport, Path: "/incidents", Body: "title="},
		"GET /incidents/{id}":                 {Perm: auth.PermIncidentRead, Path: "/incidents/999999"},
		"GET /incidents/{id}/edit":            {Perm: auth.PermIncidentReport, Path: "/incidents/999999/edit"},
		"POST /incidents/{id}":                {Perm: auth.PermIncidentReport, Path: "/incidents/999999", Body: "title=x"},
		"GET /incidents/{id}/grade":           {Perm: auth.PermIncidentGrade, Path: "/incidents/999999/grade"},
		"POST /incidents/{id}/grade":          {Perm: auth.PermIncidentGrade, Path: "/incidents/999999/grade", Body: "importance=general&loss=minor&impact=general"},
		"POST /incidents/{id}/reported":       {Perm: auth.PermIncidentReport, Path: "/incidents/999999/reported"},
		"GET /incident-categories":            {Perm: auth.PermIncidentRead, Path: "/incident-categories"},
		// Codes nobody has: the platform admin gets 404, everyone else 403.
		"POST /incident-categories/{code}":          {Perm: auth.PermIncidentAdminCategories, Path: "/incident-categories/ZZ-99", Body: "name_zh=x&name_en=x"},
		"POST /incident-categories/{code}/children": {Perm: auth.PermIncidentAdminCategories, Path: "/incident-categories/ZZ/children", Body: "name_zh=x&name_en=x"},
		"POST /incident-criteria/{key}":             {Perm: auth.PermIncidentAdminCategories, Path: "/incident-criteria/no_such", Body: "threshold_1=3&threshold_2=2&threshold_3=1"},
		"POST /api/v1/incidents/{id}/reported":      {Perm: auth.PermIncidentReport, Path: "/api/v1/incidents/999999/reported", Body: `{}`},
	})
}

// A second organisation never sees or changes the first one's incident,
// through the UI or the API, by id, list or search.
func TestIncidentsDoNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("orga-resp", e.Org, auth.RoleResponder)
		inc, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "orga 机密事件", DiscoveredAt: e.Clock.Now(), Grade: 3})
		if err != nil {
			t.Fatal(err)
		}
		orgB := e.CreateOrg("客户B")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			for _, path := range []string{"/api/v1/incidents/%d", "/incidents/%d", "/incidents/%d/edit", "/incidents/%d/grade",
				"/api/v1/incidents?q=orga", "/incidents?q=orga"} {
				p := path
				if strings.Contains(path, "%d") {
					p = fmt.Sprintf(path, inc.ID)
				}
				res := c.call(e, "GET", p, routeCase{})
				if strings.Contains(res.Body, "orga 机密") || (strings.Contains(path, "%d") && res.StatusCode < 300) {
					t.Errorf("GET %s as %s of org B: %d shows org A's incident", p, c.role, res.StatusCode)
				}
			}
			for _, w := range []struct{ method, path, body string }{
				{"PATCH", "/api/v1/incidents/%d", `{"title":"hijacked"}`},
				{"POST", "/api/v1/incidents/%d/grade", `{"factors":{"importance":"general","loss":"minor","impact":"general"},"grade":4,"reason":"x"}`},
				{"POST", "/api/v1/incidents/%d/reported", `{}`},
			} {
				if res := c.call(e, w.method, fmt.Sprintf(w.path, inc.ID), routeCase{Body: w.body}); res.StatusCode < 400 {
					t.Errorf("%s %s as %s of org B: %d", w.method, w.path, c.role, res.StatusCode)
				}
			}
		}
		got, err := e.App.Incidents.Get(e.Actor(resp, e.Org), inc.ID)
		if err != nil || got.Title != "orga 机密事件" || *got.Grade != 3 || got.ReportedAt != nil {
			t.Fatalf("org A's incident changed: %+v %v", got, err)
		}
	})
}
