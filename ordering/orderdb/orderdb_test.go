package orderdb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// TestExposure: the credit check (one row of dealer_open_orders, migration
// 00110) sums the same as a plain scan of the dealer's orders, invoices and
// credit notes, with and without an excluded order.
func TestExposure(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	// A dealer with many orders, most of them no longer open.
	_, err := db.ExecContext(ctx, `
INSERT INTO orders (number, dealer_id, season_id, status, currency, total_qty, total_amount, submitted_at)
SELECT 'X-' || g, d.id, s.id, CASE WHEN g % 10 = 0 THEN 'submitted' ELSE 'shipped' END, 'CNY', 1, 10.00 + g, now()
  FROM generate_series(1, 3000) g, dealers d, seasons s
 WHERE d.code = 'D001' AND s.code = 'SS27'`)
	if err != nil {
		t.Fatal(err)
	}
	var dealer int
	var open int64
	if err := db.QueryRowContext(ctx, `SELECT d.id, (SELECT max(id) FROM orders WHERE dealer_id = d.id AND status = 'submitted') FROM dealers d WHERE code = 'D001'`).Scan(&dealer, &open); err != nil {
		t.Fatal(err)
	}
	for _, exclude := range []int64{0, open} {
		var want money.Amount
		if err := db.GetContext(ctx, &want, `
SELECT (SELECT coalesce(sum(total_amount), 0) FROM orders
         WHERE dealer_id = $1 AND status IN ('submitted', 'held', 'confirmed', 'in_production') AND id <> $2)
     + (SELECT coalesce(sum(amount - paid), 0) FROM invoices WHERE dealer_id = $1)
     - (SELECT coalesce(sum(amount), 0) FROM credit_notes WHERE dealer_id = $1)`, dealer, exclude); err != nil {
			t.Fatal(err)
		}
		var got money.Amount
		err = New(db).InTx(ctx, func(tx ordering.Tx) error {
			var err error
			got, err = tx.Exposure(ctx, dealer, exclude)
			return err
		})
		if err != nil || got != want || want < money.MustParse("3000.00") {
			t.Fatalf("exposure but order %d: %s, %v; want %s (at least the 300 open orders)", exclude, got, err, want)
		}
	}
}

// TestExposureStatesMatchTheTriggers: the states whose orders
// dealer_open_orders sums (order_exposure_counted) are
// ordering.ExposureStatuses.
func TestExposureStatesMatchTheTriggers(t *testing.T) {
	db := pgtest.New(t)
	for _, st := range ordering.Statuses {
		var counted bool
		if err := db.Get(&counted, `SELECT order_exposure_counted($1)`, string(st)); err != nil {
			t.Fatal(err)
		}
		if want := slices.Contains(ordering.ExposureStatuses, st); counted != want {
			t.Errorf("order_exposure_counted(%s) = %v, ordering.ExposureStatuses says %v", st, counted, want)
		}
	}
}

