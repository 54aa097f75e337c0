package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bulwark/internal/app"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestBootstrapCreatesOneAdminOnce(t *testing.T) {
	auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := app.New(db, clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)), app.DefaultOptions())
		orgID, pw, err := a.Bootstrap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if orgID == 0 || len(pw) < 16 || !strings.HasPrefix(pw, "Bw-") {
			t.Fatalf("first bootstrap: org %d password %q", orgID, pw)
		}
		if err := a.Options.Account.Policy.Check("admin", pw); err != nil {
			t.Fatalf("the one-time password breaks the policy: %v", err)
		}
		u, err := a.Accounts.Login(ctx, "admin", pw, "127.0.0.1")
		if err != nil {
			t.Fatalf("log in with the one-time password: %v", err)
		}
		if !u.PlatformAdmin || !u.MustChangePassword {
			t.Fatalf("admin: platform %v, must change %v", u.PlatformAdmin, u.MustChangePassword)
		}
		recs, _, err := audit.List(ctx, db.Read(), audit.Filter{OrgID: orgID, Action: "user.create"})
		if err != nil || len(recs) != 1 || strings.Contains(recs[0].After, pw) {
			t.Fatalf("creation audited: %d records, %v (the password must not be in it)", len(recs), err)
		}

		// A second start (another process, same database) creates nothing.
		again := app.New(db, clock.System{}, app.DefaultOptions())
		org2, pw2, err := again.Bootstrap(ctx)
		if err != nil || pw2 != "" || org2 != orgID {
			t.Fatalf("second bootstrap: org %d password %q err %v", org2, pw2, err)
		}
		n, _ := again.Accounts.Count(ctx)
		if n != 1 {
			t.Fatalf("%d users after two starts", n)
		}
		// Two different passwords on two fresh installations.
		_, other, err := app.New(storetest.Open(t, db.Dialect), clock.System{}, app.DefaultOptions()).Bootstrap(ctx)
		if err != nil || other == pw || other == "" {
			t.Fatalf("another installation got password %q (%v)", other, err)
		}
	})
}
