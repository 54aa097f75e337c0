package workflow_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/workflow"
)

// request opens an approval as ctx's actor in a transaction of its own.
func request(t *testing.T, e *servertest.Env, ctx context.Context, objectID string, roles ...auth.Role) workflow.Approval {
	t.Helper()
	var a workflow.Approval
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		var err error
		a, err = e.App.Approvals.Request(ctx, tx, workflow.Request{ObjectType: "thing", ObjectID: objectID,
			Step: "plan", Title: "抑制方案 " + objectID, Roles: roles})
		return err
	})
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	return a
}

func auditCount(t *testing.T, e *servertest.Env, action string) int {
	t.Helper()
	var n int
	if err := e.DB.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || (key != "" && ae.Key != key && (len(ae.Fields) == 0 || ae.Fields[0].Key != key)) {
		t.Errorf("%s: got %v, want %s %s", what, err, code, key)
	}
}

func TestDecide(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder, auth.RoleSecurityManager)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		mgr2 := e.CreateUser("mgr2", e.Org, auth.RoleSecurityManager)
		itm := e.CreateUser("itm", e.Org, auth.RoleITManager)
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		lead := e.CreateUser("lead", e.Org, auth.RoleLeadership)
		a := request(t, e, e.Actor(author, e.Org), "1", auth.RoleSecurityManager, auth.RoleLeadership)
		if a.Status != workflow.StatusPending || a.AuthorID != author.ID || len(a.Roles) != 2 {
			t.Fatalf("requested: %+v", a)
		}
		for _, tc := range []struct {
			name    string
			ctx     context.Context
			approve bool
			reason  string
			code    apperr.Code
			key     string
		}{
			{"wrong role", e.Actor(itm, e.Org), true, "", apperr.Forbidden, "err.approval_role"},
			{"read-only role", e.Actor(viewer, e.Org), true, "", apperr.Forbidden, "err.forbidden"},
			{"author holding the role", e.Actor(author, e.Org), true, "", apperr.Forbidden, "err.approval_own"},
			{"rejection without reason", e.Actor(mgr, e.Org), false, "  ", apperr.Invalid, "err.approval_reason_required"},
		} {
			_, err := e.App.Approvals.Decide(tc.ctx, a.ID, tc.approve, tc.reason)
			wantCode(t, tc.name, err, tc.code, tc.key)
		}
		got, err := e.App.Approvals.Decide(e.Actor(mgr, e.Org), a.ID, true, "")
		if err != nil {
			t.Fatalf("approve: %v", err)
		}
		if got.Status != workflow.StatusApproved || got.DecidedBy != mgr.ID || got.DecidedByName != "mgr" || got.DecidedAt.IsZero() {
			t.Errorf("approved: %+v", got)
		}
		_, err = e.App.Approvals.Decide(e.Actor(mgr2, e.Org), a.ID, false, "too late")
		wantCode(t, "second decision", err, apperr.Conflict, "err.approval_decided")
		stored, err := e.App.Approvals.Get(e.Actor(viewer, e.Org), a.ID)
		if err != nil || stored.Status != workflow.StatusApproved || stored.DecidedBy != mgr.ID {
			t.Errorf("stored: %+v %v", stored, err)
		}

		// Leadership, the other role named, rejects the next one with a reason.
		b := request(t, e, e.Actor(author, e.Org), "2", auth.RoleSecurityManager, auth.RoleLeadership)
		rej, err := e.App.Approvals.Decide(e.Actor(lead, e.Org), b.ID, false, "方案不完整")
		if err != nil || rej.Status != workflow.StatusRejected || rej.Reason != "方案不完整" {
			t.Errorf("reject: %+v %v", rej, err)
		}
		for action, want := range map[string]int{"approval.request": 2, "approval.approve": 1, "approval.reject": 1} {
			if n := auditCount(t, e, action); n != want {
				t.Errorf("%d audit records %s, want %d", n, action, want)
			}
		}

		// A platform admin may decide anything, except what they asked for.
		admin1 := e.CreateUser("admin1", e.Org, auth.RoleAdmin)
		admin2 := e.CreateUser("admin2", e.Org, auth.RoleAdmin)
		c := request(t, e, e.Actor(admin1, e.Org), "3", auth.RoleLeadership)
		_, err = e.App.Approvals.Decide(e.Actor(admin1, e.Org), c.ID, true, "")
		wantCode(t, "admin's own request", err, apperr.Forbidden, "err.approval_own")
		if _, err := e.App.Approvals.Decide(e.Actor(admin2, e.Org), c.ID, true, ""); err != nil {
			t.Errorf("another admin: %v", err)
		}

		// Another organisation's member cannot see or decide it.
		orgB := e.CreateOrg("B")
		mgrB := e.CreateUser("mgrB", orgB, auth.RoleSecurityManager)
		d := request(t, e, e.Actor(author, e.Org), "4", auth.RoleSecurityManager)
		_, err = e.App.Approvals.Decide(e.Actor(mgrB, orgB), d.ID, true, "")
		wantCode(t, "other organisation", err, apperr.NotFound, "")
	})
}

func TestRequestValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		viewer := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		for _, tc := range []struct {
			name string
			ctx  context.Context
			r    workflow.Request
			code apperr.Code
			key  string
		}{
			{"no roles", e.Actor(author, e.Org), workflow.Request{ObjectType: "thing", ObjectID: "1", Step: "plan"}, apperr.Invalid, "err.required"},
			{"a role that cannot decide", e.Actor(author, e.Org), workflow.Request{ObjectType: "thing", ObjectID: "1", Step: "plan", Roles: []auth.Role{auth.RoleViewer}}, apperr.Invalid, "err.workflow_role"},
			{"bad object type", e.Actor(author, e.Org), workflow.Request{ObjectType: "Thing!", ObjectID: "1", Step: "plan", Roles: []auth.Role{auth.RoleLeadership}}, apperr.Invalid, "err.workflow_name"},
			{"viewer", e.Actor(viewer, e.Org), workflow.Request{ObjectType: "thing", ObjectID: "1", Step: "plan", Roles: []auth.Role{auth.RoleLeadership}}, apperr.Forbidden, "err.forbidden"},
		} {
			err := e.DB.Tx(tc.ctx, func(tx *store.Tx) error {
				_, err := e.App.Approvals.Request(tc.ctx, tx, tc.r)
				return err
			})
			wantCode(t, tc.name, err, tc.code, tc.key)
		}
	})
}

func TestWithdraw(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		other := e.CreateUser("other", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		a := request(t, e, e.Actor(author, e.Org), "1", auth.RoleSecurityManager)
		_, err := e.App.Approvals.Withdraw(e.Actor(other, e.Org), a.ID, "")
		wantCode(t, "withdrawn by someone else", err, apperr.Forbidden, "err.approval_not_author")
		w, err := e.App.Approvals.Withdraw(e.Actor(author, e.Org), a.ID, "方案需修改")
		if err != nil || w.Status != workflow.StatusWithdrawn || w.Reason != "方案需修改" {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		_, err = e.App.Approvals.Decide(e.Actor(mgr, e.Org), a.ID, true, "")
		wantCode(t, "decide after withdrawal", err, apperr.Conflict, "err.approval_decided")
		_, err = e.App.Approvals.Withdraw(e.Actor(author, e.Org), a.ID, "")
		wantCode(t, "withdraw twice", err, apperr.Conflict, "err.approval_decided")
		if n := auditCount(t, e, "approval.withdraw"); n != 1 {
			t.Errorf("%d withdrawal audit records", n)
		}
		if p, _ := e.App.Approvals.Pending(e.Actor(mgr, e.Org)); len(p) != 0 {
			t.Errorf("withdrawn approval still pending: %+v", p)
		}
	})
}

