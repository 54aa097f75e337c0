package api

import (
	"net/http"

	"bulwark/internal/account"
	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/httpx"
)

func init() {
	registerSchema("Token", account.Token{})
	registerSchema("TokenInput", tokenInput{})
	registerSchema("TokenCreated", TokenCreated{})
}

func (h *API) tokenRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/tokens", Handler: h.listTokens,
			Doc: &httpx.Doc{Summary: "The caller's own API tokens (secrets are never shown again)", Tag: "tokens", Response: "Token", Paginated: true}},
		{Method: "POST", Pattern: "/api/v1/tokens", Handler: h.createToken,
			Doc: &httpx.Doc{Summary: "Create an API token for the caller; expires is 30d, 90d (default), 1y or never; the secret is returned this once",
				Tag: "tokens", Request: "TokenInput", Response: "TokenCreated", Status: 201}},
		{Method: "DELETE", Pattern: "/api/v1/tokens/{id}", Handler: h.revokeToken,
			Doc: &httpx.Doc{Summary: "Revoke one of the caller's tokens at once (a platform admin may revoke anyone's)", Tag: "tokens", Status: 204}},
	}
}

// tokenInput names a new token and says how long it lives.
type tokenInput struct {
	Name    string `json:"name"`
	Expires string `json:"expires"`
}

// TokenCreated is a new token with its secret, shown this once; only its
// hash is stored.
type TokenCreated struct {
	account.Token
	Secret string `json:"secret"`
}

func callerID(r *http.Request) (int64, error) {
	a := auth.FromContext(r.Context())
	if a == nil {
		return 0, apperr.New(apperr.Unauthenticated, "err.unauthenticated")
	}
	return a.UserID, nil
}

func (h *API) listTokens(w http.ResponseWriter, r *http.Request) {
	uid, err := callerID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	list, err := h.App.Accounts.ListTokens(r.Context(), uid)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if list == nil {
		list = []account.Token{}
	}
	httpx.WriteJSON(w, http.StatusOK, List[account.Token]{Items: list, Total: len(list), Page: 1, PerPage: max(len(list), 1)})
}

func (h *API) createToken(w http.ResponseWriter, r *http.Request) {
	uid, err := callerID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in tokenInput
	if err := decode(r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	life, err := account.ParseTokenLifetime(in.Expires)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	t, secret, err := h.App.Accounts.CreateToken(r.Context(), uid, in.Name, life)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, TokenCreated{Token: t, Secret: secret})
}

func (h *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	deleteByID(w, r, h.App.Accounts.RevokeToken)
}
