package postincident_test

import (
	"strconv"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/postincident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// TestCAPALifecycle follows a CAPA from proposal to verification: owners
// must be able to do work, leadership approves the set (never someone who
// proposed one of it), a rejection sends it back, only the owner reports
// progress, someone else verifies, and the due date is a deadline met when
// the work is done.
func TestCAPALifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		r := b.e.App.Reviews
		now := b.e.Clock.Now()
		due := now.Add(14 * 24 * time.Hour)

		_, err := r.AddCAPA(b.viewer, b.inc.ID, postincident.CAPAInput{})
		refused(t, "viewer proposes", err, apperr.Forbidden, "")
		_, err = r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: "other", OwnerID: b.viewerU.ID, DueAt: now.Add(-time.Hour)})
		fields(t, "bad CAPA", err, "kind", "description", "owner_id", "due_at")
		_, err = r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindCorrective, Description: "x", OwnerID: 999999, DueAt: due})
		fields(t, "unknown owner", err, "owner_id")

		// A leader who is also in the working group proposes one of the set.
		both := b.e.CreateUser("both", b.e.Org, auth.RoleResponder, auth.RoleLeadership)
		bothCtx := b.e.Actor(both, b.e.Org)
		c1, err := r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindCorrective,
			Description: "升级 CMS 插件并关闭上传目录执行权限", OwnerID: b.mgrU.ID, DueAt: due})
		b.must(err)
		c2, err := r.AddCAPA(bothCtx, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindPreventive,
			Description: "上线前安全测试纳入发布流程", OwnerID: b.respU.ID, DueAt: due})
		b.must(err)
		if c1.Status != postincident.CAPADraft || c1.OwnerName != "mgr" || c1.IncidentNumber != b.inc.Number {
			t.Errorf("new CAPA %+v", c1)
		}
		_, err = r.Progress(b.mgr, b.inc.ID, c1.ID, postincident.CAPAInProgress, "")
		refused(t, "work before approval", err, apperr.Conflict, "err.capa_not_approved")

		a, err := r.SubmitCAPAs(b.resp, b.inc.ID)
		b.must(err)
		_, err = r.SubmitCAPAs(b.resp, b.inc.ID)
		refused(t, "submit twice", err, apperr.Conflict, "err.capa_set_pending")
		_, err = r.UpdateCAPA(b.resp, b.inc.ID, c1.ID, postincident.CAPAPatch{Description: ptr("y")})
		refused(t, "edit under approval", err, apperr.Conflict, "err.capa_under_approval")
		_, err = b.e.App.Approvals.Decide(b.resp, a.ID, true, "")
		refused(t, "working group approves", err, apperr.Forbidden, "")
		_, err = b.e.App.Approvals.Decide(bothCtx, a.ID, true, "")
		refused(t, "author of one CAPA approves the set", err, apperr.Forbidden, "err.approval_own")
		_, err = b.e.App.Approvals.Decide(b.leader, a.ID, false, "期限过长")
		b.must(err)
		list, err := r.CAPAs(b.viewer, b.inc.ID)
		b.must(err)
		if len(list) != 2 || list[0].Status != postincident.CAPADraft || list[0].RejectReason != "期限过长" {
			t.Fatalf("after rejection %+v", list)
		}

		sooner := now.Add(7 * 24 * time.Hour)
		c1, err = r.UpdateCAPA(b.resp, b.inc.ID, c1.ID, postincident.CAPAPatch{DueAt: &sooner})
		b.must(err)
		a, err = r.SubmitCAPAs(b.resp, b.inc.ID)
		b.must(err)
		_, err = b.e.App.Approvals.Decide(b.leader, a.ID, true, "同意")
		b.must(err)
		ds, err := b.e.App.Deadlines.ForObject(b.mgr, postincident.CAPAObject, strconv.FormatInt(c1.ID, 10))
		b.must(err)
		if len(ds) != 1 || ds[0].Kind != postincident.CAPADeadline || !ds[0].DueAt.Equal(sooner) {
			t.Fatalf("deadline %+v", ds)
		}

		// Approved: what it is stays; owner and due date may move.
		_, err = r.UpdateCAPA(b.resp, b.inc.ID, c1.ID, postincident.CAPAPatch{Description: ptr("别的措施")})
		refused(t, "rewrite an approved CAPA", err, apperr.Conflict, "err.capa_approved_fixed")
		err = r.DeleteCAPA(b.resp, b.inc.ID, c1.ID)
		refused(t, "delete an approved CAPA", err, apperr.Conflict, "err.capa_not_draft")
		later := now.Add(10 * 24 * time.Hour)
		_, err = r.UpdateCAPA(b.resp, b.inc.ID, c1.ID, postincident.CAPAPatch{DueAt: &later})
		b.must(err)
		ds, _ = b.e.App.Deadlines.ForObject(b.mgr, postincident.CAPAObject, strconv.FormatInt(c1.ID, 10))
		if !ds[0].DueAt.Equal(later) {
			t.Errorf("deadline not moved: %v", ds[0].DueAt)
		}

		// Only the owner reports progress; done needs notes.
		_, err = r.Progress(b.resp, b.inc.ID, c1.ID, postincident.CAPAInProgress, "")
		refused(t, "someone else's CAPA", err, apperr.Forbidden, "err.capa_not_owner")
		_, err = r.Progress(b.viewer, b.inc.ID, c1.ID, postincident.CAPAInProgress, "")
		refused(t, "viewer works", err, apperr.Forbidden, "")
		_, err = r.Progress(b.mgr, b.inc.ID, c1.ID, postincident.CAPADone, "")
		fields(t, "done without notes", err, "notes")
		_, err = r.Progress(b.mgr, b.inc.ID, c1.ID, postincident.CAPAInProgress, "已排期")
		b.must(err)
		_, err = r.Verify(b.leader, b.inc.ID, c1.ID, true, "x")
		refused(t, "verify before done", err, apperr.Conflict, "err.capa_not_done")
		b.e.Clock.Advance(time.Hour)
		c1, err = r.Progress(b.mgr, b.inc.ID, c1.ID, postincident.CAPADone, "插件已升级至 5.2")
		b.must(err)
		ds, _ = b.e.App.Deadlines.ForObject(b.mgr, postincident.CAPAObject, strconv.FormatInt(c1.ID, 10))
		if c1.Status != postincident.CAPADone || ds[0].MetAt.IsZero() {
			t.Errorf("done %+v, deadline %+v", c1, ds[0])
		}

		// Verification: never by the owner; a failed one sends it back.
		_, err = r.Verify(b.mgr, b.inc.ID, c1.ID, true, "自查通过")
		refused(t, "owner verifies", err, apperr.Forbidden, "err.capa_verify_own")
		_, err = r.Verify(b.resp, b.inc.ID, c1.ID, true, "x")
		refused(t, "responder verifies", err, apperr.Forbidden, "")
		_, err = r.Verify(b.leader, b.inc.ID, c1.ID, false, "")
		fields(t, "verify without notes", err, "notes")
		c1, err = r.Verify(b.leader, b.inc.ID, c1.ID, false, "上传目录仍可执行脚本")
		b.must(err)
		ds, _ = b.e.App.Deadlines.ForObject(b.mgr, postincident.CAPAObject, strconv.FormatInt(c1.ID, 10))
		if c1.Status != postincident.CAPAInProgress || c1.VerificationNotes != "上传目录仍可执行脚本" || !ds[0].MetAt.IsZero() {
			t.Errorf("sent back %+v, deadline %+v", c1, ds[0])
		}
		_, err = r.Progress(b.mgr, b.inc.ID, c1.ID, postincident.CAPADone, "已关闭执行权限")
		b.must(err)
		c1, err = r.Verify(b.leader2, b.inc.ID, c1.ID, true, "复测通过")
		b.must(err)
		if c1.Status != postincident.CAPAVerified || c1.VerifiedByName != "leader2" || c1.VerifiedAt.IsZero() {
			t.Errorf("verified %+v", c1)
		}
		_, err = r.Progress(b.mgr, b.inc.ID, c1.ID, postincident.CAPAInProgress, "")
		refused(t, "work on a verified CAPA", err, apperr.Conflict, "err.capa_state")

		// Overdue is derived from the clock: c2 is open and its day passes.
		b.e.Clock.Advance(15 * 24 * time.Hour)
		open, err := r.OpenCAPAs(b.resp, true)
		b.must(err)
		if len(open) != 1 || open[0].ID != c2.ID || !open[0].Overdue {
			t.Errorf("open CAPA of resp %+v", open)
		}
		all, err := r.OpenCAPAs(b.viewer, false)
		b.must(err)
		if len(all) != 1 {
			t.Errorf("open CAPA: %d", len(all))
		}

		// A draft proposed in error goes; the trail keeps it.
		c3, err := r.AddCAPA(b.resp, b.inc.ID, postincident.CAPAInput{Kind: postincident.KindPreventive, Description: "多余",
			OwnerID: b.mgrU.ID, DueAt: b.e.Clock.Now().Add(time.Hour)})
		b.must(err)
		b.must(r.DeleteCAPA(b.resp, b.inc.ID, c3.ID))
		_, err = r.UpdateCAPA(b.resp, b.inc.ID, c3.ID, postincident.CAPAPatch{})
		refused(t, "deleted CAPA", err, apperr.NotFound, "")
	})
}
