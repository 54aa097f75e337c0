package deadline_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/deadline"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

var t0 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func TestCountdown(t *testing.T) {
	due := t0.Add(time.Hour)
	for _, tc := range []struct {
		name      string
		d         deadline.Deadline
		now       time.Time
		remaining time.Duration
		overdue   bool
	}{
		{"running", deadline.Deadline{DueAt: due}, t0, time.Hour, false},
		{"at the due time", deadline.Deadline{DueAt: due}, due, 0, false},
		{"past due", deadline.Deadline{DueAt: due}, due.Add(90 * time.Minute), -90 * time.Minute, true},
		{"met in time", deadline.Deadline{DueAt: due, MetAt: t0.Add(time.Minute)}, due.Add(time.Hour), 0, false},
		{"met late", deadline.Deadline{DueAt: due, MetAt: due.Add(time.Minute)}, due.Add(time.Hour), 0, true},
	} {
		if got := tc.d.Remaining(tc.now); got != tc.remaining {
			t.Errorf("%s: remaining %v, want %v", tc.name, got, tc.remaining)
		}
		if got := tc.d.Overdue(tc.now); got != tc.overdue {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.overdue)
		}
	}
}

// env is a database with one organisation, a fake clock and a system actor.
type env struct {
	db  *store.DB
	clk *clock.Fake
	svc *deadline.Service
	ctx context.Context
	org int64
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	var org int64
	if err := db.Write().QueryRow(`INSERT INTO organizations (name, created_at) VALUES ($1, 0) RETURNING id`, fmt.Sprint("org-", time.Now().UnixNano())).Scan(&org); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	return &env{db: db, clk: clk, org: org, ctx: auth.WithActor(context.Background(), auth.System(org)),
		svc: &deadline.Service{DB: db, Clock: clk}}
}

func (e *env) set(t *testing.T, d deadline.Deadline) deadline.Deadline {
	t.Helper()
	var out deadline.Deadline
	err := e.db.Tx(e.ctx, func(tx *store.Tx) error {
		var err error
		out, err = e.svc.Set(e.ctx, tx, d)
		return err
	})
	if err != nil {
		t.Fatalf("set: %v", err)
	}
	return out
}

func TestNearWindows(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.svc.Windows = map[string]deadline.Window{
			"":          {Fraction: 0.25},
			"fixed":     {Fixed: 30 * time.Minute},
			"both":      {Fraction: 0.1, Fixed: time.Hour},
			"too_large": {Fixed: 100 * time.Hour},
		}
		for _, tc := range []struct {
			kind string
			due  time.Duration
			near time.Duration // after start
		}{
			{"other", 4 * time.Hour, 3 * time.Hour},
			{"fixed", 4 * time.Hour, 3*time.Hour + 30*time.Minute},
			{"both", 4 * time.Hour, 3 * time.Hour},    // the hour opens before 10%
			{"both", 100 * time.Hour, 90 * time.Hour}, // 10% opens before the hour
			{"too_large", 4 * time.Hour, 0},           // never before the start
		} {
			d := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: tc.kind + tc.due.String(), Kind: tc.kind, DueAt: t0.Add(tc.due)})
			if want := t0.Add(tc.near); !d.NearAt.Equal(want) {
				t.Errorf("%s due in %v: near at %v, want %v", tc.kind, tc.due, d.NearAt, want)
			}
		}
	})
}

// recorder counts hook calls per deadline.
type recorder struct {
	mu    sync.Mutex
	near  map[int64]int
	over  map[int64]int
	fail  bool
	calls int
}

func newRecorder() *recorder { return &recorder{near: map[int64]int{}, over: map[int64]int{}} }

func (r *recorder) hook(m map[int64]int) deadline.Hook {
	return func(ctx context.Context, tx *store.Tx, d deadline.Deadline) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if auth.FromContext(ctx) == nil || auth.FromContext(ctx).OrgID != d.OrgID {
			return errors.New("hook without the system actor of the deadline's organisation")
		}
		r.calls++
		if r.fail {
			return errors.New("delivery store down")
		}
		m[d.ID]++
		return nil
	}
}

func (r *recorder) scanner(db *store.DB, clk clock.Clock) *deadline.Scanner {
	return &deadline.Scanner{DB: db, Clock: clk, OnNear: r.hook(r.near), OnOverdue: r.hook(r.over)}
}

func TestScannerFiresOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := newRecorder()
		d := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "report.first", DueAt: t0.Add(4 * time.Hour)})
		late := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "2", Kind: "report.first", StartAt: t0.Add(-5 * time.Hour), DueAt: t0.Add(-time.Hour)})
		met := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "3", Kind: "report.first", DueAt: t0.Add(time.Hour)})
		if err := db.Tx(e.ctx, func(tx *store.Tx) error {
			_, err := e.svc.Met(e.ctx, tx, "incident", "3", "report.first", t0.Add(time.Minute))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_ = met
		steps := []struct {
			at         time.Duration
			near, over int
		}{
			{0, 0, 1},               // the late one: overdue only
			{time.Hour, 0, 0},       // nothing near yet
			{3 * time.Hour, 1, 0},   // 25% of 4h left
			{3*time.Hour + 1, 0, 0}, // not again
			{4 * time.Hour, 0, 1},   // due
			{5 * time.Hour, 0, 0},   // not again
		}
		for _, st := range steps {
			// A new scanner each time: a restart repeats nothing.
			res, err := rec.scanner(db, e.clk).ScanOnce(context.Background(), t0.Add(st.at))
			if err != nil || res.Near != st.near || res.Overdue != st.over {
				t.Errorf("scan at +%v: %+v %v, want near %d overdue %d", st.at, res, err, st.near, st.over)
			}
		}
		if rec.near[d.ID] != 1 || rec.over[d.ID] != 1 || rec.near[late.ID] != 0 || rec.over[late.ID] != 1 || len(rec.near)+len(rec.over) != 3 {
			t.Errorf("hooks: near %v overdue %v", rec.near, rec.over)
		}
		got, err := e.svc.ForObject(e.ctx, "incident", "1")
		if err != nil || len(got) != 1 || got[0].NearNotifiedAt.IsZero() || got[0].OverdueNotifiedAt.IsZero() {
			t.Errorf("stored state: %+v %v", got, err)
		}

		// Moving the deadline resets the notices: both fire again.
		e.clk.Advance(5 * time.Hour)
		moved := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "report.first", DueAt: e.clk.Now().Add(4 * time.Hour)})
		if moved.ID != d.ID || !moved.NearNotifiedAt.IsZero() {
			t.Errorf("moved: %+v", moved)
		}
		s := rec.scanner(db, e.clk)
		for _, at := range []time.Duration{3 * time.Hour, 4 * time.Hour} {
			if _, err := s.ScanOnce(context.Background(), e.clk.Now().Add(at)); err != nil {
				t.Fatal(err)
			}
		}
		if rec.near[d.ID] != 2 || rec.over[d.ID] != 2 {
			t.Errorf("after moving: near %d overdue %d, want 2 2", rec.near[d.ID], rec.over[d.ID])
		}
		var n int
		_ = db.Read().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('deadline.near', 'deadline.overdue')`).Scan(&n)
		if n != 5 {
			t.Errorf("%d notice audit records, want 5", n)
		}
	})
}

// A failing hook records nothing: the next scan announces again.
func TestScannerLosesNothingOnFailure(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := newRecorder()
		d := e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "report.first", DueAt: t0.Add(time.Hour)})
		rec.fail = true
		if _, err := rec.scanner(db, e.clk).ScanOnce(context.Background(), t0.Add(2*time.Hour)); err == nil {
			t.Fatal("scan with a failing hook succeeded")
		}
		rec.fail = false
		res, err := rec.scanner(db, e.clk).ScanOnce(context.Background(), t0.Add(2*time.Hour))
		if err != nil || res.Overdue != 1 || rec.over[d.ID] != 1 {
			t.Errorf("retry: %+v %v %v", res, err, rec.over)
		}
	})
}

func TestSetAndMetRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, tc := range []struct {
			name string
			ctx  context.Context
			d    deadline.Deadline
			code apperr.Code
		}{
			{"no due time", e.ctx, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "k"}, apperr.Invalid},
			{"due before start", e.ctx, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "k", StartAt: t0, DueAt: t0.Add(-time.Hour)}, apperr.Invalid},
			{"bad kind", e.ctx, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "K K", DueAt: t0}, apperr.Invalid},
			{"another organisation", e.ctx, deadline.Deadline{OrgID: e.org + 1000, ObjectType: "incident", ObjectID: "1", Kind: "k", DueAt: t0}, apperr.Forbidden},
			{"viewer", auth.WithActor(context.Background(), &auth.Actor{UserID: 9, OrgID: e.org, Roles: []auth.Role{auth.RoleViewer}}),
				deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "k", DueAt: t0}, apperr.Forbidden},
		} {
			err := db.Tx(tc.ctx, func(tx *store.Tx) error {
				_, err := e.svc.Set(tc.ctx, tx, tc.d)
				return err
			})
			if !apperr.Is(err, tc.code) {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		err := db.Tx(e.ctx, func(tx *store.Tx) error {
			_, err := e.svc.Met(e.ctx, tx, "incident", "none", "k", t0)
			return err
		})
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("met of no deadline: %v", err)
		}
	})
}

// Several nodes scanning one database: each notice fires exactly once.
func TestScannersRacing(t *testing.T) {
	for _, engine := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			var nodes []*store.DB
			for range 3 {
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				nodes = append(nodes, db)
			}
			e := newEnv(t, nodes[0])
			const n = 60
			for i := range n {
				e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: fmt.Sprint(i), Kind: "report.first",
					DueAt: t0.Add(time.Duration(i+1) * time.Minute)})
			}
			rec := newRecorder()
			var wg sync.WaitGroup
			for _, db := range nodes {
				for w := range 2 {
					s := rec.scanner(db, e.clk)
					wg.Go(func() {
						for step := range 40 {
							now := t0.Add(time.Duration(step*2+w) * time.Minute)
							if _, err := s.ScanOnce(context.Background(), now); err != nil {
								t.Errorf("scan: %v", err)
								return
							}
						}
					})
				}
			}
			wg.Wait()
			if len(rec.over) != n {
				t.Errorf("%d deadlines announced overdue, want %d", len(rec.over), n)
			}
			for id, c := range rec.over {
				if c != 1 {
					t.Errorf("deadline %d announced overdue %d times", id, c)
				}
			}
			for id, c := range rec.near {
				if c != 1 {
					t.Errorf("deadline %d announced near %d times", id, c)
				}
			}
		})
	}
}

// Run scans at once and then every interval, until its context ends.
func TestRunLoop(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	e.set(t, deadline.Deadline{ObjectType: "incident", ObjectID: "1", Kind: "report.first", DueAt: t0.Add(time.Hour)})
	rec := newRecorder()
	s := rec.scanner(db, e.clk)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, 5*time.Millisecond); close(done) }()
	e.clk.Advance(2 * time.Hour)
	for waited := 0; ; waited++ {
		rec.mu.Lock()
		n := len(rec.over)
		rec.mu.Unlock()
		if n == 1 {
			break
		}
		if waited > 2000 {
			t.Fatal("Run never announced the overdue deadline")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
