package emergency

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// memberSelect reads members with their group's kind and name. Order: the
// fixed groups, then support units, each led by its 组长 and 副组长.
const memberSelect = `SELECT m.id, m.org_id, m.unit_id, u.kind, u.name, m.user_id, m.name, m.position, m.title,
	m.phone, m.email, m.im, m.notes, m.sort_order, m.created_at, m.updated_at
	FROM emergency_members m JOIN emergency_units u ON u.id = m.unit_id AND u.org_id = m.org_id`

const memberOrder = ` ORDER BY CASE u.kind WHEN 'leadership' THEN 0 WHEN 'working_group' THEN 1 WHEN 'office' THEN 2 ELSE 3 END,
	u.sort_order, u.id, CASE m.position WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 WHEN 'contact' THEN 2 ELSE 3 END, m.sort_order, m.id`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var created, updated int64
	err := row.Scan(&m.ID, &m.OrgID, &m.UnitID, &m.Group, &m.UnitName, &m.UserID, &m.Name, &m.Position, &m.Title,
		&m.Phone, &m.Email, &m.IM, &m.Notes, &m.SortOrder, &created, &updated)
	m.CreatedAt, m.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return m, err
}

func queryMembers(ctx context.Context, q store.Querier, query string, args ...any) ([]Member, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// listMembers returns the organisation's members, of one group kind or all.
func listMembers(ctx context.Context, q store.Querier, orgID int64, group string) ([]Member, error) {
	if group == "" {
		return queryMembers(ctx, q, memberSelect+` WHERE m.org_id = $1`+memberOrder, orgID)
	}
	return queryMembers(ctx, q, memberSelect+` WHERE m.org_id = $1 AND u.kind = $2`+memberOrder, orgID, group)
}

func listMembersOfUnit(ctx context.Context, q store.Querier, orgID, unitID int64) ([]Member, error) {
	return queryMembers(ctx, q, memberSelect+` WHERE m.org_id = $1 AND m.unit_id = $2`+memberOrder, orgID, unitID)
}

func getMember(ctx context.Context, q store.Querier, orgID, id int64) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, memberSelect+` WHERE m.org_id = $1 AND m.id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return m, fmt.Errorf("read member %d: %w", id, err)
	}
	return m, nil
}

// Members returns the people of a group kind: leadership, working_group,
// office or support (all support units). Approvals and notifications route
// through it.
func (s *Service) Members(ctx context.Context, group string) ([]Member, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Groups, group) {
		return nil, apperr.Fields([]apperr.FieldError{{Field: "group", Key: "err.emergency_bad_group"}})
	}
	out, err := listMembers(ctx, s.DB.Read(), actor.OrgID, group)
	return out, apperr.Wrap(err, "list emergency members")
}

// GetMember returns one member.
func (s *Service) GetMember(ctx context.Context, id int64) (Member, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Member{}, err
	}
	m, err := getMember(ctx, s.DB.Read(), actor.OrgID, id)
	return m, apperr.Wrap(err, "get emergency member")
}

// CreateMember adds a person to a group: in.Group names the kind, and for a
// support unit in.UnitID names the unit.
func (s *Service) CreateMember(ctx context.Context, in Member) (Member, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Member{}, err
	}
	in.normalize()
	var out Member
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		unit, err := s.prepareMember(ctx, tx, actor, &in, 0, now)
		if err != nil {
			return err
		}
		in.OrgID, in.UnitID, in.UnitName, in.CreatedAt, in.UpdatedAt = actor.OrgID, unit.ID, unit.Name, now, now
		err = tx.QueryRowContext(ctx, `INSERT INTO emergency_members (org_id, unit_id, user_id, name, position, title, phone,
			email, im, notes, sort_order, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
			in.OrgID, in.UnitID, in.UserID, in.Name, in.Position, in.Title, in.Phone, in.Email, in.IM, in.Notes, in.SortOrder,
			store.Micros(now)).Scan(&in.ID)
		if err != nil {
			return fmt.Errorf("insert member: %w", err)
		}
		out = in
		return audit.Append(ctx, tx, now, actor.Audit("emergency.member.create", "emergency_member", fmt.Sprint(in.ID), nil, in))
	})
	return out, apperr.Wrap(err, "create emergency member")
}

