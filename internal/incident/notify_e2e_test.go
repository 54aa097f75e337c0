package incident_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulwark/internal/deadline"
	"bulwark/internal/incident"
	"bulwark/internal/notify"
	"bulwark/internal/notifytest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// From the incident's real events to what arrives: an incident is
// reported, graded II (leadership asked, the working group engaged), its
// first report deadline comes near and passes on the fake clock, the
// scanner runs, the report is sent, the incident is closed; the
// dispatcher delivers to a local SMTP server (STARTTLS), a JSON webhook
// and a signed DingTalk robot. Every message names the incident's number;
// each deadline notice arrives once; a receiver that keeps failing leaves
// a failed delivery in the log.
func TestIncidentNotificationsArrive(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		x := newEsc(t, db)
		ns := x.e.App.Notify
		smtp := notifytest.NewSMTPServer(t, false)
		hook, ding, broken := notifytest.NewReceiver(t), notifytest.NewReceiver(t), notifytest.NewReceiver(t, 500)
		host, port, _ := net.SplitHostPort(smtp.Addr)
		p, _ := strconv.Atoi(port)
		channels := map[string]notify.Channel{}
		for _, c := range []notify.Channel{
			{Kind: notify.KindEmail, Name: "mail", Settings: notify.Settings{Host: host, Port: p, Username: "bulwark", Password: "pw",
				From: "Bulwark <bulwark@example.cn>", To: []string{"soc@example.cn"}, StartTLS: true}},
			{Kind: notify.KindWebhook, Name: "hook", Settings: notify.Settings{URL: hook.URL + "/hook"}},
			{Kind: notify.KindDingTalk, Name: "ding", Settings: notify.Settings{URL: ding.URL + "/robot/send?access_token=t0k", Secret: "SECding"}},
			{Kind: notify.KindWebhook, Name: "broken", Settings: notify.Settings{URL: broken.URL}},
		} {
			c.Enabled = true
			out, err := ns.CreateChannel(x.mgr, c)
			x.must(err)
			channels[c.Name] = out
		}
		for _, k := range notify.Kinds {
			for _, name := range []string{"mail", "hook", "ding"} {
				_, err := ns.CreateRule(x.mgr, k.Name, channels[name].ID, true)
				x.must(err)
			}
		}
		_, err := ns.CreateRule(x.mgr, "incident.created", channels["broken"].ID, true)
		x.must(err)
		disp := &notify.Dispatcher{DB: db, Clock: x.e.Clock, BaseURL: "https://bulwark.example.cn/", RootCAs: smtp.Roots,
			MaxAttempts: 2, Backoff: time.Minute, Timeout: 5 * time.Second}
		dispatch := func() {
			t.Helper()
			if _, err := disp.DispatchOnce(x.e.System(x.e.Org)); err != nil {
				t.Fatal(err)
			}
		}
		near, overdue := x.e.App.DeadlineHooks()
		scanner := &deadline.Scanner{DB: db, Clock: x.e.Clock, OnNear: near, OnOverdue: overdue}
		scan := func() deadline.Result {
			t.Helper()
			res, err := scanner.ScanOnce(x.e.System(x.e.Org), x.e.Clock.Now())
			x.must(err)
			return res
		}

		i := x.create("勒索软件加密文件服务器", 0)
		x.regrade(x.mgr, i.ID, incident.GradeII, "核心业务文件被加密")
		dispatch()
		x.e.Clock.Advance(3*time.Hour + 10*time.Minute) // into the last hour of four
		if res := scan(); res.Near != 1 || res.Overdue != 0 {
			t.Fatalf("scan in the near window: %+v", res)
		}
		dispatch()
		x.e.Clock.Advance(time.Hour) // past due
		if res := scan(); res.Near != 0 || res.Overdue != 1 {
			t.Fatalf("scan past due: %+v", res)
		}
		if res := scan(); res.Near+res.Overdue != 0 {
			t.Errorf("a second scan announced again: %+v", res)
		}
		dispatch()
		_, err = x.e.App.Escalation.Submit(x.resp, i.ID, incident.ReportInput{Kind: incident.ReportFirst, Recipient: "省网信办",
			Partial: true, Fields: basicFields()})
		x.must(err)
		_, err = x.e.App.Lifecycle.Exception(x.leader, i.ID, incident.PhaseClosed, "误报：加密为备份软件所致")
		x.must(err)
		dispatch()

		want := []string{"incident.created", "approval.waiting", "incident.graded_major", incident.KindEngaged, "deadline.near",
			"deadline.overdue", incident.KindReportSubmitted, "incident.closed"}
		link := fmt.Sprintf("https://bulwark.example.cn/incidents/%d", i.ID)
		var kinds []string
		for _, r := range hook.Got() {
			kinds = append(kinds, fmt.Sprint(r.JSON["event"]))
			title := fmt.Sprint(r.JSON["title"])
			if !strings.Contains(title, i.Number) || (r.JSON["event"] != "approval.waiting" && r.JSON["link"] != link) {
				t.Errorf("webhook %v: title %q link %v", r.JSON["event"], title, r.JSON["link"])
			}
			if strings.HasPrefix(kinds[len(kinds)-1], "deadline.") && (!strings.Contains(title, "首次报告") ||
				!strings.Contains(fmt.Sprint(r.JSON["roles"]), "leadership")) {
				t.Errorf("deadline notice %q roles %v", title, r.JSON["roles"])
			}
		}
		slices.Sort(kinds)
		sortedWant := slices.Clone(want)
		slices.Sort(sortedWant)
		if !slices.Equal(kinds, sortedWant) {
			t.Errorf("webhook got %v, want %v", kinds, sortedWant)
		}

		mails := smtp.Got()
		if len(mails) != len(want) {
			t.Fatalf("%d mails, want %d", len(mails), len(want))
		}
		for _, m := range mails {
			msg, err := mail.ReadMessage(strings.NewReader(m.Data))
			x.must(err)
			subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if !m.TLS || !strings.Contains(subject, i.Number) || !strings.Contains(string(body), i.Number) {
				t.Errorf("mail over TLS %v, subject %q, body %q", m.TLS, subject, body)
			}
		}

		robots := ding.Got()
		if len(robots) != len(want) {
			t.Fatalf("%d robot messages, want %d", len(robots), len(want))
		}
		for _, r := range robots {
			ts := r.Query["timestamp"]
			mac := hmac.New(sha256.New, []byte("SECding"))
			mac.Write([]byte(ts + "\n" + "SECding"))
			md, _ := r.JSON["markdown"].(map[string]any)
			if r.Query["sign"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || r.Query["access_token"] != "t0k" ||
				!strings.Contains(fmt.Sprint(md["text"]), i.Number) {
				t.Errorf("dingtalk request %v: %s", r.Query, r.Body)
			}
		}

		// The receiver that always fails: tried twice, then failed, visible.
		x.e.Clock.Advance(2 * time.Minute)
		dispatch()
		failed, err := ns.Deliveries(x.mgr, notify.DeliveryFilter{Status: notify.StatusFailed})
		x.must(err)
		if len(failed) != 1 || failed[0].ChannelName != "broken" || failed[0].EventKind != "incident.created" || failed[0].Attempts != 2 ||
			!strings.Contains(failed[0].LastError, "HTTP 500") || !strings.Contains(failed[0].Title, i.Number) || len(broken.Got()) != 2 {
			t.Errorf("failed deliveries: %+v (receiver got %d)", failed, len(broken.Got()))
		}
	})
}
