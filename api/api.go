// Package api is Sizerun's JSON API (shared/design/api.md): Echo handlers
// that bind the request, call one domain service and render the result.
// Errors go back to web.ErrorHandler, the one place that shapes them.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/web"
)

// List is the shape of every list response.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Group returns the /api/v1 group behind bearer authentication; the token
// endpoint is registered before it, outside the authentication.
func Group(e *echo.Echo, authSvc *auth.Service) *echo.Group {
	e.POST("/api/v1/auth/token", tokenHandler(authSvc))
	g := e.Group("/api/v1", web.BearerAuth(authSvc.Tokens()))
	// Unknown API paths answer in the API's shape, after authentication.
	g.Any("/*", func(c echo.Context) error { return apperr.New(apperr.NotFound, "no such endpoint") })
	return g
}

type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenUser struct {
	Email    string  `json:"email"`
	Role     string  `json:"role"`
	Dealer   *string `json:"dealer"`
	Supplier *string `json:"supplier"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt string    `json:"expires_at"`
	User      tokenUser `json:"user"`
}

func tokenHandler(svc *auth.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req tokenRequest
		if err := BindJSON(c, &req); err != nil {
			return err
		}
		var details []apperr.Detail
		if strings.TrimSpace(req.Email) == "" {
			details = append(details, apperr.Detail{Field: "email", Message: "email is required"})
		}
		if req.Password == "" {
			details = append(details, apperr.Detail{Field: "password", Message: "password is required"})
		}
		if len(details) > 0 {
			return apperr.Invalid("email and password are required", details...)
		}
		tok, exp, p, err := svc.Login(c.Request().Context(), req.Email, req.Password, c.RealIP())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, tokenResponse{
			Token: tok, TokenType: "Bearer", ExpiresAt: exp.UTC().Format("2006-01-02T15:04:05Z"),
			User: PrincipalUser(p),
		})
	}
}

// PrincipalUser is the "user" object of api.md's token response.
func PrincipalUser(p auth.Principal) tokenUser {
	u := tokenUser{Email: p.Email, Role: string(p.Role)}
	if p.DealerCode != "" {
		u.Dealer = &p.DealerCode
	}
	if p.SupplierCode != "" {
		u.Supplier = &p.SupplierCode
	}
	return u
}

// BindJSON decodes a JSON body into v. A wrong content type, malformed JSON,
// a value of the wrong type or trailing data is a validation error that
// names what is wrong; an oversized body is payload_too_large.
func BindJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return apperr.Field("Content-Type", "the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Field("body", "unexpected data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe), errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.PayloadTooLarge, "the request body is too large")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.Field(field, "%s must be a %s", field, jsonKind(te.Type.Kind().String()))
	case errors.As(err, &se):
		return apperr.Field("body", "malformed JSON at byte %d", se.Offset)
	case errors.Is(err, io.EOF):
		return apperr.Field("body", "the request body is empty")
	}
	return apperr.Field("body", "malformed JSON")
}

func jsonKind(k string) string {
	switch k {
	case "int", "int32", "int64":
		return "integer"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	}
	return k
}
