package aggdb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// TestSummaryTriggersReadByKey: the summary's triggers must cost what the
// change costs, not what the tables hold. With 5,000 orders and 20,000 slot
// rows (statistics fresh), a transaction that inserts an order with lines,
// updates them, changes the order's status and deletes it must not scan
// orders or rollup_sku_slots sequentially (migration 00060: before it, the
// line trigger's join of its transition table with orders, and rollup_apply's
// join of the SKU deltas with the slots, were planned as scans of the whole
// table, on every submission). pg_stat_xact_user_tables counts the scans of
// the current transaction.
func TestSummaryTriggersReadByKey(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Bulk: orders without lines, and zero slot rows of season ids no season
	// has (they add nothing to any sum, so the summary still equals the lines).
	if _, err := db.ExecContext(ctx, `
INSERT INTO orders (number, dealer_id, season_id, status, currency, submitted_at)
SELECT 'B' || g, $1, $2, 'submitted', 'CNY', now() FROM generate_series(1, 5000) g`,
		f.Dealers["D02"], f.Seasons["SS27"]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
INSERT INTO rollup_sku_slots (season_id, sku_id, slot, style_id, color_id, size_id)
SELECT -g, s.id, 0, s.style_id, s.color_id, s.size_id
  FROM skus s, generate_series(1, 20000 / (SELECT count(*) FROM skus)) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE orders; ANALYZE rollup_sku_slots; ANALYZE order_lines`); err != nil {
		t.Fatal(err)
	}

	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	o := f.CreateOrder(t, tx, "SS27", "D01", "submitted", []aggtest.Line{{SKU: f.SKUs[0], Qty: 3}})
	steps := []string{
		// 20 lines in one statement, as the ordering service writes them.
		`INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
		 SELECT o.id, o.dealer_id, s.id, s.style_id, s.color_id, s.size_id, 2, 10.00, 20.00
		   FROM orders o, skus s
		  WHERE o.id = $1 AND s.id <> (SELECT min(sku_id) FROM order_lines WHERE order_id = $1)
		  ORDER BY s.id LIMIT 20`,
		`UPDATE order_lines SET qty = qty + 1, amount = unit_price * (qty + 1) WHERE order_id = $1`,
		`UPDATE orders SET status = 'cancelled' WHERE id = $1`,
		`UPDATE orders SET status = 'submitted' WHERE id = $1`,
		`DELETE FROM order_lines WHERE order_id = $1 AND sku_id = (SELECT min(sku_id) FROM order_lines WHERE order_id = $1)`,
		`DELETE FROM orders WHERE id = $1`,
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q, o.ID); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := tx.QueryxContext(ctx, `SELECT relname, seq_scan FROM pg_stat_xact_user_tables
		WHERE relname IN ('orders', 'rollup_sku_slots', 'rollup_sku_dealers', 'rollup_orders', 'rollup_season_dealers')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var rel string
		var scans int64
		if err := rows.Scan(&rel, &scans); err != nil {
			t.Fatal(err)
		}
		n++
		if scans != 0 {
			t.Errorf("%s: %d sequential scans in one order's life, want 0", rel, scans)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("pg_stat_xact_user_tables listed %d of the 5 tables", n)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if d := aggtest.SummaryDiff(t, db); d != "" {
		t.Fatalf("summary differs from the lines:\n%s", d)
	}
}
