package postincident

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Person is an account of the organisation: a meeting attendee, a CAPA
// owner, the subject of a recommendation.
type Person struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"` // display name, else the username
	Username string `json:"username"`
	// CanOwn: the person holds a role that may own CAPA (capa.work).
	CanOwn bool `json:"can_own"`
}

// members returns the organisation's enabled accounts by id.
func members(ctx context.Context, q store.Querier, orgID int64) ([]Person, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, r.role FROM users u
		JOIN user_roles r ON r.user_id = u.id WHERE r.org_id = $1 AND NOT u.disabled ORDER BY u.username, u.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		var p Person
		var display string
		var role auth.Role
		if err := rows.Scan(&p.ID, &p.Username, &display, &role); err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		p.Name = p.Username
		if display != "" {
			p.Name = display
		}
		if n := len(out); n > 0 && out[n-1].ID == p.ID {
			out[n-1].CanOwn = out[n-1].CanOwn || auth.RoleCan(role, auth.PermCAPAWork)
			continue
		}
		p.CanOwn = auth.RoleCan(role, auth.PermCAPAWork)
		out = append(out, p)
	}
	return out, rows.Err()
}

// member finds id among the organisation's accounts.
func member(ctx context.Context, q store.Querier, orgID, id int64) (Person, bool, error) {
	list, err := members(ctx, q, orgID)
	if err != nil {
		return Person{}, false, err
	}
	i := slices.IndexFunc(list, func(p Person) bool { return p.ID == id })
	if i < 0 {
		return Person{}, false, nil
	}
	return list[i], true, nil
}

// People lists the organisation's accounts for the forms' pickers.
func (s *Service) People(ctx context.Context) ([]Person, error) {
	actor, err := auth.Require(ctx, auth.PermReviewRead)
	if err != nil {
		return nil, err
	}
	out, err := members(ctx, s.DB.Read(), actor.OrgID)
	return out, apperr.Wrap(err, "list people")
}

// ParseNames splits what a person typed as a list of names (one a line, or
// separated by commas or the Chinese 、，；) into trimmed, distinct names.
// Names longer than 100 characters are kept whole for the validation to
// refuse.
func ParseNames(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
	}) {
		// Invalid UTF-8 (a form in another encoding) is kept visible as
		// replacement characters rather than dropped or stored broken.
		if f = strings.TrimSpace(strings.ToValidUTF8(f, "\uFFFD")); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
