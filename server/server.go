// Package server assembles the Echo instance: middleware common to every
// route (request IDs, logging, recovery, body limit, secure headers,
// compression), health checks, and the routes of the API and the portal.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/sizerun/sizerun/web"
)

// Options configure the Echo instance.
type Options struct {
	Log        *slog.Logger
	BodyLimit  string                          // e.g. "8M"
	Ready      func(ctx context.Context) error // nil error while the database answers
	Pages      web.PageRenderer                // error pages for the portal; nil for JSON only
	TrustProxy bool                            // take the client address from X-Forwarded-For
}

// New returns an Echo instance with the common middleware and health checks.
// Callers register the API and portal routes on it.
func New(o Options) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = web.ErrorHandler(o.Log, o.Pages)
	// The client address (for login rate limits) is the peer's, unless the
	// operator says a proxy in front sets X-Forwarded-For.
	e.IPExtractor = echo.ExtractIPDirect()
	if o.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Server.ReadHeaderTimeout = 10 * time.Second
	e.Server.ReadTimeout = 60 * time.Second
	e.Server.WriteTimeout = 120 * time.Second
	e.Server.IdleTimeout = 120 * time.Second

	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		Skipper: func(c echo.Context) bool { return c.Request().URL.Path == "/" },
	}))
	e.Use(middleware.RequestID())
	e.Use(requestLog(o.Log))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			o.Log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
	}))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if web.IsAPI(c) {
				h.Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	})
	if o.BodyLimit != "" {
		e.Use(middleware.BodyLimit(o.BodyLimit))
	}
	e.Use(cleanInput)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024}))

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		if o.Ready != nil {
			if err := o.Ready(c.Request().Context()); err != nil {
				o.Log.Warn("not ready", "err", err)
				return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
			}
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	return e
}

// requestLog writes one line per request. It never logs headers, cookies,
// query strings or bodies, so tokens and passwords cannot reach the log.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			attrs := []any{
				"request_id", res.Header().Get(echo.HeaderXRequestID),
				"method", req.Method,
				"path", req.URL.Path,
				"status", res.Status,
				"bytes", res.Size,
				"ms", time.Since(start).Milliseconds(),
			}
			if p, ok := web.Principal(c); ok {
				attrs = append(attrs, "user", p.UserID, "role", p.Role)
			}
			if web.ClientGone(c) {
				attrs = append(attrs, "client_gone", true)
			}
			log.Info("request", attrs...)
			return nil
		}
	}
}
