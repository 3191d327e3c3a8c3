// Package config reads Sizerun's settings from the environment, with the
// defaults and descriptions that the README's configuration table lists.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the server.
type Config struct {
	DatabaseURL    string        // DATABASE_URL
	Port           int           // PORT
	JWTSecret      string        // SIZERUN_JWT_SECRET
	TokenTTL       time.Duration // SIZERUN_TOKEN_TTL
	LogLevel       slog.Level    // SIZERUN_LOG_LEVEL
	BodyLimit      string        // SIZERUN_BODY_LIMIT
	PDFFont        string        // SIZERUN_PDF_FONT
	CookieSecure   bool          // SIZERUN_COOKIE_SECURE
	LoginPerClient int           // SIZERUN_LOGIN_PER_CLIENT
	LoginPerAcct   int           // SIZERUN_LOGIN_PER_ACCOUNT
	TrustProxy     bool          // SIZERUN_TRUST_PROXY
	DebugAddr      string        // SIZERUN_DEBUG_ADDR: loopback address for net/http/pprof; "" = off
	OrderWriters   int           // SIZERUN_ORDER_WRITERS: order transactions run at once per process
	MemoryLimitMiB int           // SIZERUN_MEMORY_LIMIT: the Go heap's soft limit in MiB; 0 = none ("off")
}

// DefaultMemoryLimitMiB is the soft limit of the server's Go heap. The server
// holds ~40 MiB under load, but every login's argon2id hash allocates 19 MiB:
// a burst of logins ran the resident size to ~145 MiB before the collector
// caught up; with the limit it stays ~125 MiB. A soft limit never fails an
// allocation, it makes the collector run sooner (at most half the CPU).
const DefaultMemoryLimitMiB = 100

// DefaultPDFFont is the CJK font Debian's fonts-droid-fallback package installs.
const DefaultPDFFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// FromEnv reads the configuration; it refuses to return one without a database
// URL or a JWT secret of at least 32 characters.
func FromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{
		DatabaseURL:  getenv("DATABASE_URL"),
		JWTSecret:    getenv("SIZERUN_JWT_SECRET"),
		BodyLimit:    def(getenv("SIZERUN_BODY_LIMIT"), "8M"),
		PDFFont:      def(getenv("SIZERUN_PDF_FONT"), DefaultPDFFont),
		CookieSecure: getenv("SIZERUN_COOKIE_SECURE") == "true",
		TrustProxy:   getenv("SIZERUN_TRUST_PROXY") == "true",
		DebugAddr:    getenv("SIZERUN_DEBUG_ADDR"),
	}
	var err error
	if c.Port, err = intVar(getenv, "PORT", 8080); err != nil {
		return c, err
	}
	if c.LoginPerClient, err = intVar(getenv, "SIZERUN_LOGIN_PER_CLIENT", 20); err != nil {
		return c, err
	}
	if c.LoginPerAcct, err = intVar(getenv, "SIZERUN_LOGIN_PER_ACCOUNT", 10); err != nil {
		return c, err
	}
	if c.OrderWriters, err = intVar(getenv, "SIZERUN_ORDER_WRITERS", 2*runtime.NumCPU()); err != nil {
		return c, err
	}
	switch v := getenv("SIZERUN_MEMORY_LIMIT"); v {
	case "":
		c.MemoryLimitMiB = DefaultMemoryLimitMiB
	case "off":
		c.MemoryLimitMiB = 0
	default:
		if c.MemoryLimitMiB, err = strconv.Atoi(v); err != nil || c.MemoryLimitMiB < 16 || c.MemoryLimitMiB > 1<<20 {
			return c, fmt.Errorf("SIZERUN_MEMORY_LIMIT: %q is not a number of MiB from 16 to 1048576, or off", v)
		}
	}
	c.TokenTTL = 8 * time.Hour
	if v := getenv("SIZERUN_TOKEN_TTL"); v != "" {
		if c.TokenTTL, err = time.ParseDuration(v); err != nil || c.TokenTTL <= 0 {
			return c, fmt.Errorf("SIZERUN_TOKEN_TTL: %q is not a positive duration such as 2h", v)
		}
	}
	switch strings.ToLower(getenv("SIZERUN_LOG_LEVEL")) {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return c, fmt.Errorf("SIZERUN_LOG_LEVEL: want debug, info, warn or error")
	}
	if c.DebugAddr != "" {
		if err := loopbackAddr(c.DebugAddr); err != nil {
			return c, fmt.Errorf("SIZERUN_DEBUG_ADDR: %w", err)
		}
	}
	if c.DatabaseURL == "" {
		return c, fmt.Errorf("DATABASE_URL is not set")
	}
	return c, nil
}

// RequireSecret checks the JWT secret, which only `serve` needs.
func (c Config) RequireSecret() error {
	if len(c.JWTSecret) < 32 {
		return fmt.Errorf("SIZERUN_JWT_SECRET must be set to at least 32 random characters (make run generates one)")
	}
	return nil
}

// LogValue logs the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("port", c.Port),
		slog.String("token_ttl", c.TokenTTL.String()),
		slog.String("body_limit", c.BodyLimit),
		slog.String("pdf_font", c.PDFFont),
		slog.Bool("cookie_secure", c.CookieSecure),
		slog.String("jwt_secret", mask(c.JWTSecret)),
		slog.String("debug_addr", c.DebugAddr),
		slog.Int("order_writers", c.OrderWriters),
		slog.Int("memory_limit_mib", c.MemoryLimitMiB),
	)
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "xxxxx"
}

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

func intVar(getenv func(string) string, name string, d int) (int, error) {
	v := getenv(name)
	if v == "" {
		return d, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive integer", name, v)
	}
	return n, nil
}

// loopbackAddr accepts host:port only when host is a loopback IP or
// "localhost": the profiler must never listen on a public interface.
func loopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("%q is not host:port, such as 127.0.0.1:6060", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address (use 127.0.0.1:<port>)", addr)
}
