// Package apperr is the one error type that crosses from the service layer to
// the UI, the API and the CLI. Messages are message-catalogue keys so each
// surface can show them in the user's language; only internal errors are
// logged, and raw database errors never reach a user.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error for the surfaces.
type Code string

const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Forbidden       Code = "forbidden"
	Unauthenticated Code = "unauthenticated"
	Conflict        Code = "conflict"
	TooMany         Code = "too_many_requests"
	TooLarge        Code = "too_large"
	Internal        Code = "internal"
)

// FieldError is one problem with one input field (or one cell of an import:
// Row is then its 1-based row number).
type FieldError struct {
	Field string `json:"field"`
	Row   int    `json:"row,omitempty"`
	Key   string `json:"code"` // catalogue key, e.g. "err.required"
	Args  []any  `json:"-"`
}

// Error is a classified error with a catalogue key for its message.
type Error struct {
	Code   Code
	Key    string // catalogue key of the message
	Args   []any
	Fields []FieldError
	Err    error // cause, for logs only
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Key
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" (%d field errors, first %s: %s)", len(e.Fields), e.Fields[0].Field, e.Fields[0].Key)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error of code with message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Fields makes an invalid-input error listing every field problem.
func Fields(fields []FieldError) *Error {
	return &Error{Code: Invalid, Key: "err.invalid_input", Fields: fields}
}

// Wrap marks err as internal, keeping it for the log.
func Wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return &Error{Code: Internal, Key: "err.internal", Err: fmt.Errorf("%s: %w", what, err)}
}

// As returns the *Error in err's chain, or an internal error wrapping err.
func As(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return &Error{Code: Internal, Key: "err.internal", Err: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.Code == code
}

// Status maps a code to its HTTP status, in this one place.
func (c Code) Status() int {
	switch c {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Forbidden:
		return http.StatusForbidden
	case Unauthenticated:
		return http.StatusUnauthorized
	case Conflict:
		return http.StatusConflict
	case TooMany:
		return http.StatusTooManyRequests
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// Collector gathers field errors during validation.
type Collector struct{ list []FieldError }

// Add records a problem with field.
func (c *Collector) Add(field, key string, args ...any) {
	c.list = append(c.list, FieldError{Field: field, Key: key, Args: args})
}

// Err returns nil when nothing was added, else an Invalid error.
func (c *Collector) Err() error {
	if len(c.list) == 0 {
		return nil
	}
	return Fields(c.list)
}

// List returns the collected errors.
func (c *Collector) List() []FieldError { return c.list }
