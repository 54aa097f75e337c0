package postincident_test

import (
	"strings"
	"testing"
	"time"

	"bulwark/internal/deadline"
	"bulwark/internal/notify"
	"bulwark/internal/postincident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// A CAPA's due date is announced by the deadline scanner once when near and
// once when passed, each notice naming the incident, the action and its
// owner and linking to the review; an action done in time is not announced
// as overdue.
func TestCAPADueDatesAreAnnounced(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		e, r := b.e, b.e.App.Reviews
		ch, err := e.App.Notify.CreateChannel(b.mgr, notify.Channel{Kind: notify.KindWebhook, Name: "soc", Enabled: true,
			Settings: notify.Settings{URL: "http://127.0.0.1:9/hook"}})
		b.must(err)
		for _, k := range []string{"deadline.near", "deadline.overdue"} {
			_, err := e.App.Notify.CreateRule(b.mgr, k, ch.ID, true)
			b.must(err)
		}
		due := e.Clock.Now().Add(10 * 24 * time.Hour)
		late, err := r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindCorrective,
			Description: "关闭上传目录的脚本执行权限", OwnerID: b.mgrU.ID, DueAt: due})
		b.must(err)
		early, err := r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindPreventive,
			Description: "发布前做安全测试", OwnerID: b.respU.ID, DueAt: due})
		b.must(err)
		set, err := r.SubmitCAPAs(b.resp, b.inc.ID)
		b.must(err)
		_, err = e.App.Approvals.Decide(b.leader, set.ID, true, "")
		b.must(err)
		_, err = r.Progress(b.resp, b.inc.ID, early.ID, postincident.CAPADone, "已纳入发布流程")
		b.must(err)

		near, overdue := e.App.DeadlineHooks()
		scanner := &deadline.Scanner{DB: db, Clock: e.Clock, OnNear: near, OnOverdue: overdue}
		scan := func() deadline.Result {
			t.Helper()
			res, err := scanner.ScanOnce(e.System(e.Org), e.Clock.Now())
			b.must(err)
			return res
		}
		// (The incident's own first-report deadline passes too; only the
		// CAPA's notices are looked at below.)
		e.Clock.Advance(9 * 24 * time.Hour) // a day left
		scan()
		e.Clock.Advance(2 * 24 * time.Hour)
		scan()
		if res := scan(); res.Near+res.Overdue != 0 {
			t.Errorf("announced twice: %+v", res)
		}
		list, err := e.App.Notify.Deliveries(b.mgr, notify.DeliveryFilter{Limit: 50})
		b.must(err)
		var kinds []string
		for _, d := range list {
			if (d.EventKind != "deadline.near" && d.EventKind != "deadline.overdue") || !strings.Contains(d.Title, "纠正预防措施") {
				continue
			}
			kinds = append(kinds, d.EventKind)
			if !strings.Contains(d.Title, b.inc.Number) || !strings.Contains(d.Title, late.Description) ||
				!strings.Contains(d.Body, "mgr") || !strings.HasSuffix(d.Link, "/review") {
				t.Errorf("notice %s: %q / %q / %s", d.EventKind, d.Title, d.Body, d.Link)
			}
			if strings.Contains(d.Title, early.Description) {
				t.Errorf("the action done in time was announced: %q", d.Title)
			}
		}
		if len(kinds) != 2 {
			t.Errorf("notices %v, want one near and one overdue", kinds)
		}
	})
}
