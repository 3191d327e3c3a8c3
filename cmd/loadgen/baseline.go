package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/cmd/loadgen/loadclient"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/postgres"
)

// The baseline writes the load's orders straight into PostgreSQL with the
// transaction shape of a submission (insert the order, one multi-row insert
// of its lines, one event row, in one READ COMMITTED transaction) and
// nothing else: no HTTP, no authentication, no rules, no idempotency
// record. The database's triggers (the rollup summary) fire as they do for
// the server, so the difference between the two is what the server adds.

type skuRef struct{ sku, style, color, size int64 }

type dealerRef struct {
	id          int
	priceListID int
	currency    string
}

// baseCatalog is what the baseline needs to write orders: ids and prices.
type baseCatalog struct {
	seasonID int
	skus     map[string]skuRef               // "STYLE/COLOR/SIZE"
	prices   map[int]map[string]money.Amount // price list → style code → price
	dealers  map[string]dealerRef            // by code
}

func skuKey(style, color, size string) string { return style + "/" + color + "/" + size }

func loadBaseCatalog(ctx context.Context, db *sqlx.DB, season string) (*baseCatalog, error) {
	c := &baseCatalog{skus: map[string]skuRef{}, prices: map[int]map[string]money.Amount{}, dealers: map[string]dealerRef{}}
	if err := db.GetContext(ctx, &c.seasonID, `SELECT id FROM seasons WHERE code = $1`, season); err != nil {
		return nil, fmt.Errorf("season %s: %w", season, err)
	}
	const qSKUs = `
SELECT st.code AS style, co.code AS color, sz.code AS size, k.id AS sku, st.id AS style_id, co.id AS color_id, sz.id AS size_id
FROM skus k
JOIN styles st ON st.id = k.style_id
JOIN season_styles ss ON ss.style_id = st.id AND ss.season_id = $1
JOIN colors co ON co.id = k.color_id
JOIN sizes sz ON sz.id = k.size_id`
	var skus []struct {
		Style   string `db:"style"`
		Color   string `db:"color"`
		Size    string `db:"size"`
		SKU     int64  `db:"sku"`
		StyleID int64  `db:"style_id"`
		ColorID int64  `db:"color_id"`
		SizeID  int64  `db:"size_id"`
	}
	if err := db.SelectContext(ctx, &skus, qSKUs, c.seasonID); err != nil {
		return nil, fmt.Errorf("skus: %w", err)
	}
	for _, k := range skus {
		c.skus[skuKey(k.Style, k.Color, k.Size)] = skuRef{k.SKU, k.StyleID, k.ColorID, k.SizeID}
	}
	const qPrices = `SELECT p.price_list_id, st.code, p.price FROM prices p JOIN styles st ON st.id = p.style_id`
	var prices []struct {
		List  int          `db:"price_list_id"`
		Style string       `db:"code"`
		Price money.Amount `db:"price"`
	}
	if err := db.SelectContext(ctx, &prices, qPrices); err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	for _, p := range prices {
		if c.prices[p.List] == nil {
			c.prices[p.List] = map[string]money.Amount{}
		}
		c.prices[p.List][p.Style] = p.Price
	}
	const qDealers = `SELECT d.code, d.id, d.price_list_id, pl.currency FROM dealers d JOIN price_lists pl ON pl.id = d.price_list_id`
	var ds []struct {
		Code     string `db:"code"`
		ID       int    `db:"id"`
		List     int    `db:"price_list_id"`
		Currency string `db:"currency"`
	}
	if err := db.SelectContext(ctx, &ds, qDealers); err != nil {
		return nil, fmt.Errorf("dealers: %w", err)
	}
	for _, d := range ds {
		c.dealers[d.Code] = dealerRef{id: d.ID, priceListID: d.List, currency: d.Currency}
	}
	return c, nil
}

// baselineRun is the result of one baseline level.
type baselineRun struct {
	orders    int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration // sorted
	firstErr  error
}