// UpdateMember replaces a member's fields (and may move them to another
// group).
func (s *Service) UpdateMember(ctx context.Context, id int64, in Member) (Member, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Member{}, err
	}
	in.normalize()
	var out Member
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		before, err := getMember(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		unit, err := s.prepareMember(ctx, tx, actor, &in, id, now)
		if err != nil {
			return err
		}
		in.ID, in.OrgID, in.UnitID, in.UnitName, in.CreatedAt, in.UpdatedAt = id, actor.OrgID, unit.ID, unit.Name, before.CreatedAt, now
		if _, err := tx.ExecContext(ctx, `UPDATE emergency_members SET unit_id = $1, user_id = $2, name = $3, position = $4,
			title = $5, phone = $6, email = $7, im = $8, notes = $9, sort_order = $10, updated_at = $11 WHERE id = $12 AND org_id = $13`,
			in.UnitID, in.UserID, in.Name, in.Position, in.Title, in.Phone, in.Email, in.IM, in.Notes, in.SortOrder,
			store.Micros(now), id, actor.OrgID); err != nil {
			return fmt.Errorf("update member %d: %w", id, err)
		}
		out = in
		return audit.Append(ctx, tx, now, actor.Audit("emergency.member.update", "emergency_member", fmt.Sprint(id), before, in))
	})
	return out, apperr.Wrap(err, "update emergency member")
}

// prepareMember validates in against the database: the group or unit
// exists in the organisation, the linked account belongs to it (its name
// and email fill empty fields), and a unit has at most one 组长. It
// returns the unit the member goes in (creating a fixed group's row on its
// first member).
func (s *Service) prepareMember(ctx context.Context, tx *store.Tx, actor *auth.Actor, in *Member, self int64, now time.Time) (Unit, error) {
	if in.UserID != 0 {
		var display, username, email string
		err := tx.QueryRowContext(ctx, `SELECT display_name, username, email FROM users u WHERE u.id = $1 AND
			EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.org_id = $2)`, in.UserID, actor.OrgID).
			Scan(&display, &username, &email)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return Unit{}, apperr.Fields([]apperr.FieldError{{Field: "user_id", Key: "err.emergency_bad_user"}})
		case err != nil:
			return Unit{}, fmt.Errorf("read linked user %d: %w", in.UserID, err)
		}
		if in.Name == "" {
			in.Name = display
			if in.Name == "" {
				in.Name = username
			}
		}
		if in.Email == "" {
			in.Email = email
		}
	}
	c := in.validate()
	if len(c.List()) > 0 {
		return Unit{}, c.Err()
	}
	var unit Unit
	var err error
	if in.Group == GroupSupport {
		unit, err = getUnit(ctx, tx, actor.OrgID, in.UnitID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && unit.Kind != GroupSupport) {
			return Unit{}, apperr.Fields([]apperr.FieldError{{Field: "unit_id", Key: "err.emergency_bad_unit"}})
		}
	} else {
		unit, err = s.fixedUnit(ctx, tx, actor, in.Group, now)
	}
	if err != nil {
		return Unit{}, err
	}
	if in.Position == PositionLeader {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM emergency_members WHERE org_id = $1 AND unit_id = $2
			AND position = 'leader' AND id <> $3`, actor.OrgID, unit.ID, self).Scan(&n); err != nil {
			return Unit{}, fmt.Errorf("count leaders: %w", err)
		}
		if n > 0 {
			return Unit{}, apperr.Fields([]apperr.FieldError{{Field: "position", Key: "err.emergency_one_leader"}})
		}
	}
	return unit, nil
}

// DeleteMember removes a member and their shifts.
func (s *Service) DeleteMember(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getMember(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_shifts WHERE org_id = $1 AND member_id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete shifts of member %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_members WHERE org_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete member %d: %w", id, err)
		}
		return audit.Append(ctx, tx, s.now(), actor.Audit("emergency.member.delete", "emergency_member", fmt.Sprint(id), before, nil))
	})
	return apperr.Wrap(err, "delete emergency member")
}
