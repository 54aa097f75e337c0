// Package account keeps users, their roles per organisation, login sessions
// and API tokens, and decides who a request is (Authenticate*).
package account

import (
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Config holds the account rules an operator can set.
type Config struct {
	Policy          auth.PasswordPolicy
	IdleTimeout     time.Duration // a session unused this long ends
	AbsoluteTimeout time.Duration // a session ends this long after login, used or not
	MaxFailures     int           // consecutive failed logins before a lockout
	LockoutFor      time.Duration
	IPAttempts      int // login attempts per IP per minute
}

// DefaultConfig is what serve uses without flags.
func DefaultConfig() Config {
	return Config{
		Policy:          auth.PasswordPolicy{MinLength: 12},
		IdleTimeout:     30 * time.Minute,
		AbsoluteTimeout: 12 * time.Hour,
		MaxFailures:     5,
		LockoutFor:      15 * time.Minute,
		IPAttempts:      20,
	}
}

// Service is the account service.
type Service struct {
	DB     *store.DB
	Clock  clock.Clock
	Config Config
	ipGate *ipThrottle
}

// New makes the service.
func New(db *store.DB, c clock.Clock, cfg Config) *Service {
	return &Service{DB: db, Clock: c, Config: cfg, ipGate: newIPThrottle(cfg.IPAttempts, c)}
}