// merge adds r to b (nil for none yet); latencies stay sorted.
func (b *baselineRun) merge(r baselineRun) *baselineRun {
	if b == nil {
		return &r
	}
	out := *b
	out.orders += r.orders
	out.errors += r.errors
	out.elapsed += r.elapsed
	out.latencies = append(append([]time.Duration(nil), b.latencies...), r.latencies...)
	slices.Sort(out.latencies)
	if out.firstErr == nil {
		out.firstErr = r.firstErr
	}
	return &out
}

func (r baselineRun) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.orders) / r.elapsed.Seconds()
}

// runBaseline writes orders with `workers` goroutines (worker vu writes the
// orders of virtual dealer vu, for the dealer of that session) until the
// order or time cap.
func runBaseline(ctx context.Context, db *sqlx.DB, cat *baseCatalog, dealers []string, styles []loadclient.Style,
	season string, lines int, seed uint64, prefix string, maxOrders int64, dur time.Duration) baselineRun {
	deadline := time.Now().Add(dur)
	var claimed atomic.Int64
	var mu sync.Mutex
	var out baselineRun
	var wg sync.WaitGroup
	start := time.Now()
	for vu, dealer := range dealers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			n, errs := 0, 0
			var firstErr error
			for j := 0; ctx.Err() == nil && time.Now().Before(deadline); j++ {
				if maxOrders > 0 && claimed.Add(1) > maxOrders {
					break
				}
				o := loadclient.OrderFor(seed, vu, j, styles, season, loadclient.Key(prefix, vu, j), lines)
				t0 := time.Now()
				err := writeOrder(ctx, db, cat, dealer, o)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				n++
			}
			mu.Lock()
			defer mu.Unlock()
			out.orders += n
			out.errors += errs
			out.latencies = append(out.latencies, lat...)
			if out.firstErr == nil {
				out.firstErr = firstErr
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	slices.Sort(out.latencies)
	return out
}

// writeOrder is the baseline's transaction for one order.
func writeOrder(ctx context.Context, db *sqlx.DB, cat *baseCatalog, dealer string, o loadclient.Order) error {
	d, ok := cat.dealers[dealer]
	if !ok {
		return fmt.Errorf("dealer %s not in the database", dealer)
	}
	n := len(o.Lines)
	sku, style, color, size, qty := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	price, amount := make([]string, n), make([]string, n)
	var total money.Amount
	totalQty := 0
	for i, l := range o.Lines {
		k, ok := cat.skus[skuKey(l.Style, l.Color, l.Size)]
		if !ok {
			return fmt.Errorf("no SKU %s/%s/%s", l.Style, l.Color, l.Size)
		}
		p := cat.prices[d.priceListID][l.Style]
		a := p.Times(l.Qty)
		sku[i], style[i], color[i], size[i], qty[i] = k.sku, k.style, k.color, k.size, int64(l.Qty)
		price[i], amount[i] = p.String(), a.String()
		total += a
		totalQty += l.Qty
	}
	detail, err := json.Marshal(map[string]any{"lines": n, "total_qty": totalQty, "total_amount": total})
	if err != nil {
		return err
	}
	const insOrder = `
INSERT INTO orders (number, dealer_id, season_id, status, reference, currency, total_qty, total_amount, submitted_at)
VALUES ('BL-' || $1 || '-' || lpad(nextval('order_number_seq')::text, 6, '0'), $2, $3, 'submitted', $4, $5, $6, $7, now())
RETURNING id`
	const insLines = `
INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
SELECT $1, $2, u.sku, u.style, u.color, u.size, u.qty, u.price, u.amount
FROM unnest($3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::numeric[], $9::numeric[])
     AS u(sku, style, color, size, qty, price, amount)`
	const insEvent = `
INSERT INTO order_events (order_id, dealer_id, kind, to_status, detail)
VALUES ($1, $2, 'submitted', 'submitted', $3::jsonb)`
	return postgres.Transact(ctx, db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, insOrder, o.Season, d.id, cat.seasonID, o.Reference, d.currency, totalQty, total); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insLines, id, d.id, pq.Array(sku), pq.Array(style), pq.Array(color),
			pq.Array(size), pq.Array(qty), pq.Array(price), pq.Array(amount)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, insEvent, id, d.id, string(detail))
		return err
	})
}
