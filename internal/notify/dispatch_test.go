package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/auth"
	"bulwark/internal/notify"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// A webhook that fails twice with 500 is retried with growing waits and
// then delivered; the payload, signature and every attempt are checked.
func TestWebhookRetriesThenDelivers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rc := newReceiver(t, 500, 502, 200)
		c := e.channel(t, notify.Channel{Kind: notify.KindWebhook, Name: "SOC", Enabled: true,
			Settings: notify.Settings{URL: rc.URL + "/hook", Secret: "hook-key"}})
		e.rule(t, "incident.created", c.ID)
		e.publish(t, notify.Event{Kind: "incident.created", Title: "SJ-2026-0001 网页篡改", Body: "门户首页被篡改", Link: "/incidents/1"})

		steps := []struct {
			advance  time.Duration
			tried    int
			status   string
			attempts int
		}{
			{0, 1, notify.StatusPending, 1},
			{59 * time.Second, 0, notify.StatusPending, 1}, // backoff 1m not over
			{time.Second, 1, notify.StatusPending, 2},      // second try, then wait 2m
			{time.Minute, 0, notify.StatusPending, 2},
			{time.Minute, 1, notify.StatusSent, 3},
			{time.Hour, 0, notify.StatusSent, 3},
		}
		for i, s := range steps {
			e.Clock.Advance(s.advance)
			if n := e.dispatch(t); n != s.tried {
				t.Fatalf("step %d: tried %d, want %d", i, n, s.tried)
			}
			d := e.deliveries(t, "")[0]
			if d.Status != s.status || d.Attempts != s.attempts {
				t.Fatalf("step %d: %s after %d attempts, want %s after %d (%s)", i, d.Status, d.Attempts, s.status, s.attempts, d.LastError)
			}
		}
		d := e.deliveries(t, notify.StatusSent)[0]
		if d.SentAt == nil || d.LastCode != 200 || d.LastError != "" {
			t.Errorf("sent delivery: %+v", d)
		}
		att, err := e.App.Notify.Attempts(e.ctx, d.ID)
		if err != nil || len(att) != 3 {
			t.Fatalf("attempts: %+v %v", att, err)
		}
		for i, want := range []int{500, 502, 200} {
			if att[i].Code != want || att[i].OK != (want == 200) {
				t.Errorf("attempt %d: %+v", i, att[i])
			}
		}
		if !strings.Contains(att[0].Error, "HTTP 500") || !strings.Contains(att[0].Error, "upstream broke") {
			t.Errorf("attempt error text: %q", att[0].Error)
		}
		got := rc.Got()
		if len(got) != 3 {
			t.Fatalf("receiver got %d requests", len(got))
		}
		last := got[2]
		for k, want := range map[string]string{"event": "incident.created", "event_name": "事件已创建", "title": "SJ-2026-0001 网页篡改",
			"body": "门户首页被篡改", "link": "https://bulwark.example.cn/incidents/1"} {
			if last.JSON[k] != want {
				t.Errorf("payload %s = %v, want %q", k, last.JSON[k], want)
			}
		}
		if last.Header.Get("X-Bulwark-Delivery") != strconv.FormatInt(d.ID, 10) {
			t.Errorf("delivery header %q", last.Header.Get("X-Bulwark-Delivery"))
		}
		// Verify the signature the way a receiver would.
		ts := last.Header.Get("X-Bulwark-Timestamp")
		mac := hmac.New(sha256.New, []byte("hook-key"))
		mac.Write([]byte(ts + "."))
		mac.Write(last.Body)
		if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); last.Header.Get("X-Bulwark-Signature") != want || ts != strconv.FormatInt(e.Clock.Now().Add(-time.Hour).Unix(), 10) {
			t.Errorf("signature %q ts %q, want %q", last.Header.Get("X-Bulwark-Signature"), ts, want)
		}
	})
}

