package emergency

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// MaxShift bounds one shift: a roster entry longer than a week is a typo.
const MaxShift = 7 * 24 * time.Hour

const shiftSelect = `SELECT s.id, s.org_id, s.member_id, m.name, s.duty_role, s.starts_at, s.ends_at, s.contact, s.notes, s.created_at
	FROM emergency_shifts s JOIN emergency_members m ON m.id = s.member_id AND m.org_id = s.org_id`

func scanShift(row interface{ Scan(...any) error }) (Shift, error) {
	var sh Shift
	var starts, ends, created int64
	err := row.Scan(&sh.ID, &sh.OrgID, &sh.MemberID, &sh.Member, &sh.DutyRole, &starts, &ends, &sh.Contact, &sh.Notes, &created)
	sh.StartsAt, sh.EndsAt, sh.CreatedAt = store.FromMicros(starts), store.FromMicros(ends), store.FromMicros(created)
	return sh, err
}

// Shifts returns the shifts that overlap [from, to), by start.
func (s *Service) Shifts(ctx context.Context, from, to time.Time) ([]Shift, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, apperr.Fields([]apperr.FieldError{{Field: "to", Key: "err.emergency_end_before_start"}})
	}
	out, err := listShifts(ctx, s.DB.Read(), actor.OrgID, from, to)
	return out, apperr.Wrap(err, "list shifts")
}

