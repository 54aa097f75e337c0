package emergency

import (
	"context"
	"fmt"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// roleGroups maps a Bulwark role to the groups of the emergency
// organisation that hold that duty: leadership (领导小组) decides, the
// responders are the working group (应急响应工作组) and its office.
var roleGroups = map[auth.Role][]string{
	auth.RoleLeadership: {GroupLeadership},
	auth.RoleResponder:  {GroupWorkingGroup, GroupOffice},
}

// Contacts returns the people to notify for roles, each once. A role with
// groups in the emergency organisation gets those groups' members — only
// those with an account for leadership, whose decisions are taken in
// Bulwark; everyone of the working group, who may be called by phone. A
// role without groups, or whose groups are still empty, gets the accounts
// holding the role in the organisation.
func (s *Service) Contacts(ctx context.Context, roles []auth.Role) ([]Member, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	out := []Member{}
	seenUser := map[int64]bool{}
	seenMember := map[int64]bool{}
	add := func(m Member) {
		if m.UserID != 0 {
			if seenUser[m.UserID] {
				return
			}
			seenUser[m.UserID] = true
		} else if m.ID != 0 {
			if seenMember[m.ID] {
				return
			}
			seenMember[m.ID] = true
		}
		out = append(out, m)
	}
	q := s.DB.Read()
	for _, role := range roles {
		found := 0
		for _, g := range roleGroups[role] {
			members, err := listMembers(ctx, q, actor.OrgID, g)
			if err != nil {
				return nil, apperr.Wrap(err, "emergency contacts")
			}
			for _, m := range members {
				if role == auth.RoleLeadership && m.UserID == 0 {
					continue
				}
				found++
				add(m)
			}
		}
		if found > 0 {
			continue
		}
		accounts, err := roleAccounts(ctx, q, actor.OrgID, role)
		if err != nil {
			return nil, apperr.Wrap(err, "emergency contacts")
		}
		for _, m := range accounts {
			add(m)
		}
	}
	return out, nil
}

// roleAccounts returns the enabled accounts holding role in the
// organisation, as members outside any group.
func roleAccounts(ctx context.Context, q store.Querier, orgID int64, role auth.Role) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.display_name, u.username, u.email FROM users u
		JOIN user_roles r ON r.user_id = u.id WHERE r.org_id = $1 AND r.role = $2 AND NOT u.disabled ORDER BY u.id`, orgID, string(role))
	if err != nil {
		return nil, fmt.Errorf("accounts with role %s: %w", role, err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var display, username string
		if err := rows.Scan(&m.UserID, &display, &username, &m.Email); err != nil {
			return nil, fmt.Errorf("scan account: %w", err)
		}
		m.OrgID, m.Name, m.Position = orgID, display, PositionMember
		if m.Name == "" {
			m.Name = username
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Account is an account of the organisation a member can be linked to.
type Account struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Accounts lists the organisation's accounts (those holding a role in it),
// for the member form's link.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT u.id, u.display_name, u.username FROM users u WHERE NOT u.disabled AND
		EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.org_id = $1) ORDER BY u.username`, actor.OrgID)
	if err != nil {
		return nil, apperr.Wrap(err, "list accounts")
	}
	defer rows.Close()
	out := []Account{}
	for rows.Next() {
		var a Account
		var display, username string
		if err := rows.Scan(&a.ID, &display, &username); err != nil {
			return nil, apperr.Wrap(err, "list accounts")
		}
		a.Name = username
		if display != "" {
			a.Name = display + " (" + username + ")"
		}
		out = append(out, a)
	}
	return out, apperr.Wrap(rows.Err(), "list accounts")
}