// TestDealerOpenOrdersFollowOrders: through inserts, updates of status and
// total and deletes, one row and many per statement, from parallel
// transactions (some rolled back), dealer_open_orders stays the sum of each
// dealer's orders in the counted states.
func TestDealerOpenOrdersFollowOrders(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	check := func(step string) {
		t.Helper()
		var diff []string
		if err := db.SelectContext(ctx, &diff, `
SELECT format('dealer %s: kept %s, sum %s', d.id, coalesce(k.amount, 0), coalesce(s.amount, 0))
  FROM dealers d
  LEFT JOIN dealer_open_orders k ON k.dealer_id = d.id
  LEFT JOIN (SELECT dealer_id, sum(total_amount) AS amount FROM orders
              WHERE status IN ('submitted', 'held', 'confirmed', 'in_production') GROUP BY dealer_id) s ON s.dealer_id = d.id
 WHERE coalesce(k.amount, 0) <> coalesce(s.amount, 0)`); err != nil {
			t.Fatal(err)
		}
		if len(diff) > 0 {
			t.Fatalf("after %s: %v", step, diff)
		}
	}
	steps := []struct{ name, sql string }{
		{"inserting orders in every state", `
INSERT INTO orders (number, dealer_id, season_id, status, currency, total_qty, total_amount)
SELECT 'T-' || g || '-' || d.id, d.id, s.id,
       (ARRAY['draft', 'submitted', 'held', 'confirmed', 'in_production', 'shipped', 'closed', 'cancelled'])[1 + g % 8],
       'CNY', 1, 5.25 * g
  FROM generate_series(1, 80) g, dealers d, seasons s WHERE s.code = 'SS27' AND g % 8 <> 0`},
		{"one order's total", `UPDATE orders SET total_amount = total_amount + 1.10 WHERE id = (SELECT min(id) FROM orders WHERE status = 'held')`},
		{"moving states", `
UPDATE orders SET status = CASE status WHEN 'submitted' THEN 'confirmed' WHEN 'confirmed' THEN 'shipped'
                                       WHEN 'held' THEN 'cancelled' WHEN 'shipped' THEN 'closed' ELSE status END
 WHERE id % 3 = 0`},
		{"states and totals at once", `UPDATE orders SET status = 'submitted', total_amount = total_amount * 2 WHERE id % 5 = 1`},
		{"deleting", `DELETE FROM orders WHERE id % 7 = 2`},
	}
	for _, st := range steps {
		if _, err := db.ExecContext(ctx, st.sql); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		check(st.name)
	}
	// Parallel transactions on the same dealers, every third rolled back.
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				errs <- err
				return
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, `
UPDATE orders SET total_amount = total_amount + $1, status = CASE WHEN status = 'submitted' THEN 'held' ELSE 'submitted' END
 WHERE id IN (SELECT id FROM orders WHERE status IN ('submitted', 'held') ORDER BY dealer_id, id LIMIT 5 OFFSET $2 FOR UPDATE)`, i, i%4); err != nil {
				errs <- err
				return
			}
			if i%3 != 0 {
				errs <- tx.Commit()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	check("parallel transactions")
}