func listShifts(ctx context.Context, q store.Querier, orgID int64, from, to time.Time) ([]Shift, error) {
	// A shift starts at most MaxShift before it ends, so the index on
	// starts_at bounds the scan from both sides.
	rows, err := q.QueryContext(ctx, shiftSelect+` WHERE s.org_id = $1 AND s.starts_at < $2 AND s.starts_at > $3 AND s.ends_at > $4
		ORDER BY s.starts_at, CASE s.duty_role WHEN 'lead' THEN 0 ELSE 1 END, s.id`,
		orgID, store.Micros(to), store.Micros(from.Add(-MaxShift))-1, store.Micros(from))
	if err != nil {
		return nil, fmt.Errorf("list shifts: %w", err)
	}
	defer rows.Close()
	out := []Shift{}
	for rows.Next() {
		sh, err := scanShift(rows)
		if err != nil {
			return nil, fmt.Errorf("scan shift: %w", err)
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// OnDuty returns who is on duty at the moment at (值班长 first), each with
// the shift's duty role and contact as phone when the shift names one.
func (s *Service) OnDuty(ctx context.Context, at time.Time) ([]Member, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return nil, err
	}
	shifts, err := listShifts(ctx, s.DB.Read(), actor.OrgID, at, at.Add(time.Microsecond))
	if err != nil {
		return nil, apperr.Wrap(err, "on duty")
	}
	slices.SortStableFunc(shifts, func(a, b Shift) int { return strings.Compare(a.DutyRole, b.DutyRole) }) // lead < staff
	out := []Member{}
	for _, sh := range shifts {
		m, err := getMember(ctx, s.DB.Read(), actor.OrgID, sh.MemberID)
		if err != nil {
			return nil, apperr.Wrap(err, "on duty")
		}
		m.DutyRole = sh.DutyRole
		if sh.Contact != "" {
			m.Phone = sh.Contact
		}
		out = append(out, m)
	}
	return out, nil
}

// GetShift returns one shift.
func (s *Service) GetShift(ctx context.Context, id int64) (Shift, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyRead)
	if err != nil {
		return Shift{}, err
	}
	sh, err := getShift(ctx, s.DB.Read(), actor.OrgID, id)
	return sh, apperr.Wrap(err, "get shift")
}

func getShift(ctx context.Context, q store.Querier, orgID, id int64) (Shift, error) {
	sh, err := scanShift(q.QueryRowContext(ctx, shiftSelect+` WHERE s.org_id = $1 AND s.id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sh, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return sh, fmt.Errorf("read shift %d: %w", id, err)
	}
	return sh, nil
}

// validateShift normalises in and checks its own fields.
func validateShift(in *Shift) error {
	in.DutyRole, in.Contact, in.Notes = strings.TrimSpace(in.DutyRole), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Notes)
	if in.DutyRole == "" {
		in.DutyRole = DutyStaff
	}
	in.StartsAt, in.EndsAt = in.StartsAt.UTC().Truncate(time.Microsecond), in.EndsAt.UTC().Truncate(time.Microsecond)
	c := &apperr.Collector{}
	if in.MemberID == 0 {
		c.Add("member_id", "err.required")
	}
	if !slices.Contains(DutyRoles, in.DutyRole) {
		c.Add("duty_role", "err.emergency_bad_duty_role")
	}
	switch {
	case in.StartsAt.IsZero():
		c.Add("starts_at", "err.required")
	case in.EndsAt.IsZero():
		c.Add("ends_at", "err.required")
	case !in.EndsAt.After(in.StartsAt):
		c.Add("ends_at", "err.emergency_end_before_start")
	case in.EndsAt.Sub(in.StartsAt) > MaxShift:
		c.Add("ends_at", "err.emergency_shift_too_long")
	}
	if in.Contact != "" && !validPhone(in.Contact) {
		c.Add("contact", "err.emergency_bad_phone")
	}
	if utf8.RuneCountInString(in.Notes) > 500 {
		c.Add("notes", "err.emergency_too_long", 500)
	}
	return c.Err()
}

// shiftMember returns the member a shift names, as a field error when the
// organisation has no such member.
func shiftMember(ctx context.Context, tx *store.Tx, orgID, id int64) (Member, error) {
	m, err := getMember(ctx, tx, orgID, id)
	if apperr.Is(err, apperr.NotFound) {
		return m, apperr.Fields([]apperr.FieldError{{Field: "member_id", Key: "err.emergency_bad_member"}})
	}
	return m, err
}

// CreateShift puts a member on the roster. Overlaps are allowed (a handover
// may overlap) and shown by the week view, not refused.
func (s *Service) CreateShift(ctx context.Context, in Shift) (Shift, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Shift{}, err
	}
	if err := validateShift(&in); err != nil {
		return Shift{}, err
	}
	var out Shift
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		m, err := shiftMember(ctx, tx, actor.OrgID, in.MemberID)
		if err != nil {
			return err
		}
		now := s.now()
		in.OrgID, in.Member, in.CreatedAt = actor.OrgID, m.Name, now
		if err := tx.QueryRowContext(ctx, `INSERT INTO emergency_shifts (org_id, member_id, duty_role, starts_at, ends_at, contact, notes, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, in.OrgID, in.MemberID, in.DutyRole, store.Micros(in.StartsAt),
			store.Micros(in.EndsAt), in.Contact, in.Notes, store.Micros(now)).Scan(&in.ID); err != nil {
			return fmt.Errorf("insert shift: %w", err)
		}
		out = in
		return audit.Append(ctx, tx, now, actor.Audit("emergency.shift.create", "emergency_shift", fmt.Sprint(in.ID), nil, in))
	})
	return out, apperr.Wrap(err, "create shift")
}

// UpdateShift changes a shift (a swap of people, a moved handover).
func (s *Service) UpdateShift(ctx context.Context, id int64, in Shift) (Shift, error) {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return Shift{}, err
	}
	if err := validateShift(&in); err != nil {
		return Shift{}, err
	}
	var out Shift
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getShift(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		m, err := shiftMember(ctx, tx, actor.OrgID, in.MemberID)
		if err != nil {
			return err
		}
		in.ID, in.OrgID, in.Member, in.CreatedAt = id, actor.OrgID, m.Name, before.CreatedAt
		if _, err := tx.ExecContext(ctx, `UPDATE emergency_shifts SET member_id = $1, duty_role = $2, starts_at = $3, ends_at = $4,
			contact = $5, notes = $6 WHERE id = $7 AND org_id = $8`, in.MemberID, in.DutyRole, store.Micros(in.StartsAt),
			store.Micros(in.EndsAt), in.Contact, in.Notes, id, actor.OrgID); err != nil {
			return fmt.Errorf("update shift %d: %w", id, err)
		}
		out = in
		return audit.Append(ctx, tx, s.now(), actor.Audit("emergency.shift.update", "emergency_shift", fmt.Sprint(id), before, in))
	})
	return out, apperr.Wrap(err, "update shift")
}

// DeleteShift takes a shift off the roster.
func (s *Service) DeleteShift(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermEmergencyManage)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getShift(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM emergency_shifts WHERE org_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete shift %d: %w", id, err)
		}
		return audit.Append(ctx, tx, s.now(), actor.Audit("emergency.shift.delete", "emergency_shift", fmt.Sprint(id), before, nil))
	})
	return apperr.Wrap(err, "delete shift")
}
