// Package org keeps the organisations an installation serves: one for an
// enterprise, many customers for a security-service provider. Every domain
// record carries an org_id, and services scope every query by the actor's
// current organisation.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Type decides, for later modules, deadlines such as the incident reporting
// window (国家网络安全事件报告管理办法: 1 h / 2 h / 4 h).
type Type string

const (
	TypeCII        Type = "cii"         // 关键信息基础设施运营者
	TypeStateOrgan Type = "state_organ" // 中央和国家机关
	TypeOther      Type = "other"       // 其他网络运营者
)

// Types lists the organisation types in display order.
var Types = []Type{TypeCII, TypeStateOrgan, TypeOther}

// Org is one organisation.
type Org struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Type      Type      `json:"type"`
	CreatedAt time.Time `json:"created_at"`
}

// Service manages organisations.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// EnsureDefault creates the first organisation when there is none and returns
// the id of the oldest one.
func (s *Service) EnsureDefault(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT id FROM organizations ORDER BY id LIMIT 1`).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find default organisation: %w", err)
	}
	o, err := s.Create(auth.WithActor(ctx, auth.System(0)), name, TypeOther)
	if err != nil {
		return 0, err
	}
	return o.ID, nil
}

func validate(name string, t Type) error {
	var c apperr.Collector
	if strings.TrimSpace(name) == "" {
		c.Add("name", "err.required")
	} else if len([]rune(name)) > 200 {
		c.Add("name", "err.too_long", 200)
	}
	if !slices.Contains(Types, t) {
		c.Add("type", "err.invalid_choice")
	}
	return c.Err()
}

// Create adds an organisation (platform admin).
func (s *Service) Create(ctx context.Context, name string, t Type) (Org, error) {
	a, err := auth.Require(ctx, auth.PermOrgManage)
	if err != nil {
		return Org{}, err
	}
	name = strings.TrimSpace(name)
	if err := validate(name, t); err != nil {
		return Org{}, err
	}
	o := Org{Name: name, Type: t, CreatedAt: s.Clock.Now().Truncate(time.Microsecond)}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO organizations (name, org_type, created_at) VALUES ($1, $2, $3) RETURNING id`,
			o.Name, o.Type, store.Micros(o.CreatedAt)).Scan(&o.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Fields([]apperr.FieldError{{Field: "name", Key: "err.duplicate"}})
			}
			return fmt.Errorf("insert organisation: %w", err)
		}
		rec := a.Audit("org.create", "org", fmt.Sprint(o.ID), nil, o)
		rec.OrgID = o.ID
		return audit.Append(ctx, tx, s.Clock.Now(), rec)
	})
	return o, apperr.Wrap(err, "create organisation")
}

// Update changes an organisation's name and type (platform admin).
func (s *Service) Update(ctx context.Context, id int64, name string, t Type) (Org, error) {
	a, err := auth.Require(ctx, auth.PermOrgManage)
	if err != nil {
		return Org{}, err
	}
	name = strings.TrimSpace(name)
	if err := validate(name, t); err != nil {
		return Org{}, err
	}
	var after Org
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		after = before
		after.Name, after.Type = name, t
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET name = $1, org_type = $2 WHERE id = $3`, name, t, id); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Fields([]apperr.FieldError{{Field: "name", Key: "err.duplicate"}})
			}
			return fmt.Errorf("update organisation: %w", err)
		}
		rec := a.Audit("org.update", "org", fmt.Sprint(id), before, after)
		rec.OrgID = id
		return audit.Append(ctx, tx, s.Clock.Now(), rec)
	})
	return after, apperr.Wrap(err, "update organisation")
}

// Get returns an organisation the actor belongs to (any, for platform admin).
func (s *Service) Get(ctx context.Context, id int64) (Org, error) {
	a := auth.FromContext(ctx)
	if a == nil {
		return Org{}, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	if !a.PlatformAdmin {
		ok, err := s.IsMember(ctx, a.UserID, id)
		if err != nil {
			return Org{}, err
		}
		if !ok {
			return Org{}, apperr.New(apperr.NotFound, "err.not_found")
		}
	}
	o, err := get(ctx, s.DB.Read(), id)
	return o, apperr.Wrap(err, "get organisation")
}

func get(ctx context.Context, q store.Querier, id int64) (Org, error) {
	var o Org
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, name, org_type, created_at FROM organizations WHERE id = $1`, id).
		Scan(&o.ID, &o.Name, &o.Type, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return o, fmt.Errorf("read organisation %d: %w", id, err)
	}
	o.CreatedAt = store.FromMicros(created)
	return o, nil
}

// IsMember reports whether user holds any role in org.
func (s *Service) IsMember(ctx context.Context, userID, orgID int64) (bool, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND org_id = $2`, userID, orgID).Scan(&n)
	if err != nil {
		return false, apperr.Wrap(err, "check membership")
	}
	return n > 0, nil
}

// ListFor returns the organisations a user may work in: every one for a
// platform admin, else those where the user holds a role.
func (s *Service) ListFor(ctx context.Context, userID int64, platformAdmin bool) ([]Org, error) {
	query := `SELECT id, name, org_type, created_at FROM organizations ORDER BY id`
	args := []any{}
	if !platformAdmin {
		query = `SELECT id, name, org_type, created_at FROM organizations
			WHERE id IN (SELECT org_id FROM user_roles WHERE user_id = $1) ORDER BY id`
		args = append(args, userID)
	}
	rows, err := s.DB.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "list organisations")
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		var o Org
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &o.Type, &created); err != nil {
			return nil, apperr.Wrap(err, "list organisations")
		}
		o.CreatedAt = store.FromMicros(created)
		out = append(out, o)
	}
	return out, apperr.Wrap(rows.Err(), "list organisations")
}

// List returns the organisations the actor may work in.
func (s *Service) List(ctx context.Context) ([]Org, error) {
	a := auth.FromContext(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	return s.ListFor(ctx, a.UserID, a.PlatformAdmin)
}

// Count returns how many organisations exist (the UI hides organisation
// controls when there is one).
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&n)
	return n, apperr.Wrap(err, "count organisations")
}
