package aggdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// TestCompactSummaryBatches splits every SKU's summary row over three rows
// (as concurrent writers leave them) and checks that one batch folds exactly
// the side rows of its SKUs and returns the last key, that CompactSummary
// folds every batch, that a side row another transaction holds is skipped
// (not waited for), and that the summary equals the lines throughout.
func TestCompactSummaryBatches(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lines []aggtest.Line
	for i, s := range f.SKUs {
		lines = append(lines, aggtest.Line{SKU: s, Qty: 3 + i%7})
	}
	f.CreateOrder(t, db, "SS27", "D01", "submitted", lines)
	f.CreateOrder(t, db, "SS27", "D02", "confirmed", lines[:len(lines)/2])
	// Move one unit and 0.50 of every SKU's base row to side slots 3 and 7
	// (sums unchanged, as a writer that found the base row locked leaves it).
	if _, err := db.ExecContext(ctx, `
WITH base AS (
    UPDATE rollup_sku_slots b SET qty = b.qty - 2, amount = b.amount - 1.00
     WHERE b.slot = 0
    RETURNING b.season_id, b.sku_id, b.style_id, b.color_id, b.size_id
)
INSERT INTO rollup_sku_slots (season_id, sku_id, slot, style_id, color_id, size_id, qty, amount, lines, dealers)
SELECT season_id, sku_id, slot, style_id, color_id, size_id, 1, 0.50, 0, 0
  FROM base, (VALUES (3), (7)) v(slot)`); err != nil {
		t.Fatal(err)
	}
	if d := aggtest.SummaryDiff(t, db); d != "" {
		t.Fatalf("fixture: summary differs from the lines before compaction:\n%s", d)
	}
	var skus int
	if err := db.GetContext(ctx, &skus, `SELECT count(DISTINCT (season_id, sku_id)) FROM rollup_sku_slots WHERE slot <> 0`); err != nil {
		t.Fatal(err)
	}
	if skus < 5 {
		t.Fatalf("only %d SKUs with side rows", skus)
	}

	// One batch of two SKUs.
	var first struct {
		Season, SKU int
	}
	if err := db.QueryRowContext(ctx, `SELECT season_id, sku_id FROM rollup_sku_slots WHERE slot <> 0
		ORDER BY season_id, sku_id OFFSET 2 LIMIT 1`).Scan(&first.Season, &first.SKU); err != nil { // 2 side rows per SKU: row 3 is the 2nd SKU
		t.Fatal(err)
	}
	var folded, lastSeason, lastSKU int
	if err := db.QueryRowContext(ctx, `SELECT folded, last_season, last_sku FROM rollup_compact_batch(0, 0, 2)`).
		Scan(&folded, &lastSeason, &lastSKU); err != nil {
		t.Fatal(err)
	}
	if folded != 4 || lastSeason != first.Season || lastSKU != first.SKU {
		t.Fatalf("first batch: folded %d up to %d/%d, want 4 up to %d/%d", folded, lastSeason, lastSKU, first.Season, first.SKU)
	}

	// Another transaction holds one side row: compaction skips it.
	hold, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	var heldSKU int
	if err := hold.GetContext(ctx, &heldSKU, `SELECT sku_id FROM rollup_sku_slots WHERE slot <> 0
		ORDER BY season_id DESC, sku_id DESC, slot LIMIT 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	n, err := aggdb.New(db).CompactSummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*skus - 4 - 1; n != want {
		t.Fatalf("CompactSummary folded %d side rows, want %d (all but the first batch and the held row)", n, want)
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n, err = aggdb.New(db).CompactSummary(ctx); err != nil || n != 1 {
		t.Fatalf("second pass folded %d, %v; want the released row", n, err)
	}
	var side int
	if err := db.GetContext(ctx, &side, `SELECT count(*) FROM rollup_sku_slots WHERE slot <> 0`); err != nil || side != 0 {
		t.Fatalf("%d side rows left (%v)", side, err)
	}
	if d := aggtest.SummaryDiff(t, db); d != "" {
		t.Fatalf("summary differs from the lines after compaction:\n%s", d)
	}
	var all int
	if err := db.GetContext(ctx, &all, `SELECT rollup_compact()`); err != nil || all != 0 {
		t.Fatalf("rollup_compact() on a compact summary: %d, %v", all, err)
	}
}
