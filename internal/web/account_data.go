package web

import (
	"net/http"
	"time"

	"bulwark/internal/account"
	"bulwark/internal/auth"
)

// accountData is what the account page shows: the user's tokens.
type accountPageData struct {
	Tokens   []account.Token
	NewToken string // a token's secret, shown once right after creation
	// Now tells expired tokens apart in the list.
	Now time.Time
	// Lifetimes are the expiry choices for a new token.
	Lifetimes []account.TokenLifetime
	Default   string
}

func (u *UI) accountData(r *http.Request) accountPageData {
	d := accountPageData{Now: u.App.Clock.Now(), Lifetimes: account.TokenLifetimes, Default: account.DefaultTokenLifetime}
	if a := auth.FromContext(r.Context()); a != nil {
		d.Tokens, _ = u.App.Accounts.ListTokens(r.Context(), a.UserID)
	}
	return d
}
