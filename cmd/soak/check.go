package main

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// result is what the database says about the run.
type result struct {
	stored           int    // orders of the run (their reference is their key)
	lost             int    // acknowledged numbers not stored under their key
	duplicates       int    // orders beyond the first for one key
	halfWritten      int    // orders of the run without lines or events, or with wrong totals
	incompleteKeys   int    // key records of the run without their 201 response
	rollup           string // "checked" or why not
	rollupMismatches int    // SKUs whose summary differs from the lines
	openMismatches   int    // dealers whose dealer_open_orders differs from their open orders
}

// check runs the SQL checks of the soak. The run's orders carry their
// Idempotency-Key as reference, so they are found without trusting the
// idempotency records.
func check(ctx context.Context, db *sqlx.DB, prefix string, acks map[string]ack) (result, error) {
	var r result
	like := prefix + "-%"

	const qStored = `SELECT count(*) FROM orders WHERE reference LIKE $1`
	if err := db.GetContext(ctx, &r.stored, qStored, like); err != nil {
		return r, fmt.Errorf("stored: %w", err)
	}

	const qDuplicates = `
SELECT coalesce(sum(n - 1), 0) FROM (
    SELECT count(*) AS n FROM orders WHERE reference LIKE $1 GROUP BY reference HAVING count(*) > 1) d`
	if err := db.GetContext(ctx, &r.duplicates, qDuplicates, like); err != nil {
		return r, fmt.Errorf("duplicates: %w", err)
	}

	numbers := make([]string, 0, len(acks))
	keys := make([]string, 0, len(acks))
	for _, a := range acks {
		numbers = append(numbers, a.number)
		keys = append(keys, a.key)
	}
	// Lost: an acknowledged number that is not stored, or stored for another key.
	const qLost = `
SELECT count(*) FROM unnest($1::text[], $2::text[]) AS a(number, key)
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.number = a.number AND o.reference = a.key)`
	if err := db.GetContext(ctx, &r.lost, qLost, pq.Array(numbers), pq.Array(keys)); err != nil {
		return r, fmt.Errorf("lost: %w", err)
	}

	const qHalf = `
SELECT count(*) FROM orders o
LEFT JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(qty), 0) AS qty, coalesce(sum(amount), 0) AS amount
                   FROM order_lines l WHERE l.order_id = o.id) l ON true
WHERE o.reference LIKE $1
  AND (l.n = 0 OR o.total_qty <> l.qty OR o.total_amount <> l.amount
       OR NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id))`
	if err := db.GetContext(ctx, &r.halfWritten, qHalf, like); err != nil {
		return r, fmt.Errorf("half-written: %w", err)
	}

	const qKeys = `SELECT count(*) FROM idempotency_keys WHERE key LIKE $1 AND status_code <> 201`
	if err := db.GetContext(ctx, &r.incompleteKeys, qKeys, like); err != nil {
		return r, fmt.Errorf("idempotency keys: %w", err)
	}

	var hasSummary bool
	if err := db.GetContext(ctx, &hasSummary, `SELECT to_regclass('rollup_sku_slots') IS NOT NULL`); err != nil {
		return r, err
	}
	if !hasSummary {
		r.rollup = "skipped(no rollup_sku_slots)"
		return r, nil
	}
	// The summary's rows per SKU add up to the lines of the counted orders
	// (aggregation.CountedStatuses).
	const qRollup = `
WITH s AS (
    SELECT season_id, sku_id, sum(qty) AS qty, sum(amount) AS amount, sum(lines) AS lines, sum(dealers) AS dealers
    FROM rollup_sku_slots GROUP BY season_id, sku_id
    HAVING sum(qty) <> 0 OR sum(amount) <> 0 OR sum(lines) <> 0 OR sum(dealers) <> 0
), l AS (
    SELECT o.season_id, l.sku_id, sum(l.qty) AS qty, sum(l.amount) AS amount, count(*) AS lines,
           count(DISTINCT l.dealer_id) AS dealers
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE o.status IN ('submitted', 'confirmed', 'in_production')
    GROUP BY o.season_id, l.sku_id
)
SELECT count(*) FROM s FULL JOIN l USING (season_id, sku_id)
WHERE s.qty IS DISTINCT FROM l.qty OR s.amount IS DISTINCT FROM l.amount
   OR s.lines IS DISTINCT FROM l.lines OR s.dealers IS DISTINCT FROM l.dealers`
	if err := db.GetContext(ctx, &r.rollupMismatches, qRollup); err != nil {
		return r, fmt.Errorf("rollup: %w", err)
	}
	r.rollup = "checked"

	// The open orders' value kept per dealer for the credit check (migration
	// 00110) is the sum over the orders in the counted states.
	const qOpen = `
SELECT count(*) FROM dealers d
LEFT JOIN dealer_open_orders k ON k.dealer_id = d.id
LEFT JOIN (SELECT dealer_id, sum(total_amount) AS amount FROM orders
            WHERE order_exposure_counted(status) GROUP BY dealer_id) s ON s.dealer_id = d.id
WHERE coalesce(k.amount, 0) <> coalesce(s.amount, 0)`
	if err := db.GetContext(ctx, &r.openMismatches, qOpen); err != nil {
		return r, fmt.Errorf("open orders: %w", err)
	}
	return r, nil
}