// The hook runs in the decision's transaction: what it writes commits with
// the decision, and its failure undoes the decision.
func TestHooksShareTheTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		fail := errors.New("owner refuses")
		var seen []workflow.Approval
		e.App.Approvals.OnDecided("thing", func(ctx context.Context, tx *store.Tx, a workflow.Approval) error {
			seen = append(seen, a)
			if _, err := tx.ExecContext(ctx, `INSERT INTO counters (org_id, name, value) VALUES ($1, $2, 1)`, a.OrgID, "hook-"+a.ObjectID); err != nil {
				return err
			}
			if a.ObjectID == "bad" {
				return fail
			}
			return nil
		})
		counter := func(name string) int {
			var n int
			if err := e.DB.Read().QueryRow(`SELECT COUNT(*) FROM counters WHERE name = $1`, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		good := request(t, e, e.Actor(author, e.Org), "good", auth.RoleSecurityManager)
		bad := request(t, e, e.Actor(author, e.Org), "bad", auth.RoleSecurityManager)
		if _, err := e.App.Approvals.Decide(e.Actor(mgr, e.Org), good.ID, true, "ok"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Approvals.Decide(e.Actor(mgr, e.Org), bad.ID, true, "ok"); !errors.Is(err, fail) {
			t.Fatalf("failing hook: got %v", err)
		}
		if len(seen) != 2 || seen[0].Status != workflow.StatusApproved || seen[0].DecidedBy != mgr.ID {
			t.Errorf("hook saw %+v", seen)
		}
		if counter("hook-good") != 1 || counter("hook-bad") != 0 {
			t.Errorf("hook writes: good %d, bad %d; want 1, 0", counter("hook-good"), counter("hook-bad"))
		}
		still, _ := e.App.Approvals.Get(e.Actor(mgr, e.Org), bad.ID)
		if still.Status != workflow.StatusPending || auditCount(t, e, "approval.approve") != 1 {
			t.Errorf("decision with a failing hook was kept: %+v", still)
		}
		// A hook of another object type is not called.
		other := 0
		e.App.Approvals.OnDecided("other", func(context.Context, *store.Tx, workflow.Approval) error { other++; return nil })
		again := request(t, e, e.Actor(author, e.Org), "again", auth.RoleSecurityManager)
		if _, err := e.App.Approvals.Decide(e.Actor(mgr, e.Org), again.ID, false, "no"); err != nil || other != 0 {
			t.Errorf("decide: %v; other type's hook called %d times", err, other)
		}
	})
}

