package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/notify"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Route cases of the notification settings. Writes are invalid or aim at a
// missing object, so allowed callers change nothing.
func init() {
	m := auth.PermNotifyManage
	addRouteCases(map[string]routeCase{
		"GET /admin/notify":                           {Perm: m, Path: "/admin/notify"},
		"GET /admin/notify/channels/new":              {Perm: m, Path: "/admin/notify/channels/new?kind=dingtalk"},
		"POST /admin/notify/channels":                 {Perm: m, Path: "/admin/notify/channels", Body: "kind=email&name="},
		"GET /admin/notify/channels/{id}/edit":        {Perm: m, Path: "/admin/notify/channels/999999/edit"},
		"POST /admin/notify/channels/{id}":            {Perm: m, Path: "/admin/notify/channels/999999", Body: "name=x"},
		"POST /admin/notify/channels/{id}/delete":     {Perm: m, Path: "/admin/notify/channels/999999/delete"},
		"POST /admin/notify/channels/{id}/test":       {Perm: m, Path: "/admin/notify/channels/999999/test"},
		"POST /admin/notify/rules":                    {Perm: m, Path: "/admin/notify/rules", Body: "event_kind=no.such&channel_id=0"},
		"POST /admin/notify/rules/{id}":               {Perm: m, Path: "/admin/notify/rules/999999", Body: "enabled=0"},
		"POST /admin/notify/rules/{id}/delete":        {Perm: m, Path: "/admin/notify/rules/999999/delete"},
		"GET /admin/notify/deliveries":                {Perm: m, Path: "/admin/notify/deliveries?status=failed"},
		"GET /admin/notify/deliveries/{id}":           {Perm: m, Path: "/admin/notify/deliveries/999999"},
		"GET /api/v1/notify/deliveries/{id}/attempts": {Perm: m, Path: "/api/v1/notify/deliveries/999999/attempts"},
		"POST /admin/notify/deliveries/{id}/retry":    {Perm: m, Path: "/admin/notify/deliveries/999999/retry"},
		"GET /api/v1/notify/channels":                 {Perm: m, Path: "/api/v1/notify/channels"},
		"POST /api/v1/notify/channels":                {Perm: m, Path: "/api/v1/notify/channels", Body: `{"kind":"email","name":""}`},
		"PATCH /api/v1/notify/channels/{id}":          {Perm: m, Path: "/api/v1/notify/channels/999999", Body: `{"name":"x"}`},
		"DELETE /api/v1/notify/channels/{id}":         {Perm: m, Path: "/api/v1/notify/channels/999999"},
		"GET /api/v1/notify/rules":                    {Perm: m, Path: "/api/v1/notify/rules"},
		"POST /api/v1/notify/rules":                   {Perm: m, Path: "/api/v1/notify/rules", Body: `{"event_kind":"no.such","channel_id":0}`},
		"DELETE /api/v1/notify/rules/{id}":            {Perm: m, Path: "/api/v1/notify/rules/999999"},
		"GET /api/v1/notify/deliveries":               {Perm: m, Path: "/api/v1/notify/deliveries?status=failed&limit=10"},
		"POST /api/v1/notify/deliveries/{id}/retry":   {Perm: m, Path: "/api/v1/notify/deliveries/999999/retry"},
	})
}

// A second organisation's security manager sees none of the first's
// channels, rules or deliveries, and cannot change them by id.
func TestNotifyOrganisationsDoNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgrA := e.CreateUser("notify-a", e.Org, auth.RoleSecurityManager)
		ctxA := e.Actor(mgrA, e.Org)
		c, err := e.App.Notify.CreateChannel(ctxA, notify.Channel{Kind: notify.KindWebhook, Name: "orga-hook", Enabled: true,
			Settings: notify.Settings{URL: "https://orga.example.cn/hook"}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.App.Notify.CreateRule(ctxA, "incident.created", c.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(context.Background(), func(tx *store.Tx) error {
			return e.App.Notify.Publish(context.Background(), tx, notify.Event{OrgID: e.Org, Kind: "incident.created", Title: "orga incident"})
		}); err != nil {
			t.Fatal(err)
		}
		ds, _ := e.App.Notify.Deliveries(ctxA, notify.DeliveryFilter{})
		orgB := e.CreateOrg("客户B")
		mgrB := e.CreateUser("notify-b", orgB, auth.RoleSecurityManager)
		ui, token := e.SessionClient(mgrB, orgB), e.Token(mgrB)
		for _, p := range []string{"/admin/notify", "/admin/notify/deliveries", "/admin/notify/channels/" + itoa(c.ID) + "/edit",
			"/admin/notify/deliveries/" + itoa(ds[0].ID)} {
			if res := ui.Get(p); strings.Contains(res.Body, "orga") {
				t.Errorf("%s shows org A's data (%d)", p, res.StatusCode)
			}
		}
		if res := e.API(token, "GET", "/api/v1/notify/deliveries/"+itoa(ds[0].ID)+"/attempts", "", orgB); res.StatusCode != 404 {
			t.Errorf("org A's attempt log as org B: %d", res.StatusCode)
		}
		for _, p := range []string{"/api/v1/notify/channels", "/api/v1/notify/rules", "/api/v1/notify/deliveries"} {
			if res := e.API(token, "GET", p, "", orgB); res.StatusCode != 200 || strings.Contains(res.Body, "orga") {
				t.Errorf("%s: %d %s", p, res.StatusCode, res.Body)
			}
		}
		for _, w := range []struct{ method, path, body string }{
			{"PATCH", "/api/v1/notify/channels/" + itoa(c.ID), `{"name":"hijacked"}`},
			{"DELETE", "/api/v1/notify/channels/" + itoa(c.ID), ""},
			{"DELETE", "/api/v1/notify/rules/" + itoa(r.ID), ""},
			{"POST", "/api/v1/notify/deliveries/" + itoa(ds[0].ID) + "/retry", ""},
		} {
			if res := e.API(token, w.method, w.path, w.body, orgB); res.StatusCode != 404 {
				t.Errorf("%s %s as org B: %d", w.method, w.path, res.StatusCode)
			}
		}
		if got, err := e.App.Notify.Channel(ctxA, c.ID); err != nil || got.Name != "orga-hook" {
			t.Errorf("org A's channel changed: %+v %v", got, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
