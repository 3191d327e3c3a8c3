package portal_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
)

// The demo accounts of api.md sign in and see their home pages, scoped to
// their own dealer or supplier.
func TestDemoAccounts(t *testing.T) {
	db, _ := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error {
		return seed.Demo(ctx, db, io.Discard)
	})
	e := startEnv(t, db, false, nil)

	dealer := e.client()
	dealer.login("dealer01@demo.test")
	doc := dealer.page("/home", http.StatusOK)
	var who struct {
		Name   string `db:"name"`
		Locale string `db:"locale"`
	}
	err := db.Get(&who, `SELECT d.name, u.locale FROM users u JOIN dealers d ON d.id = u.dealer_id
WHERE u.email = 'dealer01@demo.test'`)
	if err != nil {
		t.Fatal(err)
	}
	if h1, want := text(doc.Find("h1")), i18n.T(who.Locale, "home.welcome", who.Name); h1 != want {
		t.Errorf("h1 = %q, want %q (D001's name in the user's language)", h1, want)
	}
	doc.Find("#recent-orders tbody tr").Each(func(_ int, tr *goquery.Selection) {
		number := text(tr.Find("td").First())
		var code string
		if err := db.Get(&code, `SELECT d.code FROM orders o JOIN dealers d ON d.id = o.dealer_id WHERE o.number = $1`, number); err != nil || code != "D001" {
			t.Errorf("dealer01 sees order %s of %q (%v)", number, code, err)
		}
	})
	if doc.Find(`#seasons-heading`).Length() != 1 {
		t.Error("no open seasons section")
	}

	planner := e.client()
	planner.login("planner@demo.test")
	doc = planner.page("/home", http.StatusOK)
	if doc.Find("#season-totals tbody tr").Length() < 2 {
		t.Errorf("planner sees %d seasons, want SS27 and AW26", doc.Find("#season-totals tbody tr").Length())
	}

	supplier := e.client()
	supplier.login("supplier01@demo.test")
	doc = supplier.page("/home", http.StatusOK)
	doc.Find("#fabrics tbody tr").Each(func(_ int, tr *goquery.Selection) {
		code := text(tr.Find("td").First())
		var sup string
		if err := db.Get(&sup, `SELECT s.code FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id WHERE f.code = $1`, code); err != nil || sup != "S01" {
			t.Errorf("supplier01 sees fabric %s of %q (%v)", code, sup, err)
		}
	})

	admin := e.client()
	admin.login("admin@demo.test")
	doc = admin.page("/home", http.StatusOK)
	if n := doc.Find("#users tbody tr").Length(); n < 46 {
		t.Errorf("admin sees %d users, want at least the 46 demo accounts", n)
	}
}
