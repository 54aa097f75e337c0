package trail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
	"bulwark/internal/trail"
)

var start = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

type world struct {
	app          *app.App
	svc          *trail.Service
	orgA, orgB   int64
	auditorA     context.Context
	auditorB     context.Context
	viewerA      context.Context
	admin        context.Context
	assetsA      []int64 // created an hour apart from 09:00
	unknownLogin int64   // seq of the failed login of an unknown user
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	clk := clock.NewFake(start)
	opt := app.DefaultOptions()
	opt.Account.IPAttempts = 1000
	a := app.New(db, clk, opt)
	orgA, _, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sys := app.SystemContext(context.Background(), orgA)
	b, err := a.Orgs.Create(sys, "客户B", "other")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{app: a, svc: &trail.Service{DB: db}, orgA: orgA, orgB: b.ID}
	as := func(name string, orgID int64, role auth.Role) context.Context {
		in := account.NewUser{Username: name, Password: "Test-Password-123", OrgID: orgID}
		if role == auth.RoleAdmin {
			in.PlatformAdmin = true
		} else {
			in.Roles = []auth.Role{role}
		}
		u, err := a.Accounts.Create(sys, in)
		if err != nil {
			t.Fatal(err)
		}
		actor, err := a.Accounts.ActorFor(context.Background(), u, orgID, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		return auth.WithActor(context.Background(), actor)
	}
	w.auditorA = as("auditor-a", orgA, auth.RoleAuditor)
	w.auditorB = as("auditor-b", b.ID, auth.RoleAuditor)
	w.viewerA = as("viewer-a", orgA, auth.RoleViewer)
	w.admin = as("root", orgA, auth.RoleAdmin)
	mgrA := as("mgr-a", orgA, auth.RoleSecurityManager)
	mgrB := as("mgr-b", b.ID, auth.RoleSecurityManager)
	for i := range 5 {
		clk.Advance(time.Hour)
		x, err := a.Assets.Create(mgrA, asset.Asset{Name: fmt.Sprintf("server %d", i), Type: asset.TypeServer, C: 2, I: 2, A: 2})
		if err != nil {
			t.Fatal(err)
		}
		w.assetsA = append(w.assetsA, x.ID)
	}
	if _, err := a.Assets.Create(mgrB, asset.Asset{Name: "B's secret", Type: asset.TypeServer, C: 2, I: 2, A: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.Login(context.Background(), "nobody-such", "x", "203.0.113.9"); err == nil {
		t.Fatal("unknown user logged in")
	}
	p, err := w.svc.List(w.admin, trail.Query{Installation: true, Action: "login.failure", Limit: 1})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("find the unknown login: %+v %v", p, err)
	}
	w.unknownLogin = p.Items[0].Seq
	return w
}

func actions(items []audit.Entry) string {
	var out []string
	for _, e := range items {
		out = append(out, e.Action+":"+e.ObjectID)
	}
	return strings.Join(out, " ")
}

func TestListFiltersAndScope(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		all, err := w.svc.List(w.auditorA, trail.Query{Limit: trail.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range all.Items {
			if e.OrgID != w.orgA {
				t.Fatalf("org A's auditor sees a record of org %d: %+v", e.OrgID, e)
			}
			if i > 0 && e.Seq >= all.Items[i-1].Seq {
				t.Fatalf("not newest first at %d", i)
			}
		}
		if all.NextBefore != 0 || strings.Contains(actions(all.Items), "login.failure") {
			t.Fatalf("listing: next %d, %s", all.NextBefore, actions(all.Items))
		}
		a := w.assetsA
		at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
		for _, tc := range []struct {
			name string
			q    trail.Query
			want string
		}{
			{"action prefix", trail.Query{Action: "asset."},
				fmt.Sprintf("asset.create:%d asset.create:%d asset.create:%d asset.create:%d asset.create:%d", a[4], a[3], a[2], a[1], a[0])},
			{"actor and action", trail.Query{Actor: "mgr-a", Action: "asset.create", Limit: 2},
				fmt.Sprintf("asset.create:%d asset.create:%d", a[4], a[3])},
			{"object", trail.Query{ObjectType: "asset", ObjectID: fmt.Sprint(a[2])}, fmt.Sprintf("asset.create:%d", a[2])},
			{"from inclusive, to exclusive", trail.Query{Action: "asset.", From: at(2), To: at(4)},
				fmt.Sprintf("asset.create:%d asset.create:%d", a[2], a[1])},
			{"only from", trail.Query{Action: "asset.", From: at(5)}, fmt.Sprintf("asset.create:%d", a[4])},
			{"other org's actor", trail.Query{Actor: "mgr-b"}, ""},
			{"wildcards are literal", trail.Query{Action: "%"}, ""},
		} {
			p, err := w.svc.List(w.auditorA, tc.q)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if got := actions(p.Items); got != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
			}
		}
		// Org B's auditor sees org B only.
		pb, err := w.svc.List(w.auditorB, trail.Query{Action: "asset."})
		if err != nil || len(pb.Items) != 1 || pb.Items[0].OrgID != w.orgB {
			t.Fatalf("org B's assets: %+v %v", pb, err)
		}
	})
}

func TestCursorPaging(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		all, err := w.svc.List(w.auditorA, trail.Query{Limit: trail.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var pages []audit.Entry
		q := trail.Query{Limit: 3}
		for n := 0; ; n++ {
			p, err := w.svc.List(w.auditorA, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) > 3 || n > len(all.Items) {
				t.Fatalf("page %d has %d items", n, len(p.Items))
			}
			pages = append(pages, p.Items...)
			if p.NextBefore == 0 {
				break
			}
			if p.NextBefore != p.Items[len(p.Items)-1].Seq {
				t.Fatalf("cursor %d is not the last seq of the page", p.NextBefore)
			}
			q.Before = p.NextBefore
		}
		if actions(pages) != actions(all.Items) || len(pages) != len(all.Items) {
			t.Fatalf("paged %d records, listed %d", len(pages), len(all.Items))
		}
	})
}

func TestInstallationScopeAndGet(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		if _, err := w.svc.List(w.auditorA, trail.Query{Installation: true}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an auditor listed installation records: %v", err)
		}
		if _, err := w.svc.List(w.viewerA, trail.Query{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a viewer listed the trail: %v", err)
		}
		p, err := w.svc.List(w.admin, trail.Query{Installation: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Items {
			if e.OrgID != 0 {
				t.Fatalf("installation scope shows org %d: %+v", e.OrgID, e)
			}
		}
		if p.Items[0].Seq != w.unknownLogin || p.Items[0].Actor != "nobody-such" || p.Items[0].IP != "203.0.113.9" {
			t.Fatalf("installation records %+v", p.Items)
		}

		// Opening one record follows the same scope.
		assetB, err := w.svc.List(w.auditorB, trail.Query{Action: "asset."})
		if err != nil {
			t.Fatal(err)
		}
		seqB := assetB.Items[0].Seq
		for _, tc := range []struct {
			name string
			ctx  context.Context
			seq  int64
			code apperr.Code
		}{
			{"own organisation", w.auditorB, seqB, ""},
			{"other organisation", w.auditorA, seqB, apperr.NotFound},
			{"installation record", w.auditorA, w.unknownLogin, apperr.NotFound},
			{"no permission", w.viewerA, seqB, apperr.Forbidden},
			{"platform admin, anywhere", w.admin, seqB, ""},
			{"platform admin, installation", w.admin, w.unknownLogin, ""},
			{"no such record", w.admin, 999999, apperr.NotFound},
		} {
			e, err := w.svc.Get(tc.ctx, tc.seq)
			switch {
			case tc.code == "" && (err != nil || e.Seq != tc.seq || e.Hash == ""):
				t.Errorf("%s: %+v %v", tc.name, e, err)
			case tc.code != "" && !apperr.Is(err, tc.code):
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
	})
}

func TestQueryValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			q     trail.Query
			field string
		}{
			{trail.Query{From: start.Add(2 * time.Hour), To: start.Add(time.Hour)}, "to"},
			{trail.Query{From: start, To: start}, "to"},
			{trail.Query{Limit: trail.MaxLimit + 1}, "limit"},
			{trail.Query{Before: -1}, "before"},
			{trail.Query{Actor: strings.Repeat("x", 201)}, "actor"},
		} {
			_, err := w.svc.List(w.auditorA, tc.q)
			ae := apperr.As(err)
			if ae.Code != apperr.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != tc.field {
				t.Errorf("%+v: %v, want an error on %s", tc.q, err, tc.field)
			}
		}
	})
}
