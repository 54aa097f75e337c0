package emergency_test

import (
	"fmt"
	"testing"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/emergency"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
	"bulwark/internal/storetest"
)

func TestRosterOnDutyAndWeek(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Emergency
		mgr := e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
		resp := e.Actor(e.CreateUser("resp", e.Org, auth.RoleResponder), e.Org)
		loc := time.FixedZone("CST", 8*3600)
		mk := func(name string) emergency.Member {
			m, err := svc.CreateMember(mgr, emergency.Member{Group: "working_group", Name: name, Phone: "13800138000"})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		zhang, li, wang := mk("张三"), mk("李四"), mk("王五")
		// Wednesday 2026-11-25 in UTC+8.
		at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, loc) }
		shift := func(m emergency.Member, role string, from, to time.Time, contact string) emergency.Shift {
			sh, err := svc.CreateShift(mgr, emergency.Shift{MemberID: m.ID, DutyRole: role, StartsAt: from, EndsAt: to, Contact: contact})
			if err != nil {
				t.Fatalf("shift %s: %v", m.Name, err)
			}
			return sh
		}
		shift(zhang, "lead", at(25, 8), at(25, 20), "")
		shift(li, "lead", at(25, 18), at(26, 8), "010-12345678") // two leads 18:00-20:00
		shift(wang, "staff", at(25, 8), at(25, 20), "")

		cases := []struct {
			at   time.Time
			want []string // name:role
		}{
			{at(25, 7), nil},
			{at(25, 8), []string{"张三:lead", "王五:staff"}},
			{at(25, 19), []string{"张三:lead", "李四:lead", "王五:staff"}},
			{at(25, 20), []string{"李四:lead"}},
			{at(26, 7), []string{"李四:lead"}},
			{at(26, 8), nil},
		}
		for _, c := range cases {
			got, err := svc.OnDuty(resp, c.at)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range got {
				names = append(names, m.Name+":"+m.DutyRole)
			}
			if fmt.Sprint(names) != fmt.Sprint(c.want) {
				t.Errorf("on duty at %s: %v, want %v", c.at, names, c.want)
			}
		}
		// The shift's own contact number replaces the member's phone.
		if got, _ := svc.OnDuty(resp, at(26, 1)); len(got) != 1 || got[0].Phone != "010-12345678" {
			t.Errorf("on-duty contact: %+v", got)
		}

		w, err := svc.Week(resp, at(25, 12), loc)
		if err != nil {
			t.Fatal(err)
		}
		if !w.Start.Equal(at(23, 0)) || len(w.Days) != 7 {
			t.Fatalf("week starts %s with %d days", w.Start, len(w.Days))
		}
		wed, thu := w.Days[2], w.Days[3]
		if len(wed.Shifts) != 3 || len(thu.Shifts) != 1 {
			t.Errorf("shifts: wed %d thu %d", len(wed.Shifts), len(thu.Shifts))
		}
		if len(wed.Gaps) != 1 || !wed.Gaps[0].From.Equal(at(25, 0)) || !wed.Gaps[0].To.Equal(at(25, 8)) {
			t.Errorf("wednesday gaps: %+v", wed.Gaps)
		}
		if len(wed.Overlaps) != 1 || !wed.Overlaps[0].From.Equal(at(25, 18)) || !wed.Overlaps[0].To.Equal(at(25, 20)) ||
			wed.Overlaps[0].DutyRole != "lead" || fmt.Sprint(wed.Overlaps[0].Names) != "[张三 李四]" {
			t.Errorf("wednesday overlaps: %+v", wed.Overlaps)
		}
		if len(thu.Gaps) != 1 || !thu.Gaps[0].From.Equal(at(26, 8)) || !thu.Gaps[0].To.Equal(at(27, 0)) {
			t.Errorf("thursday gaps: %+v", thu.Gaps)
		}
		if mon := w.Days[0]; len(mon.Gaps) != 1 || mon.Gaps[0].To.Sub(mon.Gaps[0].From) != 24*time.Hour {
			t.Errorf("an empty monday is one whole-day gap: %+v", mon.Gaps)
		}

		bad := []struct {
			in    emergency.Shift
			field string
			key   string
		}{
			{emergency.Shift{MemberID: zhang.ID, StartsAt: at(25, 8), EndsAt: at(25, 8)}, "ends_at", "err.emergency_end_before_start"},
			{emergency.Shift{MemberID: zhang.ID, StartsAt: at(25, 8), EndsAt: at(25, 8).Add(emergency.MaxShift + time.Hour)}, "ends_at", "err.emergency_shift_too_long"},
			{emergency.Shift{MemberID: zhang.ID, DutyRole: "boss", StartsAt: at(25, 8), EndsAt: at(25, 9)}, "duty_role", "err.emergency_bad_duty_role"},
			{emergency.Shift{MemberID: 999999, StartsAt: at(25, 8), EndsAt: at(25, 9)}, "member_id", "err.emergency_bad_member"},
			{emergency.Shift{MemberID: zhang.ID, StartsAt: at(25, 8), EndsAt: at(25, 9), Contact: "nope"}, "contact", "err.emergency_bad_phone"},
		}
		for _, c := range bad {
			if _, err := svc.CreateShift(mgr, c.in); fieldKey(err, c.field) != c.key {
				t.Errorf("shift %+v: %v, want %s on %s", c.in, err, c.key, c.field)
			}
		}
		if _, err := svc.CreateShift(resp, emergency.Shift{MemberID: zhang.ID, StartsAt: at(25, 8), EndsAt: at(25, 9)}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("responder writes the roster: %v", err)
		}
		// A swap: 王五 takes over 张三's lead shift; the trail keeps both.
		w1, _ := svc.Week(resp, at(25, 12), loc)
		first := w1.Days[2].Shifts[0]
		swapped, err := svc.UpdateShift(mgr, first.ID, emergency.Shift{MemberID: wang.ID, DutyRole: "lead", StartsAt: first.StartsAt, EndsAt: first.EndsAt})
		if err != nil || swapped.Member != "王五" {
			t.Fatalf("swap: %+v %v", swapped, err)
		}
		if got, _ := svc.OnDuty(resp, at(25, 9)); len(got) != 2 || got[0].Name != "王五" || got[0].DutyRole != "lead" {
			t.Errorf("after the swap: %+v", got)
		}
		if _, err := svc.UpdateShift(mgr, first.ID, emergency.Shift{MemberID: wang.ID, StartsAt: first.EndsAt, EndsAt: first.StartsAt}); fieldKey(err, "ends_at") == "" {
			t.Errorf("update with the end first: %v", err)
		}
		if _, err := svc.UpdateShift(mgr, 999999, emergency.Shift{MemberID: wang.ID, StartsAt: first.StartsAt, EndsAt: first.EndsAt}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("update a missing shift: %v", err)
		}
		// Removing a member takes their shifts off the roster.
		if err := svc.DeleteMember(mgr, li.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.OnDuty(resp, at(26, 1)); len(got) != 0 {
			t.Errorf("a removed member is still on duty: %+v", got)
		}
	})
}

