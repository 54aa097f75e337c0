package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Token is a personal API token. The secret is shown once at creation; only
// its SHA-256 is stored.
type Token struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// TokenPrefix starts every token, so leaked tokens are easy to recognise.
const TokenPrefix = "bwk_"

func (s *Service) mayManageTokensOf(ctx context.Context, userID int64) (*auth.Actor, error) {
	a := auth.FromContext(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	if a.UserID != userID && !a.Can(auth.PermUserManage) {
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a, nil
}

// CreateToken makes a token for userID (yourself, or anyone for a user
// manager) and returns it with its secret. expiresIn 0 means no expiry.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, expiresIn time.Duration) (Token, string, error) {
	a, err := s.mayManageTokensOf(ctx, userID)
	if err != nil {
		return Token{}, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	if len([]rune(name)) > 100 {
		return Token{}, "", apperr.Fields([]apperr.FieldError{{Field: "name", Key: "err.too_long", Args: []any{100}}})
	}
	if expiresIn < 0 {
		return Token{}, "", apperr.Fields([]apperr.FieldError{{Field: "expires", Key: "err.invalid_duration"}})
	}
	raw, hash := newSecret(TokenPrefix)
	now := s.Clock.Now()
	t := Token{UserID: userID, Name: name, Prefix: raw[:len(TokenPrefix)+6], CreatedAt: now}
	if expiresIn > 0 {
		t.ExpiresAt = now.Add(expiresIn)
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := s.getByID(ctx, tx, userID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, userID, t.Name, hash, t.Prefix, store.Micros(now), store.Micros(t.ExpiresAt)).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return audit.Append(ctx, tx, now, a.Audit("token.create", "token", fmt.Sprint(t.ID), nil, t))
	})
	if err != nil {
		return Token{}, "", apperr.Wrap(err, "create token")
	}
	return t, raw, nil
}

// ListTokens lists a user's tokens.
func (s *Service) ListTokens(ctx context.Context, userID int64) ([]Token, error) {
	if _, err := s.mayManageTokensOf(ctx, userID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, apperr.Wrap(err, "list tokens")
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "list tokens")
		}
		out = append(out, t)
	}
	return out, apperr.Wrap(rows.Err(), "list tokens")
}

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var c, e, u, r int64
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &c, &e, &u, &r)
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = store.FromMicros(c), store.FromMicros(e), store.FromMicros(u), store.FromMicros(r)
	return t, err
}

// RevokeToken ends a token at once.
func (s *Service) RevokeToken(ctx context.Context, tokenID int64) error {
	var owner int64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT user_id FROM api_tokens WHERE id = $1`, tokenID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return apperr.Wrap(err, "revoke token")
	}
	a, err := s.mayManageTokensOf(ctx, owner)
	if err != nil {
		// Someone else's token: do not reveal that it exists.
		if apperr.Is(err, apperr.Forbidden) {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		return err
	}
	now := s.Clock.Now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, store.Micros(now), tokenID); err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		return audit.Append(ctx, tx, now, a.Audit("token.revoke", "token", fmt.Sprint(tokenID), nil, nil))
	})
	return apperr.Wrap(err, "revoke token")
}

// AuthenticateToken returns the actor of an API token working in orgID (0:
// the user's first organisation).
func (s *Service) AuthenticateToken(ctx context.Context, raw string, orgID int64, ip string) (*auth.Actor, User, error) {
	bad := apperr.New(apperr.Unauthenticated, "err.bad_token")
	if !strings.HasPrefix(raw, TokenPrefix) {
		return nil, User{}, bad
	}
	hash := hashSecret(raw)
	var t Token
	t, err := scanToken(s.DB.Read().QueryRowContext(ctx, `SELECT id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, User{}, bad
	}
	if err != nil {
		return nil, User{}, apperr.Wrap(err, "read token")
	}
	now := s.Clock.Now()
	if !t.RevokedAt.IsZero() || (!t.ExpiresAt.IsZero() && now.After(t.ExpiresAt)) {
		return nil, User{}, bad
	}
	u, err := s.getByID(ctx, s.DB.Read(), t.UserID)
	if err != nil || u.Disabled {
		return nil, User{}, bad
	}
	if now.Sub(t.LastUsedAt) > time.Minute {
		if _, err := s.DB.Write().ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, store.Micros(now), t.ID); err != nil {
			return nil, User{}, apperr.Wrap(err, "touch token")
		}
	}
	a, err := s.ActorFor(ctx, u, orgID, ip)
	if err != nil {
		return nil, User{}, err
	}
	if orgID != 0 && a.OrgID != orgID {
		return nil, User{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a, u, nil
}
