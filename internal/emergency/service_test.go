package emergency_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func fieldKey(err error, field string) string {
	for _, f := range apperr.As(err).Fields {
		if f.Field == field {
			return f.Key
		}
	}
	return ""
}

func TestMembersValidationAndAudit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Emergency
		mgr := e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
		viewerUser := e.CreateUser("viewer", e.Org, auth.RoleViewer)
		viewer := e.Actor(viewerUser, e.Org)
		boss := e.CreateUser("boss", e.Org, auth.RoleLeadership)

		// A viewer reads but may not change the organisation.
		if _, err := svc.CreateMember(viewer, emergency.Member{Group: "leadership", Name: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("viewer create: %v, want forbidden", err)
		}
		// A linked account gives its name and email when none are typed.
		leader, err := svc.CreateMember(mgr, emergency.Member{Group: "leadership", UserID: boss.ID, Position: "leader",
			Title: "董事长", Phone: "138 0013 8000"})
		if err != nil {
			t.Fatal(err)
		}
		if leader.Name != "boss" || leader.UnitID == 0 || leader.Group != "leadership" {
			t.Fatalf("leader = %+v", leader)
		}
		if _, err := svc.CreateMember(mgr, emergency.Member{Group: "leadership", Name: "李四", Position: "deputy", Title: "技术部负责人", Email: "Li.Si@Example.com"}); err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			name  string
			in    emergency.Member
			field string
			key   string
		}{
			{"second leader", emergency.Member{Group: "leadership", Name: "王五", Position: "leader"}, "position", "err.emergency_one_leader"},
			{"no name", emergency.Member{Group: "leadership"}, "name", "err.required"},
			{"bad phone", emergency.Member{Group: "office", Name: "a", Phone: "call me"}, "phone", "err.emergency_bad_phone"},
			{"short phone", emergency.Member{Group: "office", Name: "a", Phone: "123"}, "phone", "err.emergency_bad_phone"},
			{"bad email", emergency.Member{Group: "office", Name: "a", Email: "a@b"}, "email", "err.emergency_bad_email"},
			{"display-name email", emergency.Member{Group: "office", Name: "a", Email: "A <a@b.cn>"}, "email", "err.emergency_bad_email"},
			{"bad group", emergency.Member{Group: "army", Name: "a"}, "group", "err.emergency_bad_group"},
			{"bad position", emergency.Member{Group: "office", Name: "a", Position: "king"}, "position", "err.emergency_bad_position"},
			{"support without unit", emergency.Member{Group: "support", Name: "a"}, "unit_id", "err.emergency_bad_unit"},
			{"account of nobody here", emergency.Member{Group: "office", UserID: 999999}, "user_id", "err.emergency_bad_user"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.CreateMember(mgr, c.in)
				if got := fieldKey(err, c.field); got != c.key {
					t.Fatalf("err %v: field %s key %q, want %q", err, c.field, got, c.key)
				}
			})
		}
		for _, ok := range []string{"13800138000", "+86 138 0013 8000", "010-12345678", "(0571) 8888 6666", "0571-88886666转123"} {
			if _, err := svc.CreateMember(mgr, emergency.Member{Group: "office", Name: "ok " + ok, Phone: ok}); err != nil {
				t.Errorf("phone %q refused: %v", ok, err)
			}
		}

		// The leader can be edited in place and keeps being the one leader.
		leader.Phone = "13900139000"
		if _, err := svc.UpdateMember(mgr, leader.ID, leader); err != nil {
			t.Fatalf("update leader: %v", err)
		}
		got, err := svc.Members(viewer, "leadership")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Position != "leader" || got[0].Phone != "13900139000" || got[1].Email != "li.si@example.com" {
			t.Fatalf("leadership = %+v", got)
		}

		// Support units and their contacts.
		unit, err := svc.CreateUnit(mgr, emergency.Unit{Name: "网络设备维护单位", Category: "network"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.CreateMember(mgr, emergency.Member{Group: "support", UnitID: unit.ID, Name: "赵工", Position: "contact", Phone: "13700137000", IM: "wx_zhao"})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteUnit(mgr, unit.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GetMember(viewer, c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("member of a deleted unit: %v", err)
		}
		if err := svc.DeleteUnit(mgr, got[0].UnitID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("delete the leadership group: %v, want conflict", err)
		}
		if err := svc.DeleteMember(mgr, got[1].ID); err != nil {
			t.Fatal(err)
		}

		// Every change is in the trail.
		entries, _, err := audit.List(context.Background(), db.Read(), audit.Filter{OrgID: e.Org, Action: "emergency.", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action)
		}
		for _, want := range []string{"emergency.unit.create", "emergency.member.create", "emergency.member.update",
			"emergency.unit.delete", "emergency.member.delete"} {
			if !slices.Contains(actions, want) {
				t.Errorf("no %s in the trail: %v", want, actions)
			}
		}
		if res, err := audit.Verify(context.Background(), db); err != nil || !res.OK {
			t.Fatalf("chain: %+v %v", res, err)
		}
	})
}

func TestOrganisationsAreSeparate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Emergency
		a := e.Actor(e.CreateUser("mgr-a", e.Org, auth.RoleSecurityManager), e.Org)
		orgB := e.CreateOrg("客户B")
		b := e.Actor(e.CreateUser("mgr-b", orgB, auth.RoleSecurityManager), orgB)
		userA := e.CreateUser("user-a", e.Org, auth.RoleLeadership)
		m, err := svc.CreateMember(a, emergency.Member{Group: "working_group", Name: "甲组长", Position: "leader"})
		if err != nil {
			t.Fatal(err)
		}
		sh, err := svc.CreateShift(a, emergency.Shift{MemberID: m.ID, DutyRole: "lead",
			StartsAt: e.Clock.Now(), EndsAt: e.Clock.Now().Add(8 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GetMember(b, m.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B reads org A's member: %v", err)
		}
		if _, err := svc.UpdateMember(b, m.ID, emergency.Member{Group: "working_group", Name: "hijack"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B updates org A's member: %v", err)
		}
		if err := svc.DeleteShift(b, sh.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("org B deletes org A's shift: %v", err)
		}
		if _, err := svc.CreateShift(b, emergency.Shift{MemberID: m.ID, StartsAt: e.Clock.Now(), EndsAt: e.Clock.Now().Add(time.Hour)}); fieldKey(err, "member_id") == "" {
			t.Errorf("org B rosters org A's member: %v", err)
		}
		if _, err := svc.CreateMember(b, emergency.Member{Group: "leadership", UserID: userA.ID}); fieldKey(err, "user_id") == "" {
			t.Errorf("org B links org A's account: %v", err)
		}
		for _, g := range emergency.Groups {
			if ms, err := svc.Members(b, g); err != nil || len(ms) != 0 {
				t.Errorf("org B sees %s: %+v %v", g, ms, err)
			}
		}
		if on, err := svc.OnDuty(b, e.Clock.Now().Add(time.Hour)); err != nil || len(on) != 0 {
			t.Errorf("org B on duty: %+v %v", on, err)
		}
	})
}
