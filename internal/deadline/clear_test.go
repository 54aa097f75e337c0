package deadline_test

import (
	"testing"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/deadline"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

// Clear removes an obligation: the scanner has nothing to announce, the
// audit trail keeps it, and clearing what does not exist does nothing.
func TestClearAndGet(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		d := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "report.first", DueAt: t0.Add(time.Hour)})
		var ok bool
		get := func() bool {
			_, found, err := e.svc.Get(e.ctx, db.Read(), "incident", "1", "report.first")
			if err != nil {
				t.Fatal(err)
			}
			return found
		}
		if !get() {
			t.Fatal("Get does not find the deadline just set")
		}
		clear := func() bool {
			if err := db.Tx(e.ctx, func(tx *store.Tx) error {
				var err error
				ok, err = e.svc.Clear(e.ctx, tx, "incident", "1", "report.first")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !clear() || get() {
			t.Fatalf("clear of deadline %d did not remove it", d.ID)
		}
		if clear() {
			t.Error("clearing a deadline twice reported a removal")
		}
		res, err := newRecorder().scanner(db, e.clk).ScanOnce(e.ctx, t0.Add(2*time.Hour))
		if err != nil || res.Near+res.Overdue != 0 {
			t.Errorf("scan after clear: %+v %v", res, err)
		}
		var n int
		_ = db.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'deadline.clear'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d clear audit records, want 1", n)
		}
		viewer := auth.WithActor(e.ctx, &auth.Actor{UserID: 9, OrgID: e.org, Roles: []auth.Role{auth.RoleViewer}})
		if err := db.Tx(viewer, func(tx *store.Tx) error {
			_, err := e.svc.Clear(viewer, tx, "incident", "1", "report.first")
			return err
		}); err == nil {
			t.Error("a viewer cleared a deadline")
		}
	})
}
