package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Session is a logged-in browser. Only the SHA-256 of its id is stored, so a
// copy of the database does not hand out live sessions.
type Session struct {
	UserID     int64
	OrgID      int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

func newSecret(prefix string) (raw, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	raw = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return raw, hashSecret(raw)
}

func hashSecret(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// StartSession records a new session for user in org and returns its id for
// the cookie. A new id at every login defeats session fixation.
func (s *Service) StartSession(ctx context.Context, userID, orgID int64, ip, userAgent string) (string, error) {
	raw, hash := newSecret("")
	now := store.Micros(s.Clock.Now())
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := s.DB.Write().ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, org_id, ip, user_agent, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, hash, userID, orgID, ip, userAgent, now)
	if err != nil {
		return "", apperr.Wrap(err, "start session")
	}
	return raw, nil
}

// EndSession removes a session (logout).
func (s *Service) EndSession(ctx context.Context, raw string) error {
	_, err := s.DB.Write().ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashSecret(raw))
	return apperr.Wrap(err, "end session")
}

// SwitchOrg moves a session to another organisation the user belongs to.
func (s *Service) SwitchOrg(ctx context.Context, raw string, orgID int64) error {
	a := auth.FromContext(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	if !a.PlatformAdmin {
		var n int
		if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND org_id = $2`,
			a.UserID, orgID).Scan(&n); err != nil {
			return apperr.Wrap(err, "switch organisation")
		}
		if n == 0 {
			return apperr.New(apperr.Forbidden, "err.forbidden")
		}
	}
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET org_id = $1 WHERE id_hash = $2`, orgID, hashSecret(raw)); err != nil {
			return fmt.Errorf("update session: %w", err)
		}
		rec := a.Audit("session.switch_org", "user", fmt.Sprint(a.UserID), map[string]int64{"org_id": a.OrgID}, map[string]int64{"org_id": orgID})
		rec.OrgID = orgID
		return audit.Append(ctx, tx, s.Clock.Now(), rec)
	})
	return apperr.Wrap(err, "switch organisation")
}

// AuthenticateSession returns the actor of a session id, or an
// Unauthenticated error when it is unknown, idle too long or too old.
func (s *Service) AuthenticateSession(ctx context.Context, raw, ip string) (*auth.Actor, User, error) {
	hash := hashSecret(raw)
	var sess Session
	var created, seen int64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT user_id, org_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1`, hash).
		Scan(&sess.UserID, &sess.OrgID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, User{}, apperr.New(apperr.Unauthenticated, "err.session_expired")
	}
	if err != nil {
		return nil, User{}, apperr.Wrap(err, "read session")
	}
	now := s.Clock.Now()
	sess.CreatedAt, sess.LastSeenAt = store.FromMicros(created), store.FromMicros(seen)
	if now.Sub(sess.LastSeenAt) > s.Config.IdleTimeout || now.Sub(sess.CreatedAt) > s.Config.AbsoluteTimeout {
		_, _ = s.DB.Write().ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hash)
		return nil, User{}, apperr.New(apperr.Unauthenticated, "err.session_expired")
	}
	u, err := s.getByID(ctx, s.DB.Read(), sess.UserID)
	if err != nil || u.Disabled {
		return nil, User{}, apperr.New(apperr.Unauthenticated, "err.session_expired")
	}
	// Touch at most once a minute so reads do not turn into writes.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if _, err := s.DB.Write().ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, store.Micros(now), hash); err != nil {
			return nil, User{}, apperr.Wrap(err, "touch session")
		}
	}
	a, err := s.ActorFor(ctx, u, sess.OrgID, ip)
	return a, u, err
}

// ActorFor builds the actor of user working in orgID. If the user holds no
// role there (a revoked membership), the first organisation they do belong
// to is used; with none, the actor has no roles and can do nothing but manage
// its own account.
func (s *Service) ActorFor(ctx context.Context, u User, orgID int64, ip string) (*auth.Actor, error) {
	roles, err := s.rolesOf(ctx, s.DB.Read(), u.ID)
	if err != nil {
		return nil, apperr.Wrap(err, "load roles")
	}
	a := &auth.Actor{UserID: u.ID, Username: u.Username, PlatformAdmin: u.PlatformAdmin, IP: ip, Locale: u.Locale}
	if _, ok := roles[orgID]; ok || (u.PlatformAdmin && orgID != 0) {
		a.OrgID = orgID
	} else {
		a.OrgID = firstOrg(roles)
		if a.OrgID == 0 && u.PlatformAdmin {
			if err := s.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM organizations`).Scan(&a.OrgID); err != nil {
				return nil, apperr.Wrap(err, "find organisation")
			}
		}
	}
	a.Roles = roles[a.OrgID]
	return a, nil
}

func firstOrg(roles map[int64][]auth.Role) int64 {
	var first int64
	for id := range roles {
		if first == 0 || id < first {
			first = id
		}
	}
	return first
}

// DefaultOrg returns the organisation a user starts in after login.
func (s *Service) DefaultOrg(ctx context.Context, u User) (int64, error) {
	a, err := s.ActorFor(ctx, u, 0, "")
	if err != nil {
		return 0, err
	}
	return a.OrgID, nil
}

func deleteSessionsOf(ctx context.Context, tx *store.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return nil
}
