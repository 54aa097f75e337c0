package account

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Patch is a change to an account by a user manager; nil fields stay as they
// are. Platform admin can be granted and withdrawn here, not only at
// creation: staff change jobs, and disabling the account just to drop the
// global flag would also end their organisation work.
type Patch struct {
	DisplayName   *string
	Email         *string
	Disabled      *bool
	PlatformAdmin *bool
}

const (
	maxDisplayName = 100
	maxEmail       = 254 // RFC 5321 path limit
)

// checkProfile adds the problems of a display name and an email address.
func checkProfile(c *apperr.Collector, displayName, email string) {
	if len([]rune(displayName)) > maxDisplayName {
		c.Add("display_name", "err.too_long", maxDisplayName)
	}
	if email == "" {
		return
	}
	if len(email) > maxEmail {
		c.Add("email", "err.too_long", maxEmail)
		return
	}
	// Only a bare address: "Name <a@b>" would parse but is not what we store.
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		c.Add("email", "err.admin_bad_email")
	}
}

// UpdateProfile changes a user's display name and email (user managers).
func (s *Service) UpdateProfile(ctx context.Context, userID int64, displayName, email string) (User, error) {
	return s.Update(ctx, userID, Patch{DisplayName: &displayName, Email: &email})
}

// Update applies p in one transaction, with one audit record per kind of
// change (user.profile, user.disable or user.enable, user.platform_admin) so
// the trail can be filtered by what happened. Disabling ends the user's
// sessions. Nobody may disable or demote themselves: that is how the last
// administrator locks everyone out.
func (s *Service) Update(ctx context.Context, userID int64, p Patch) (User, error) {
	a, err := auth.Require(ctx, auth.PermUserManage)
	if err != nil {
		return User{}, err
	}
	if p.Disabled != nil && *p.Disabled && a.UserID == userID {
		return User{}, apperr.New(apperr.Invalid, "err.cannot_disable_self")
	}
	if p.DisplayName != nil {
		*p.DisplayName = strings.TrimSpace(*p.DisplayName)
	}
	if p.Email != nil {
		*p.Email = strings.TrimSpace(*p.Email)
	}
	var c apperr.Collector
	checkProfile(&c, deref(p.DisplayName), deref(p.Email))
	if err := c.Err(); err != nil {
		return User{}, err
	}
	var out User
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		u, err := s.getByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if p.PlatformAdmin != nil && *p.PlatformAdmin != u.PlatformAdmin && a.UserID == userID {
			return apperr.New(apperr.Invalid, "err.admin_own_platform_admin")
		}
		now := s.Clock.Now()
		// step records one kind of change: it applies change to u and
		// audits the account as it was and as it is now.
		step := func(action string, changed bool, change func()) error {
			if !changed {
				return nil
			}
			before := u.auditView()
			change()
			return audit.Append(ctx, tx, now, a.Audit(action, "user", fmt.Sprint(userID), before, u.auditView()))
		}
		profile := (p.DisplayName != nil && *p.DisplayName != u.DisplayName) || (p.Email != nil && *p.Email != u.Email)
		if err := step("user.profile", profile, func() {
			if p.DisplayName != nil {
				u.DisplayName = *p.DisplayName
			}
			if p.Email != nil {
				u.Email = *p.Email
			}
		}); err != nil {
			return err
		}
		if p.Disabled != nil {
			action := "user.enable"
			if *p.Disabled {
				action = "user.disable"
			}
			if err := step(action, *p.Disabled != u.Disabled, func() { u.Disabled = *p.Disabled }); err != nil {
				return err
			}
		}
		if p.PlatformAdmin != nil {
			if err := step("user.platform_admin", *p.PlatformAdmin != u.PlatformAdmin, func() { u.PlatformAdmin = *p.PlatformAdmin }); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $1, email = $2, disabled = $3, platform_admin = $4,
			updated_at = $5 WHERE id = $6`, u.DisplayName, u.Email, u.Disabled, u.PlatformAdmin, store.Micros(now), userID); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if p.Disabled != nil && *p.Disabled {
			if err := deleteSessionsOf(ctx, tx, userID); err != nil {
				return err
			}
		}
		if u.Roles, err = s.rolesOf(ctx, tx, userID); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, apperr.Wrap(err, "update user")
}

// lockUser takes the user's row for the rest of tx, so that two managers
// changing the same account one after the other each start from the other's
// result: a row lock on PostgreSQL (SQLite holds its write lock already). It
// works on both engines, unlike SELECT ... FOR UPDATE.
func lockUser(ctx context.Context, tx *store.Tx, userID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = updated_at WHERE id = $1`, userID)
	if err != nil {
		return fmt.Errorf("lock user %d: %w", userID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("lock user %d: %w", userID, err)
	} else if n == 0 {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// OneTimePassword returns a random password that meets the policy, for a
// user manager to hand over once (new account, reset); the user must then
// change it at login. A '-' in the middle gives it a fourth character class.
func (s *Service) OneTimePassword() string {
	n := max(16, s.Config.Policy.MinLength)
	var pw string
	for range 100 {
		pw = auth.RandomPassword(n/2) + "-" + auth.RandomPassword(n-n/2-1)
		if s.Config.Policy.Check("", pw) == nil {
			break
		}
	}
	return pw
}

// History returns a user's own audit records, in every organisation, newest
// first (user managers).
func (s *Service) History(ctx context.Context, userID int64) ([]audit.Change, error) {
	if _, err := auth.Require(ctx, auth.PermUserManage); err != nil {
		return nil, err
	}
	if _, err := s.getByID(ctx, s.DB.Read(), userID); err != nil {
		return nil, apperr.Wrap(err, "user history")
	}
	entries, err := audit.ObjectHistory(ctx, s.DB.Read(), "user", fmt.Sprint(userID), 200)
	if err != nil {
		return nil, apperr.Wrap(err, "user history")
	}
	return audit.Changes(entries), nil
}
