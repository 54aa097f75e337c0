package org

import (
	"context"
	"fmt"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Member is a user holding roles in an organisation.
type Member struct {
	UserID      int64       `json:"user_id"`
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	Disabled    bool        `json:"disabled"`
	Roles       []auth.Role `json:"roles"`
}

// Summary is an organisation with its number of members, for the
// administration list.
type Summary struct {
	Org
	Members int `json:"members"`
}

// Overview lists every organisation with its member count (platform admin).
func (s *Service) Overview(ctx context.Context) ([]Summary, error) {
	if _, err := auth.Require(ctx, auth.PermOrgManage); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT o.id, o.name, o.org_type, o.created_at,
		(SELECT COUNT(DISTINCT r.user_id) FROM user_roles r WHERE r.org_id = o.id)
		FROM organizations o ORDER BY o.id`)
	if err != nil {
		return nil, apperr.Wrap(err, "list organisations")
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var x Summary
		var created int64
		if err := rows.Scan(&x.ID, &x.Name, &x.Type, &created, &x.Members); err != nil {
			return nil, apperr.Wrap(err, "list organisations")
		}
		x.CreatedAt = store.FromMicros(created)
		out = append(out, x)
	}
	return out, apperr.Wrap(rows.Err(), "list organisations")
}

// Members lists the users holding roles in an organisation, by username
// (platform admin).
func (s *Service) Members(ctx context.Context, orgID int64) ([]Member, error) {
	if _, err := auth.Require(ctx, auth.PermOrgManage); err != nil {
		return nil, err
	}
	if _, err := get(ctx, s.DB.Read(), orgID); err != nil {
		return nil, apperr.Wrap(err, "list members")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT u.id, u.username, u.display_name, u.disabled, r.role
		FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.org_id = $1 ORDER BY u.username, r.role`, orgID)
	if err != nil {
		return nil, apperr.Wrap(err, "list members")
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var role auth.Role
		if err := rows.Scan(&m.UserID, &m.Username, &m.DisplayName, &m.Disabled, &role); err != nil {
			return nil, apperr.Wrap(err, "list members")
		}
		if n := len(out); n > 0 && out[n-1].UserID == m.UserID {
			out[n-1].Roles = append(out[n-1].Roles, role)
			continue
		}
		m.Roles = []auth.Role{role}
		out = append(out, m)
	}
	return out, apperr.Wrap(rows.Err(), "list members")
}

// History returns an organisation's own audit records, newest first
// (platform admin).
func (s *Service) History(ctx context.Context, orgID int64) ([]audit.Change, error) {
	if _, err := auth.Require(ctx, auth.PermOrgManage); err != nil {
		return nil, err
	}
	if _, err := get(ctx, s.DB.Read(), orgID); err != nil {
		return nil, apperr.Wrap(err, "organisation history")
	}
	entries, err := audit.ObjectHistory(ctx, s.DB.Read(), "org", fmt.Sprint(orgID), 200)
	if err != nil {
		return nil, apperr.Wrap(err, "organisation history")
	}
	return audit.Changes(entries), nil
}
