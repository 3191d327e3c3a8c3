package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/sizerun/sizerun/postgres"
)

// TestOpenSessionSettings: Open's connections start with
// the session settings of postgres.Open (random_page_cost 1.1), whether DATABASE_URL is a
// URL or key=value settings, and a value the URL sets itself wins.
func TestOpenSessionSettings(t *testing.T) {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Fatal("DATABASE_URL is not set (make test sets it)")
	}
	kv, err := pq.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	for _, c := range []struct {
		name, url, want string
	}{
		{"URL", base, "1.1"},
		{"key=value", kv, "1.1"},
		{"URL setting its own", base + sep + "random_page_cost=2", "2"},
		{"key=value setting its own", kv + " random_page_cost=3", "3"},
	} {
		db, err := postgres.Open(context.Background(), c.url)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got string
		err = db.Get(&got, `SHOW random_page_cost`)
		db.Close()
		if err != nil || got != c.want {
			t.Errorf("%s: random_page_cost = %q (%v), want %q", c.name, got, err, c.want)
		}
	}
}
