package postgres_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/sizerun/sizerun/postgres"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

func tableCount(t *testing.T, db interface {
	Get(dest any, query string, args ...any) error
}) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMigrationsUpDownUp rolls every migration back one by one and applies them again.
func TestMigrationsUpDownUp(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	up := tableCount(t, db)
	if up < 40 {
		t.Fatalf("only %d tables after migrating up", up)
	}
	var out bytes.Buffer
	if err := postgres.Migrate(ctx, db, "reset", &out); err != nil {
		t.Fatalf("reset: %v\n%s", err, out.String())
	}
	if n := tableCount(t, db); n != 0 {
		t.Fatalf("%d tables left after migrating down", n)
	}
	if err := postgres.Migrate(ctx, db, "up", &out); err != nil {
		t.Fatalf("up again: %v\n%s", err, out.String())
	}
	if n := tableCount(t, db); n != up {
		t.Fatalf("%d tables after up-down-up, want %d", n, up)
	}
	if err := postgres.Migrate(ctx, db, "status", &out); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaEnforcesRules(t *testing.T) {
	db := pgtest.New(t)
	bad := []struct{ name, sql string }{
		{"negative credit limit", `INSERT INTO regions (code, name) VALUES ('EC','华东');
			INSERT INTO price_lists (code, name, currency) VALUES ('A','A','CNY');
			INSERT INTO dealers (code, name, region_id, price_list_id, credit_limit) VALUES ('D1','x',1,1,-1)`},
		{"lowercase email", `INSERT INTO users (email, password_hash, role) VALUES ('A@x.test','h','admin')`},
		{"dealer user without dealer", `INSERT INTO users (email, password_hash, role) VALUES ('a@x.test','h','dealer')`},
		{"bad season code", `INSERT INTO seasons (code, name, starts_on, order_opens_at, order_cutoff_at) VALUES ('ss 27','x','2027-01-01','2026-01-01','2026-02-01')`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			tx := db.MustBegin()
			defer tx.Rollback()
			if _, err := tx.Exec(tt.sql); err == nil {
				t.Errorf("accepted: %s", tt.sql)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	got := postgres.Redact("postgres://sizerun:s3cret@127.0.0.1:54329/sizerun?sslmode=disable")
	if got != "postgres://sizerun:xxxxx@127.0.0.1:54329/sizerun?sslmode=disable" {
		t.Errorf("Redact = %s", got)
	}
}
