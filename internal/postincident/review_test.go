package postincident_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/incident"
	"bulwark/internal/postincident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func fullReview(b *bed) postincident.ReviewInput {
	held := b.e.Clock.Now().Add(-time.Hour)
	return postincident.ReviewInput{HeldAt: &held, Place: "三楼会议室", AttendeeIDs: []int64{b.respU.ID, b.mgrU.ID},
		AttendeeNames: []string{"安全厂商 王工"}, Minutes: "复盘处置过程", RootCause: "CMS 插件存在文件上传漏洞",
		Impact: "门户首页被篡改 2 小时，无数据泄露", Lessons: "插件上线前须经安全测试",
		PlanRevisionNeeded: true, PlanRevisionNotes: "补充网页篡改的处置步骤"}
}

// TestReviewGatesClosing walks the close gate: no review, an incomplete
// one, unapproved CAPA, an undecided recommendation, then closed; a
// reopened incident needs the review saved again in its new round.
func TestReviewGatesClosing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		r := b.e.App.Reviews
		refused(t, "close without a review", b.close(b.resp), apperr.Conflict, "err.review_required")

		_, err := r.SaveReview(b.viewer, b.inc.ID, fullReview(b))
		refused(t, "viewer saves", err, apperr.Forbidden, "")
		future := b.e.Clock.Now().Add(time.Hour)
		bad := postincident.ReviewInput{HeldAt: &future, AttendeeIDs: []int64{999999},
			AttendeeNames: []string{strings.Repeat("名", 101)}, RootCause: strings.Repeat("因", 10001)}
		_, err = r.SaveReview(b.resp, b.inc.ID, bad)
		fields(t, "bad review", err, "held_at", "attendee_ids", "attendee_names", "root_cause")

		draft, err := r.SaveReview(b.resp, b.inc.ID, postincident.ReviewInput{RootCause: "  CMS 插件漏洞  "})
		b.must(err)
		if draft.RootCause != "CMS 插件漏洞" || draft.Complete() {
			t.Errorf("draft %+v", draft)
		}
		refused(t, "close with a draft review", b.close(b.resp), apperr.Conflict, "err.review_incomplete")
		ready, err := r.Readiness(b.viewer, b.inc.ID)
		b.must(err)
		if strings.Join(ready.ReviewMissing, ",") != "held_at,attendees,impact,lessons" || ready.Ready {
			t.Errorf("readiness %+v", ready)
		}

		rev, err := r.SaveReview(b.resp, b.inc.ID, fullReview(b))
		b.must(err)
		if !rev.Complete() || len(rev.Attendees) != 3 || rev.Attendees[0].Name != "resp" || rev.Attendees[2].UserID != 0 {
			t.Errorf("review %+v", rev)
		}
		ev, err := b.e.App.Lifecycle.Timeline(b.viewer, b.inc.ID)
		b.must(err)
		if ev[0].Action != "incident_review.save" || ev[0].Object != postincident.ReviewObject {
			t.Errorf("newest timeline event %+v", ev[0])
		}
		got, err := r.Review(b.viewer, b.inc.ID)
		b.must(err)
		if got.Lessons != rev.Lessons || !got.PlanRevisionNeeded || got.HeldAt == nil || !got.CreatedAt.Equal(draft.CreatedAt) {
			t.Errorf("read back %+v", got)
		}

		// A CAPA proposed but not approved holds the incident open.
		c, err := r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindCorrective,
			Description: "升级 CMS 插件", OwnerID: b.mgrU.ID, DueAt: b.e.Clock.Now().Add(7 * 24 * time.Hour)})
		b.must(err)
		refused(t, "close with a draft CAPA", b.close(b.resp), apperr.Conflict, "err.review_capa_unapproved")
		a, err := r.SubmitCAPAs(b.resp, b.inc.ID)
		b.must(err)
		refused(t, "close with CAPA under approval", b.close(b.resp), apperr.Conflict, "err.review_capa_unapproved")
		_, err = b.e.App.Approvals.Decide(b.leader, a.ID, true, "同意")
		b.must(err)

		// An undecided recommendation too.
		x, err := r.ProposeSanction(b.mgr, b.inc.ID, postincident.SanctionInput{Kind: postincident.SanctionReward,
			PersonID: b.respU.ID, Reason: "快速发现并隔离", Measure: "通报表扬"})
		b.must(err)
		refused(t, "close with a pending recommendation", b.close(b.resp), apperr.Conflict, "err.review_sanction_pending")
		_, err = b.e.App.Approvals.Decide(b.leader, x.ApprovalID, true, "")
		b.must(err)

		b.must(b.close(b.resp))
		// Closed: the record stands until the incident is reopened; the
		// CAPA's work goes on.
		_, err = r.SaveReview(b.resp, b.inc.ID, fullReview(b))
		refused(t, "save on a closed incident", err, apperr.Conflict, "err.review_closed")
		_, err = r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindPreventive, Description: "x",
			OwnerID: b.mgrU.ID, DueAt: b.e.Clock.Now().Add(time.Hour)})
		refused(t, "CAPA on a closed incident", err, apperr.Conflict, "err.review_closed")
		_, err = r.Progress(b.mgr, b.inc.ID, c.ID, postincident.CAPAInProgress, "")
		b.must(err)

		_, err = b.e.App.Lifecycle.Reopen(b.resp, b.inc.ID, "发现残留后门")
		b.must(err)
		_, err = b.e.App.Lifecycle.Exception(b.leader, b.inc.ID, incident.PhaseSummary, "测试：再次进入总结")
		b.must(err)
		refused(t, "close with last round's review", b.close(b.resp), apperr.Conflict, "err.review_stale")
		_, err = r.SaveReview(b.resp, b.inc.ID, fullReview(b))
		b.must(err)
		b.must(b.close(b.resp))

		saves, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: b.e.Org, ObjectType: postincident.ReviewObject})
		b.must(err)
		if len(saves) != 3 || saves[0].Action != "incident_review.save" || saves[0].Before == "" || saves[2].Before != "" {
			t.Errorf("%d review records", len(saves))
		}
	})
}

