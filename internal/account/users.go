package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// User is an account. The password hash never leaves this package.
type User struct {
	ID                 int64     `json:"id"`
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Email              string    `json:"email"`
	PlatformAdmin      bool      `json:"platform_admin"`
	MustChangePassword bool      `json:"must_change_password"`
	Disabled           bool      `json:"disabled"`
	Locale             string    `json:"locale"`
	LastLoginAt        time.Time `json:"last_login_at"`
	CreatedAt          time.Time `json:"created_at"`
	// Roles by organisation id; filled by List and Get.
	Roles map[int64][]auth.Role `json:"roles"`

	passwordHash string
	failedLogins int
	lockedUntil  int64
}

// auditView is what the trail keeps of a user: no hash.
func (u User) auditView() map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "display_name": u.DisplayName, "email": u.Email,
		"platform_admin": u.PlatformAdmin, "disabled": u.Disabled, "must_change_password": u.MustChangePassword,
		"locale": u.Locale}
}

// NewUser is the input to Create.
type NewUser struct {
	Username      string
	DisplayName   string
	Email         string
	Password      string
	PlatformAdmin bool
	OrgID         int64       // organisation the roles are held in
	Roles         []auth.Role // roles in OrgID
	MustChange    bool        // must change the password at first login
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$`)

// Locales are the UI languages.
var Locales = []string{"zh-CN", "en"}

const userColumns = `id, username, display_name, email, password_hash, platform_admin, must_change_password,
	disabled, locale, failed_logins, locked_until, last_login_at, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var lastLogin, created int64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.passwordHash, &u.PlatformAdmin,
		&u.MustChangePassword, &u.Disabled, &u.Locale, &u.failedLogins, &u.lockedUntil, &lastLogin, &created)
	u.LastLoginAt, u.CreatedAt = store.FromMicros(lastLogin), store.FromMicros(created)
	return u, err
}

