package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Post-incident routes aim at incident, CAPA and recommendation 999999,
// which no organisation has: an allowed caller gets 404 (or a validation
// error), a forbidden one 403.
func init() {
	const api = "/api/v1/incidents/999999"
	const ui = "/incidents/999999"
	addRouteCases(map[string]routeCase{
		"GET /api/v1/incidents/{id}/review":                {Perm: auth.PermReviewRead, Path: api + "/review"},
		"PUT /api/v1/incidents/{id}/review":                {Perm: auth.PermReviewWrite, Path: api + "/review", Body: `{"root_cause":"x"}`},
		"GET /api/v1/incidents/{id}/capas":                 {Perm: auth.PermReviewRead, Path: api + "/capas"},
		"POST /api/v1/incidents/{id}/capas":                {Perm: auth.PermReviewWrite, Path: api + "/capas", Body: `{"kind":"corrective","description":"x","owner_id":1,"due_at":"2030-01-01T00:00:00Z"}`},
		"PATCH /api/v1/incidents/{id}/capas/{cid}":         {Perm: auth.PermReviewWrite, Path: api + "/capas/999999", Body: `{"description":"x"}`},
		"DELETE /api/v1/incidents/{id}/capas/{cid}":        {Perm: auth.PermReviewWrite, Path: api + "/capas/999999"},
		"POST /api/v1/incidents/{id}/capas/submit":         {Perm: auth.PermReviewWrite, Path: api + "/capas/submit"},
		"POST /api/v1/incidents/{id}/capas/{cid}/progress": {Perm: auth.PermCAPAWork, Path: api + "/capas/999999/progress", Body: `{"status":"in_progress"}`},
		"POST /api/v1/incidents/{id}/capas/{cid}/verify":   {Perm: auth.PermCAPAVerify, Path: api + "/capas/999999/verify", Body: `{"accept":true,"notes":"x"}`},
		"GET /api/v1/capas":                                {Perm: auth.PermReviewRead, Path: "/api/v1/capas?mine=true"},
		"GET /api/v1/incidents/{id}/sanctions":             {Perm: auth.PermSanctionRead, Path: api + "/sanctions"},
		"POST /api/v1/incidents/{id}/sanctions":            {Perm: auth.PermSanctionPropose, Path: api + "/sanctions", Body: `{"kind":"reward","person_name":"x","reason":"x"}`},
		"GET /api/v1/incidents/{id}/report.docx":           {Perm: auth.PermResponseReport, Path: api + "/report.docx"},
		"GET /api/v1/incidents/{id}/report.html":           {Perm: auth.PermResponseReport, Path: api + "/report.html?lang=en"},
		"GET /incidents/{id}/review":                       {Perm: auth.PermReviewRead, Path: ui + "/review"},
		"POST /incidents/{id}/review":                      {Perm: auth.PermReviewWrite, Path: ui + "/review", Body: "root_cause=x"},
		"POST /incidents/{id}/capas":                       {Perm: auth.PermReviewWrite, Path: ui + "/capas", Body: "kind=corrective&description=x&owner_id=1&due_at=2030-01-01"},
		"POST /incidents/{id}/capas/submit":                {Perm: auth.PermReviewWrite, Path: ui + "/capas/submit"},
		"POST /incidents/{id}/capas/{cid}":                 {Perm: auth.PermReviewWrite, Path: ui + "/capas/999999", Body: "description=x"},
		"POST /incidents/{id}/capas/{cid}/delete":          {Perm: auth.PermReviewWrite, Path: ui + "/capas/999999/delete"},
		"POST /incidents/{id}/capas/{cid}/progress":        {Perm: auth.PermCAPAWork, Path: ui + "/capas/999999/progress", Body: "status=in_progress"},
		"POST /incidents/{id}/capas/{cid}/verify":          {Perm: auth.PermCAPAVerify, Path: ui + "/capas/999999/verify", Body: "decision=accept&notes=x"},
		"POST /incidents/{id}/sanctions":                   {Perm: auth.PermSanctionPropose, Path: ui + "/sanctions", Body: "kind=reward&person_name=x&reason=x"},
		"GET /incident-sanctions/{id}":                     {Perm: auth.PermReviewRead, Path: "/incident-sanctions/999999"},
		"GET /incidents/{id}/report.docx":                  {Perm: auth.PermResponseReport, Path: ui + "/report.docx"},
		"GET /incidents/{id}/report.html":                  {Perm: auth.PermResponseReport, Path: ui + "/report.html"},
		"GET /capas":                                       {Perm: auth.PermReviewRead, Path: "/capas?mine=1"},
	})
}