// TestReviewDoesNotCross: another organisation's incident is not found,
// for reading and for writing.
func TestReviewDoesNotCross(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		r := b.e.App.Reviews
		_, err := r.SaveReview(b.resp, b.inc.ID, fullReview(b))
		b.must(err)
		orgB := b.e.CreateOrg("客户B")
		other := b.e.Actor(b.e.CreateUser("b-mgr", orgB, "security_manager"), orgB)
		_, err = r.Review(other, b.inc.ID)
		refused(t, "read across", err, apperr.NotFound, "")
		_, err = r.SaveReview(other, b.inc.ID, postincident.ReviewInput{RootCause: "hijack"})
		refused(t, "write across", err, apperr.NotFound, "")
		_, err = r.AddCAPA(other, b.inc.ID, postincident.CAPAInput{Kind: "corrective", Description: "x", OwnerID: 1,
			DueAt: b.e.Clock.Now().Add(time.Hour)})
		refused(t, "CAPA across", err, apperr.NotFound, "")
		_, err = r.Sanctions(other, b.inc.ID)
		refused(t, "recommendations across", err, apperr.NotFound, "")
		// An account of org A is nobody in org B's review.
		_, err = r.SaveReview(b.resp, b.inc.ID, postincident.ReviewInput{AttendeeIDs: []int64{b.e.CreateUser("b-only", orgB, "responder").ID}})
		fields(t, "attendee of another organisation", err, "attendee_ids")
		got, err := r.Review(b.viewer, b.inc.ID)
		b.must(err)
		if got.RootCause != fullReview(b).RootCause {
			t.Errorf("review changed: %+v", got)
		}
		if _, err := b.e.App.Lifecycle.Transition(b.resp, b.inc.ID, incident.PhaseClosed, ""); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}

func TestParseNames(t *testing.T) {
	cases := map[string]string{
		"":       "",
		"张三\n李四": "张三|李四",
		" 张三 ，李四、王五；赵六;张三 ":    "张三|李四|王五|赵六",
		"Alice Smith, Bob\r\n": "Alice Smith|Bob",
		"\xff\xfe名":            "\uFFFD名",
	}
	for in, want := range cases {
		if got := strings.Join(postincident.ParseNames(in), "|"); got != want {
			t.Errorf("ParseNames(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseNames: whatever is typed, the names are valid UTF-8, trimmed,
// non-empty, distinct and free of separators.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"张三\n李四", "a,b，c、d;e；f", "  ", "\xff", "王工（厂商）"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, n := range postincident.ParseNames(s) {
			if n == "" || n != strings.TrimSpace(n) || seen[n] || strings.ContainsAny(n, "\n\r,，、;；") || !utf8.ValidString(n) {
				t.Fatalf("ParseNames(%q) gave %q", s, n)
			}
			seen[n] = true
		}
	})
}
