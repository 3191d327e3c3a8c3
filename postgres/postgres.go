// Package postgres opens Sizerun's one store, applies the migrations, runs
// transactions with retry, and maps PostgreSQL errors onto apperr codes. It is
// the only place that knows about lib/pq.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/migrations"
)

// sessionSettings are the run-time parameters every connection starts with,
// unless url sets them itself.
//
// random_page_cost: PostgreSQL's default (4) prices a random page read as on
// a spinning disk. Sizerun's working set is in memory, and with the default a
// table that is small when a connection first plans a query (a new season's
// orders, the demo's 147) gets a sequential scan, which the connection keeps
// for its cached plans: the foreign-key checks of order lines against their
// order ran as scans of every order, 50 per submission, until an autovacuum
// ANALYZE happened to invalidate them (issue 6: runs at 16 dealers split
// between ~270 and ~170 orders/s on that alone). 1.1 is the usual setting
// for data in memory or on SSD.
var sessionSettings = map[string]string{"random_page_cost": "1.1"}

// Open connects to url (a postgres:// URL or key=value settings) and checks
// the connection.
func Open(ctx context.Context, url string) (*sqlx.DB, error) {
	if url == "" {
		return nil, errors.New("DATABASE_URL is not set")
	}
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres.Open: %s: %w", Redact(url), err)
	}
	if cfg.Runtime == nil {
		cfg.Runtime = map[string]string{}
	}
	for k, v := range sessionSettings {
		if _, ok := cfg.Runtime[k]; !ok {
			cfg.Runtime[k] = v
		}
	}
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres.Open: %s: %w", Redact(url), err)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(40)
	db.SetMaxIdleConns(40)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres.Open: %s: %w", Redact(url), err)
	}
	return db, nil
}

// Redact hides the password in a connection URL for logs.
func Redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	userinfo := url[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return url[:scheme+3] + user + ":xxxxx" + url[at:]
	}
	return url
}

// Migrate runs a goose command ("up", "down", "status", "reset") with the
// embedded migrations. Output goes to w.
func Migrate(ctx context.Context, db *sqlx.DB, command string, w io.Writer) error {
	goose.SetBaseFS(migrations.FS)
	goose.SetLogger(&gooseLogger{w: w})
	if err := goose.SetDialect("postgres"); err != nil {
		return err
	}
	switch command {
	case "up":
		return goose.UpContext(ctx, db.DB, ".")
	case "down":
		return goose.DownContext(ctx, db.DB, ".")
	case "reset":
		return goose.ResetContext(ctx, db.DB, ".")
	case "status":
		return goose.StatusContext(ctx, db.DB, ".")
	}
	return fmt.Errorf("unknown migrate command %q (want up, down or status)", command)
}

type gooseLogger struct{ w io.Writer }

func (l *gooseLogger) Fatalf(format string, v ...any) { fmt.Fprintf(l.w, format+"\n", v...) }
func (l *gooseLogger) Printf(format string, v ...any) {
	if !strings.HasSuffix(format, "\n") {
		format += "\n"
	}
	fmt.Fprintf(l.w, format, v...)
}

// Queryer is a database or a transaction: stores run the same queries
// through either.
type Queryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// Transact runs fn in a transaction at the given isolation level, commits if fn
// returns nil and rolls back otherwise (also on panic). Serialization failures
// and deadlocks (40001, 40P01) are retried a few times with jitter.
func Transact(ctx context.Context, db *sqlx.DB, iso sql.IsolationLevel, fn func(tx *sqlx.Tx) error) error {
	const attempts = 8
	var err error
	for i := 0; i < attempts; i++ {
		err = transactOnce(ctx, db, iso, fn)
		if !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(5<<i)) * time.Millisecond):
		}
	}
	return err
}

func transactOnce(ctx context.Context, db *sqlx.DB, iso sql.IsolationLevel, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: iso})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// Error maps a database error onto an apperr code where one fits: no rows is
// not_found, a unique violation a conflict, a check or foreign-key violation a
// validation error. Other errors are returned wrapped, as internal errors.
func Error(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "%s not found", what)
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return apperr.New(apperr.Conflict, "%s already exists", what)
		case "23514", "23502", "22001", "22003", "22P02", "22021", "22P05":
			return apperr.New(apperr.Validation, "%s is invalid", what)
		case "23503":
			return apperr.New(apperr.Validation, "%s refers to something that does not exist", what)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Ready reports whether the database answers, for /readyz.
func Ready(ctx context.Context, db *sqlx.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Logger adapts slog for callers that want to log a redacted URL.
func LogOpen(log *slog.Logger, url string) { log.Info("database", "url", Redact(url)) }
