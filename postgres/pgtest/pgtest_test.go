package pgtest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sizerun/sizerun/postgres"
)

func TestCreatedAt(t *testing.T) {
	for _, c := range []struct {
		name string
		want int64
		ok   bool
	}{
		{"sizerun_t_1764122400_4242_123456789", 1764122400, true},
		{"sizerun_t_27566_676864327009", 0, false}, // the older form: left alone
		{"sizerun_t_1764122400_4242", 0, false},
		{"sizerun_t_x_1_2", 0, false},
		{"sizerun_tmpl_demo_9d4e4b244335", 0, false},
	} {
		got, ok := createdAt(c.name)
		if ok != c.ok || (ok && got.Unix() != c.want) {
			t.Errorf("createdAt(%s) = %v, %v; want %d, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestSweep: a new test database drops the test databases older than
// staleAfter and keeps the younger ones.
func TestSweep(t *testing.T) {
	ctx := context.Background()
	admin, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the drops below (cleanups run last first)
	now := time.Now()
	old := fmt.Sprintf("%s%d_%d_1", testPrefix, now.Add(-staleAfter-time.Hour).Unix(), os.Getpid())
	young := fmt.Sprintf("%s%d_%d_2", testPrefix, now.Add(-time.Hour).Unix(), os.Getpid())
	for _, n := range []string{old, young} {
		admin.MustExec(`CREATE DATABASE ` + n)
		t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + n + ` WITH (FORCE)`) })
	}
	New(t)
	exists := func(n string) bool {
		var c int
		if err := admin.Get(&c, `SELECT count(*) FROM pg_database WHERE datname = $1`, n); err != nil {
			t.Fatal(err)
		}
		return c == 1
	}
	if exists(old) {
		t.Errorf("%s (older than %v) was not dropped", old, staleAfter)
	}
	if !exists(young) {
		t.Errorf("%s (an hour old) was dropped", young)
	}
}