// A receiver that times out every time: the delivery fails after the last
// attempt, stays visible as failed, and a retry sends it once the receiver
// answers again.
func TestTimeoutsFailThenRetry(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.disp.Timeout = 150 * time.Millisecond
		rc := newReceiver(t, 200)
		rc.SetDelay(2 * time.Second)
		c := e.channel(t, notify.Channel{Kind: notify.KindWebhook, Name: "slow", Enabled: true, Settings: notify.Settings{URL: rc.URL}})
		e.rule(t, "deadline.overdue", c.ID)
		e.publish(t, notify.Event{Kind: "deadline.overdue", Title: "首报已逾期"})
		for i := range 3 {
			if n := e.dispatch(t); n != 1 {
				t.Fatalf("attempt %d: tried %d", i+1, n)
			}
			e.Clock.Advance(time.Hour)
		}
		if n := e.dispatch(t); n != 0 {
			t.Fatalf("a failed delivery was tried again")
		}
		failed := e.deliveries(t, notify.StatusFailed)
		if len(failed) != 1 || failed[0].Attempts != 3 || !strings.Contains(failed[0].LastError, "deadline exceeded") {
			t.Fatalf("failed deliveries: %+v", failed)
		}
		rc.SetDelay(0)
		if _, err := e.App.Notify.Retry(e.ctx, failed[0].ID); err != nil {
			t.Fatal(err)
		}
		if n := e.dispatch(t); n != 1 {
			t.Fatalf("retry: tried %d", n)
		}
		d := e.deliveries(t, "")[0]
		if d.Status != notify.StatusSent || d.Attempts != 1 {
			t.Errorf("after retry: %+v", d)
		}
		if _, err := e.App.Notify.Retry(e.ctx, d.ID); err == nil {
			t.Error("retry of a sent delivery accepted")
		}
		if att, _ := e.App.Notify.Attempts(e.ctx, d.ID); len(att) != 4 {
			t.Errorf("attempt log: %d entries, want 4", len(att))
		}
	})
}

// The group robots: DingTalk's signature is recomputed here as DingTalk
// documents it; a robot that answers 200 with an error code is a failure.
func TestRobots(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ding, wecom, feishu, refusing := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
		feishu.SetAnswer(`{"code":0,"msg":"success"}`)
		refusing.SetAnswer(`{"errcode":310000,"errmsg":"sign not match"}`)
		for _, c := range []notify.Channel{
			{Kind: notify.KindDingTalk, Name: "ding", Settings: notify.Settings{URL: ding.URL + "/robot/send?access_token=abc", Secret: "SEC000ding"}},
			{Kind: notify.KindWeCom, Name: "wecom", Settings: notify.Settings{URL: wecom.URL + "/cgi-bin/webhook/send?key=k1"}},
			{Kind: notify.KindFeishu, Name: "feishu", Settings: notify.Settings{URL: feishu.URL + "/open-apis/bot/v2/hook/xyz", Secret: "fs-secret"}},
			{Kind: notify.KindDingTalk, Name: "refusing", Settings: notify.Settings{URL: refusing.URL + "/robot/send?access_token=zzz"}},
		} {
			c.Enabled = true
			e.rule(t, "incident.graded_major", e.channel(t, c).ID)
		}
		e.publish(t, notify.Event{Kind: "incident.graded_major", Title: "SJ-2026-0002 勒索病毒", Body: "定级：重大（II级）", Link: "/incidents/2"})
		if n := e.dispatch(t); n != 4 {
			t.Fatalf("tried %d", n)
		}
		now := e.Clock.Now()

		g := ding.Got()
		if len(g) != 1 {
			t.Fatalf("dingtalk got %d", len(g))
		}
		ts := g[0].Query["timestamp"]
		mac := hmac.New(sha256.New, []byte("SEC000ding"))
		mac.Write([]byte(ts + "\n" + "SEC000ding"))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); g[0].Query["sign"] != want || ts != strconv.FormatInt(now.UnixMilli(), 10) || g[0].Query["access_token"] != "abc" {
			t.Errorf("dingtalk query %v, want sign %s", g[0].Query, want)
		}
		md, _ := g[0].JSON["markdown"].(map[string]any)
		if g[0].JSON["msgtype"] != "markdown" || !strings.Contains(fmt.Sprint(md["text"]), "SJ-2026-0002 勒索病毒") ||
			!strings.Contains(fmt.Sprint(md["text"]), "(https://bulwark.example.cn/incidents/2)") || !strings.Contains(fmt.Sprint(md["title"]), "重大") {
			t.Errorf("dingtalk payload: %s", g[0].Body)
		}

		w := wecom.Got()
		wmd, _ := w[0].JSON["markdown"].(map[string]any)
		if len(w) != 1 || w[0].JSON["msgtype"] != "markdown" || !strings.Contains(fmt.Sprint(wmd["content"]), "定级：重大（II级）") {
			t.Errorf("wecom payload: %v", w)
		}

		f := feishu.Got()
		fmac := hmac.New(sha256.New, []byte(fmt.Sprint(f[0].JSON["timestamp"])+"\nfs-secret"))
		content, _ := f[0].JSON["content"].(map[string]any)
		if f[0].JSON["msg_type"] != "text" || f[0].JSON["sign"] != base64.StdEncoding.EncodeToString(fmac.Sum(nil)) ||
			!strings.Contains(fmt.Sprint(content["text"]), "https://bulwark.example.cn/incidents/2") {
			t.Errorf("feishu payload: %s", f[0].Body)
		}

		byChannel := map[string]notify.Delivery{}
		for _, d := range e.deliveries(t, "") {
			byChannel[d.ChannelName] = d
		}
		if d := byChannel["refusing"]; d.Status != notify.StatusPending || !strings.Contains(d.LastError, "310000") || d.LastCode != 200 {
			t.Errorf("refused robot message: %+v", d)
		}
		for _, n := range []string{"ding", "wecom", "feishu"} {
			if byChannel[n].Status != notify.StatusSent {
				t.Errorf("%s: %+v", n, byChannel[n])
			}
		}
	})
}