// A second organisation never sees or changes the first one's review,
// CAPA, recommendations or report, through the UI or the API.
func TestReviewDoesNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		resp := e.CreateUser("orga-resp", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("orga-mgr", e.Org, auth.RoleSecurityManager)
		ctx, mctx := e.Actor(resp, e.Org), e.Actor(mgr, e.Org)
		inc, err := e.App.Incidents.Create(ctx, incident.Input{Title: "orga 机密事件", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		held := e.Clock.Now()
		r := e.App.Reviews
		if _, err := r.SaveReview(ctx, inc.ID, postincident.ReviewInput{HeldAt: &held, RootCause: "orga 机密原因",
			AttendeeNames: []string{"orga 机密参会人"}}); err != nil {
			t.Fatal(err)
		}
		c, err := r.AddCAPA(ctx, inc.ID, postincident.CAPAInput{Kind: postincident.KindCorrective, Description: "orga 机密措施",
			OwnerID: mgr.ID, DueAt: e.Clock.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		x, err := r.ProposeSanction(mctx, inc.ID, postincident.SanctionInput{Kind: postincident.SanctionReward,
			PersonName: "orga 机密人员", Reason: "orga 机密事由"})
		if err != nil {
			t.Fatal(err)
		}
		orgB := e.CreateOrg("客户B")
		for _, cl := range callers(t, e, orgB, "b") {
			if cl.role == string(auth.RoleAdmin) {
				continue // the platform admin is global by design
			}
			for _, p := range []string{"/api/v1/incidents/%d/review", "/api/v1/incidents/%d/capas", "/api/v1/incidents/%d/sanctions",
				"/api/v1/incidents/%d/report.docx", "/api/v1/incidents/%d/report.html", "/incidents/%d/review",
				"/incidents/%d/report.docx", "/incidents/%d/report.html"} {
				path := fmt.Sprintf(p, inc.ID)
				res := cl.call(e, "GET", path, routeCase{})
				if strings.Contains(res.Body, "orga 机密") || res.StatusCode < 300 {
					t.Errorf("GET %s as %s of org B: %d", path, cl.role, res.StatusCode)
				}
			}
			for _, p := range []string{"/api/v1/capas", "/capas"} {
				if res := cl.call(e, "GET", p, routeCase{}); strings.Contains(res.Body, "orga 机密") {
					t.Errorf("GET %s as %s of org B shows org A's CAPA", p, cl.role)
				}
			}
			for _, w := range []struct{ method, path, body string }{
				{"PUT", fmt.Sprintf("/api/v1/incidents/%d/review", inc.ID), `{"root_cause":"hijack"}`},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/capas", inc.ID), `{"kind":"corrective","description":"hijack","owner_id":1,"due_at":"2030-01-01T00:00:00Z"}`},
				{"PATCH", fmt.Sprintf("/api/v1/incidents/%d/capas/%d", inc.ID, c.ID), `{"description":"hijack"}`},
				{"DELETE", fmt.Sprintf("/api/v1/incidents/%d/capas/%d", inc.ID, c.ID), ``},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/capas/submit", inc.ID), ``},
				{"POST", fmt.Sprintf("/api/v1/incidents/%d/sanctions", inc.ID), `{"kind":"penalty","person_name":"x","reason":"x"}`},
				{"POST", fmt.Sprintf("/api/v1/approvals/%d/decision", x.ApprovalID), `{"approve":true}`},
				{"GET", fmt.Sprintf("/incident-sanctions/%d", x.ID), ``},
			} {
				if res := cl.call(e, w.method, w.path, routeCase{Body: w.body}); res.StatusCode < 400 {
					t.Errorf("%s %s as %s of org B: %d", w.method, w.path, cl.role, res.StatusCode)
				}
			}
		}
		got, err := r.CAPAs(ctx, inc.ID)
		if err != nil || len(got) != 1 || got[0].Description != "orga 机密措施" || got[0].Status != postincident.CAPADraft {
			t.Errorf("org A's CAPA changed: %+v %v", got, err)
		}
		rev, err := r.Review(ctx, inc.ID)
		if err != nil || rev.RootCause != "orga 机密原因" {
			t.Errorf("org A's review changed: %+v %v", rev, err)
		}
	})
}
