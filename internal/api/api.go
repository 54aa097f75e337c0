// Package api is the JSON REST surface under /api/v1. It calls the same
// services as the web UI, so permissions and validation cannot differ.
// Callers authenticate with personal API tokens (Authorization: Bearer) and
// pick an organisation with the X-Bulwark-Org header.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"bulwark/internal/app"
	"bulwark/internal/apperr"
	"bulwark/internal/config"
	"bulwark/internal/httpx"
)

// API is the JSON surface.
type API struct {
	App *app.App
	Cfg *config.Config
}

// New makes the API.
func New(a *app.App, cfg *config.Config) *API { return &API{App: a, Cfg: cfg} }

// Routes is the API's route table; each resource adds its own in its file.
func (h *API) Routes() []httpx.Route {
	var rs []httpx.Route
	rs = append(rs, h.meRoutes()...)
	rs = append(rs, h.assetRoutes()...)
	rs = append(rs, h.incidentRoutes()...)
	rs = append(rs, h.extraRoutes()...)
	return rs
}

// maxJSONBody bounds a JSON request body; uploads have their own limit.
const maxJSONBody = 1 << 20

// decode reads a JSON body into v, refusing unknown fields so typos surface.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return apperr.Fields([]apperr.FieldError{{Field: typ.Field, Key: "err.wrong_type"}})
		case errors.As(err, &syn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return apperr.New(apperr.Invalid, "err.bad_json")
		default:
			return &apperr.Error{Code: apperr.Invalid, Key: "err.bad_json", Err: err}
		}
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "err.not_found")
	}
	return id, nil
}

// List is the envelope of every paginated listing.
type List[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}