// Email over a local SMTP server with STARTTLS: the message arrives over
// TLS with the credentials, a UTF-8 subject and body, and the absolute link.
// A server that offers no STARTTLS gets nothing when the channel requires it.
func TestEmail(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		srv := newSMTPServer(t, false)
		plain := newSMTPServer(t, true)
		e.disp.RootCAs = srv.Roots
		channel := func(name, addr string) notify.Channel {
			host, port, _ := net.SplitHostPort(addr)
			p, _ := strconv.Atoi(port)
			return e.channel(t, notify.Channel{Kind: notify.KindEmail, Name: name, Enabled: true, Settings: notify.Settings{
				Host: host, Port: p, Username: "bulwark", Password: "mail-pw", From: "Bulwark 通知 <bulwark@example.cn>",
				To: []string{"soc@example.cn", "值班 <duty@example.cn>"}, StartTLS: true}})
		}
		good, bad := channel("tls", srv.Addr), channel("plain", plain.Addr)
		e.rule(t, "approval.waiting", good.ID)
		e.rule(t, "approval.waiting", bad.ID)
		e.publish(t, notify.Event{Kind: "approval.waiting", Title: "抑制方案待审批：SJ-2026-0003", Body: "请信息安全经理审批抑制阶段方案。", Link: "/incidents/3"})
		if n := e.dispatch(t); n != 2 {
			t.Fatalf("tried %d", n)
		}
		got := srv.Got()
		if len(got) != 1 {
			t.Fatalf("server got %d messages", len(got))
		}
		m := got[0]
		if !m.TLS || m.AuthUser != "bulwark" || m.AuthPass != "mail-pw" || m.From != "bulwark@example.cn" ||
			strings.Join(m.To, ",") != "soc@example.cn,duty@example.cn" {
			t.Errorf("envelope: %+v", m)
		}
		msg, err := mail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != "【待审批】抑制方案待审批：SJ-2026-0003" {
			t.Errorf("subject %q (%v)", subject, err)
		}
		from, _ := mail.ParseAddress(msg.Header.Get("From"))
		if from == nil || from.Name != "Bulwark 通知" || msg.Header.Get("Content-Type") != "text/plain; charset=UTF-8" ||
			msg.Header.Get("Date") == "" || msg.Header.Get("Message-ID") == "" {
			t.Errorf("headers: %v", msg.Header)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		for _, want := range []string{"抑制方案待审批：SJ-2026-0003", "请信息安全经理审批抑制阶段方案。", "详情：https://bulwark.example.cn/incidents/3"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("body lacks %q:\n%s", want, body)
			}
		}
		if len(plain.Got()) != 0 {
			t.Error("a server without STARTTLS received the message")
		}
		for _, d := range e.deliveries(t, "") {
			if d.ChannelID == bad.ID && (d.Status != notify.StatusPending || !strings.Contains(d.LastError, "STARTTLS")) {
				t.Errorf("no-STARTTLS delivery: %+v", d)
			}
			if d.ChannelID == good.ID && d.Status != notify.StatusSent {
				t.Errorf("TLS delivery: %+v", d)
			}
		}
		// The test message goes to a disabled channel too, in the channel's language.
		upd := good
		upd.Enabled = false
		upd.Settings.Lang = "en"
		if _, err := e.App.Notify.UpdateChannel(e.ctx, good.ID, upd, notify.KeepSecrets{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Notify.SendTest(e.ctx, good.ID, "Bulwark test", "It works."); err != nil {
			t.Fatal(err)
		}
		e.dispatch(t)
		if got := srv.Got(); len(got) != 2 || got[1].AuthPass != "mail-pw" || !strings.Contains(got[1].Data, "It works.") {
			t.Errorf("test message: %d messages", len(got))
		} else if msg, _ := mail.ReadMessage(strings.NewReader(got[1].Data)); msg != nil {
			if s, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); s != "[Test message] Bulwark test" {
				t.Errorf("english subject %q", s)
			}
		}
	})
}

