package emergency

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// phonePattern accepts the numbers people write in China and abroad: a
// mobile (13800138000), a landline with area code (010-12345678, (0571)
// 8888 6666), an international form (+86 138 0013 8000), with an optional
// extension (转123, ext 123, #123). Spaces, dashes and brackets are kept as
// typed; what counts is 6 to 15 digits in a sensible shape.
var phonePattern = regexp.MustCompile(`^\+?[0-9(][0-9 ()\-]*[0-9]( ?(转|ext\.?|#) ?[0-9]{1,6})?$`)

func validPhone(s string) bool {
	if !phonePattern.MatchString(s) {
		return false
	}
	main, _, _ := strings.Cut(strings.NewReplacer("ext.", "转", "ext", "转", "#", "转").Replace(s), "转")
	digits := 0
	for _, r := range main {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 6 && digits <= 15
}

// validEmail wants a bare address (no display name) with a dotted domain.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

func checkLen(c *apperr.Collector, field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		c.Add(field, "err.emergency_too_long", max)
	}
}

func (m *Member) normalize() {
	for _, p := range []*string{&m.Group, &m.Name, &m.Position, &m.Title, &m.Phone, &m.Email, &m.IM, &m.Notes} {
		*p = strings.TrimSpace(*p)
	}
	m.Email = strings.ToLower(m.Email)
	if m.Position == "" {
		m.Position = PositionMember
	}
}

// validate checks a member's own fields; the group, the linked account and
// the one-leader rule need the database (see CreateMember).
func (m *Member) validate() *apperr.Collector {
	c := &apperr.Collector{}
	if m.Name == "" && m.UserID == 0 {
		c.Add("name", "err.required")
	}
	checkLen(c, "name", m.Name, 100)
	if !slices.Contains(Groups, m.Group) {
		c.Add("group", "err.emergency_bad_group")
	}
	if !slices.Contains(Positions, m.Position) {
		c.Add("position", "err.emergency_bad_position")
	}
	if m.Phone != "" && !validPhone(m.Phone) {
		c.Add("phone", "err.emergency_bad_phone")
	}
	if m.Email != "" && !validEmail(m.Email) {
		c.Add("email", "err.emergency_bad_email")
	}
	checkLen(c, "title", m.Title, 100)
	checkLen(c, "im", m.IM, 100)
	checkLen(c, "notes", m.Notes, 2000)
	return c
}

func (u *Unit) normalize() {
	for _, p := range []*string{&u.Kind, &u.Name, &u.Category, &u.Location, &u.Duties} {
		*p = strings.TrimSpace(*p)
	}
	if u.Kind == GroupSupport && u.Category == "" {
		u.Category = "other"
	}
	if u.Kind != GroupSupport {
		u.Category = ""
	}
}

func (u *Unit) validate() error {
	c := &apperr.Collector{}
	if u.Kind == GroupSupport && u.Name == "" {
		c.Add("name", "err.required")
	}
	checkLen(c, "name", u.Name, 100)
	if u.Kind == GroupSupport && !slices.Contains(Categories, u.Category) {
		c.Add("category", "err.emergency_bad_category")
	}
	checkLen(c, "location", u.Location, 200)
	checkLen(c, "duties", u.Duties, 2000)
	return c.Err()
}
