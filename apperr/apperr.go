// Package apperr defines the error codes of Sizerun, shared by every domain
// package, and the one table that maps them to HTTP statuses (api.md).
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a machine-readable error code from api.md.
type Code string

// The error codes of api.md. Anything else is an internal error.
const (
	InvalidCredentials  Code = "invalid_credentials"
	Unauthorized        Code = "unauthorized"
	Forbidden           Code = "forbidden"
	NotFound            Code = "not_found"
	Validation          Code = "validation_failed"
	SeasonClosed        Code = "season_closed"
	CreditLimitExceeded Code = "credit_limit_exceeded"
	DealerOnHold        Code = "dealer_on_hold"
	InvalidState        Code = "invalid_state"
	IdempotencyReused   Code = "idempotency_key_reused"
	Conflict            Code = "conflict"
	PayloadTooLarge     Code = "payload_too_large"
	RateLimited         Code = "rate_limited"
	Internal            Code = "internal"
)

var statuses = map[Code]int{
	InvalidCredentials:  http.StatusUnauthorized,
	Unauthorized:        http.StatusUnauthorized,
	Forbidden:           http.StatusForbidden,
	NotFound:            http.StatusNotFound,
	Validation:          http.StatusUnprocessableEntity,
	SeasonClosed:        http.StatusConflict,
	CreditLimitExceeded: http.StatusConflict,
	DealerOnHold:        http.StatusConflict,
	InvalidState:        http.StatusConflict,
	IdempotencyReused:   http.StatusConflict,
	Conflict:            http.StatusConflict,
	PayloadTooLarge:     http.StatusRequestEntityTooLarge,
	RateLimited:         http.StatusTooManyRequests,
	Internal:            http.StatusInternalServerError,
}

// Status is the HTTP status for a code; unknown codes are 500.
func Status(c Code) int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Detail names one bad field (or row) and why.
type Detail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error that is safe to show to the caller.
type Error struct {
	Code    Code
	Message string
	Details []Detail
}

func (e *Error) Error() string {
	if len(e.Details) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d details)", e.Code, e.Message, len(e.Details))
}

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation_failed error with the given details. The
// message counts them, as in api.md ("2 lines are invalid").
func Invalid(message string, details ...Detail) *Error {
	return &Error{Code: Validation, Message: message, Details: details}
}

// Field is a shorthand for a validation error about one field.
func Field(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Validation, Message: msg, Details: []Detail{{Field: field, Message: msg}}}
}

// CodeOf returns the code of err, or Internal when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the code c.
func Is(err error, c Code) bool { return err != nil && CodeOf(err) == c }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
