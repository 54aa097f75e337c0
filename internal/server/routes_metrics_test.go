package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func init() {
	addRouteCases(map[string]routeCase{
		"GET /incidents/dashboard":     {Perm: auth.PermIncidentRead, Path: "/incidents/dashboard?category=NA"},
		"GET /api/v1/incident-metrics": {Perm: auth.PermIncidentRead, Path: "/api/v1/incident-metrics?grade=3"},
	})
}

// A second organisation's dashboard and metrics count none of the first
// one's incidents, through the UI and the API, with or without filters.
func TestIncidentMetricsDoNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("orga-resp", e.Org, auth.RoleResponder)
		for k, c := range []string{"NA-09", "NA-01", "MP-07"} {
			if _, err := e.App.Incidents.Create(e.Actor(resp, e.Org), incident.Input{Title: "orga 事件",
				DiscoveredAt: e.Clock.Now().Add(-time.Duration(k) * time.Hour), Category: c, Grade: 3}); err != nil {
				t.Fatal(err)
			}
		}
		orgB := e.CreateOrg("客户B")
		seen := 0
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) || !c.can(auth.PermIncidentRead) {
				continue
			}
			seen++
			for _, q := range []string{"", "?category=NA", "?grade=3", "?from=2026-01&to=2026-12"} {
				res := c.call(e, "GET", "/api/v1/incident-metrics"+q, routeCase{})
				var m incident.Metrics
				if err := json.Unmarshal([]byte(res.Body), &m); err != nil || res.StatusCode != 200 {
					t.Fatalf("API as %s of org B: %d %s", c.role, res.StatusCode, res.Body)
				}
				if m.Incidents != 0 {
					t.Errorf("API%s as %s of org B counts %d incidents of org A", q, c.role, m.Incidents)
				}
				for _, cat := range m.ByCategory {
					if cat.Count != 0 {
						t.Errorf("API%s as %s of org B: %s has %d", q, c.role, cat.Code, cat.Count)
					}
				}
				page := c.call(e, "GET", "/incidents/dashboard"+q, routeCase{})
				if page.StatusCode != 200 || !strings.Contains(page.Body, `id="metrics-total">共 0 起事件<`) {
					t.Errorf("dashboard%s as %s of org B: %d does not say 0 incidents", q, c.role, page.StatusCode)
				}
			}
		}
		if seen == 0 {
			t.Fatal("no role of org B may read incidents")
		}
		// Org A's own figures hold its three incidents.
		m, err := e.App.Incidents.Metrics(e.Actor(resp, e.Org), incident.MetricsFilter{})
		if err != nil || m.Incidents != 3 {
			t.Fatalf("org A: %d %v", m.Incidents, err)
		}
	})
}
