package org_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/org"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestOverviewMembersHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		auth.DefaultArgon2 = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
		a := app.New(db, clock.NewFake(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)), app.DefaultOptions())
		orgA, _, err := a.Bootstrap(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sys := app.SystemContext(context.Background(), orgA)
		orgB, err := a.Orgs.Create(sys, "客户B", org.TypeCII)
		if err != nil {
			t.Fatal(err)
		}
		mk := func(name string, orgID int64, roles ...auth.Role) account.User {
			u, err := a.Accounts.Create(sys, account.NewUser{Username: name, Password: "Test-Password-123", OrgID: orgID, Roles: roles})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		zed := mk("zed", orgB.ID, auth.RoleViewer, auth.RoleAuditor)
		mk("amy", orgB.ID, auth.RoleSecurityManager)
		mk("carl", orgA, auth.RoleViewer)
		if _, err := a.Orgs.Update(sys, orgB.ID, "客户B（华东）", org.TypeStateOrgan); err != nil {
			t.Fatal(err)
		}

		sums, err := a.Orgs.Overview(sys)
		if err != nil || len(sums) != 2 {
			t.Fatalf("overview %+v %v", sums, err)
		}
		if sums[0].ID != orgA || sums[0].Members != 1 || sums[1].Members != 2 || sums[1].Type != org.TypeStateOrgan {
			t.Fatalf("overview %+v", sums)
		}
		members, err := a.Orgs.Members(sys, orgB.ID)
		if err != nil || len(members) != 2 {
			t.Fatalf("members %+v %v", members, err)
		}
		if members[0].Username != "amy" || members[1].UserID != zed.ID ||
			len(members[1].Roles) != 2 || members[1].Roles[0] != auth.RoleAuditor {
			t.Fatalf("members %+v", members)
		}
		hist, err := a.Orgs.History(sys, orgB.ID)
		if err != nil || len(hist) != 2 || hist[0].Action != "org.update" || hist[1].Action != "org.create" {
			t.Fatalf("history %+v %v", hist, err)
		}
		var fields []string
		for _, f := range hist[0].Fields {
			fields = append(fields, f.Field+"="+f.New)
		}
		if strings.Join(fields, " ") != "name=客户B（华东） type=state_organ" {
			t.Fatalf("changed fields %v", fields)
		}

		// Only platform admins manage organisations.
		mgr := auth.WithActor(context.Background(), &auth.Actor{UserID: zed.ID, Username: "zed", OrgID: orgB.ID,
			Roles: []auth.Role{auth.RoleSecurityManager}})
		if _, err := a.Orgs.Overview(mgr); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("overview as a manager: %v", err)
		}
		if _, err := a.Orgs.Members(mgr, orgB.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("members as a manager: %v", err)
		}
		if _, err := a.Orgs.History(mgr, orgB.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("history as a manager: %v", err)
		}
		if _, err := a.Orgs.Members(sys, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("members of nothing: %v", err)
		}
	})
}
