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

// Escalation and regulator report routes aim at incident and report
// 999999, which no organisation has: an allowed caller gets 404 (or a
// validation error), a forbidden one 403.
func init() {
	addRouteCases(map[string]routeCase{
		"POST /api/v1/incidents/{id}/activation":                  {Perm: auth.PermIncidentTransition, Path: "/api/v1/incidents/999999/activation", Body: `{}`},
		"GET /api/v1/regulator-report-fields":                     {Perm: auth.PermIncidentRead, Path: "/api/v1/regulator-report-fields"},
		"GET /api/v1/incidents/{id}/regulator-reports":            {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999/regulator-reports"},
		"GET /api/v1/incidents/{id}/regulator-reports/prefill":    {Perm: auth.PermIncidentReport, Path: "/api/v1/incidents/999999/regulator-reports/prefill?kind=first"},
		"POST /api/v1/incidents/{id}/regulator-reports":           {Perm: auth.PermIncidentReport, Path: "/api/v1/incidents/999999/regulator-reports", Body: `{"kind":"first"}`},
		"GET /api/v1/incidents/{id}/regulator-reports/{rid}":      {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999/regulator-reports/999999"},
		"GET /api/v1/incidents/{id}/regulator-reports/{rid}/docx": {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999/regulator-reports/999999/docx"},
		"GET /api/v1/incidents/{id}/regulator-reports/{rid}/html": {Perm: auth.PermIncidentRead, Path: "/api/v1/incidents/999999/regulator-reports/999999/html"},
		"POST /incidents/{id}/activation":                         {Perm: auth.PermIncidentTransition, Path: "/incidents/999999/activation"},
		"GET /incidents/{id}/regulator-reports/new":               {Perm: auth.PermIncidentReport, Path: "/incidents/999999/regulator-reports/new?kind=first"},
		"POST /incidents/{id}/regulator-reports":                  {Perm: auth.PermIncidentReport, Path: "/incidents/999999/regulator-reports", Body: "kind=first"},
		"GET /incidents/{id}/regulator-reports/{rid}":             {Perm: auth.PermIncidentRead, Path: "/incidents/999999/regulator-reports/999999"},
		"GET /incidents/{id}/regulator-reports/{rid}/docx":        {Perm: auth.PermIncidentRead, Path: "/incidents/999999/regulator-reports/999999/docx"},
	})
}

// A second organisation never sees, downloads, files or asks anything of
// the first one's escalation: its plan activation, its reports to the
// regulator, their documents and prefilled forms.
func TestEscalationDoesNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("orga-resp", e.Org, auth.RoleResponder)
		ctx := e.Actor(resp, e.Org)
		inc, err := e.App.Incidents.Create(ctx, incident.Input{Title: "orga 机密勒索事件", DiscoveredAt: e.Clock.Now(), Grade: 2, Category: "MP-07"})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.App.Escalation.Submit(ctx, inc.ID, incident.ReportInput{Kind: incident.ReportFirst, Recipient: "orga 机密网信办", Partial: true,
			Fields: map[string]string{"unit_name": "orga 机密单位", "facility": "orga 机密系统", "discovered_at": "x", "event_type": "x", "event_grade": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		orgB := e.CreateOrg("客户B")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			fill := strings.NewReplacer("{inc}", fmt.Sprint(inc.ID), "{rep}", fmt.Sprint(rep.ID)).Replace
			for _, path := range []string{"/api/v1/incidents/{inc}/regulator-reports", "/api/v1/incidents/{inc}/regulator-reports/prefill?kind=supplementary",
				"/api/v1/incidents/{inc}/regulator-reports/{rep}", "/api/v1/incidents/{inc}/regulator-reports/{rep}/docx",
				"/api/v1/incidents/{inc}/regulator-reports/{rep}/html", "/api/v1/incidents/{inc}", "/incidents/{inc}/regulator-reports/new?kind=supplementary",
				"/incidents/{inc}/regulator-reports/{rep}", "/incidents/{inc}/regulator-reports/{rep}/docx", "/incidents/{inc}", "/approvals"} {
				p := fill(path)
				res := c.call(e, "GET", p, routeCase{})
				if strings.Contains(res.Body, "orga 机密") || (res.StatusCode < 300 && !strings.HasSuffix(p, "/approvals")) {
					t.Errorf("GET %s as %s of org B: %d", p, c.role, res.StatusCode)
				}
			}
			for _, w := range []struct{ path, body string }{
				{fmt.Sprintf("/api/v1/incidents/%d/activation", inc.ID), `{}`},
				{fmt.Sprintf("/api/v1/incidents/%d/regulator-reports", inc.ID), `{"kind":"supplementary","recipient":"x","fields":{"unit_name":"x"}}`},
				{fmt.Sprintf("/incidents/%d/activation", inc.ID), ``},
				{fmt.Sprintf("/incidents/%d/regulator-reports", inc.ID), `kind=supplementary&recipient=x`},
			} {
				if res := c.call(e, "POST", w.path, routeCase{Body: w.body}); res.StatusCode < 400 {
					t.Errorf("POST %s as %s of org B: %d", w.path, c.role, res.StatusCode)
				}
			}
		}
		list, err := e.App.Escalation.Reports(ctx, inc.ID)
		if err != nil || len(list) != 1 {
			t.Errorf("org A's reports changed: %d %v", len(list), err)
		}
	})
}
