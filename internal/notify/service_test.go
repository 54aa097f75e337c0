package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestChannelSecretsNeverShownOrAudited(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.channel(t, notify.Channel{Kind: notify.KindEmail, Name: " 值班邮箱 ", Enabled: true, Settings: notify.Settings{
			Host: "smtp.example.cn", Username: "bot", Password: "pw-s3cret", From: "Bulwark <bot@example.cn>",
			To: []string{"soc@example.cn", " ", "lead@example.cn"}, StartTLS: true}})
		if c.Name != "值班邮箱" || c.Settings.Port != 587 || len(c.Settings.To) != 2 || c.Settings.Lang != "zh-CN" {
			t.Errorf("not normalised: %+v", c)
		}
		if c.Settings.Password != "" || !c.PasswordSet {
			t.Errorf("password shown or not flagged: %+v", c.Settings)
		}
		d := e.channel(t, notify.Channel{Kind: notify.KindDingTalk, Name: "钉钉群", Enabled: true, Settings: notify.Settings{
			URL: "https://oapi.dingtalk.com/robot/send?access_token=tok-abcdef123456", Secret: "SECsecret-xyz"}})
		if strings.Contains(d.Settings.URL, "tok-abcdef") || d.Settings.Secret != "" || !d.SecretSet {
			t.Errorf("robot secrets shown: %+v", d)
		}
		// Updating with empty secrets keeps them; renaming is audited.
		upd := c
		upd.Name = "应急邮箱"
		upd.Settings.Password = ""
		if _, err := e.App.Notify.UpdateChannel(e.ctx, c.ID, upd, notify.KeepSecrets{}); err != nil {
			t.Fatal(err)
		}
		list, err := e.App.Notify.Channels(e.ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("channels: %v %v", list, err)
		}
		for _, ch := range list {
			if ch.ID == c.ID && (ch.Name != "应急邮箱" || !ch.PasswordSet) {
				t.Errorf("after update: %+v", ch)
			}
		}
		// Nothing secret in the audit trail.
		rows, err := db.Read().QueryContext(context.Background(), `SELECT action, before_json, after_json FROM audit_log WHERE action LIKE 'notify.%'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var actions []string
		for rows.Next() {
			var a, b, af string
			if err := rows.Scan(&a, &b, &af); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, a)
			for _, secret := range []string{"pw-s3cret", "SECsecret", "tok-abcdef"} {
				if strings.Contains(b+af, secret) {
					t.Errorf("audit %s holds a secret: %s %s", a, b, af)
				}
			}
		}
		if strings.Join(actions, ",") != "notify.channel.create,notify.channel.create,notify.channel.update" {
			t.Errorf("audit actions: %v", actions)
		}
		if err := e.App.Notify.DeleteChannel(e.ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Notify.Channel(e.ctx, d.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("deleted channel: %v", err)
		}
	})
}

func TestChannelValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, tc := range []struct {
			name   string
			in     notify.Channel
			fields []string
		}{
			{"email without anything", notify.Channel{Kind: notify.KindEmail}, []string{"name", "host", "from", "to"}},
			{"bad addresses and port", notify.Channel{Kind: notify.KindEmail, Name: "x", Settings: notify.Settings{
				Host: "smtp.x", Port: 70000, From: "not-an-address", To: []string{"a@b.cn", "nope"}}}, []string{"port", "from", "to"}},
			{"webhook without url", notify.Channel{Kind: notify.KindWebhook, Name: "x"}, []string{"url"}},
			{"robot with ftp url", notify.Channel{Kind: notify.KindFeishu, Name: "x", Settings: notify.Settings{URL: "ftp://x/y"}}, []string{"url"}},
			{"unknown kind", notify.Channel{Kind: "pager", Name: "x"}, []string{"kind"}},
			{"bad language", notify.Channel{Kind: notify.KindWeCom, Name: "x", Settings: notify.Settings{URL: "https://qyapi.weixin.qq.com/x", Lang: "fr"}}, []string{"lang"}},
		} {
			_, err := e.App.Notify.CreateChannel(e.ctx, tc.in)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Errorf("%s: %v, want invalid", tc.name, err)
				continue
			}
			var got []string
			for _, f := range ae.Fields {
				if len(got) == 0 || got[len(got)-1] != f.Field {
					got = append(got, f.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("%s: fields %v, want %v", tc.name, got, tc.fields)
			}
		}
	})
}

func TestRulesAndPublish(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		hook := func(name string, enabled bool) notify.Channel {
			return e.channel(t, notify.Channel{Kind: notify.KindWebhook, Name: name, Enabled: enabled, Settings: notify.Settings{URL: "https://hooks.example.cn/" + name}})
		}
		on, off, other := hook("on", true), hook("off", false), hook("other", true)
		e.rule(t, "incident.created", on.ID)
		e.rule(t, "incident.created", off.ID) // channel disabled: no message
		r := e.rule(t, "incident.created", other.ID)
		if _, err := e.App.Notify.SetRuleEnabled(e.ctx, r.ID, false); err != nil { // rule disabled: no message
			t.Fatal(err)
		}
		e.rule(t, "incident.closed", other.ID)
		// Refusals.
		if _, err := e.App.Notify.CreateRule(e.ctx, "incident.created", on.ID, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("duplicate rule: %v", err)
		}
		if _, err := e.App.Notify.CreateRule(e.ctx, "no.such.kind", on.ID, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown kind: %v", err)
		}
		orgB := e.CreateOrg("客户B")
		mgrB := e.CreateUser("mgr-b", orgB, auth.RoleSecurityManager)
		ctxB := e.Actor(mgrB, orgB)
		if _, err := e.App.Notify.CreateRule(ctxB, "incident.created", on.ID, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("rule on another organisation's channel: %v", err)
		}
		viewer := e.Actor(e.CreateUser("viewer", e.Org, auth.RoleViewer), e.Org)
		if _, err := e.App.Notify.Rules(viewer); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer lists rules: %v", err)
		}

		rules, err := e.App.Notify.Rules(e.ctx)
		if err != nil || len(rules) != 4 || rules[0].EventKind != "incident.created" || rules[3].EventKind != "incident.closed" {
			t.Fatalf("rules: %+v %v", rules, err)
		}

		// A rolled-back transaction leaves no message.
		boom := errors.New("caller failed")
		err = db.Tx(context.Background(), func(tx *store.Tx) error {
			if err := e.App.Notify.Publish(context.Background(), tx, notify.Event{OrgID: e.Org, Kind: "incident.created", Title: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || len(e.deliveries(t, "")) != 0 {
			t.Fatalf("rolled back publish left messages: %v", err)
		}
		e.publish(t, notify.Event{Kind: "incident.created", Title: "SJ-2026-0001 网页篡改", Body: "门户首页被篡改", Link: "/incidents/1",
			Roles: []auth.Role{auth.RoleResponder, auth.RoleSecurityManager}})
		e.publish(t, notify.Event{Kind: "deadline.near", Title: "no rule"})
		e.publish(t, notify.Event{OrgID: orgB, Kind: "incident.created", Title: "org B"})
		ds := e.deliveries(t, "")
		if len(ds) != 1 || ds[0].ChannelID != on.ID || ds[0].Status != notify.StatusPending || ds[0].Title != "SJ-2026-0001 网页篡改" ||
			strings.Join(ds[0].Roles, " ") != "responder security_manager" {
			t.Fatalf("deliveries: %+v", ds)
		}
		if ds, err := e.App.Notify.Deliveries(ctxB, notify.DeliveryFilter{}); err != nil || len(ds) != 0 {
			t.Errorf("org B sees %d deliveries (%v)", len(ds), err)
		}
		if _, err := e.App.Notify.Retry(ctxB, ds[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B retries org A's delivery: %v", err)
		}
		if err := db.Tx(context.Background(), func(tx *store.Tx) error {
			return e.App.Notify.Publish(context.Background(), tx, notify.Event{OrgID: e.Org, Kind: "made.up"})
		}); err == nil {
			t.Error("publish of an unknown kind accepted")
		}
		// Deleting a channel deletes its rules.
		if err := e.App.Notify.DeleteChannel(e.ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		if rules, _ := e.App.Notify.Rules(e.ctx); len(rules) != 2 {
			t.Errorf("rules after deleting a channel: %+v", rules)
		}
	})
}
