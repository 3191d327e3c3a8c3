package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
	"github.com/sizerun/sizerun/web"
)

const testSecret = "test-secret-test-secret-test-secret-1234"

func newAuthServer(t *testing.T, limits auth.Limits) (*echo.Echo, *auth.Service) {
	t.Helper()
	db := pgtest.New(t)
	tokens, err := auth.NewTokens(testSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(authdb.New(db), tokens, limits)
	if _, err := svc.AddUser(context.Background(), auth.NewUser{Email: "Planner@Example.test", Password: "correct-horse-battery", Role: auth.RolePlanner}); err != nil {
		t.Fatal(err)
	}
	e := server.New(server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "64K"})
	g := api.Group(e, svc)
	g.GET("/whoami", func(c echo.Context) error { return c.JSON(200, web.MustPrincipal(c)) })
	g.GET("/admin-only", func(c echo.Context) error { return c.NoContent(204) }, web.RequireRole(auth.RoleAdmin))
	return e, svc
}

func do(e *echo.Echo, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct{ Field, Message string }
	} `json:"error"`
}

func decodeErr(t *testing.T, rec *httptest.ResponseRecorder) errBody {
	t.Helper()
	var b errBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	return b
}

func TestTokenEndpoint(t *testing.T) {
	e, _ := newAuthServer(t, auth.DefaultLimits)

	rec := do(e, "POST", "/api/v1/auth/token", `{"email":"planner@example.test","password":"correct-horse-battery"}`)
	if rec.Code != 200 {
		t.Fatalf("login = %d %s", rec.Code, rec.Body)
	}
	var ok struct {
		TokenType string `json:"token_type"`
		ExpiresAt string `json:"expires_at"`
		User      struct {
			Email, Role string
			Dealer      *string
		}
	}
	json.Unmarshal(rec.Body.Bytes(), &ok)
	var raw map[string]any
	json.Unmarshal(rec.Body.Bytes(), &raw)
	tok, _ := raw["token"].(string)
	if tok == "" || ok.TokenType != "Bearer" || ok.User.Role != "planner" || ok.User.Dealer != nil {
		t.Errorf("token response = %s", rec.Body)
	}
	if _, err := time.Parse(time.RFC3339, ok.ExpiresAt); err != nil {
		t.Errorf("expires_at %q: %v", ok.ExpiresAt, err)
	}

	// Wrong password and unknown email get the same answer.
	wrong := do(e, "POST", "/api/v1/auth/token", `{"email":"planner@example.test","password":"nope-nope-nope"}`)
	unknown := do(e, "POST", "/api/v1/auth/token", `{"email":"nobody@example.test","password":"nope-nope-nope"}`)
	if wrong.Code != 401 || unknown.Code != 401 || wrong.Body.String() != unknown.Body.String() {
		t.Errorf("wrong password = %d %s; unknown email = %d %s", wrong.Code, wrong.Body, unknown.Code, unknown.Body)
	}
	if decodeErr(t, wrong).Error.Code != "invalid_credentials" {
		t.Errorf("code = %s", wrong.Body)
	}

	// The token works; the role middleware refuses other roles.
	if r := do(e, "GET", "/api/v1/whoami", "", "Authorization", "Bearer "+tok); r.Code != 200 {
		t.Errorf("whoami = %d %s", r.Code, r.Body)
	}
	if r := do(e, "GET", "/api/v1/admin-only", "", "Authorization", "Bearer "+tok); r.Code != 403 || decodeErr(t, r).Error.Code != "forbidden" {
		t.Errorf("admin-only as planner = %d %s", r.Code, r.Body)
	}
	for name, h := range map[string]string{
		"none":     "",
		"basic":    "Basic cGxhbm5lcjpwdw==",
		"tampered": "Bearer " + tok[:len(tok)-3] + "abc",
		"garbage":  "Bearer x.y.z",
	} {
		r := do(e, "GET", "/api/v1/whoami", "", "Authorization", h)
		if r.Code != 401 || decodeErr(t, r).Error.Code != "unauthorized" {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
}

func TestTokenEndpointBadInput(t *testing.T) {
	e, _ := newAuthServer(t, auth.DefaultLimits)
	tests := []struct {
		name, body, ctype string
		status            int
		field             string
	}{
		{"empty body", "", "application/json", 422, "body"},
		{"malformed", `{"email":`, "application/json", 422, "body"},
		{"wrong type", `{"email": 12, "password": "x"}`, "application/json", 422, "email"},
		{"missing password", `{"email": "a@b.c"}`, "application/json", 422, "password"},
		{"form content type", `email=a`, "application/x-www-form-urlencoded", 422, "Content-Type"},
		{"sql injection is data", `{"email": "' OR 1=1 --", "password": "x' OR '1'='1"}`, "application/json", 401, ""},
		{"too large", `{"email":"` + strings.Repeat("a", 70000) + `","password":"x"}`, "application/json", 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(e, "POST", "/api/v1/auth/token", tt.body, "Content-Type", tt.ctype)
			if r.Code != tt.status {
				t.Fatalf("status = %d %s, want %d", r.Code, r.Body, tt.status)
			}
			b := decodeErr(t, r)
			if tt.field != "" && (len(b.Error.Details) == 0 || b.Error.Details[0].Field != tt.field) {
				t.Errorf("details = %+v, want field %s", b.Error.Details, tt.field)
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	e, _ := newAuthServer(t, auth.Limits{PerClient: 100, PerAccount: 5, Window: time.Minute})
	var last *httptest.ResponseRecorder
	for i := 0; i < 6; i++ {
		last = do(e, "POST", "/api/v1/auth/token", `{"email":"planner@example.test","password":"guess-guess-`+string(rune('a'+i))+`"}`)
	}
	if last.Code != http.StatusTooManyRequests || decodeErr(t, last).Error.Code != "rate_limited" {
		t.Fatalf("6th attempt = %d %s, want 429 rate_limited", last.Code, last.Body)
	}
	// Even the right password is refused while the account is limited.
	r := do(e, "POST", "/api/v1/auth/token", `{"email":"planner@example.test","password":"correct-horse-battery"}`)
	if r.Code != http.StatusTooManyRequests {
		t.Errorf("right password while limited = %d", r.Code)
	}
}

func TestHealthAndHeaders(t *testing.T) {
	e, _ := newAuthServer(t, auth.DefaultLimits)
	r := do(e, "GET", "/healthz", "")
	if r.Code != 200 {
		t.Fatalf("healthz = %d", r.Code)
	}
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy", "X-Request-Id"} {
		if r.Header().Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if r := do(e, "GET", "/api/v1/no-such-thing", "", "Authorization", "Bearer x"); r.Code != 401 {
		t.Errorf("unknown path without a valid token = %d", r.Code)
	}
}
