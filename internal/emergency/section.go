package emergency

import (
	"context"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/i18n"
)

// Section is the emergency plan's "应急组织" section as plain data, for the
// report package to render (DOCX, HTML). Labels are already in the
// reader's language.
type Section struct {
	Title  string
	Groups []SectionGroup
	Roster RosterSummary
}

// SectionGroup is one group with its people.
type SectionGroup struct {
	Kind     string
	Name     string
	Location string
	Duties   string
	Members  []SectionMember
}

// SectionMember is one person's line in the plan's contact table.
type SectionMember struct {
	Name     string
	Position string // label, e.g. 组长
	Title    string
	Phone    string
	Email    string
	IM       string
}

// RosterSummary is the on-duty roster for the coming week.
type RosterSummary struct {
	From, To  time.Time
	Shifts    []RosterEntry
	Uncovered []Span // where nobody is on duty
}

// RosterEntry is one shift of the summary.
type RosterEntry struct {
	Member   string
	DutyRole string // label, e.g. 值班长
	StartsAt time.Time
	EndsAt   time.Time
	Contact  string
}

// PlanSection returns the emergency organisation as the plan's section:
// every group with its members and contacts, and the roster of the seven
// days from now.
func (s *Service) PlanSection(ctx context.Context) (Section, error) {
	units, err := s.Organisation(ctx) // checks emergency.read
	if err != nil {
		return Section{}, err
	}
	actor := auth.FromContext(ctx)
	lang := actor.Locale
	if !i18n.Valid(lang) {
		lang = i18n.Languages[0]
	}
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	sec := Section{Title: t("emergency.section.title")}
	for _, u := range units {
		g := SectionGroup{Kind: u.Kind, Name: UnitName(u, t), Location: u.Location, Duties: u.Duties, Members: []SectionMember{}}
		for _, m := range u.Members {
			g.Members = append(g.Members, SectionMember{Name: m.Name, Position: t("emergency.position." + m.Position),
				Title: m.Title, Phone: m.Phone, Email: m.Email, IM: m.IM})
		}
		sec.Groups = append(sec.Groups, g)
	}
	from := s.now()
	to := from.Add(7 * 24 * time.Hour)
	shifts, err := listShifts(ctx, s.DB.Read(), actor.OrgID, from, to)
	if err != nil {
		return Section{}, apperr.Wrap(err, "plan section roster")
	}
	sec.Roster = RosterSummary{From: from, To: to, Shifts: []RosterEntry{}}
	for _, sh := range shifts {
		sec.Roster.Shifts = append(sec.Roster.Shifts, RosterEntry{Member: sh.Member, DutyRole: t("emergency.duty_role." + sh.DutyRole),
			StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, Contact: sh.Contact})
	}
	sec.Roster.Uncovered, _ = coverage(from, to, shifts)
	return sec, nil
}
