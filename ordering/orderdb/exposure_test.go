package orderdb

import (
	"context"
	"strings"
	"testing"

	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// TestExposureUsesOpenOrdersIndex: the credit check's plan reads the
// dealer's open orders from orders_open_dealer_idx. If ExposureStates and
// the index's predicate (migration 00040) drift apart, PostgreSQL cannot
// use the index and this fails.
func TestExposureUsesOpenOrdersIndex(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	// A dealer with many orders, most of them no longer open.
	_, err := db.ExecContext(ctx, `
INSERT INTO orders (number, dealer_id, season_id, status, currency, total_qty, total_amount, submitted_at)
SELECT 'X-' || g, d.id, s.id, CASE WHEN g % 10 = 0 THEN 'submitted' ELSE 'shipped' END, 'CNY', 1, 10.00, now()
  FROM generate_series(1, 3000) g, dealers d, seasons s
 WHERE d.code = 'D001' AND s.code = 'SS27'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE orders`); err != nil {
		t.Fatal(err)
	}
	var dealer int
	if err := db.GetContext(ctx, &dealer, `SELECT id FROM dealers WHERE code = 'D001'`); err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := db.SelectContext(ctx, &plan, `EXPLAIN `+exposureQuery, dealer, 0); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "orders_open_dealer_idx") {
		t.Fatalf("the credit check does not use orders_open_dealer_idx:\n%s", p)
	}
	// And it sums the same as a plain scan of the dealer's orders.
	var want money.Amount
	if err := db.GetContext(ctx, &want, `
SELECT (SELECT coalesce(sum(total_amount), 0) FROM orders
         WHERE dealer_id = $1 AND status IN ('submitted', 'held', 'confirmed', 'in_production'))
     + (SELECT coalesce(sum(amount - paid), 0) FROM invoices WHERE dealer_id = $1)
     - (SELECT coalesce(sum(amount), 0) FROM credit_notes WHERE dealer_id = $1)`, dealer); err != nil {
		t.Fatal(err)
	}
	var got money.Amount
	err = New(db).InTx(ctx, func(tx ordering.Tx) error {
		var err error
		got, err = tx.Exposure(ctx, dealer, 0)
		return err
	})
	if err != nil || got != want || want < money.MustParse("3000.00") {
		t.Fatalf("exposure %s, %v; want %s (at least the 300 open orders' 3000.00)", got, err, want)
	}
}