// Create adds a user (platform admin, or the system at first run).
func (s *Service) Create(ctx context.Context, in NewUser) (User, error) {
	a, err := auth.Require(ctx, auth.PermUserManage)
	if err != nil {
		return User{}, err
	}
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName, in.Email = strings.TrimSpace(in.DisplayName), strings.TrimSpace(in.Email)
	var c apperr.Collector
	checkProfile(&c, in.DisplayName, in.Email)
	if !usernameRE.MatchString(in.Username) {
		c.Add("username", "err.username_format")
	}
	if err := s.Config.Policy.Check(in.Username, in.Password); err != nil {
		c.Add("password", apperr.As(err).Fields[0].Key, apperr.As(err).Fields[0].Args...)
	}
	for _, r := range in.Roles {
		if r == auth.RoleAdmin || !slices.Contains(auth.OrgRoles, r) {
			c.Add("roles", "err.invalid_choice")
		}
	}
	if len(in.Roles) > 0 && in.OrgID == 0 {
		c.Add("org_id", "err.required")
	}
	if err := c.Err(); err != nil {
		return User{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return User{}, apperr.Wrap(err, "create user")
	}
	now := s.Clock.Now()
	u := User{Username: in.Username, DisplayName: strings.TrimSpace(in.DisplayName), Email: strings.TrimSpace(in.Email),
		PlatformAdmin: in.PlatformAdmin, MustChangePassword: in.MustChange, Locale: "zh-CN", CreatedAt: now}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, email, password_hash, platform_admin,
			must_change_password, locale, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			u.Username, u.DisplayName, u.Email, hash, u.PlatformAdmin, u.MustChangePassword, u.Locale, store.Micros(now)).Scan(&u.ID)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.Fields([]apperr.FieldError{{Field: "username", Key: "err.duplicate"}})
			}
			return fmt.Errorf("insert user: %w", err)
		}
		if len(in.Roles) > 0 {
			if err := checkOrgExists(ctx, tx, in.OrgID); err != nil {
				return err
			}
		}
		for _, r := range in.Roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, org_id, role) VALUES ($1, $2, $3)`, u.ID, in.OrgID, r); err != nil {
				return fmt.Errorf("insert role: %w", err)
			}
		}
		view := u.auditView()
		view["roles"] = in.Roles
		rec := a.Audit("user.create", "user", fmt.Sprint(u.ID), nil, view)
		if in.OrgID != 0 {
			rec.OrgID = in.OrgID
		}
		return audit.Append(ctx, tx, now, rec)
	})
	if err != nil {
		return User{}, apperr.Wrap(err, "create user")
	}
	u.Roles = map[int64][]auth.Role{}
	if len(in.Roles) > 0 {
		u.Roles[in.OrgID] = in.Roles
	}
	return u, nil
}

// Count returns how many users exist (first-run detection).
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, apperr.Wrap(err, "count users")
}

// getByID reads a user without permission checks (internal use).
func (s *Service) getByID(ctx context.Context, q store.Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return u, fmt.Errorf("read user %d: %w", id, err)
	}
	return u, nil
}

func (s *Service) getByName(ctx context.Context, q store.Querier, name string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return u, fmt.Errorf("read user %q: %w", name, err)
	}
	return u, nil
}

// Get returns a user by id: yourself, or anyone for a user manager.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	a := auth.FromContext(ctx)
	if a == nil {
		return User{}, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	if a.UserID != id && !a.Can(auth.PermUserManage) {
		return User{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	u, err := s.getByID(ctx, s.DB.Read(), id)
	if err != nil {
		return u, apperr.Wrap(err, "get user")
	}
	u.Roles, err = s.rolesOf(ctx, s.DB.Read(), id)
	return u, apperr.Wrap(err, "get user")
}

// GetByName returns a user by username (user managers only).
func (s *Service) GetByName(ctx context.Context, name string) (User, error) {
	if _, err := auth.Require(ctx, auth.PermUserManage); err != nil {
		return User{}, err
	}
	u, err := s.getByName(ctx, s.DB.Read(), name)
	if err != nil {
		return u, apperr.Wrap(err, "get user")
	}
	u.Roles, err = s.rolesOf(ctx, s.DB.Read(), u.ID)
	return u, apperr.Wrap(err, "get user")
}

func (s *Service) rolesOf(ctx context.Context, q store.Querier, userID int64) (map[int64][]auth.Role, error) {
	rows, err := q.QueryContext(ctx, `SELECT org_id, role FROM user_roles WHERE user_id = $1 ORDER BY org_id, role`, userID)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	out := map[int64][]auth.Role{}
	for rows.Next() {
		var org int64
		var r auth.Role
		if err := rows.Scan(&org, &r); err != nil {
			return nil, fmt.Errorf("read roles: %w", err)
		}
		out[org] = append(out[org], r)
	}
	return out, rows.Err()
}

// List returns all users with their roles (user managers only).
func (s *Service) List(ctx context.Context) ([]User, error) {
	if _, err := auth.Require(ctx, auth.PermUserManage); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, apperr.Wrap(err, "list users")
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "list users")
		}
		out = append(out, u)
	}
	rows.Close()
	for i := range out {
		if out[i].Roles, err = s.rolesOf(ctx, s.DB.Read(), out[i].ID); err != nil {
			return nil, apperr.Wrap(err, "list users")
		}
	}
	return out, nil
}

// SetRoles replaces the roles a user holds in one organisation.
func (s *Service) SetRoles(ctx context.Context, userID, orgID int64, roles []auth.Role) error {
	a, err := auth.Require(ctx, auth.PermUserManage)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if !slices.Contains(auth.OrgRoles, r) {
			return apperr.Fields([]apperr.FieldError{{Field: "roles", Key: "err.invalid_choice"}})
		}
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := lockUser(ctx, tx, userID); err != nil {
			return err
		}
		if err := checkOrgExists(ctx, tx, orgID); err != nil {
			return err
		}
		before, err := s.rolesOf(ctx, tx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND org_id = $2`, userID, orgID); err != nil {
			return fmt.Errorf("clear roles: %w", err)
		}
		for _, r := range roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, org_id, role) VALUES ($1, $2, $3)`, userID, orgID, r); err != nil {
				return fmt.Errorf("insert role: %w", err)
			}
		}
		rec := a.Audit("user.roles", "user", fmt.Sprint(userID), map[string]any{"org_id": orgID, "roles": before[orgID]},
			map[string]any{"org_id": orgID, "roles": roles})
		rec.OrgID = orgID
		return audit.Append(ctx, tx, s.Clock.Now(), rec)
	})
	return apperr.Wrap(err, "set roles")
}

// checkOrgExists refuses roles in an organisation that does not exist, as a
// field error rather than a foreign-key failure.
func checkOrgExists(ctx context.Context, q store.Querier, orgID int64) error {
	var exists int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE id = $1`, orgID).Scan(&exists); err != nil {
		return fmt.Errorf("check organisation: %w", err)
	}
	if exists == 0 {
		return apperr.Fields([]apperr.FieldError{{Field: "org_id", Key: "err.not_found"}})
	}
	return nil
}

