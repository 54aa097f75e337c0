package web

import (
	"net/http"

	"bulwark/internal/account"
	"bulwark/internal/auth"
)

// accountData is what the account page shows: the user's tokens.
type accountPageData struct {
	Tokens   []account.Token
	NewToken string // a token's secret, shown once right after creation
}

func (u *UI) accountData(r *http.Request) accountPageData {
	var d accountPageData
	if a := auth.FromContext(r.Context()); a != nil {
		d.Tokens, _ = u.App.Accounts.ListTokens(r.Context(), a.UserID)
	}
	return d
}
