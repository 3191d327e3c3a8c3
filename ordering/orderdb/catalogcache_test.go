package orderdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

func TestCatalogCacheVersions(t *testing.T) {
	c := newCatalogCache()
	one := map[string]ordering.StyleInfo{"A": {ID: 1, Code: "A"}}
	get := func(version int64, codes ...string) (map[string]ordering.StyleInfo, []string) {
		out := map[string]ordering.StyleInfo{}
		missing := c.getStyles(version, 1, 2, codes, out)
		return out, missing
	}
	c.putStyles(5, 1, 2, one)
	if out, missing := get(5, "A", "B"); out["A"].ID != 1 || len(missing) != 1 || missing[0] != "B" {
		t.Fatalf("at 5: %v, missing %v", out, missing)
	}
	if out := map[string]ordering.StyleInfo{}; len(c.getStyles(5, 1, 3, []string{"A"}, out)) != 1 {
		t.Errorf("another price list found A: %v", out)
	}
	if out, missing := get(6, "A"); len(out) != 0 || len(missing) != 1 {
		t.Errorf("at 6 found what was kept under 5: %v", out)
	}
	// An older version keeps nothing and drops nothing.
	c.putSeason(4, "SS27", catalog.Season{ID: 9})
	if _, ok := c.season(4, "SS27"); ok {
		t.Error("a season was kept under an older version")
	}
	if out, _ := get(5, "A"); out["A"].ID != 1 {
		t.Error("an older version dropped the styles")
	}
	// A newer one drops everything kept under the older.
	c.putSeason(6, "SS27", catalog.Season{ID: 9})
	if se, ok := c.season(6, "SS27"); !ok || se.ID != 9 {
		t.Errorf("season at 6: %v %v", se, ok)
	}
	if out, _ := get(5, "A"); len(out) != 0 {
		t.Error("styles of version 5 survived version 6")
	}
	// Past the bound the cache starts over.
	many := map[string]ordering.StyleInfo{}
	for i := range maxCachedStyles {
		many[fmt.Sprint("S", i)] = ordering.StyleInfo{ID: i}
	}
	c.putStyles(6, 1, 2, many)
	c.putStyles(6, 1, 2, one)
	if n := len(c.styles); n != 1 {
		t.Errorf("%d styles kept past the bound of %d", n, maxCachedStyles)
	}
}

// TestCatalogCacheFollowsTheCatalogue: a transaction that locked a dealer
// reads the season and styles from the cache when nothing changed, and
// from the database (seeing the change) after any write to the catalogue;
// every table that the cached reads use raises the catalogue version.
func TestCatalogCacheFollowsTheCatalogue(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	var dealer, season, priceList int
	if err := db.QueryRowContext(ctx, `SELECT id, price_list_id, (SELECT id FROM seasons WHERE code = 'SS27') FROM dealers WHERE code = 'D001'`).Scan(&dealer, &priceList, &season); err != nil {
		t.Fatal(err)
	}
	s := New(db)
	type read struct {
		price  money.Amount
		season catalog.Season
		reads  int // scans of styles and seasons by the transaction
	}
	look := func() read {
		var r read
		err := s.InTx(ctx, func(tx ordering.Tx) error {
			if _, err := tx.LockDealer(ctx, dealer); err != nil {
				return err
			}
			// The backend's counts include transactions not yet reported:
			// compare before and after.
			const scans = `
SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0)::int FROM pg_stat_xact_user_tables
 WHERE relname IN ('styles', 'seasons')`
			q := tx.(*txStore).q
			var before int
			if err := q.QueryRowxContext(ctx, scans).Scan(&before); err != nil {
				return err
			}
			styles, err := tx.StyleInfos(ctx, season, priceList, []string{"ST1001"}, false)
			if err != nil {
				return err
			}
			se, err := tx.Season(ctx, "SS27")
			if err != nil {
				return err
			}
			r.price, r.season = styles["ST1001"].Price, se
			if err := q.QueryRowxContext(ctx, scans).Scan(&r.reads); err != nil {
				return err
			}
			r.reads -= before
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := look()
	if first.reads == 0 || first.price == 0 {
		t.Fatalf("first read: %+v (expected reads of the database)", first)
	}
	if again := look(); again.reads != 0 || again.price != first.price || again.season.ID != first.season.ID {
		t.Errorf("second read: %+v, want no reads and the same price as %+v", again, first)
	}
	if _, err := db.ExecContext(ctx, `UPDATE prices SET price = price + 1 WHERE price_list_id = $1 AND style_id = (SELECT id FROM styles WHERE code = 'ST1001')`, priceList); err != nil {
		t.Fatal(err)
	}
	if after := look(); after.reads == 0 || after.price != first.price+money.MustParse("1.00") {
		t.Errorf("after a price change: %+v, want the new price %s", after, first.price+money.MustParse("1.00"))
	}
	if _, err := db.ExecContext(ctx, `UPDATE seasons SET closed = true WHERE code = 'SS27'`); err != nil {
		t.Fatal(err)
	}
	if after := look(); !after.season.Closed {
		t.Errorf("after closing the season: %+v", after.season)
	}

	for _, table := range []string{"seasons", "delivery_windows", "season_styles", "styles", "colors", "sizes",
		"skus", "prepacks", "prepack_items", "prices"} {
		var before, after int64
		if err := db.GetContext(ctx, &before, `SELECT version FROM catalog_version`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM `+table+` WHERE false`); err != nil {
			t.Fatal(err)
		}
		if err := db.GetContext(ctx, &after, `SELECT version FROM catalog_version`); err != nil {
			t.Fatal(err)
		}
		if after <= before {
			t.Errorf("a write to %s left the catalogue version at %d", table, after)
		}
	}
}
