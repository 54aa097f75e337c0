package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/emergencyplan"
	"bulwark/internal/httpx"
	"bulwark/internal/incident"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

type planJSON struct {
	Current *emergencyplan.Revision `json:"current"`
	Open    *emergencyplan.Revision `json:"open"`
}

type revisionsJSON struct {
	Items []emergencyplan.Revision `json:"items"`
}

func TestEmergencyPlanAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgrUser := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		mgr := e.Token(mgrUser)
		boss := e.Token(e.CreateUser("boss", e.Org, auth.RoleLeadership))
		viewer := e.Token(e.CreateUser("viewer", e.Org, auth.RoleViewer))
		inc, err := e.App.Incidents.Create(e.Actor(mgrUser, e.Org), incident.Input{Title: "勒索软件", DiscoveredAt: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}

		p := emCall[planJSON](t, e, viewer, "GET", "/api/v1/emergency/plan", "", e.Org, 200)
		if p.Current != nil || p.Open != nil {
			t.Fatalf("new organisation: %+v", p)
		}
		emCall[map[string]any](t, e, viewer, "POST", "/api/v1/emergency/plan/revisions", "", e.Org, 403)
		rev := emCall[emergencyplan.Revision](t, e, mgr, "POST", "/api/v1/emergency/plan/revisions",
			fmt.Sprintf(`{"incident_ids":[%d]}`, inc.ID), e.Org, 201)
		if rev.Version != "V1.0" || len(rev.Chapters) != 10 || len(rev.Incidents) != 1 {
			t.Fatalf("started %+v", rev)
		}
		path := fmt.Sprintf("/api/v1/emergency/plan/revisions/%d", rev.ID)
		emCall[map[string]any](t, e, mgr, "POST", "/api/v1/emergency/plan/revisions", "", e.Org, 409)

		// Every field error at once, named as the form names them.
		res := e.API(mgr, "PUT", path, `{"title":"","chapters":[{"title":"","source":"x"}],"effective_from":"tomorrow"}`, e.Org)
		var errBody httpx.ErrorBody
		if res.StatusCode != 422 || json.Unmarshal([]byte(res.Body), &errBody) != nil {
			t.Fatalf("bad draft: %d %s", res.StatusCode, res.Body)
		}
		var fields []string
		for _, f := range errBody.Error.Fields {
			fields = append(fields, f.Field)
		}
		if got := strings.Join(fields, " "); got != "title effective_from chapters[0].title chapters[0].source" {
			t.Errorf("fields %q", got)
		}
		emCall[map[string]any](t, e, mgr, "PUT", path, `{"title":"x","chapters":[{"title":"x"}],"colour":"red"}`, e.Org, 422)

		draft := emergencyplan.DraftInput{Title: "网络安全应急预案", Summary: "首次发布", Reason: "建立机制", IncidentIDs: []int64{inc.ID},
			EffectiveFrom: "2026-11-01", Chapters: rev.Chapters[:6]}
		body, _ := json.Marshal(draft)
		rev = emCall[emergencyplan.Revision](t, e, mgr, "PUT", path, string(body), e.Org, 200)
		if rev.Title != "网络安全应急预案" || len(rev.Chapters) != 6 {
			t.Fatalf("saved %+v", rev)
		}
		rev = emCall[emergencyplan.Revision](t, e, mgr, "POST", path+"/submit", "", e.Org, 200)
		emCall[map[string]any](t, e, mgr, "POST", fmt.Sprintf("/api/v1/approvals/%d/decision", rev.ApprovalID), `{"approve":true}`, e.Org, 403)
		emCall[map[string]any](t, e, boss, "POST", fmt.Sprintf("/api/v1/approvals/%d/decision", rev.ApprovalID), `{"approve":true}`, e.Org, 200)

		p = emCall[planJSON](t, e, viewer, "GET", "/api/v1/emergency/plan", "", e.Org, 200)
		if p.Current == nil || p.Current.ID != rev.ID || p.Current.Version != "V1.0" || p.Open != nil || len(p.Current.Chapters) != 6 {
			t.Fatalf("plan after approval: %+v", p)
		}
		byInc := emCall[revisionsJSON](t, e, viewer, "GET", fmt.Sprintf("/api/v1/emergency/plan/revisions?incident_id=%d", inc.ID), "", e.Org, 200)
		if len(byInc.Items) != 1 || byInc.Items[0].ID != rev.ID {
			t.Errorf("by incident: %+v", byInc)
		}
		emCall[map[string]any](t, e, viewer, "GET", "/api/v1/emergency/plan/revisions?incident_id=x", "", e.Org, 422)
		emCall[map[string]any](t, e, mgr, "PUT", path, string(body), e.Org, 409)
		emCall[map[string]any](t, e, mgr, "DELETE", path, "", e.Org, 409)

		d := e.API(viewer, "GET", path+"/export", "", e.Org)
		if d.StatusCode != 200 || d.Header.Get("Content-Type") != httpx.DOCXType || !strings.HasPrefix(d.Body, "PK") {
			t.Fatalf("docx export: %d %v", d.StatusCode, d.Header)
		}
		h := e.API(viewer, "GET", path+"/export?format=html", "", e.Org)
		if h.StatusCode != 200 || !strings.Contains(h.Body, "<figure><svg") || !strings.Contains(h.Body, "网络安全应急预案") {
			t.Fatalf("html export: %d", h.StatusCode)
		}
		emCall[map[string]any](t, e, viewer, "GET", path+"/export?format=odt", "", e.Org, 422)

		// A draft is discarded over the API.
		next := emCall[emergencyplan.Revision](t, e, mgr, "POST", "/api/v1/emergency/plan/revisions", "", e.Org, 201)
		if next.Version != "V1.1" || len(next.Chapters) != 6 {
			t.Fatalf("next %+v", next)
		}
		emCall[map[string]any](t, e, mgr, "DELETE", fmt.Sprintf("/api/v1/emergency/plan/revisions/%d", next.ID), "", e.Org, 204)
		all := emCall[revisionsJSON](t, e, viewer, "GET", "/api/v1/emergency/plan/revisions", "", e.Org, 200)
		if len(all.Items) != 1 {
			t.Errorf("%d revisions after discarding", len(all.Items))
		}
	})
}
