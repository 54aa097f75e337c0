package emergency

import (
	"context"
	"slices"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
)

// Span is a stretch of time [From, To).
type Span struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Overlap is a stretch where more than one shift of the same duty role
// runs: two 值班长 at once is a mistake in the roster (a handover that
// overlaps on purpose shows too, and people can judge).
type Overlap struct {
	Span
	DutyRole string   `json:"duty_role"`
	Names    []string `json:"names"`
}

// Day is one day of the roster in the organisation's time zone.
type Day struct {
	Date     time.Time `json:"date"`
	Shifts   []Shift   `json:"shifts"`
	Gaps     []Span    `json:"gaps"`
	Overlaps []Overlap `json:"overlaps"`
}

// Week is the roster of seven days from Monday.
type Week struct {
	Start time.Time `json:"start"`
	Days  []Day     `json:"days"`
}

// WeekStart is the Monday 00:00 in loc of the week holding t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back)
}

// Week returns the roster of the week holding t, day by day in loc, with
// each day's gaps (nobody on duty) and overlaps.
func (s *Service) Week(ctx context.Context, t time.Time, loc *time.Location) (Week, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Week{}, err
	}
	start := WeekStart(t, loc)
	end := start.AddDate(0, 0, 7)
	shifts, err := listShifts(ctx, s.DB.Read(), actor.OrgID, start, end)
	if err != nil {
		return Week{}, apperr.Wrap(err, "roster week")
	}
	w := Week{Start: start}
	for i := range 7 {
		from, to := start.AddDate(0, 0, i), start.AddDate(0, 0, i+1)
		d := Day{Date: from, Shifts: []Shift{}}
		for _, sh := range shifts {
			if sh.StartsAt.Before(to) && sh.EndsAt.After(from) {
				d.Shifts = append(d.Shifts, sh)
			}
		}
		d.Gaps, d.Overlaps = coverage(from, to, d.Shifts)
		w.Days = append(w.Days, d)
	}
	return w, nil
}

// coverage sweeps [from, to) and returns where no shift runs and where two
// or more shifts of the same duty role run together.
func coverage(from, to time.Time, shifts []Shift) ([]Span, []Overlap) {
	points := []time.Time{from, to}
	for _, sh := range shifts {
		for _, p := range []time.Time{sh.StartsAt, sh.EndsAt} {
			if p.After(from) && p.Before(to) {
				points = append(points, p)
			}
		}
	}
	slices.SortFunc(points, func(a, b time.Time) int { return a.Compare(b) })
	points = slices.CompactFunc(points, func(a, b time.Time) bool { return a.Equal(b) })
	gaps := []Span{}
	overlaps := []Overlap{}
	for i := 0; i+1 < len(points); i++ {
		a, b := points[i], points[i+1]
		byRole := map[string][]string{}
		any := false
		for _, sh := range shifts {
			if !sh.StartsAt.After(a) && !sh.EndsAt.Before(b) {
				any = true
				byRole[sh.DutyRole] = append(byRole[sh.DutyRole], sh.Member)
			}
		}
		if !any {
			if n := len(gaps); n > 0 && gaps[n-1].To.Equal(a) {
				gaps[n-1].To = b
			} else {
				gaps = append(gaps, Span{From: a, To: b})
			}
		}
		for _, role := range DutyRoles {
			names := byRole[role]
			if len(names) < 2 {
				continue
			}
			if n := len(overlaps); n > 0 && overlaps[n-1].To.Equal(a) && overlaps[n-1].DutyRole == role && slices.Equal(overlaps[n-1].Names, names) {
				overlaps[n-1].To = b
				continue
			}
			overlaps = append(overlaps, Overlap{Span: Span{From: a, To: b}, DutyRole: role, Names: names})
		}
	}
	return gaps, overlaps
}
