package aggdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/postgres"
)

// releaseLockClass is the first key of the per-season advisory lock that
// serializes releases (the second key is the season id).
const releaseLockClass = 727400

// Demand implements aggregation.Store. Styles not offered in the season are a
// validation error naming styles[i].
func (s *Store) Demand(ctx context.Context, seasonID int, styleCodes []string) ([]aggregation.DemandLine, error) {
	if len(styleCodes) > 0 {
		const qs = `
SELECT x.c, x.n FROM unnest($2::text[]) WITH ORDINALITY AS x(c, n)
WHERE NOT EXISTS (SELECT 1 FROM styles st JOIN season_styles ss ON ss.style_id = st.id
                  WHERE ss.season_id = $1 AND st.code = x.c)
ORDER BY x.n`
		rs, err := s.db.QueryContext(ctx, qs, seasonID, pq.Array(styleCodes))
		if err != nil {
			return nil, fmt.Errorf("demand: %w", err)
		}
		var details []apperr.Detail
		for rs.Next() {
			var c string
			var n int
			if err := rs.Scan(&c, &n); err != nil {
				rs.Close()
				return nil, fmt.Errorf("demand: %w", err)
			}
			details = append(details, apperr.Detail{Field: fmt.Sprintf("styles[%d]", n-1),
				Message: fmt.Sprintf("style %q is not offered in this season", c)})
		}
		rs.Close()
		if len(details) > 0 {
			return nil, apperr.Invalid(details[0].Message, details...)
		}
	}
	const q = `
WITH cov AS (
    SELECT pc.order_line_id, sum(pc.qty) AS covered
    FROM production_coverage pc
    JOIN production_orders po ON po.id = pc.production_order_id
    WHERE po.season_id = $1 AND po.status = 'released'
    GROUP BY pc.order_line_id
), open AS (
    SELECT l.sku_id, sum(l.qty - coalesce(cov.covered, 0)) AS demand
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    LEFT JOIN cov ON cov.order_line_id = l.id
    WHERE o.season_id = $1 AND o.status = ANY($2) AND l.qty > coalesce(cov.covered, 0)
      AND (cardinality($3::text[]) = 0 OR l.style_id IN (SELECT id FROM styles WHERE code = ANY($3)))
    GROUP BY l.sku_id
), netted AS (
    SELECT pl.sku_id, sum(pl.stock_qty) AS qty
    FROM production_order_lines pl
    JOIN production_orders po ON po.id = pl.production_order_id
    WHERE po.status = 'released' AND pl.sku_id IN (SELECT sku_id FROM open)
    GROUP BY pl.sku_id
)
SELECT k.id, k.style_id, k.color_id, k.size_id, st.code, st.name, c.code, c.name, sz.code, sz.position,
       open.demand, greatest(0, coalesce(soh.qty, 0) - coalesce(netted.qty, 0)), st.cut_lot
FROM open
JOIN skus k ON k.id = open.sku_id
JOIN styles st ON st.id = k.style_id
JOIN colors c ON c.id = k.color_id
JOIN sizes sz ON sz.id = k.size_id
LEFT JOIN stock_on_hand soh ON soh.sku_id = k.id
LEFT JOIN netted ON netted.sku_id = k.id
ORDER BY st.code, c.code, sz.position`
	codes := styleCodes
	if codes == nil {
		codes = []string{}
	}
	rs, err := s.db.QueryContext(ctx, q, seasonID, pq.Array(aggregation.CountedStatuses), pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("demand: %w", err)
	}
	defer rs.Close()
	var out []aggregation.DemandLine
	for rs.Next() {
		var d aggregation.DemandLine
		if err := rs.Scan(&d.SKUID, &d.StyleID, &d.ColorID, &d.SizeID, &d.Style, &d.StyleName, &d.Color, &d.ColorName,
			&d.Size, &d.SizePos, &d.Demand, &d.Stock, &d.CutLot); err != nil {
			return nil, fmt.Errorf("demand: %w", err)
		}
		out = append(out, d)
	}
	return out, rs.Err()
}