func TestContactsRouteRolesToPeople(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := servertest.NewOn(t, db)
		svc := e.App.Emergency
		mgr := e.Actor(e.CreateUser("mgr", e.Org, auth.RoleSecurityManager), e.Org)
		boss := e.CreateUser("boss", e.Org, auth.RoleLeadership)
		e.CreateUser("boss2", e.Org, auth.RoleLeadership)
		responder := e.CreateUser("resp", e.Org, auth.RoleResponder)
		names := func(roles ...auth.Role) string {
			got, err := svc.Contacts(mgr, roles)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range got {
				out = append(out, m.Name)
			}
			return fmt.Sprint(out)
		}
		// Nothing set up yet: the accounts holding the role.
		if got := names(auth.RoleLeadership); got != "[boss boss2]" {
			t.Errorf("leadership before setup: %s", got)
		}
		if _, err := svc.CreateMember(mgr, emergency.Member{Group: "leadership", UserID: boss.ID, Position: "leader"}); err != nil {
			t.Fatal(err)
		}
		// An outside member of the leadership group has no account to notify.
		if _, err := svc.CreateMember(mgr, emergency.Member{Group: "leadership", Name: "外部顾问"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateMember(mgr, emergency.Member{Group: "working_group", Name: "值守甲", Phone: "13800138000"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateMember(mgr, emergency.Member{Group: "office", UserID: responder.ID}); err != nil {
			t.Fatal(err)
		}
		if got := names(auth.RoleLeadership); got != "[boss]" {
			t.Errorf("leadership: %s", got)
		}
		if got := names(auth.RoleResponder); got != "[值守甲 resp]" {
			t.Errorf("responders: %s", got)
		}
		// Several roles: each person once; a role without a group gives its accounts.
		if got := names(auth.RoleLeadership, auth.RoleSecurityManager, auth.RoleLeadership); got != "[boss mgr]" {
			t.Errorf("leadership + security manager: %s", got)
		}
	})
}
