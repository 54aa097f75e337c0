package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/notify"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// The notification API end to end: a signed webhook channel, a rule, a
// published event that fails at the receiver, the failure in the log, and
// a retry that delivers it.
func TestNotifyAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		e.CreateUser("sm", e.Org, auth.RoleSecurityManager)
		tok := e.Token(e.CreateUser("sm2", e.Org, auth.RoleSecurityManager))
		var mu sync.Mutex
		status, bodies, sigs := 500, []string{}, []string{}
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			bodies = append(bodies, string(b))
			mac := hmac.New(sha256.New, []byte("hook-key"))
			mac.Write([]byte(r.Header.Get("X-Bulwark-Timestamp") + "."))
			mac.Write(b)
			sigs = append(sigs, fmt.Sprint(r.Header.Get("X-Bulwark-Signature") == "sha256="+hex.EncodeToString(mac.Sum(nil))))
			w.WriteHeader(status)
		}))
		t.Cleanup(hook.Close)

		var ch notify.Channel
		apiCall(t, e, tok, "POST", "/api/v1/notify/channels", `{"kind":"webhook","name":"SIEM","settings":{"url":"`+hook.URL+`/in","secret":"hook-key"}}`, 0).
			want(201).into(&ch)
		if !ch.Enabled || !ch.SecretSet || ch.Settings.Secret != "" {
			t.Fatalf("created channel: %+v", ch)
		}
		c := apiCall(t, e, tok, "GET", "/api/v1/notify/channels", "", 0).want(200)
		if strings.Contains(c.body, "hook-key") || !strings.Contains(c.body, `"secret_set":true`) {
			t.Errorf("channel list: %s", c.body)
		}
		apiCall(t, e, tok, "POST", "/api/v1/notify/channels", `{"kind":"webhook","name":"x","settings":{"url":"nope"}}`, 0).want(422)
		apiCall(t, e, tok, "POST", "/api/v1/notify/channels", `{"kind":"webhook","name":"x","colour":"red"}`, 0).want(422)
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/notify/channels/%d", ch.ID), `{"kind":"email"}`, 0).want(422)
		var patched notify.Channel
		apiCall(t, e, tok, "PATCH", fmt.Sprintf("/api/v1/notify/channels/%d", ch.ID), `{"name":"SIEM 接收"}`, 0).want(200).into(&patched)
		if patched.Name != "SIEM 接收" || !patched.SecretSet || patched.Settings.URL != hook.URL+"/in" {
			t.Errorf("patched: %+v", patched)
		}

		var rule notify.Rule
		apiCall(t, e, tok, "POST", "/api/v1/notify/rules", fmt.Sprintf(`{"event_kind":"deadline.near","channel_id":%d}`, ch.ID), 0).want(201).into(&rule)
		if !rule.Enabled || rule.ChannelName != "SIEM 接收" {
			t.Errorf("rule: %+v", rule)
		}
		apiCall(t, e, tok, "POST", "/api/v1/notify/rules", fmt.Sprintf(`{"event_kind":"nope","channel_id":%d}`, ch.ID), 0).want(422)

		if err := db.Tx(context.Background(), func(tx *store.Tx) error {
			return e.App.Notify.Publish(context.Background(), tx, notify.Event{OrgID: e.Org, Kind: "deadline.near", Title: "首报还剩 30 分钟", Link: "/incidents/9"})
		}); err != nil {
			t.Fatal(err)
		}
		disp := &notify.Dispatcher{DB: db, Clock: e.Clock, BaseURL: "https://soc.example.cn", MaxAttempts: 1}
		if _, err := disp.DispatchOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		var failed struct{ Items []notify.Delivery }
		apiCall(t, e, tok, "GET", "/api/v1/notify/deliveries?status=failed", "", 0).want(200).into(&failed)
		if len(failed.Items) != 1 || failed.Items[0].LastCode != 500 || failed.Items[0].Attempts != 1 || failed.Items[0].Title != "首报还剩 30 分钟" {
			t.Fatalf("failed deliveries: %+v", failed.Items)
		}
		apiCall(t, e, tok, "GET", "/api/v1/notify/deliveries?status=bogus", "", 0).want(422)
		mu.Lock()
		status = 204
		mu.Unlock()
		var retried notify.Delivery
		apiCall(t, e, tok, "POST", fmt.Sprintf("/api/v1/notify/deliveries/%d/retry", failed.Items[0].ID), "", 0).want(200).into(&retried)
		if retried.Status != notify.StatusPending {
			t.Errorf("retried: %+v", retried)
		}
		if _, err := disp.DispatchOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		var sent struct{ Items []notify.Delivery }
		apiCall(t, e, tok, "GET", "/api/v1/notify/deliveries?status=sent", "", 0).want(200).into(&sent)
		if len(sent.Items) != 1 || sent.Items[0].SentAt == nil {
			t.Fatalf("sent: %+v", sent.Items)
		}
		apiCall(t, e, tok, "POST", fmt.Sprintf("/api/v1/notify/deliveries/%d/retry", failed.Items[0].ID), "", 0).want(409)
		var attempts struct{ Items []notify.Attempt }
		apiCall(t, e, tok, "GET", fmt.Sprintf("/api/v1/notify/deliveries/%d/attempts", failed.Items[0].ID), "", 0).want(200).into(&attempts)
		if len(attempts.Items) != 2 || attempts.Items[0].OK || attempts.Items[0].Code != 500 || !attempts.Items[1].OK || attempts.Items[1].Code != 204 {
			t.Errorf("attempts: %+v", attempts.Items)
		}
		mu.Lock()
		if len(bodies) != 2 || sigs[1] != "true" || !strings.Contains(bodies[1], `"link":"https://soc.example.cn/incidents/9"`) {
			t.Errorf("receiver got %v %v", bodies, sigs)
		}
		mu.Unlock()

		apiCall(t, e, tok, "DELETE", fmt.Sprintf("/api/v1/notify/rules/%d", rule.ID), "", 0).want(204)
		apiCall(t, e, tok, "DELETE", fmt.Sprintf("/api/v1/notify/channels/%d", ch.ID), "", 0).want(204)
		var rules struct{ Items []notify.Rule }
		apiCall(t, e, tok, "GET", "/api/v1/notify/rules", "", 0).want(200).into(&rules)
		if len(rules.Items) != 0 {
			t.Errorf("rules left: %+v", rules.Items)
		}
	})
}