// TestLimitWriters: with a limit of 2, no more than 2 transactions run at
// once, every one runs, and a caller whose context ends while waiting gets
// its context's error without running.
func TestLimitWriters(t *testing.T) {
	db := pgtest.New(t)
	s := New(db).LimitWriters(2)
	ctx := context.Background()
	var mu sync.Mutex
	running, most, ran := 0, 0, 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(ordering.Tx) error {
				mu.Lock()
				running++
				most = max(most, running)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				running--
				ran++
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most != 2 || ran != 8 {
		t.Fatalf("at most %d at once (want 2), %d ran (want 8)", most, ran)
	}

	hold := make(chan struct{})
	held := make(chan struct{}, 2)
	for i := 0; i < 2; i++ {
		go s.InTx(ctx, func(ordering.Tx) error { held <- struct{}{}; <-hold; return nil })
	}
	<-held
	<-held
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	called := false
	err := s.InTx(cctx, func(ordering.Tx) error { called = true; return nil })
	close(hold)
	if !errors.Is(err, context.DeadlineExceeded) || called {
		t.Fatalf("waiting past the deadline: err %v, ran %v", err, called)
	}
}

// TestInsertOrder: one statement writes the order, numbered from the
// sequence (six digits at least, more past 999,999), its lines, counted by
// the rollup summary's triggers, and its event.
func TestInsertOrder(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	var ids struct {
		Dealer int `db:"dealer"`
		Season int `db:"season"`
	}
	if err := db.GetContext(ctx, &ids, `SELECT (SELECT id FROM dealers WHERE code = 'D001') AS dealer,
		(SELECT id FROM seasons WHERE code = 'SS27') AS season`); err != nil {
		t.Fatal(err)
	}
	var skus []struct {
		ID, Style, Color, Size int
	}
	rows, err := db.QueryContext(ctx, `
SELECT k.id, k.style_id, k.color_id, k.size_id
FROM skus k JOIN season_styles ss ON ss.style_id = k.style_id AND ss.season_id = $1 ORDER BY k.id LIMIT 3`, ids.Season)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k struct{ ID, Style, Color, Size int }
		if err := rows.Scan(&k.ID, &k.Style, &k.Color, &k.Size); err != nil {
			t.Fatal(err)
		}
		skus = append(skus, k)
	}
	rows.Close()
	var lines []ordering.Line
	for _, k := range skus {
		lines = append(lines, ordering.Line{SKUID: k.ID, StyleID: k.Style, ColorID: k.Color, SizeID: k.Size,
			Qty: 2, UnitPrice: money.MustParse("10.50"), Amount: money.MustParse("21.00")})
	}
	if len(lines) != 3 {
		t.Fatalf("%d SKUs in the fixture", len(lines))
	}
	if _, err := db.ExecContext(ctx, `SELECT setval('order_number_seq', 999998)`); err != nil {
		t.Fatal(err)
	}
	s := New(db)
	var got []ordering.InsertedOrder
	for i := 0; i < 2; i++ {
		err := s.InTx(ctx, func(tx ordering.Tx) error {
			ins, err := tx.InsertOrder(ctx, ordering.NewOrder{Season: "SS27", DealerID: ids.Dealer, SeasonID: ids.Season,
				Status: ordering.StatusSubmitted, Currency: "CNY", TotalQty: 6, TotalAmount: money.MustParse("63.00"),
				Lines: lines, Event: &ordering.NewEvent{Kind: ordering.EventSubmitted, To: ordering.StatusSubmitted,
					Detail: ordering.EventDetail{Lines: 3}}})
			got = append(got, ins)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got[0].Number != "SO-SS27-999999" || got[1].Number != "SO-SS27-1000000" {
		t.Fatalf("numbers %q, %q", got[0].Number, got[1].Number)
	}
	var n struct {
		Lines  int          `db:"lines"`
		Events int          `db:"events"`
		Rollup money.Amount `db:"rollup"`
	}
	if err := db.GetContext(ctx, &n, `SELECT
		(SELECT count(*) FROM order_lines WHERE order_id = $1) AS lines,
		(SELECT count(*) FROM order_events WHERE order_id = $1 AND kind = 'submitted' AND detail->>'lines' = '3') AS events,
		(SELECT sum(amount) FROM rollup_sku_slots WHERE season_id = $2) AS rollup`, got[1].ID, ids.Season); err != nil {
		t.Fatal(err)
	}
	if n.Lines != 3 || n.Events != 1 || n.Rollup != money.MustParse("126.00") {
		t.Fatalf("order %s: %d lines, %d events, rollup %s; want 3, 1, 126.00", got[1].Number, n.Lines, n.Events, n.Rollup)
	}
}

// TestOrderLineKeys: migration 00070 checks a line's dealer against its
// order's and its style, colour and size against its SKU's (two composite
// keys instead of seven single ones); a line that disagrees is refused by
// the named key, and one that agrees is stored.
func TestOrderLineKeys(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	var o struct {
		ID     int64 `db:"id"`
		Dealer int   `db:"dealer_id"`
	}
	if err := db.GetContext(ctx, &o, `
INSERT INTO orders (number, dealer_id, season_id, status, currency)
SELECT 'K-1', d.id, s.id, 'draft', 'CNY' FROM dealers d, seasons s WHERE d.code = 'D001' AND s.code = 'SS27'
RETURNING id, dealer_id`); err != nil {
		t.Fatal(err)
	}
	var other int
	if err := db.GetContext(ctx, &other, `SELECT id FROM dealers WHERE id <> $1 ORDER BY id LIMIT 1`, o.Dealer); err != nil {
		t.Fatal(err)
	}
	const insert = `
INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
SELECT $1, $2, k.id, k.style_id + $3, k.color_id, k.size_id + $4, 1, 10.00, 10.00
  FROM skus k ORDER BY k.id LIMIT 1`
	for _, c := range []struct {
		name                string
		dealer, style, size int
		wantErr             string
	}{
		{"another dealer than the order's", other, 0, 0, "order_lines_order_id_fkey"},
		{"another style than the SKU's", o.Dealer, 1, 0, "order_lines_sku_id_fkey"},
		{"another size than the SKU's", o.Dealer, 0, 1, "order_lines_sku_id_fkey"},
		{"the order's dealer and the SKU's parts", o.Dealer, 0, 0, ""},
	} {
		_, err := db.ExecContext(ctx, insert, o.ID, c.dealer, c.style, c.size)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: err = %v, want a violation of %s", c.name, err, c.wantErr)
		}
	}
	// Deleting the order still deletes its lines.
	if _, err := db.ExecContext(ctx, `DELETE FROM orders WHERE id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM order_lines WHERE order_id = $1`, o.ID); err != nil || n != 0 {
		t.Fatalf("lines left after deleting their order: %d (%v)", n, err)
	}
}
