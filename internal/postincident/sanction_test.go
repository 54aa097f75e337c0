package postincident_test

import (
	"context"
	"strings"
	"testing"

	"bulwark/internal/apperr"
	"bulwark/internal/postincident"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/workflow"
)

// TestSanctions: the working group proposes rewards and penalties,
// leadership decides; neither the author nor the person concerned
// decides, and only those who deal with them read them.
func TestSanctions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := newBed(t, db)
		r := b.e.App.Reviews
		_, err := r.ProposeSanction(b.viewer, b.inc.ID, postincident.SanctionInput{})
		refused(t, "viewer proposes", err, apperr.Forbidden, "")
		_, err = r.ProposeSanction(b.mgr, b.inc.ID, postincident.SanctionInput{Kind: "bonus", Reason: strings.Repeat("因", 10001)})
		fields(t, "bad recommendation", err, "kind", "reason", "person_name")
		_, err = r.ProposeSanction(b.mgr, b.inc.ID, postincident.SanctionInput{Kind: postincident.SanctionReward, PersonID: 999999, Reason: "x"})
		fields(t, "unknown person", err, "person_id")

		reward, err := r.ProposeSanction(b.mgr, b.inc.ID, postincident.SanctionInput{Kind: postincident.SanctionReward,
			PersonID: b.leadU.ID, PersonName: "ignored", Reason: "夜间到场指挥处置", Measure: "通报表扬"})
		b.must(err)
		if reward.PersonName != "leader" || reward.Status != postincident.SanctionPending || reward.ApprovalID == 0 {
			t.Errorf("proposed %+v", reward)
		}
		a, err := b.e.App.Approvals.Get(b.leader2, reward.ApprovalID)
		b.must(err)
		if strings.Contains(a.Title, "leader") || a.Roles[0] != postincident.ApproverRoles[0] {
			t.Errorf("approval %+v names the person or the wrong role", a)
		}
		_, err = b.e.App.Approvals.Decide(b.leader, reward.ApprovalID, true, "")
		refused(t, "leader decides own reward", err, apperr.Forbidden, "err.sanction_own_person")
		_, err = b.e.App.Approvals.Decide(b.mgr, reward.ApprovalID, true, "")
		refused(t, "author decides", err, apperr.Forbidden, "")
		_, err = b.e.App.Approvals.Decide(b.leader2, reward.ApprovalID, true, "同意表扬")
		b.must(err)

		penalty, err := r.ProposeSanction(b.resp, b.inc.ID, postincident.SanctionInput{Kind: postincident.SanctionPenalty,
			PersonName: "外包运维 李某", Reason: "未按规定修改默认口令", Measure: "约谈并扣减服务费"})
		b.must(err)
		_, err = b.e.App.Approvals.Decide(b.leader, penalty.ApprovalID, false, "")
		fields(t, "reject without reason", err, "reason")
		_, err = b.e.App.Approvals.Decide(b.leader, penalty.ApprovalID, false, "责任在甲方配置流程")
		b.must(err)
		third, err := r.ProposeSanction(b.resp, b.inc.ID, postincident.SanctionInput{Kind: postincident.SanctionReward,
			PersonID: b.mgrU.ID, Reason: "x"})
		b.must(err)
		_, err = b.e.App.Approvals.Withdraw(b.resp, third.ApprovalID, "重复")
		b.must(err)

		list, err := r.Sanctions(b.leader, b.inc.ID)
		b.must(err)
		want := []string{workflow.StatusApproved, postincident.SanctionRejected, postincident.SanctionWithdrawn}
		if len(list) != 3 {
			t.Fatalf("%d recommendations", len(list))
		}
		for k, x := range list {
			if x.Status != want[k] {
				t.Errorf("recommendation %d: %s, want %s", k, x.Status, want[k])
			}
		}
		if list[0].DecidedByName != "leader2" || list[0].DecisionReason != "同意表扬" || list[1].DecisionReason != "责任在甲方配置流程" {
			t.Errorf("decisions %+v", list[:2])
		}
		_, err = r.Sanctions(b.viewer, b.inc.ID)
		refused(t, "viewer reads recommendations", err, apperr.Forbidden, "")
		if id, err := r.SanctionIncident(b.viewer, reward.ID); err != nil || id != b.inc.ID {
			t.Errorf("incident of recommendation: %d %v", id, err)
		}

		// The incident's timeline shows them to those who may read them.
		actions := func(ctx context.Context) string {
			ev, err := b.e.App.Lifecycle.Timeline(ctx, b.inc.ID)
			b.must(err)
			var out []string
			for _, e := range ev {
				out = append(out, e.Action)
			}
			return strings.Join(out, " ")
		}
		if got := actions(b.leader); !strings.Contains(got, "sanction.propose") || !strings.Contains(got, "sanction.rejected") {
			t.Errorf("leader's timeline: %s", got)
		}
		if got := actions(b.viewer); strings.Contains(got, "sanction.") {
			t.Errorf("viewer's timeline shows recommendations: %s", got)
		}
	})
}