// Two dispatchers working the same outbox at once send each message once.
func TestConcurrentDispatchersSendOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rc := newReceiver(t, 200)
		c := e.channel(t, notify.Channel{Kind: notify.KindWebhook, Name: "hook", Enabled: true, Settings: notify.Settings{URL: rc.URL}})
		e.rule(t, "incident.closed", c.ID)
		const n = 40
		for i := range n {
			e.publish(t, notify.Event{Kind: "incident.closed", Title: fmt.Sprintf("closed %d", i)})
		}
		var wg sync.WaitGroup
		for range 2 {
			d := *e.disp
			d.Batch = 3
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := d.DispatchOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, r := range rc.Got() {
			seen[r.Header.Get("X-Bulwark-Delivery")]++
		}
		if len(seen) != n {
			t.Errorf("%d distinct deliveries sent, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("delivery %s sent %d times", id, k)
			}
		}
		if sent := e.deliveries(t, notify.StatusSent); len(sent) != n {
			t.Errorf("%d sent", len(sent))
		}
	})
}

// Deleting a channel fails its pending deliveries at once, visibly.
func TestDeletedChannelFailsVisibly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.channel(t, notify.Channel{Kind: notify.KindWeCom, Name: "gone", Enabled: true, Settings: notify.Settings{URL: "https://qyapi.example.cn/send?key=1"}})
		e.rule(t, "incident.created", c.ID)
		e.publish(t, notify.Event{Kind: "incident.created", Title: "x"})
		if err := e.App.Notify.DeleteChannel(e.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		e.dispatch(t)
		ds := e.deliveries(t, notify.StatusFailed)
		if len(ds) != 1 || ds[0].LastError != "channel deleted" || ds[0].ChannelName != "" {
			t.Errorf("deliveries: %+v", ds)
		}
	})
}

// An email channel set to address the event's roles adds the members who
// hold them (active, with an address), once each, and no one else.
func TestEmailToRoleHolders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		srv := newSMTPServer(t, false)
		e.disp.RootCAs = srv.Roots
		sys := e.System(e.Org)
		for _, u := range []account.NewUser{
			{Username: "resp1", Email: "resp1@example.cn", Roles: []auth.Role{auth.RoleResponder}},
			{Username: "resp2", Email: "soc@example.cn", Roles: []auth.Role{auth.RoleResponder, auth.RoleLeadership}}, // also listed
			{Username: "resp3", Roles: []auth.Role{auth.RoleResponder}},                                               // no address
			{Username: "view1", Email: "viewer@example.cn", Roles: []auth.Role{auth.RoleViewer}},
		} {
			u.Password, u.OrgID = "Test-Password-123", e.Org
			if _, err := e.App.Accounts.Create(sys, u); err != nil {
				t.Fatal(err)
			}
		}
		host, port, _ := net.SplitHostPort(srv.Addr)
		p, _ := strconv.Atoi(port)
		c := e.channel(t, notify.Channel{Kind: notify.KindEmail, Name: "roles", Enabled: true, Settings: notify.Settings{
			Host: host, Port: p, From: "bulwark@example.cn", To: []string{"soc@example.cn"}, StartTLS: true, ToRoles: true}})
		e.rule(t, "incident.created", c.ID)
		e.publish(t, notify.Event{Kind: "incident.created", Title: "x", Roles: []auth.Role{auth.RoleResponder}})
		e.dispatch(t)
		got := srv.Got()
		if len(got) != 1 || strings.Join(got[0].To, ",") != "soc@example.cn,resp1@example.cn" {
			t.Fatalf("recipients: %+v", got)
		}
	})
}