type idemBody struct {
	Number string `json:"number"`
}

// CreateProductionOrder implements aggregation.Store.
func (s *Store) CreateProductionOrder(ctx context.Context, d aggregation.Draft, key *aggregation.IdempotencyKey) (string, error) {
	if key != nil && key.UserID == 0 {
		key = nil // keys are scoped to a stored user
	}
	var number string
	err := postgres.Transact(ctx, s.db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
		number = ""
		if key != nil {
			stored, err := postgres.ClaimKey(ctx, tx, key.UserID, key.Key, 0, key.RequestHash)
			if err != nil {
				return err
			}
			if stored != nil {
				var b idemBody
				if stored.Hash != key.RequestHash || json.Unmarshal(stored.Body, &b) != nil || b.Number == "" {
					return apperr.New(apperr.IdempotencyReused, "this Idempotency-Key was used for another request")
				}
				number = b.Number
				return nil
			}
		}
		const qPO = `
INSERT INTO production_orders (number, season_id, status, overage_pct, created_by)
SELECT 'PO-' || lpad(n::text, greatest(6, length(n::text)), '0'), $1, 'draft', $2::numeric / 100, $3
FROM nextval('production_order_number_seq') n
RETURNING id, number`
		var id int
		if err := tx.QueryRowContext(ctx, qPO, d.SeasonID, d.OverageBP, nullInt(d.CreatedBy)).Scan(&id, &number); err != nil {
			return err
		}
		n := len(d.Lines)
		sku, style, color, size := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		demand, stock, planned := make([]int64, n), make([]int64, n), make([]int64, n)
		for i, l := range d.Lines {
			sku[i], style[i], color[i], size[i] = int64(l.SKUID), int64(l.StyleID), int64(l.ColorID), int64(l.SizeID)
			demand[i], stock[i], planned[i] = int64(l.DemandQty), int64(l.StockQty), int64(l.PlannedQty)
		}
		const qLines = `
INSERT INTO production_order_lines (production_order_id, sku_id, style_id, color_id, size_id, demand_qty, stock_qty, planned_qty)
SELECT $1, * FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[])`
		if _, err := tx.ExecContext(ctx, qLines, id, pq.Array(sku), pq.Array(style), pq.Array(color), pq.Array(size),
			pq.Array(demand), pq.Array(stock), pq.Array(planned)); err != nil {
			return err
		}
		if key != nil {
			body, _ := json.Marshal(idemBody{Number: number})
			if err := postgres.SaveResponse(ctx, tx, key.UserID, key.Key, http.StatusCreated, body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return "", err
		}
		return "", fmt.Errorf("create production order: %w", err)
	}
	return number, nil
}

type poRow struct {
	ID         int        `db:"id"`
	Number     string     `db:"number"`
	Season     string     `db:"season"`
	Status     string     `db:"status"`
	OverageBP  int        `db:"overage_bp"`
	CreatedAt  time.Time  `db:"created_at"`
	ReleasedAt *time.Time `db:"released_at"`
	Demand     int        `db:"demand"`
	Stock      int        `db:"stock"`
	Planned    int        `db:"planned"`
	Lines      int        `db:"lines"`
}

func (r poRow) toDomain() aggregation.ProductionOrder {
	return aggregation.ProductionOrder{Number: r.Number, Season: r.Season, Status: r.Status, OverageBP: r.OverageBP,
		CreatedAt: r.CreatedAt, ReleasedAt: r.ReleasedAt, LineCount: r.Lines,
		Totals: aggregation.ProductionTotals{DemandQty: r.Demand, StockQty: r.Stock, PlannedQty: r.Planned}}
}

const poSelect = `
SELECT po.id, po.number, se.code AS season, po.status, (po.overage_pct * 100)::int AS overage_bp,
       po.created_at, po.released_at,
       coalesce(t.demand, 0) AS demand, coalesce(t.stock, 0) AS stock, coalesce(t.planned, 0) AS planned,
       coalesce(t.lines, 0) AS lines
FROM production_orders po
JOIN seasons se ON se.id = po.season_id
LEFT JOIN LATERAL (
    SELECT sum(demand_qty) AS demand, sum(stock_qty) AS stock, sum(planned_qty) AS planned, count(*) AS lines
    FROM production_order_lines WHERE production_order_id = po.id
) t ON true`

// ProductionOrder implements aggregation.Store.
func (s *Store) ProductionOrder(ctx context.Context, number string) (aggregation.ProductionOrder, error) {
	var r poRow
	if err := s.db.GetContext(ctx, &r, poSelect+` WHERE po.number = $1`, number); err != nil {
		return aggregation.ProductionOrder{}, postgres.Error(err, "production order "+number)
	}
	po := r.toDomain()
	const q = `
SELECT pl.sku_id, st.code, st.name, c.code, c.name, sz.code, sz.position, st.cut_lot,
       pl.demand_qty, pl.stock_qty, pl.planned_qty
FROM production_order_lines pl
JOIN styles st ON st.id = pl.style_id
JOIN colors c ON c.id = pl.color_id
JOIN sizes sz ON sz.id = pl.size_id
WHERE pl.production_order_id = $1
ORDER BY st.code, c.code, sz.position`
	rs, err := s.db.QueryContext(ctx, q, r.ID)
	if err != nil {
		return po, fmt.Errorf("production order lines: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var l aggregation.ProductionLine
		if err := rs.Scan(&l.SKUID, &l.Style, &l.StyleName, &l.Color, &l.ColorName, &l.Size, &l.SizePos, &l.CutLot,
			&l.DemandQty, &l.StockQty, &l.PlannedQty); err != nil {
			return po, fmt.Errorf("production order lines: %w", err)
		}
		po.Lines = append(po.Lines, l)
	}
	return po, rs.Err()
}

// ProductionOrders implements aggregation.Store.
func (s *Store) ProductionOrders(ctx context.Context, seasonID int) ([]aggregation.ProductionOrder, error) {
	var rows []poRow
	q := poSelect + ` WHERE ($1 = 0 OR po.season_id = $1) ORDER BY po.id DESC`
	if err := s.db.SelectContext(ctx, &rows, q, seasonID); err != nil {
		return nil, fmt.Errorf("production orders: %w", err)
	}
	out := make([]aggregation.ProductionOrder, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Release implements aggregation.Store. Under the season's advisory lock it
// locks the orders with open demand for the draft's SKUs (so they can be
// neither cancelled nor amended meanwhile: line triggers take FOR SHARE on
// their order), recomputes what is still uncovered, lets aggregation.Allocate
// decide (or refuse a stale draft), then records the coverage, releases the
// draft and moves the covered orders to in_production with an order event.
func (s *Store) Release(ctx context.Context, number string, userID int) error {
	err := postgres.Transact(ctx, s.db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
		var id, seasonID int
		var status string
		const qPO = `SELECT id, season_id, status FROM production_orders WHERE number = $1 FOR UPDATE`
		if err := tx.QueryRowContext(ctx, qPO, number).Scan(&id, &seasonID, &status); err != nil {
			return postgres.Error(err, "production order "+number)
		}
		if status != "draft" {
			return apperr.New(apperr.InvalidState, "production order %s is %s; only a draft can be released", number, status)
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, releaseLockClass, seasonID); err != nil {
			return err
		}
		const qLines = `
SELECT pl.sku_id, pl.demand_qty, pl.stock_qty
FROM production_order_lines pl
JOIN styles st ON st.id = pl.style_id
JOIN colors c ON c.id = pl.color_id
JOIN sizes sz ON sz.id = pl.size_id
WHERE pl.production_order_id = $1
ORDER BY st.code, c.code, sz.position`
		var lines []aggregation.CoverLine
		var skus []int64
		rs, err := tx.QueryContext(ctx, qLines, id)
		if err != nil {
			return err
		}
		for rs.Next() {
			var l aggregation.CoverLine
			if err := rs.Scan(&l.SKUID, &l.DemandQty, &l.StockQty); err != nil {
				rs.Close()
				return err
			}
			lines = append(lines, l)
			skus = append(skus, int64(l.SKUID))
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}

		const qLock = `
SELECT o.id FROM orders o
WHERE o.season_id = $1 AND o.status = ANY($2)
  AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.sku_id = ANY($3))
ORDER BY o.id
FOR NO KEY UPDATE`
		var orderIDs []int64
		if err := tx.SelectContext(ctx, &orderIDs, qLock, seasonID, pq.Array(aggregation.CountedStatuses), pq.Array(skus)); err != nil {
			return err
		}
		const qOpen = `
SELECT l.id, l.order_id, l.dealer_id, l.sku_id,
       l.qty - coalesce((SELECT sum(pc.qty) FROM production_coverage pc WHERE pc.order_line_id = l.id), 0)
FROM order_lines l
JOIN orders o ON o.id = l.order_id
WHERE o.id = ANY($1) AND o.status = ANY($2) AND l.sku_id = ANY($3)
ORDER BY coalesce(o.submitted_at, o.created_at), o.id, l.id`
		var open []aggregation.OpenLine
		rs, err = tx.QueryContext(ctx, qOpen, pq.Array(orderIDs), pq.Array(aggregation.CountedStatuses), pq.Array(skus))
		if err != nil {
			return err
		}
		for rs.Next() {
			var o aggregation.OpenLine
			if err := rs.Scan(&o.OrderLineID, &o.OrderID, &o.DealerID, &o.SKUID, &o.Uncovered); err != nil {
				rs.Close()
				return err
			}
			open = append(open, o)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		const qStock = `
SELECT k.sku, greatest(0, coalesce((SELECT qty FROM stock_on_hand WHERE sku_id = k.sku), 0)
       - coalesce((SELECT sum(pl.stock_qty) FROM production_order_lines pl
                   JOIN production_orders po ON po.id = pl.production_order_id
                   WHERE po.status = 'released' AND pl.sku_id = k.sku), 0))
FROM unnest($1::int[]) AS k(sku)`
		available := map[int]int{}
		rs, err = tx.QueryContext(ctx, qStock, pq.Array(skus))
		if err != nil {
			return err
		}
		for rs.Next() {
			var sku, qty int
			if err := rs.Scan(&sku, &qty); err != nil {
				rs.Close()
				return err
			}
			available[sku] = qty
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}

		cov, err := aggregation.Allocate(lines, open, available)
		if err != nil {
			return err
		}
		n := len(cov)
		lineIDs, dealers, covSKUs, qtys := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		moved := map[int64]bool{}
		var movedIDs []int64
		for i, c := range cov {
			lineIDs[i], dealers[i], covSKUs[i], qtys[i] = c.OrderLineID, int64(c.DealerID), int64(c.SKUID), int64(c.Qty)
			if !moved[c.OrderID] {
				moved[c.OrderID] = true
				movedIDs = append(movedIDs, c.OrderID)
			}
		}
		const qCov = `
INSERT INTO production_coverage (production_order_id, order_line_id, dealer_id, sku_id, qty)
SELECT $1, * FROM unnest($2::bigint[], $3::int[], $4::int[], $5::int[])`
		if _, err := tx.ExecContext(ctx, qCov, id, pq.Array(lineIDs), pq.Array(dealers), pq.Array(covSKUs), pq.Array(qtys)); err != nil {
			return err
		}
		const qRelease = `UPDATE production_orders SET status = 'released', released_by = $2, released_at = now() WHERE id = $1`
		if _, err := tx.ExecContext(ctx, qRelease, id, nullInt(userID)); err != nil {
			return err
		}
		const qMove = `
WITH old AS (
    SELECT id, status FROM orders WHERE id = ANY($1) AND status IN ('submitted', 'confirmed')
), moved AS (
    UPDATE orders o SET status = 'in_production', updated_at = now(), version = o.version + 1
    FROM old WHERE o.id = old.id
    RETURNING o.id, o.dealer_id, old.status AS from_status
)
INSERT INTO order_events (order_id, dealer_id, user_id, kind, from_status, to_status, detail)
SELECT id, dealer_id, $2, 'status', from_status, 'in_production', jsonb_build_object('production_order', $3::text)
FROM moved`
		_, err = tx.ExecContext(ctx, qMove, pq.Array(movedIDs), nullInt(userID), number)
		return err
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return err
		}
		return fmt.Errorf("release %s: %w", number, err)
	}
	return nil
}

// Excess implements aggregation.Store.
func (s *Store) Excess(ctx context.Context, seasonID int) ([]aggregation.ExcessRow, error) {
	const q = `
WITH cov AS (
    SELECT pc.order_line_id, sum(pc.qty) AS covered
    FROM production_coverage pc
    JOIN production_orders po ON po.id = pc.production_order_id
    WHERE po.season_id = $1 AND po.status = 'released'
    GROUP BY pc.order_line_id
)
SELECT st.code, c.code, sz.code, sz.position,
       sum(CASE WHEN o.status = 'cancelled' THEN cov.covered ELSE 0 END) AS cancelled,
       sum(CASE WHEN o.status <> 'cancelled' THEN greatest(0, cov.covered - l.qty) ELSE 0 END) AS reduced,
       array_agg(DISTINCT o.number ORDER BY o.number)
           FILTER (WHERE o.status = 'cancelled' OR cov.covered > l.qty) AS orders
FROM cov
JOIN order_lines l ON l.id = cov.order_line_id
JOIN orders o ON o.id = l.order_id
JOIN styles st ON st.id = l.style_id
JOIN colors c ON c.id = l.color_id
JOIN sizes sz ON sz.id = l.size_id
GROUP BY st.code, c.code, sz.code, sz.position
HAVING sum(CASE WHEN o.status = 'cancelled' THEN cov.covered ELSE greatest(0, cov.covered - l.qty) END) > 0
ORDER BY st.code, c.code, sz.position`
	rs, err := s.db.QueryContext(ctx, q, seasonID)
	if err != nil {
		return nil, fmt.Errorf("excess: %w", err)
	}
	defer rs.Close()
	var out []aggregation.ExcessRow
	for rs.Next() {
		var r aggregation.ExcessRow
		if err := rs.Scan(&r.Style, &r.Color, &r.Size, &r.SizePos, &r.CancelledQty, &r.ReducedQty, pq.Array(&r.Orders)); err != nil {
			return nil, fmt.Errorf("excess: %w", err)
		}
		r.ExcessQty = r.CancelledQty + r.ReducedQty
		out = append(out, r)
	}
	return out, rs.Err()
}

// FabricNeeds implements aggregation.Store: planned quantity × consumption ×
// (1 + wastage %), per style and fabric, rounded to two decimals.
func (s *Store) FabricNeeds(ctx context.Context, number string) ([]aggregation.FabricNeed, error) {
	const q = `
SELECT st.code, f.code, f.name, f.unit,
       round(sum(pl.planned_qty * b.consumption) * (1 + f.wastage_pct / 100), 2)
FROM production_order_lines pl
JOIN production_orders po ON po.id = pl.production_order_id
JOIN bom_lines b ON b.style_id = pl.style_id AND b.size_id = pl.size_id
JOIN fabrics f ON f.id = b.fabric_id
JOIN styles st ON st.id = pl.style_id
WHERE po.number = $1 AND pl.planned_qty > 0
GROUP BY st.code, f.id, f.code, f.name, f.unit, f.wastage_pct
ORDER BY st.code, f.code`
	rs, err := s.db.QueryContext(ctx, q, number)
	if err != nil {
		return nil, fmt.Errorf("fabric needs: %w", err)
	}
	defer rs.Close()
	var out []aggregation.FabricNeed
	for rs.Next() {
		var n aggregation.FabricNeed
		if err := rs.Scan(&n.Style, &n.Fabric, &n.Name, &n.Unit, &n.Qty); err != nil {
			return nil, fmt.Errorf("fabric needs: %w", err)
		}
		out = append(out, n)
	}
	return out, rs.Err()
}
