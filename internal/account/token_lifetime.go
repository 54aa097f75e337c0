package account

import (
	"time"

	"bulwark/internal/apperr"
)

// TokenLifetime is one expiry choice for a new API token.
type TokenLifetime struct {
	Name string        // as sent by the UI and the API: 30d, 90d, 1y, never
	For  time.Duration // 0: never expires
}

// TokenLifetimes are the choices offered, in display order. A fixed list
// rather than any duration keeps tokens from silently living for decades by
// a typo, and lets the UI and the API speak the same values.
var TokenLifetimes = []TokenLifetime{
	{"30d", 30 * 24 * time.Hour},
	{"90d", 90 * 24 * time.Hour},
	{"1y", 365 * 24 * time.Hour},
	{"never", 0},
}

// DefaultTokenLifetime is used when none is given.
const DefaultTokenLifetime = "90d"

// ParseTokenLifetime turns a choice's name into its duration.
func ParseTokenLifetime(name string) (time.Duration, error) {
	if name == "" {
		name = DefaultTokenLifetime
	}
	for _, l := range TokenLifetimes {
		if l.Name == name {
			return l.For, nil
		}
	}
	return 0, apperr.Fields([]apperr.FieldError{{Field: "expires", Key: "err.invalid_choice"}})
}
