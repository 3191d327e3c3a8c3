package orderdb

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

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
