// Package pgtest gives each test a fresh PostgreSQL database, cloned from a
// migrated template so that packages run in parallel without sharing state.
// DATABASE_URL must point at a server where its role may create databases;
// `make test` provides one. Without it the tests fail loudly, never skip.
package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/migrations"
	"github.com/sizerun/sizerun/postgres"
)

// Builder fills a template database once; its result is cloned for each test.
type Builder func(ctx context.Context, db *sqlx.DB) error

// New returns a connection to a new, migrated, empty database, dropped when
// the test ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	db, _ := NewFrom(t, "empty", nil)
	return db
}

// NewFrom returns a new database cloned from the template called name, which
// is built once (per schema version) by migrating and then calling build.
// It also returns the database's URL, for tests that start a server process.
func NewFrom(t testing.TB, name string, build Builder) (*sqlx.DB, string) {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL")
	}
	ctx := context.Background()
	admin, err := postgres.Open(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()

	sweep(ctx, admin)
	now := time.Now()
	dbname := fmt.Sprintf("%s%d_%d_%d", testPrefix, now.Unix(), os.Getpid(), now.UnixNano()%1e9)
	// CREATE DATABASE ... TEMPLATE fails while another session uses the template
	// (concurrent clones), or when another checkout with a different schema
	// dropped it as stale in between: retry, rebuilding the template if gone.
	for i := 0; ; i++ {
		var tmpl string
		tmpl, err = ensureTemplate(ctx, admin, base, name, build)
		if err != nil {
			t.Fatalf("pgtest: template %s: %v", name, err)
		}
		_, err = admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, dbname, tmpl))
		if err == nil || i == 50 || !(strings.Contains(err.Error(), "is being accessed by other users") ||
			strings.Contains(err.Error(), "does not exist")) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	u := withDB(base, dbname)
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		a, err := postgres.Open(context.Background(), base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, dbname))
	})
	return db, u
}

// testPrefix starts the name of every test database: then the Unix time it
// was made at, the process id and a nanosecond count.
const testPrefix = "sizerun_t_"

// staleAfter: a test database this old was left behind by a test process
// that did not reach its cleanup (a fuzzing worker stopped at -fuzztime, a
// killed run); the whole suite takes minutes.
const staleAfter = 6 * time.Hour

// sweep drops the test databases older than staleAfter, so that they do not
// pile up on a developer's cluster. Best effort: errors are ignored.
func sweep(ctx context.Context, admin *sqlx.DB) {
	var names []string
	if err := admin.SelectContext(ctx, &names, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, testPrefix); err != nil {
		return
	}
	for _, n := range names {
		if created, ok := createdAt(n); ok && time.Since(created) > staleAfter {
			admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, n))
		}
	}
}

// createdAt reads the time in a test database's name; false for a name in
// another form (such as the older sizerun_t_<pid>_<nanoseconds>).
func createdAt(name string) (time.Time, bool) {
	parts := strings.Split(strings.TrimPrefix(name, testPrefix), "_")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || sec < 1_700_000_000 {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

func ensureTemplate(ctx context.Context, admin *sqlx.DB, base, name string, build Builder) (string, error) {
	tmpl := "sizerun_tmpl_" + name + "_" + schemaHash()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// One builder at a time across test processes.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727274)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(727274)`)

	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	// Drop this template's older versions (other schema or code hashes) that no
	// one is cloning right now; without FORCE, a template in use is left alone.
	var stale []string
	conn.SelectContext(ctx, &stale, `SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2`,
		"sizerun\\_tmpl\\_"+name+"\\_%", tmpl)
	for _, d := range stale {
		conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q`, d))
	}
	building := tmpl + "_wip"
	conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, withDB(base, building))
	if err != nil {
		return "", err
	}
	err = postgres.Migrate(ctx, db, "up", io.Discard)
	if err == nil && build != nil {
		err = build(ctx, db)
	}
	db.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, tmpl)); err != nil {
		return "", err
	}
	return tmpl, nil
}

// schemaHash changes whenever a migration changes, so stale templates are not reused.
func schemaHash() string {
	h := sha256.New()
	names, _ := fs.Glob(migrations.FS, "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	if v := os.Getenv("SIZERUN_TEMPLATE_SALT"); v != "" {
		h.Write([]byte(v))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}
