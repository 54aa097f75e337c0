package asset_test

import (
	"context"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/asset"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func newApp(t *testing.T, db *store.DB) (*app.App, context.Context) {
	t.Helper()
	a := app.New(db, clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)), app.DefaultOptions())
	orgID, _, err := a.Bootstrap(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithActor(context.Background(), &auth.Actor{UserID: 1, Username: "sec", OrgID: orgID,
		Roles: []auth.Role{auth.RoleSecurityManager}})
	return a, ctx
}

func TestCreateSearchUpdateDelete(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		core, err := a.Assets.Create(ctx, asset.Asset{Name: "核心交换机", Type: asset.TypeNetwork, Subtype: "switch",
			Department: "信息技术部", IPs: []string{"10.0.0.1"}, C: 3, I: 3, A: 4, Tags: []string{"核心"}})
		if err != nil {
			t.Fatal(err)
		}
		if core.Number != "ZC-000001" || core.Value != 3 {
			t.Fatalf("number %q value %d, want ZC-000001 and 3", core.Number, core.Value)
		}
		if _, err := a.Assets.Create(ctx, asset.Asset{Name: "Web Server 01", Type: asset.TypeServer, OS: "CentOS 7",
			IPs: []string{"10.0.1.5"}, Hostnames: []string{"web01.example.cn"}, C: 2, I: 2, A: 2}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"交换", []string{"核心交换机"}},
			{"核心交换机", []string{"核心交换机"}},
			{"机", []string{"核心交换机"}},
			{"web", []string{"Web Server 01"}},
			{"WEB01", []string{"Web Server 01"}},
			{"centos", []string{"Web Server 01"}},
			{"10.0.1.5", []string{"Web Server 01"}},
			{"ZC-000001", []string{"核心交换机"}},
			{"路由器", nil},
			{"'\"*:&|!()", []string{"核心交换机", "Web Server 01"}}, // only punctuation: no search terms
		} {
			p, err := a.Assets.List(ctx, asset.Filter{Query: tc.query})
			if err != nil {
				t.Fatalf("search %q: %v", tc.query, err)
			}
			var got []string
			for _, it := range p.Items {
				got = append(got, it.Name)
			}
			if len(got) != len(tc.want) || p.Total != len(tc.want) {
				t.Errorf("search %q: got %v (total %d), want %v", tc.query, got, p.Total, tc.want)
				continue
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("search %q: got %v, want %v", tc.query, got, tc.want)
				}
			}
		}
		core.Name = "汇聚交换机"
		core.C = 5
		up, err := a.Assets.Update(ctx, core.ID, core)
		if err != nil {
			t.Fatal(err)
		}
		if up.Value != 4 {
			t.Errorf("value after update = %d, want 4", up.Value)
		}
		if p, _ := a.Assets.List(ctx, asset.Filter{Query: "核心交换"}); p.Total != 0 {
			t.Errorf("old name still found after rename")
		}
		if p, _ := a.Assets.List(ctx, asset.Filter{Query: "汇聚"}); p.Total != 1 {
			t.Errorf("new name not found after rename")
		}
		if p, _ := a.Assets.List(ctx, asset.Filter{Tag: "核心"}); p.Total != 1 {
			t.Errorf("tag filter: total %d, want 1", p.Total)
		}
		if p, _ := a.Assets.List(ctx, asset.Filter{Sort: "-value"}); p.Items[0].Name != "汇聚交换机" {
			t.Errorf("sort by value desc: first is %q", p.Items[0].Name)
		}
		if err := a.Assets.Delete(ctx, core.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Assets.Get(ctx, core.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("get after delete: %v", err)
		}
		res, err := audit.Verify(context.Background(), db)
		if err != nil || !res.OK {
			t.Fatalf("verify: %+v %v", res, err)
		}
		hist, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: core.OrgID, ObjectType: "asset", ObjectID: "1"})
		if err != nil || len(hist) != 3 {
			t.Fatalf("history of asset 1: %d records, %v; want create, update, delete", len(hist), err)
		}
	})
}

func TestValidationAndPermissions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, ctx := newApp(t, db)
		_, err := a.Assets.Create(ctx, asset.Asset{Type: "bogus", IPs: []string{"10.0.0.300"}, C: 0, I: 6, A: 3})
		ae := apperr.As(err)
		if ae.Code != apperr.Invalid {
			t.Fatalf("want invalid, got %v", err)
		}
		var fields []string
		for _, f := range ae.Fields {
			fields = append(fields, f.Field)
		}
		want := []string{"name", "type", "ips", "confidentiality", "integrity"}
		if len(fields) != len(want) {
			t.Fatalf("fields %v, want %v", fields, want)
		}
		viewer := auth.WithActor(context.Background(), &auth.Actor{UserID: 2, OrgID: auth.FromContext(ctx).OrgID, Roles: []auth.Role{auth.RoleViewer}})
		if _, err := a.Assets.Create(viewer, asset.Asset{Name: "x", Type: asset.TypeOther, C: 1, I: 1, A: 1}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("viewer create: %v, want forbidden", err)
		}
		if _, err := a.Assets.List(context.Background(), asset.Filter{}); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("anonymous list: %v, want unauthenticated", err)
		}
	})
}

func TestValue(t *testing.T) {
	for _, tc := range []struct{ c, i, a, formula, max int }{
		{1, 1, 1, 1, 1}, {5, 5, 5, 5, 5}, {5, 1, 1, 4, 5}, {3, 3, 3, 3, 3}, {2, 3, 4, 3, 4}, {1, 1, 2, 1, 2}, {4, 4, 5, 4, 5},
	} {
		if got := asset.ValueFormula.Compute(tc.c, tc.i, tc.a); got != tc.formula {
			t.Errorf("formula(%d,%d,%d) = %d, want %d", tc.c, tc.i, tc.a, got, tc.formula)
		}
		if got := asset.ValueMax.Compute(tc.c, tc.i, tc.a); got != tc.max {
			t.Errorf("max(%d,%d,%d) = %d, want %d", tc.c, tc.i, tc.a, got, tc.max)
		}
	}
}