// SetDisabled disables or enables an account; disabling ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, userID int64, disabled bool) error {
	_, err := s.Update(ctx, userID, Patch{Disabled: &disabled})
	return err
}

// ResetPassword sets another user's password (user managers; the CLI). The
// user must change it at next login unless mustChange is false.
func (s *Service) ResetPassword(ctx context.Context, userID int64, password string, mustChange bool) error {
	a, err := auth.Require(ctx, auth.PermUserManage)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, a, userID, password, mustChange, "user.password_reset")
}

// ChangeOwnPassword changes the caller's password after checking the old one.
func (s *Service) ChangeOwnPassword(ctx context.Context, oldPassword, newPassword string) error {
	a := auth.FromContext(ctx)
	if a == nil || a.UserID == 0 {
		return apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	u, err := s.getByID(ctx, s.DB.Read(), a.UserID)
	if err != nil {
		return apperr.Wrap(err, "change password")
	}
	ok, err := auth.CheckPassword(u.passwordHash, oldPassword)
	if err != nil {
		return apperr.Wrap(err, "change password")
	}
	if !ok {
		return apperr.Fields([]apperr.FieldError{{Field: "old_password", Key: "err.wrong_password"}})
	}
	if oldPassword == newPassword {
		return apperr.Fields([]apperr.FieldError{{Field: "password", Key: "err.password_unchanged"}})
	}
	return s.setPassword(ctx, a, a.UserID, newPassword, false, "user.password_change")
}

func (s *Service) setPassword(ctx context.Context, a *auth.Actor, userID int64, password string, mustChange bool, action string) error {
	u, err := s.getByID(ctx, s.DB.Read(), userID)
	if err != nil {
		return apperr.Wrap(err, "set password")
	}
	if err := s.Config.Policy.Check(u.Username, password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return apperr.Wrap(err, "set password")
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2,
			failed_logins = 0, locked_until = 0, updated_at = $3 WHERE id = $4`,
			hash, mustChange, store.Micros(s.Clock.Now()), userID); err != nil {
			return fmt.Errorf("update password: %w", err)
		}
		// Other sessions of this user end; the caller's own session is
		// replaced by the web layer with a fresh id.
		if err := deleteSessionsOf(ctx, tx, userID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.Clock.Now(), a.Audit(action, "user", fmt.Sprint(userID), nil,
			map[string]any{"must_change_password": mustChange}))
	})
	return apperr.Wrap(err, "set password")
}

// SetLocale stores the caller's UI language.
func (s *Service) SetLocale(ctx context.Context, locale string) error {
	a := auth.FromContext(ctx)
	if a == nil || a.UserID == 0 {
		return apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	if !slices.Contains(Locales, locale) {
		return apperr.Fields([]apperr.FieldError{{Field: "locale", Key: "err.invalid_choice"}})
	}
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		var before string
		if err := tx.QueryRowContext(ctx, `SELECT locale FROM users WHERE id = $1`, a.UserID).Scan(&before); err != nil {
			return fmt.Errorf("read locale: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3`,
			locale, store.Micros(s.Clock.Now()), a.UserID); err != nil {
			return fmt.Errorf("update locale: %w", err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), a.Audit("user.locale", "user", fmt.Sprint(a.UserID),
			map[string]string{"locale": before}, map[string]string{"locale": locale}))
	})
	return apperr.Wrap(err, "set locale")
}