func TestPendingAndForObject(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		lead := e.CreateUser("lead", e.Org, auth.RoleLeadership)
		auditor := e.CreateUser("auditor", e.Org, auth.RoleAuditor)
		a := request(t, e, e.Actor(author, e.Org), "7", auth.RoleSecurityManager)
		b := request(t, e, e.Actor(author, e.Org), "7", auth.RoleLeadership)
		c := request(t, e, e.Actor(mgr, e.Org), "8", auth.RoleSecurityManager)
		ids := func(l []workflow.Approval, err error) []int64 {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, x := range l {
				out = append(out, x.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want []int64
		}{
			{"manager (not their own)", e.Actor(mgr, e.Org), []int64{a.ID}},
			{"leadership", e.Actor(lead, e.Org), []int64{b.ID}},
			{"author", e.Actor(author, e.Org), nil},
			{"auditor", e.Actor(auditor, e.Org), nil},
		} {
			if got := ids(e.App.Approvals.Pending(tc.ctx)); !equal(got, tc.want) {
				t.Errorf("pending for %s: %v, want %v", tc.name, got, tc.want)
			}
		}
		_ = c
		if got := ids(e.App.Approvals.ForObject(e.Actor(auditor, e.Org), "thing", "7")); !equal(got, []int64{a.ID, b.ID}) {
			t.Errorf("for object: %v", got)
		}
		items, err := e.App.Approvals.Box(e.Actor(mgr, e.Org), "thing", "7")
		if err != nil || len(items) != 2 || !items[0].CanDecide || items[1].CanDecide || items[0].CanWithdraw {
			t.Errorf("box for manager: %+v %v", items, err)
		}
		items, _ = e.App.Approvals.Box(e.Actor(author, e.Org), "thing", "7")
		if len(items) != 2 || items[0].CanDecide || !items[0].CanWithdraw {
			t.Errorf("box for author: %+v", items)
		}
	})
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Two holders deciding at once: exactly one wins, the other gets a
// conflict (on PostgreSQL the transactions really overlap).
func TestConcurrentDecisions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		var deciders []context.Context
		for _, n := range []string{"m1", "m2", "m3", "m4"} {
			deciders = append(deciders, e.Actor(e.CreateUser(n, e.Org, auth.RoleSecurityManager), e.Org))
		}
		for round := range 5 {
			a := request(t, e, e.Actor(author, e.Org), string(rune('a'+round)), auth.RoleSecurityManager)
			var wg sync.WaitGroup
			errs := make([]error, len(deciders))
			for i, ctx := range deciders {
				wg.Go(func() { _, errs[i] = e.App.Approvals.Decide(ctx, a.ID, i%2 == 0, "r") })
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case apperr.Is(err, apperr.Conflict):
					conflicts++
				default:
					t.Errorf("decision: %v", err)
				}
			}
			if ok != 1 || conflicts != len(deciders)-1 {
				t.Errorf("round %d: %d decisions taken, %d conflicts", round, ok, conflicts)
			}
		}
	})
}

// A module's rule narrows the deciders further than the roles.
func TestDeciderRule(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		handler := e.CreateUser("handler", e.Org, auth.RoleSecurityManager)
		mgr := e.CreateUser("mgr", e.Org, auth.RoleSecurityManager)
		e.App.Approvals.AddRule("thing", func(_ context.Context, _ *store.Tx, a workflow.Approval, actor *auth.Actor) error {
			if actor.UserID == handler.ID {
				return apperr.New(apperr.Forbidden, "err.approval_role")
			}
			return nil
		})
		a := request(t, e, e.Actor(author, e.Org), "1", auth.RoleSecurityManager)
		_, err := e.App.Approvals.Decide(e.Actor(handler, e.Org), a.ID, true, "")
		wantCode(t, "refused by the rule", err, apperr.Forbidden, "err.approval_role")
		if got, err := e.App.Approvals.Decide(e.Actor(mgr, e.Org), a.ID, true, ""); err != nil || got.Status != workflow.StatusApproved {
			t.Errorf("allowed by the rule: %+v %v", got, err)
		}
	})
}

// Request hooks see every new approval inside the request's transaction.
func TestRequestHook(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		author := e.CreateUser("author", e.Org, auth.RoleResponder)
		var seen []string
		e.App.Approvals.OnRequested(func(_ context.Context, _ *store.Tx, a workflow.Approval) error {
			seen = append(seen, a.ObjectID)
			if a.ObjectID == "refused" {
				return errors.New("outbox full")
			}
			return nil
		})
		request(t, e, e.Actor(author, e.Org), "1", auth.RoleSecurityManager)
		ctx := e.Actor(author, e.Org)
		err := e.DB.Tx(ctx, func(tx *store.Tx) error {
			_, err := e.App.Approvals.Request(ctx, tx, workflow.Request{ObjectType: "thing", ObjectID: "refused", Step: "plan", Roles: []auth.Role{auth.RoleLeadership}})
			return err
		})
		if err == nil || len(seen) != 2 || seen[0] != "1" {
			t.Fatalf("hook saw %v; err %v", seen, err)
		}
		if l, _ := e.App.Approvals.ForObject(ctx, "thing", "refused"); len(l) != 0 {
			t.Errorf("request kept although its hook failed: %+v", l)
		}
	})
}
