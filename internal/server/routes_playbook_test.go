package server_test

import (
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/playbook"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Playbook routes read the defaults (which every organisation has) and
// aim their writes at incident and task 999999, which no organisation has:
// an allowed caller gets 404 or a validation error, a forbidden one 403.
func init() {
	addRouteCases(map[string]routeCase{
		"GET /api/v1/playbooks":                 {Perm: auth.PermPlaybookRead, Path: "/api/v1/playbooks"},
		"POST /api/v1/playbooks":                {Perm: auth.PermPlaybookManage, Path: "/api/v1/playbooks", Body: `{"key":""}`},
		"GET /api/v1/playbooks/{key}":           {Perm: auth.PermPlaybookRead, Path: "/api/v1/playbooks/hacking"},
		"PUT /api/v1/playbooks/{key}":           {Perm: auth.PermPlaybookManage, Path: "/api/v1/playbooks/hacking", Body: `{"name_zh":""}`},
		"DELETE /api/v1/playbooks/{key}":        {Perm: auth.PermPlaybookManage, Path: "/api/v1/playbooks/no-such"},
		"GET /api/v1/playbooks/export":          {Perm: auth.PermPlaybookRead, Path: "/api/v1/playbooks/export"},
		"POST /api/v1/playbooks/import":         {Perm: auth.PermPlaybookManage, Path: "/api/v1/playbooks/import", Body: `{}`},
		"GET /api/v1/incidents/{id}/tasks":      {Perm: auth.PermTaskRead, Path: "/api/v1/incidents/999999/tasks"},
		"POST /api/v1/incidents/{id}/tasks":     {Perm: auth.PermTaskWrite, Path: "/api/v1/incidents/999999/tasks", Body: `{"phase":"containment","title":"x"}`},
		"GET /api/v1/incidents/{id}/playbooks":  {Perm: auth.PermPlaybookRead, Path: "/api/v1/incidents/999999/playbooks"},
		"POST /api/v1/incidents/{id}/playbooks": {Perm: auth.PermPlaybookApply, Path: "/api/v1/incidents/999999/playbooks", Body: `{"key":"hacking"}`},
		"GET /playbooks":                        {Perm: auth.PermPlaybookRead, Path: "/playbooks"},
		"GET /playbooks/new":                    {Perm: auth.PermPlaybookManage, Path: "/playbooks/new"},
		"POST /playbooks":                       {Perm: auth.PermPlaybookManage, Path: "/playbooks", Body: "key="},
		"GET /playbooks/export.yaml":            {Perm: auth.PermPlaybookRead, Path: "/playbooks/export.yaml"},
		"GET /playbooks/{key}":                  {Perm: auth.PermPlaybookRead, Path: "/playbooks/hacking"},
		"GET /playbooks/{key}/edit":             {Perm: auth.PermPlaybookManage, Path: "/playbooks/hacking/edit"},
		"POST /playbooks/{key}":                 {Perm: auth.PermPlaybookManage, Path: "/playbooks/no-such", Body: "name_zh=x"},
		"POST /playbooks/{key}/enabled":         {Perm: auth.PermPlaybookManage, Path: "/playbooks/no-such/enabled", Body: "enabled=0"},
		"POST /playbooks/{key}/delete":          {Perm: auth.PermPlaybookManage, Path: "/playbooks/no-such/delete"},
		"GET /playbooks/{key}/export.yaml":      {Perm: auth.PermPlaybookRead, Path: "/playbooks/hacking/export.yaml"},
		"GET /playbooks/import":                 {Perm: auth.PermPlaybookManage, Path: "/playbooks/import"},
		"POST /playbooks/import":                {Perm: auth.PermPlaybookManage, Path: "/playbooks/import"},
		"POST /playbooks/import/confirm":        {Perm: auth.PermPlaybookManage, Path: "/playbooks/import/confirm", Body: "sha256=x"},
		"POST /incidents/{id}/tasks":            {Perm: auth.PermTaskWrite, Path: "/incidents/999999/tasks", Body: "phase=containment&title=x"},
		// The assignee may update their own task: reading tasks is enough to be let in.
		"POST /incidents/{id}/tasks/{tid}": {Perm: auth.PermTaskRead, Path: "/incidents/999999/tasks/999999", Body: "notes=x"},
		"POST /incidents/{id}/playbooks":   {Perm: auth.PermPlaybookApply, Path: "/incidents/999999/playbooks", Body: "key=hacking"},
	})
}

// A second organisation sees none of the first one's own playbooks, its
// changes to the defaults, or an incident's tasks and applied playbooks,
// and cannot change them.
func TestPlaybooksDoNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.CreateUser("orga-mgr", e.Org, auth.RoleSecurityManager)
		ctx := e.Actor(mgr, e.Org)
		own := playbook.Playbook{Key: "orga-secret", NameZh: "orga 机密剧本", Categories: []string{"NA"}, Enabled: true,
			Steps: []playbook.Step{{Phase: incident.PhaseContainment, Title: "orga 机密步骤"}}}
		if _, err := e.App.Playbooks.Create(ctx, own); err != nil {
			t.Fatal(err)
		}
		v, err := e.App.Playbooks.Get(ctx, "virus")
		if err != nil {
			t.Fatal(err)
		}
		v.NameZh = "orga 机密病毒处置"
		if _, err := e.App.Playbooks.Update(ctx, "virus", v); err != nil {
			t.Fatal(err)
		}
		inc, err := e.App.Incidents.Create(ctx, incident.Input{Title: "orga 机密事件", DiscoveredAt: e.Clock.Now(), Category: "NA-09"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.App.Playbooks.Apply(ctx, inc.ID, "web-content"); err != nil {
			t.Fatal(err)
		}
		tk, err := e.App.Playbooks.AddTask(ctx, inc.ID, playbook.TaskInput{Phase: incident.PhaseRecovery, Title: "orga 机密任务"})
		if err != nil {
			t.Fatal(err)
		}
		orgB := e.CreateOrg("客户B")
		for _, c := range callers(t, e, orgB, "b") {
			if c.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			for _, path := range []string{"/api/v1/playbooks", "/api/v1/playbooks/virus", "/api/v1/playbooks/export", "/playbooks",
				"/playbooks/virus", "/playbooks/export.yaml"} {
				if res := c.call(e, "GET", path, routeCase{}); strings.Contains(res.Body, "orga") {
					t.Errorf("GET %s as %s of org B shows org A's playbooks (%d)", path, c.role, res.StatusCode)
				}
			}
			for _, path := range []string{"/api/v1/playbooks/orga-secret", "/playbooks/orga-secret", "/playbooks/orga-secret/export.yaml",
				fmt.Sprintf("/api/v1/incidents/%d/tasks", inc.ID), fmt.Sprintf("/api/v1/incidents/%d/playbooks", inc.ID),
				fmt.Sprintf("/incidents/%d/response", inc.ID)} {
				res := c.call(e, "GET", path, routeCase{})
				if strings.Contains(res.Body, "orga") || res.StatusCode < 300 {
					t.Errorf("GET %s as %s of org B: %d", path, c.role, res.StatusCode)
				}
			}
			for _, w := range []struct{ method, path, body string }{
				{"PUT", "/api/v1/playbooks/orga-secret", `{"name_zh":"hijack"}`},
				{"DELETE", "/api/v1/playbooks/orga-secret", ``},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/tasks", inc.ID), `{"phase":"containment","title":"hijack"}`},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/playbooks", inc.ID), `{"key":"hacking"}`},
				{"PATCH", fmt.Sprintf("/api/v1/tasks/%d", tk.ID), `{"notes":"hijack"}`},
				{"POST", fmt.Sprintf("/incidents/%d/tasks", inc.ID), "phase=containment&title=hijack"},
				{"POST", fmt.Sprintf("/incidents/%d/tasks/%d", inc.ID, tk.ID), "notes=hijack"},
				{"POST", fmt.Sprintf("/incidents/%d/playbooks", inc.ID), "key=hacking"},
				{"POST", "/playbooks/orga-secret", "name_zh=hijack"},
				{"POST", "/playbooks/orga-secret/delete", ""},
				{"POST", "/playbooks/orga-secret/enabled", "enabled=0"},
			} {
				if res := c.call(e, w.method, w.path, routeCase{Body: w.body}); res.StatusCode < 400 {
					t.Errorf("%s %s as %s of org B: %d", w.method, w.path, c.role, res.StatusCode)
				}
			}
		}
		got, err := e.App.Playbooks.IncidentTasks(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range got {
			if strings.Contains(x.Title+x.Notes, "hijack") {
				t.Errorf("org A's task changed: %+v", x)
			}
		}
		if p, err := e.App.Playbooks.Get(ctx, "orga-secret"); err != nil || p.NameZh != own.NameZh {
			t.Errorf("org A's playbook changed: %+v %v", p, err)
		}
	})
}
