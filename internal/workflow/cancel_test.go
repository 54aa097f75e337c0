package workflow_test

import (
	"context"
	"testing"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/workflow"
)

// The owning module cancels a pending approval in its own transaction:
// the approval ends withdrawn with the reason and who ended it, the
// object's hooks hear of it, a reason is required, and an approval already
// decided is refused. Latest reads the newest approval of a step.
func TestCancelAndLatest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		grader := e.Actor(mgr, e.Org)
		var heard []string
		e.App.Approvals.OnDecided("thing", func(_ context.Context, _ *store.Tx, a workflow.Approval) error {
			heard = append(heard, a.Status)
			return nil
		})
		cancel := func(ctx context.Context, id int64, reason string) (workflow.Approval, error) {
			var out workflow.Approval
			err := e.DB.Tx(ctx, func(tx *store.Tx) error {
				var err error
				out, err = e.App.Approvals.Cancel(ctx, tx, id, reason)
				return err
			})
			return out, err
		}
		latest := func(objectID string) (workflow.Approval, bool) {
			a, ok, err := e.App.Approvals.Latest(context.Background(), e.DB.Read(), e.Org, "thing", objectID, "plan")
			if err != nil {
				t.Fatal(err)
			}
			return a, ok
		}
		if _, ok := latest("1"); ok {
			t.Fatal("latest of an object without approvals")
		}
		first := request(t, e, e.Actor(author, e.Org), "1", auth.RoleSecurityManager)
		_, err := cancel(grader, first.ID, " ")
		wantCode(t, "cancel without reason", err, apperr.Invalid, "err.required")
		_, err = cancel(context.Background(), first.ID, "x")
		wantCode(t, "cancel without actor", err, apperr.Unauthenticated, "")
		got, err := cancel(grader, first.ID, "事件降为Ⅲ级")
		if err != nil || got.Status != workflow.StatusWithdrawn || got.Reason != "事件降为Ⅲ级" || got.DecidedBy != mgr.ID {
			t.Fatalf("cancel: %+v %v", got, err)
		}
		_, err = cancel(grader, first.ID, "again")
		wantCode(t, "cancel twice", err, apperr.Conflict, "err.approval_decided")
		if len(heard) != 1 || heard[0] != workflow.StatusWithdrawn || auditCount(t, e, "approval.cancel") != 1 {
			t.Errorf("hooks heard %v; %d cancel records", heard, auditCount(t, e, "approval.cancel"))
		}
		second := request(t, e, e.Actor(author, e.Org), "1", auth.RoleSecurityManager)
		if a, ok := latest("1"); !ok || a.ID != second.ID || a.Status != workflow.StatusPending {
			t.Errorf("latest: %+v %v, want %d pending", a, ok, second.ID)
		}
		// Another organisation's actor finds nothing to cancel.
		orgB := e.CreateOrg("客户B")
		_, err = cancel(e.Actor(e.CreateUser("b-mgr", orgB, auth.RoleSecurityManager), orgB), second.ID, "x")
		wantCode(t, "cancel across organisations", err, apperr.NotFound, "")
	})
}
