package emergency

import (
	"fmt"
	"testing"
	"time"
)

func TestCoverage(t *testing.T) {
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return day.Add(time.Duration(n) * time.Hour) }
	sh := func(name, role string, from, to int) Shift {
		return Shift{Member: name, DutyRole: role, StartsAt: h(from), EndsAt: h(to)}
	}
	span := func(s []Span) string {
		out := ""
		for _, x := range s {
			out += fmt.Sprintf("[%d-%d)", int(x.From.Sub(day).Hours()), int(x.To.Sub(day).Hours()))
		}
		return out
	}
	over := func(o []Overlap) string {
		out := ""
		for _, x := range o {
			out += fmt.Sprintf("[%d-%d %s %v)", int(x.From.Sub(day).Hours()), int(x.To.Sub(day).Hours()), x.DutyRole, x.Names)
		}
		return out
	}
	cases := []struct {
		name     string
		shifts   []Shift
		gaps     string
		overlaps string
	}{
		{"empty day", nil, "[0-24)", ""},
		{"covered by one shift from the day before to the next", []Shift{sh("a", "lead", -4, 30)}, "", ""},
		{"two shifts end to end", []Shift{sh("a", "lead", 0, 12), sh("b", "lead", 12, 24)}, "", ""},
		{"hole in the middle", []Shift{sh("a", "lead", 0, 10), sh("b", "lead", 14, 24)}, "[10-14)", ""},
		{"lead and staff together is no overlap", []Shift{sh("a", "lead", 8, 20), sh("b", "staff", 8, 20)}, "[0-8)[20-24)", ""},
		{"two leads overlap", []Shift{sh("a", "lead", 0, 14), sh("b", "lead", 12, 24)}, "", "[12-14 lead [a b])"},
		{"three staff, overlaps split where the set changes", []Shift{sh("a", "staff", 0, 24), sh("b", "staff", 6, 10), sh("c", "staff", 8, 12)},
			"", "[6-8 staff [a b])[8-10 staff [a b c])[10-12 staff [a c])"},
		{"gaps merge across boundaries of other shifts", []Shift{sh("a", "lead", 2, 3), sh("b", "lead", 3, 4)}, "[0-2)[4-24)", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gaps, overlaps := coverage(h(0), h(24), c.shifts)
			if got := span(gaps); got != c.gaps {
				t.Errorf("gaps %s, want %s", got, c.gaps)
			}
			if got := over(overlaps); got != c.overlaps {
				t.Errorf("overlaps %s, want %s", got, c.overlaps)
			}
		})
	}
}

func TestContactFormats(t *testing.T) {
	for s, want := range map[string]bool{
		"13800138000": true, "+86 138 0013 8000": true, "010-12345678": true, "(0571) 8888 6666": true,
		"0571-88886666转123": true, "010-12345678 ext 12": true, "12345": false, "phone": false, "138-0013-8000-": false,
		"+86 1380013800012345": false, "": false,
	} {
		if got := validPhone(s); got != want {
			t.Errorf("validPhone(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{
		"a@example.com": true, "li.si@dept.example.cn": true, "a@b": false, "A <a@b.cn>": false, "a@b.": false, "ab.cn": false,
	} {
		if got := validEmail(s); got != want {
			t.Errorf("validEmail(%q) = %v", s, got)
		}
	}
}
