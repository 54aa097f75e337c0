// Package audittest builds an audit trail through the real services and
// tampers with it by hand, the way someone with database access would, for
// the tests of audit.Verify and of `bulwark audit verify`.
package audittest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/asset"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Trail fills db (migrated, empty) with 30 audit records made by ordinary
// service calls: first run, users, tokens, asset creation, edits and
// deletions. It returns the application and the last record's seq.
func Trail(t testing.TB, db *store.DB) (*app.App, int64) {
	t.Helper()
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	clk := clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	a := app.New(db, clk, app.DefaultOptions())
	ctx := context.Background()
	orgID, _, err := a.Bootstrap(ctx) // org.create, user.create
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	sys := app.SystemContext(ctx, orgID)
	var mgr account.User
	for _, name := range []string{"zhang.wei", "li.na"} { // 2 × user.create
		u, err := a.Accounts.Create(sys, account.NewUser{Username: name, Password: "Trail-Password-1", OrgID: orgID,
			Roles: []auth.Role{auth.RoleSecurityManager}})
		if err != nil {
			t.Fatalf("create user %s: %v", name, err)
		}
		mgr = u
		if _, _, err := a.Accounts.CreateToken(sys, u.ID, "trail", 0); err != nil { // token.create
			t.Fatalf("token: %v", err)
		}
	}
	actor, err := a.Accounts.ActorFor(ctx, mgr, orgID, "10.0.0.8")
	if err != nil {
		t.Fatal(err)
	}
	as := auth.WithActor(ctx, actor)
	var ids []int64
	for i := range 12 { // 12 × asset.create
		clk.Advance(time.Minute)
		x, err := a.Assets.Create(as, asset.Asset{Name: fmt.Sprintf("服务器-%02d", i), Type: asset.TypeServer,
			IPs: []string{fmt.Sprintf("10.0.1.%d", i+1)}, C: 1 + i%5, I: 2, A: 3})
		if err != nil {
			t.Fatalf("create asset %d: %v", i, err)
		}
		ids = append(ids, x.ID)
	}
	for i, id := range ids[:8] { // 8 × asset.update
		clk.Advance(time.Minute)
		x, err := a.Assets.Get(as, id)
		if err != nil {
			t.Fatal(err)
		}
		x.Owner, x.Department = fmt.Sprintf("运维%d组", i), "信息技术部"
		if _, err := a.Assets.Update(as, id, x); err != nil {
			t.Fatalf("update asset %d: %v", id, err)
		}
	}
	for _, id := range ids[8:] { // 4 × asset.delete
		clk.Advance(time.Minute)
		if err := a.Assets.Delete(as, id); err != nil {
			t.Fatalf("delete asset %d: %v", id, err)
		}
	}
	var last int64
	if err := db.Read().QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	return a, last
}

// Tamper is one change made to the trail behind the application's back, and
// the record Verify must name for it.
type Tamper struct {
	Name    string
	Apply   func(ctx context.Context, db *store.DB, last int64) error
	BadSeq  func(last int64) int64
	Problem string // part of VerifyResult.Problem
}

// Middle is the record the tampering cases aim at.
const Middle = 15

func exec(ctx context.Context, db *store.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.Write().ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// Tampers are the cases: an altered actor, altered content, a deleted row in
// the middle and at the end, and two rows swapped.
var Tampers = []Tamper{
	{
		Name: "update actor",
		Apply: func(ctx context.Context, db *store.DB, _ int64) error {
			return exec(ctx, db, fmt.Sprintf(`UPDATE audit_log SET actor = 'mallory' WHERE seq = %d`, Middle))
		},
		BadSeq:  func(int64) int64 { return Middle },
		Problem: "altered",
	},
	{
		Name: "update after_json",
		Apply: func(ctx context.Context, db *store.DB, _ int64) error {
			return exec(ctx, db, fmt.Sprintf(`UPDATE audit_log SET after_json = '{"name":"nothing to see"}' WHERE seq = %d`, Middle))
		},
		BadSeq:  func(int64) int64 { return Middle },
		Problem: "altered",
	},
	{
		Name: "delete a middle row",
		Apply: func(ctx context.Context, db *store.DB, _ int64) error {
			return exec(ctx, db, fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, Middle))
		},
		BadSeq:  func(int64) int64 { return Middle + 1 },
		Problem: "deleted",
	},
	{
		Name: "delete the last row",
		Apply: func(ctx context.Context, db *store.DB, last int64) error {
			return exec(ctx, db, fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, last))
		},
		BadSeq:  func(last int64) int64 { return last },
		Problem: "deleted from the end",
	},
	{
		Name: "swap two rows",
		Apply: func(ctx context.Context, db *store.DB, _ int64) error {
			a, b := Middle, Middle+3
			return exec(ctx, db,
				fmt.Sprintf(`UPDATE audit_log SET seq = -1 WHERE seq = %d`, a),
				fmt.Sprintf(`UPDATE audit_log SET seq = %d WHERE seq = %d`, a, b),
				fmt.Sprintf(`UPDATE audit_log SET seq = %d WHERE seq = -1`, b))
		},
		BadSeq:  func(int64) int64 { return Middle },
		Problem: "reordered",
	},
}
