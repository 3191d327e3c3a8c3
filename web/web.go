// Package web holds what the JSON API and the portal share over HTTP: the
// caller's principal in the request, authentication and role middleware, and
// the one place that turns errors into responses (api.md's error shape under
// /api, an error page elsewhere).
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

const principalKey = "sizerun.principal"

// CookieName is the portal's HttpOnly cookie that holds the token.
const CookieName = "sizerun_token"

// Principal returns the authenticated caller of the request.
func Principal(c echo.Context) (auth.Principal, bool) {
	p, ok := c.Get(principalKey).(auth.Principal)
	return p, ok
}

// MustPrincipal returns the caller; handlers behind Authenticate may use it.
func MustPrincipal(c echo.Context) auth.Principal {
	p, _ := Principal(c)
	return p
}

// SetPrincipal stores p in the request (for the middleware and tests).
func SetPrincipal(c echo.Context, p auth.Principal) { c.Set(principalKey, p) }

// BearerAuth requires a valid `Authorization: Bearer` token (the API).
func BearerAuth(tokens *auth.Tokens) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get("Authorization")
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || tok == "" {
				return apperr.New(apperr.Unauthorized, "a Bearer token is required")
			}
			p, err := tokens.Verify(strings.TrimSpace(tok))
			if err != nil {
				return err
			}
			SetPrincipal(c, p)
			return next(c)
		}
	}
}

// RequireRole lets only the given roles through; others get 403.
func RequireRole(roles ...auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := Principal(c)
			if !ok {
				return apperr.New(apperr.Unauthorized, "sign in first")
			}
			for _, r := range roles {
				if p.Role == r {
					return next(c)
				}
			}
			return apperr.New(apperr.Forbidden, "your role may not do this")
		}
	}
}

// ErrorBody is api.md's error shape.
type ErrorBody struct {
	Error ErrorPayload `json:"error"`
}

// ErrorPayload is the inside of ErrorBody.
type ErrorPayload struct {
	Code    apperr.Code     `json:"code"`
	Message string          `json:"message"`
	Details []apperr.Detail `json:"details,omitempty"`
}

// PageRenderer renders an error page for the portal.
type PageRenderer interface {
	RenderError(c echo.Context, status int, e *apperr.Error) error
}

// ToAppError converts any error (domain, Echo, internal) into an *apperr.Error
// and reports whether it was internal.
func ToAppError(err error) (*apperr.Error, bool) {
	if e, ok := apperr.As(err); ok {
		return e, e.Code == apperr.Internal
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound:
			return &apperr.Error{Code: apperr.NotFound, Message: "not found"}, false
		case http.StatusMethodNotAllowed:
			return &apperr.Error{Code: apperr.NotFound, Message: "not found"}, false
		case http.StatusRequestEntityTooLarge:
			return &apperr.Error{Code: apperr.PayloadTooLarge, Message: "the request body is too large"}, false
		case http.StatusUnauthorized:
			return &apperr.Error{Code: apperr.Unauthorized, Message: "sign in first"}, false
		case http.StatusForbidden:
			return &apperr.Error{Code: apperr.Forbidden, Message: msg}, false
		case http.StatusTooManyRequests:
			return &apperr.Error{Code: apperr.RateLimited, Message: "too many requests"}, false
		case http.StatusBadRequest, http.StatusUnsupportedMediaType:
			return &apperr.Error{Code: apperr.Validation, Message: "the request could not be read",
				Details: []apperr.Detail{{Field: "body", Message: "malformed request: " + strings.ToLower(msg)}}}, false
		}
		if he.Code < 500 {
			return &apperr.Error{Code: apperr.Validation, Message: msg}, false
		}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "internal error"}, true
}

// ClientGone reports whether the client of the request went away (its
// context was cancelled): whatever failed then (a query cancelled with
// SQLSTATE 57014, a context.Canceled) is not the server's fault.
func ClientGone(c echo.Context) bool {
	return errors.Is(c.Request().Context().Err(), context.Canceled)
}

// ErrorHandler is Echo's HTTPErrorHandler: the one place where errors become
// responses. Internal errors are logged once, with the request ID, and shown
// to users only as "internal error"; at Info, not Error, when the client went
// away (a client timing out is not a server failure).
func ErrorHandler(log *slog.Logger, pages PageRenderer) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e, internal := ToAppError(err)
		status := apperr.Status(e.Code)
		rid := c.Response().Header().Get(echo.HeaderXRequestID)
		gone := ClientGone(c)
		switch {
		case internal && gone:
			log.Info("request cancelled: the client went away", "request_id", rid, "method", c.Request().Method,
				"path", c.Request().URL.Path, "err", err)
		case internal:
			log.Error("request failed", "request_id", rid, "method", c.Request().Method,
				"path", c.Request().URL.Path, "err", err)
		}
		var werr error
		if pages != nil && !IsAPI(c) && c.Request().Method != http.MethodHead {
			werr = pages.RenderError(c, status, e)
		} else if c.Request().Method == http.MethodHead {
			werr = c.NoContent(status)
		} else {
			werr = c.JSON(status, ErrorBody{Error: ErrorPayload{Code: e.Code, Message: e.Message, Details: e.Details}})
		}
		switch {
		case werr != nil && gone:
			log.Info("writing error response: the client went away", "request_id", rid, "err", werr)
		case werr != nil:
			log.Error("writing error response", "request_id", rid, "err", werr)
		}
	}
}

// IsAPI reports whether the request is for the JSON API.
func IsAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/api" || p == "/healthz" || p == "/readyz"
}
