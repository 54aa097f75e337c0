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

const unitColumns = `id, org_id, kind, name, category, location, duties, sort_order, created_at, updated_at`

func scanUnit(row interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var created, updated int64
	err := row.Scan(&u.ID, &u.OrgID, &u.Kind, &u.Name, &u.Category, &u.Location, &u.Duties, &u.SortOrder, &created, &updated)
	u.CreatedAt, u.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return u, err
}

// Organisation returns every group of the actor's organisation with its
// members: the three fixed groups first (present even before anyone edits
// them), then the support units in their order.
func (s *Service) Organisation(ctx context.Context) ([]Unit, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	units, err := loadOrganisation(ctx, s.DB.Read(), actor.OrgID)
	return units, apperr.Wrap(err, "read emergency organisation")
}

func loadOrganisation(ctx context.Context, q store.Querier, orgID int64) ([]Unit, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+unitColumns+` FROM emergency_units WHERE org_id = $1 ORDER BY sort_order, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	fixed := map[string]Unit{}
	var support []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("scan unit: %w", err)
		}
		if u.Kind == GroupSupport {
			support = append(support, u)
		} else {
			fixed[u.Kind] = u
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	var out []Unit
	for _, k := range FixedGroups {
		u, ok := fixed[k]
		if !ok {
			u = Unit{OrgID: orgID, Kind: k}
		}
		out = append(out, u)
	}
	out = append(out, support...)
	members, err := listMembers(ctx, q, orgID, "")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Members = []Member{}
		for _, m := range members {
			if out[i].ID != 0 && m.UnitID == out[i].ID {
				out[i].Members = append(out[i].Members, m)
			}
		}
	}
	return out, nil
}

// GetUnit returns one group by id.
func (s *Service) GetUnit(ctx context.Context, id int64) (Unit, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Unit{}, err
	}
	u, err := getUnit(ctx, s.DB.Read(), actor.OrgID, id)
	if err != nil {
		return u, apperr.Wrap(err, "get emergency unit")
	}
	u.Members, err = listMembersOfUnit(ctx, s.DB.Read(), actor.OrgID, id)
	return u, apperr.Wrap(err, "get emergency unit")
}

func getUnit(ctx context.Context, q store.Querier, orgID, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM emergency_units WHERE org_id = $1 AND id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return u, fmt.Errorf("read unit %d: %w", id, err)
	}
	return u, nil
}

// fixedUnit returns the row of a fixed group, creating it (audited) the
// first time someone writes to the group.
func (s *Service) fixedUnit(ctx context.Context, tx *store.Tx, actor *auth.Actor, kind string, now time.Time) (Unit, error) {
	u, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM emergency_units WHERE org_id = $1 AND kind = $2`, actor.OrgID, kind))
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("read group %s: %w", kind, err)
	}
	return s.insertUnit(ctx, tx, actor, Unit{Kind: kind, SortOrder: slices.Index(FixedGroups, kind)}, now)
}

func (s *Service) insertUnit(ctx context.Context, tx *store.Tx, actor *auth.Actor, u Unit, now time.Time) (Unit, error) {
	u.OrgID, u.CreatedAt, u.UpdatedAt = actor.OrgID, now, now
	err := tx.QueryRowContext(ctx, `INSERT INTO emergency_units (org_id, kind, name, category, location, duties, sort_order, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		u.OrgID, u.Kind, u.Name, u.Category, u.Location, u.Duties, u.SortOrder, store.Micros(now)).Scan(&u.ID)
	if err != nil {
		return u, fmt.Errorf("insert unit %s: %w", u.Kind, err)
	}
	u.Members = nil
	return u, audit.Append(ctx, tx, now, actor.Audit("emergency.unit.create", "emergency_unit", fmt.Sprint(u.ID), nil, u))
}

// CreateUnit adds a support unit (应急支援单位).
func (s *Service) CreateUnit(ctx context.Context, in Unit) (Unit, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Unit{}, err
	}
	in.Kind = GroupSupport
	in.normalize()
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		out, err = s.insertUnit(ctx, tx, actor, in, s.now())
		return err
	})
	return out, apperr.Wrap(err, "create emergency unit")
}

// SaveGroup sets the name, location and duties of a fixed group
// (leadership, working_group, office).
func (s *Service) SaveGroup(ctx context.Context, kind string, in Unit) (Unit, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Unit{}, err
	}
	if !slices.Contains(FixedGroups, kind) {
		return Unit{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	in.Kind = kind
	in.normalize()
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		before, err := s.fixedUnit(ctx, tx, actor, kind, now)
		if err != nil {
			return err
		}
		in.SortOrder = before.SortOrder
		out, err = s.writeUnit(ctx, tx, actor, before, in, now)
		return err
	})
	return out, apperr.Wrap(err, "save emergency group")
}

// UpdateUnit changes a group by id (any kind; a fixed group keeps its kind).
func (s *Service) UpdateUnit(ctx context.Context, id int64, in Unit) (Unit, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Unit{}, err
	}
	var out Unit
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getUnit(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		in.Kind = before.Kind
		in.normalize()
		if err := in.validate(); err != nil {
			return err
		}
		out, err = s.writeUnit(ctx, tx, actor, before, in, s.now())
		return err
	})
	return out, apperr.Wrap(err, "update emergency unit")
}

func (s *Service) writeUnit(ctx context.Context, tx *store.Tx, actor *auth.Actor, before, in Unit, now time.Time) (Unit, error) {
	in.ID, in.OrgID, in.Kind, in.CreatedAt, in.UpdatedAt = before.ID, before.OrgID, before.Kind, before.CreatedAt, now
	in.Members = nil
	if _, err := tx.ExecContext(ctx, `UPDATE emergency_units SET name = $1, category = $2, location = $3, duties = $4,
		sort_order = $5, updated_at = $6 WHERE id = $7 AND org_id = $8`,
		in.Name, in.Category, in.Location, in.Duties, in.SortOrder, store.Micros(now), in.ID, in.OrgID); err != nil {
		return in, fmt.Errorf("update unit %d: %w", in.ID, err)
	}
	return in, audit.Append(ctx, tx, now, actor.Audit("emergency.unit.update", "emergency_unit", fmt.Sprint(in.ID), before, in))
}

// DeleteUnit removes a support unit with its members and their shifts;
// the fixed groups cannot be removed, only emptied.
func (s *Service) DeleteUnit(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getUnit(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if before.Kind != GroupSupport {
			return apperr.New(apperr.Conflict, "err.emergency_fixed_group")
		}
		if before.Members, err = listMembersOfUnit(ctx, tx, actor.OrgID, id); err != nil {
			return err
		}
		// Explicit deletes rather than relying on ON DELETE CASCADE, which
		// SQLite only honours with foreign_keys on.
		if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_shifts WHERE org_id = $1 AND member_id IN
			(SELECT id FROM emergency_members WHERE org_id = $1 AND unit_id = $2)`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete shifts of unit %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_members WHERE org_id = $1 AND unit_id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete members of unit %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_units WHERE org_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete unit %d: %w", id, err)
		}
		return audit.Append(ctx, tx, s.now(), actor.Audit("emergency.unit.delete", "emergency_unit", fmt.Sprint(id), before, nil))
	})
	return apperr.Wrap(err, "delete emergency unit")
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }
