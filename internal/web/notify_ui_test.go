package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"bulwark/internal/auth"
	"bulwark/internal/notify"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// robot is a DingTalk-like endpoint: it records the query of each call and
// answers with status.
type robot struct {
	*httptest.Server
	mu      sync.Mutex
	status  int
	queries []url.Values
}

func newRobot(t *testing.T) *robot {
	rb := &robot{status: 200}
	rb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rb.mu.Lock()
		rb.queries = append(rb.queries, r.URL.Query())
		status := rb.status
		rb.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(rb.Close)
	return rb
}

// A security manager configures a DingTalk robot and a rule in the UI,
// never sees the secrets again, sends a test message, watches it fail and
// retries it from the delivery log.
func TestNotifySettingsUI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		mgr := e.CreateUser("sm", e.Org, auth.RoleSecurityManager)
		c := e.Login("sm")
		rb := newRobot(t)
		disp := &notify.Dispatcher{DB: db, Clock: e.Clock, BaseURL: "https://bulwark.example.cn", MaxAttempts: 1}

		page := admWant(t, c.Get("/admin/notify"), 200, "settings page")
		if !strings.Contains(page.Body, `href="/admin/notify"`) || !strings.Contains(page.Body, "尚未配置通知渠道") {
			t.Fatalf("settings page without menu entry or empty state:\n%s", page.Body)
		}
		admWant(t, c.Get("/admin/notify/channels/new?kind=dingtalk"), 200, "new channel form")
		robotURL := rb.URL + "/robot/send?access_token=tok-1234567890"
		admWant(t, c.PostForm("/admin/notify/channels", url.Values{"kind": {"dingtalk"}, "name": {"钉钉值班群"}, "enabled": {"1"},
			"url": {robotURL}, "secret": {"SEC-robot-secret"}, "lang": {"zh-CN"}}), http.StatusSeeOther, "create channel")
		// Refused input comes back with the message at the field.
		bad := admWant(t, c.PostForm("/admin/notify/channels", url.Values{"kind": {"email"}, "name": {"邮件"}, "host": {"smtp.example.cn"},
			"port": {"587"}, "from": {"not an address"}, "to": {"soc@example.cn"}, "password": {"typed-password"}}), http.StatusUnprocessableEntity, "bad email channel")
		if !strings.Contains(bad.Body, "“not an address”不是有效的邮件地址") || strings.Contains(bad.Body, "typed-password") {
			t.Errorf("refused form:\n%s", bad.Body)
		}

		page = admWant(t, c.Get("/admin/notify"), 200, "settings page")
		for _, secret := range []string{"tok-1234567890", "SEC-robot-secret"} {
			if strings.Contains(page.Body, secret) {
				t.Errorf("settings page shows %s", secret)
			}
		}
		chans, err := e.App.Notify.Channels(e.Actor(mgr, e.Org))
		if err != nil || len(chans) != 1 {
			t.Fatalf("channels: %+v %v", chans, err)
		}
		ch := chans[0]
		// The edit form shows the masked URL and no secret; saving it as is keeps both.
		edit := admWant(t, c.Get(fmt.Sprintf("/admin/notify/channels/%d/edit", ch.ID)), 200, "edit form")
		shownURL := html.UnescapeString(admFind(t, edit.Body, `id="url" name="url" value="([^"]*)"`))
		if strings.Contains(edit.Body, "SEC-robot-secret") || strings.Contains(shownURL, "tok-1234567890") || !strings.Contains(edit.Body, "已设置") {
			t.Fatalf("edit form leaks or lacks the secret state:\n%s", edit.Body)
		}
		admWant(t, c.PostForm(fmt.Sprintf("/admin/notify/channels/%d", ch.ID), url.Values{"kind": {"dingtalk"}, "name": {"钉钉应急群"},
			"enabled": {"1"}, "url": {shownURL}, "secret": {""}, "lang": {"zh-CN"}}), http.StatusSeeOther, "save unchanged secrets")

		// A rule, and the same rule again.
		admWant(t, c.PostForm("/admin/notify/rules", url.Values{"event_kind": {"incident.created"}, "channel_id": {fmt.Sprint(ch.ID)}}), http.StatusSeeOther, "add rule")
		dup := admWant(t, c.PostForm("/admin/notify/rules", url.Values{"event_kind": {"incident.created"}, "channel_id": {fmt.Sprint(ch.ID)}}), http.StatusUnprocessableEntity, "duplicate rule")
		if !strings.Contains(dup.Body, "该事件类型已发送到此渠道") {
			t.Errorf("duplicate rule message missing")
		}
		page = admWant(t, c.Get("/admin/notify"), 200, "settings page")
		if !strings.Contains(page.Body, "事件已创建") || !strings.Contains(page.Body, "钉钉应急群") {
			t.Errorf("rule not listed:\n%s", page.Body)
		}

		// The test message: queued, then failing (robot down), then retried.
		res := admWant(t, c.PostForm(fmt.Sprintf("/admin/notify/channels/%d/test", ch.ID), nil), http.StatusSeeOther, "send test")
		if !strings.HasPrefix(res.Header.Get("Location"), "/admin/notify/deliveries") {
			t.Errorf("test redirects to %s", res.Header.Get("Location"))
		}
		log := admWant(t, c.Get("/admin/notify/deliveries"), 200, "deliveries")
		if !strings.Contains(log.Body, "Bulwark 测试消息") || !strings.Contains(log.Body, "待发送") {
			t.Fatalf("queued test message not shown:\n%s", log.Body)
		}
		rb.mu.Lock()
		rb.status = 503
		rb.mu.Unlock()
		if _, err := disp.DispatchOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		log = admWant(t, c.Get("/admin/notify/deliveries?status=failed"), 200, "failed deliveries")
		id := admFind(t, log.Body, `id="retry-(\d+)"`)
		if !strings.Contains(log.Body, "HTTP 503") || strings.Contains(log.Body, "tok-1234567890") {
			t.Fatalf("failed delivery:\n%s", log.Body)
		}
		if page := admWant(t, c.Get("/admin/notify"), 200, "settings"); !strings.Contains(page.Body, "1 条失败") {
			t.Errorf("failure count not shown")
		}
		detail := admWant(t, c.Get("/admin/notify/deliveries/"+id), 200, "delivery detail")
		if !strings.Contains(detail.Body, "发送尝试") || !strings.Contains(detail.Body, "<td>503</td>") || !strings.Contains(detail.Body, `id="retry-`+id+`"`) {
			t.Errorf("delivery detail:\n%s", detail.Body)
		}
		rb.mu.Lock()
		rb.status = 200
		rb.mu.Unlock()
		admWant(t, c.PostForm("/admin/notify/deliveries/"+id+"/retry", nil), http.StatusSeeOther, "retry")
		if _, err := disp.DispatchOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		log = admWant(t, c.Get("/admin/notify/deliveries?status=sent"), 200, "sent deliveries")
		if !strings.Contains(log.Body, `id="delivery-`+id+`"`) || strings.Contains(log.Body, `id="retry-`+id+`"`) {
			t.Errorf("retried delivery not sent:\n%s", log.Body)
		}
		// The robot got the kept URL token and a signature with the kept secret.
		rb.mu.Lock()
		q := rb.queries[len(rb.queries)-1]
		rb.mu.Unlock()
		mac := hmac.New(sha256.New, []byte("SEC-robot-secret"))
		mac.Write([]byte(q.Get("timestamp") + "\nSEC-robot-secret"))
		if q.Get("access_token") != "tok-1234567890" || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Errorf("robot call after saving the form unchanged: %v", q)
		}
		// The pages speak English to a user who chose it.
		admWant(t, c.PostForm("/account/language", url.Values{"locale": {"en"}}), http.StatusSeeOther, "choose English")
		if en := admWant(t, c.Get("/admin/notify"), 200, "English settings"); !strings.Contains(en.Body, "Notification settings") || !strings.Contains(en.Body, "Incident created") {
			t.Errorf("English settings page:\n%s", en.Body)
		}
		if en := admWant(t, c.Get("/admin/notify/deliveries/"+id), 200, "English delivery"); !strings.Contains(en.Body, "Attempts") || !strings.Contains(en.Body, "DingTalk group robot") {
			t.Errorf("English delivery page:\n%s", en.Body)
		}
		// Switching the rule off and deleting it.
		rules, _ := e.App.Notify.Rules(e.Actor(mgr, e.Org))
		admWant(t, c.PostForm(fmt.Sprintf("/admin/notify/rules/%d", rules[0].ID), url.Values{"enabled": {"0"}}), http.StatusSeeOther, "disable rule")
		if rules, _ = e.App.Notify.Rules(e.Actor(mgr, e.Org)); rules[0].Enabled {
			t.Error("rule still enabled")
		}
		admWant(t, c.PostForm(fmt.Sprintf("/admin/notify/rules/%d/delete", rules[0].ID), nil), http.StatusSeeOther, "delete rule")
		admWant(t, c.PostForm(fmt.Sprintf("/admin/notify/channels/%d/delete", ch.ID), nil), http.StatusSeeOther, "delete channel")
		if chans, _ := e.App.Notify.Channels(e.Actor(mgr, e.Org)); len(chans) != 0 {
			t.Errorf("channel not deleted")
		}
	})
}
