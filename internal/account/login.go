package account

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// dummyHash is checked against when the username is unknown, so a failed
// login takes as long whether or not the account exists.
var dummyHash, _ = auth.HashPassword("not-a-real-password")

// Login checks a username and password. Failures are counted per account (in
// the database, so every node sees them) and per IP (in memory); too many
// lock the account for a while. Every outcome is logged and audited.
func (s *Service) Login(ctx context.Context, username, password, ip string) (User, error) {
	bad := apperr.New(apperr.Unauthenticated, "err.bad_credentials")
	now := s.Clock.Now()
	if !s.ipGate.allow(ip) {
		slog.WarnContext(ctx, "login throttled", "ip", ip, "username", username)
		_ = s.auditLogin(ctx, 0, 0, username, ip, "login.throttled", nil)
		return User{}, apperr.New(apperr.TooMany, "err.too_many_attempts")
	}
	u, err := s.getByName(ctx, s.DB.Read(), username)
	if apperr.Is(err, apperr.NotFound) {
		_, _ = auth.CheckPassword(dummyHash, password)
		slog.InfoContext(ctx, "login failed", "reason", "unknown user", "ip", ip)
		_ = s.auditLogin(ctx, 0, 0, username, ip, "login.failure", map[string]string{"reason": "unknown_user"})
		return User{}, bad
	}
	if err != nil {
		return User{}, apperr.Wrap(err, "login")
	}
	orgID, _ := s.DefaultOrg(ctx, u)
	if u.lockedUntil > store.Micros(now) {
		slog.WarnContext(ctx, "login refused: account locked", "username", u.Username, "ip", ip)
		_ = s.auditLogin(ctx, u.ID, orgID, u.Username, ip, "login.failure", map[string]string{"reason": "locked"})
		return User{}, apperr.New(apperr.TooMany, "err.account_locked")
	}
	ok, err := auth.CheckPassword(u.passwordHash, password)
	if err != nil {
		return User{}, apperr.Wrap(err, "login")
	}
	if !ok || u.Disabled {
		reason := "bad_password"
		if u.Disabled {
			reason = "disabled"
		}
		err := s.DB.Tx(ctx, func(tx *store.Tx) error {
			var failures int
			if err := tx.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, u.ID).Scan(&failures); err != nil {
				return fmt.Errorf("count failure: %w", err)
			}
			rec := audit.Record{OrgID: orgID, ActorID: u.ID, Actor: u.Username, IP: ip, Action: "login.failure",
				ObjectType: "user", ObjectID: fmt.Sprint(u.ID), After: map[string]any{"reason": reason, "failures": failures}}
			if err := audit.Append(ctx, tx, now, rec); err != nil {
				return err
			}
			if failures >= s.Config.MaxFailures {
				until := now.Add(s.Config.LockoutFor)
				if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2`, store.Micros(until), u.ID); err != nil {
					return fmt.Errorf("lock account: %w", err)
				}
				slog.WarnContext(ctx, "account locked after failed logins", "username", u.Username, "ip", ip, "until", until)
				rec.Action, rec.After = "account.locked", map[string]any{"until": until, "failures": failures}
				return audit.Append(ctx, tx, now, rec)
			}
			return nil
		})
		if err != nil {
			return User{}, apperr.Wrap(err, "login")
		}
		slog.InfoContext(ctx, "login failed", "reason", reason, "username", u.Username, "ip", ip)
		return User{}, bad
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = 0, last_login_at = $1 WHERE id = $2`,
			store.Micros(now), u.ID); err != nil {
			return fmt.Errorf("record login: %w", err)
		}
		return audit.Append(ctx, tx, now, audit.Record{OrgID: orgID, ActorID: u.ID, Actor: u.Username, IP: ip,
			Action: "login.success", ObjectType: "user", ObjectID: fmt.Sprint(u.ID)})
	})
	if err != nil {
		return User{}, apperr.Wrap(err, "login")
	}
	slog.InfoContext(ctx, "login", "username", u.Username, "ip", ip)
	u.LastLoginAt = now
	return u, nil
}

// Logout records the end of a session in the trail.
func (s *Service) Logout(ctx context.Context, raw string) error {
	a := auth.FromContext(ctx)
	if err := s.EndSession(ctx, raw); err != nil {
		return err
	}
	if a == nil {
		return nil
	}
	return s.auditLogin(ctx, a.UserID, a.OrgID, a.Username, a.IP, "logout", nil)
}

func (s *Service) auditLogin(ctx context.Context, userID, orgID int64, username, ip, action string, after any) error {
	err := s.DB.Tx(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, s.Clock.Now(), audit.Record{OrgID: orgID, ActorID: userID, Actor: username, IP: ip,
			Action: action, ObjectType: "user", ObjectID: fmt.Sprint(userID), After: after})
	})
	if err != nil {
		slog.ErrorContext(ctx, "audit login event", "action", action, "err", err)
	}
	return err
}

// ipThrottle limits login attempts per client IP with a token bucket each,
// forgetting addresses idle for ten minutes so the map stays bounded.
type ipThrottle struct {
	mu      sync.Mutex
	perMin  int
	clock   clock.Clock
	buckets map[string]*ipBucket
	lastGC  time.Time
}

type ipBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPThrottle(perMinute int, c clock.Clock) *ipThrottle {
	if perMinute <= 0 {
		perMinute = 20
	}
	return &ipThrottle{perMin: perMinute, clock: c, buckets: map[string]*ipBucket{}}
}

func (t *ipThrottle) allow(ip string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if now.Sub(t.lastGC) > time.Minute {
		for k, b := range t.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(t.buckets, k)
			}
		}
		t.lastGC = now
	}
	b := t.buckets[ip]
	if b == nil {
		b = &ipBucket{lim: rate.NewLimiter(rate.Limit(float64(t.perMin)/60), t.perMin)}
		t.buckets[ip] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
