// Package plandb implements planreport.Store on PostgreSQL: the season's SKUs
// with their demand, released production and stock, and the base season's
// demand per style and colour, read in one REPEATABLE READ snapshot.
package plandb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/planreport"
)

// Store implements planreport.Store.
type Store struct{ db *sqlx.DB }

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

var _ planreport.Store = (*Store)(nil)

// Seasons implements planreport.Store.
func (s *Store) Seasons(ctx context.Context) ([]planreport.Season, error) {
	const q = `SELECT id, code, name, starts_on, closed FROM seasons ORDER BY starts_on DESC, code`
	rs, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("seasons: %w", err)
	}
	defer rs.Close()
	var out []planreport.Season
	for rs.Next() {
		var se planreport.Season
		if err := rs.Scan(&se.ID, &se.Code, &se.Name, &se.StartsOn, &se.Closed); err != nil {
			return nil, fmt.Errorf("seasons: %w", err)
		}
		out = append(out, se)
	}
	return out, rs.Err()
}

// Load implements planreport.Store.
func (s *Store) Load(ctx context.Context, seasonID, baseID int) (planreport.Data, error) {
	var d planreport.Data
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return d, fmt.Errorf("plan report: %w", err)
	}
	defer tx.Rollback()

	const qCur = `SELECT currency FROM price_lists ORDER BY is_list DESC, id LIMIT 1`
	if err := tx.GetContext(ctx, &d.Currency, qCur); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("plan report currency: %w", err)
	}
	const qPO = `
SELECT count(*), coalesce((array_agg((overage_pct * 100)::int ORDER BY released_at DESC, id DESC))[1], 0)
FROM production_orders WHERE season_id = $1 AND status = 'released'`
	if err := tx.QueryRowContext(ctx, qPO, seasonID).Scan(&d.ReleasedOrders, &d.OverageBP); err != nil {
		return d, fmt.Errorf("plan report production orders: %w", err)
	}
	if d.SKUs, err = skus(ctx, tx, seasonID); err != nil {
		return d, err
	}
	if baseID != 0 {
		if d.BaseStyles, d.BaseQty, err = base(ctx, tx, baseID); err != nil {
			return d, err
		}
	}
	return d, tx.Commit()
}

// demandCTE is the net demand per order line of a season ($1) in the counted
// statuses ($2): quantity less approved returns.
const demandCTE = `
demand AS (
    SELECT l.sku_id, l.style_id, l.color_id,
           l.qty - coalesce((SELECT sum(rl.qty) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
                             WHERE rl.order_line_id = l.id AND r.status = 'approved'), 0) AS qty
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    WHERE o.season_id = $1 AND o.status = ANY($2)
)`

func skus(ctx context.Context, tx *sqlx.Tx, seasonID int) ([]planreport.SKU, error) {
	const q = `
WITH ` + demandCTE + `, sku_demand AS (
    SELECT sku_id, sum(qty) AS qty FROM demand GROUP BY sku_id
), released AS (
    SELECT pl.sku_id, sum(pl.planned_qty) AS planned, sum(pl.stock_qty) AS stock, sum(pl.demand_qty) AS covered
    FROM production_order_lines pl
    JOIN production_orders po ON po.id = pl.production_order_id
    WHERE po.season_id = $1 AND po.status = 'released'
    GROUP BY pl.sku_id
), netted_elsewhere AS (
    SELECT pl.sku_id, sum(pl.stock_qty) AS qty
    FROM production_order_lines pl
    JOIN production_orders po ON po.id = pl.production_order_id
    WHERE po.season_id <> $1 AND po.status = 'released'
    GROUP BY pl.sku_id
), keys AS (
    SELECT k.id FROM skus k JOIN season_styles ss ON ss.style_id = k.style_id AND ss.season_id = $1
    UNION SELECT sku_id FROM sku_demand
    UNION SELECT sku_id FROM released
)
SELECT k.id, st.code, st.name, cat.code, cat.name, c.code, c.name, sz.code, sz.position,
       EXISTS (SELECT 1 FROM season_styles ss WHERE ss.season_id = $1 AND ss.style_id = st.id),
       st.cut_lot, st.unit_cost,
       coalesce((SELECT p.price FROM prices p JOIN price_lists pl ON pl.id = p.price_list_id
                 WHERE pl.is_list AND p.style_id = st.id), 0),
       coalesce((SELECT round(sc.share * 100000)::int FROM size_curves sc
                 WHERE sc.category_id = st.category_id AND sc.size_id = k.size_id), 0),
       coalesce(d.qty, 0), coalesce(r.planned, 0), coalesce(r.stock, 0), coalesce(r.covered, 0),
       greatest(0, coalesce(soh.qty, 0) - coalesce(ne.qty, 0))
FROM keys
JOIN skus k ON k.id = keys.id
JOIN styles st ON st.id = k.style_id
JOIN categories cat ON cat.id = st.category_id
JOIN colors c ON c.id = k.color_id
JOIN sizes sz ON sz.id = k.size_id
LEFT JOIN sku_demand d ON d.sku_id = k.id
LEFT JOIN released r ON r.sku_id = k.id
LEFT JOIN netted_elsewhere ne ON ne.sku_id = k.id
LEFT JOIN stock_on_hand soh ON soh.sku_id = k.id
ORDER BY st.code, c.code, sz.position`
	rs, err := tx.QueryContext(ctx, q, seasonID, pq.Array(planreport.CountedStatuses))
	if err != nil {
		return nil, fmt.Errorf("plan report skus: %w", err)
	}
	defer rs.Close()
	var out []planreport.SKU
	for rs.Next() {
		var k planreport.SKU
		if err := rs.Scan(&k.SKUID, &k.Style, &k.StyleName, &k.Category, &k.CategoryName, &k.Color, &k.ColorName,
			&k.Size, &k.SizePos, &k.InSeason, &k.CutLot, &k.UnitCost, &k.Wholesale, &k.CurveShare,
			&k.Demand, &k.Released, &k.StockUsed, &k.Covered, &k.StockAvail); err != nil {
			return nil, fmt.Errorf("plan report skus: %w", err)
		}
		out = append(out, k)
	}
	return out, rs.Err()
}

func base(ctx context.Context, tx *sqlx.Tx, baseID int) ([]planreport.BaseStyle, []planreport.BaseQty, error) {
	const qStyles = `
SELECT st.code, cat.code
FROM season_styles ss
JOIN styles st ON st.id = ss.style_id
JOIN categories cat ON cat.id = st.category_id
WHERE ss.season_id = $1
ORDER BY st.code`
	var styles []planreport.BaseStyle
	rs, err := tx.QueryContext(ctx, qStyles, baseID)
	if err != nil {
		return nil, nil, fmt.Errorf("plan report base styles: %w", err)
	}
	for rs.Next() {
		var b planreport.BaseStyle
		if err := rs.Scan(&b.Style, &b.Category); err != nil {
			rs.Close()
			return nil, nil, fmt.Errorf("plan report base styles: %w", err)
		}
		styles = append(styles, b)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("plan report base styles: %w", err)
	}
	const qQty = `
WITH ` + demandCTE + `
SELECT st.code, c.code, sum(d.qty)
FROM demand d
JOIN styles st ON st.id = d.style_id
JOIN colors c ON c.id = d.color_id
GROUP BY st.code, c.code
ORDER BY st.code, c.code`
	var qty []planreport.BaseQty
	rs, err = tx.QueryContext(ctx, qQty, baseID, pq.Array(planreport.CountedStatuses))
	if err != nil {
		return nil, nil, fmt.Errorf("plan report base demand: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var b planreport.BaseQty
		if err := rs.Scan(&b.Style, &b.Color, &b.Qty); err != nil {
			return nil, nil, fmt.Errorf("plan report base demand: %w", err)
		}
		qty = append(qty, b)
	}
	return styles, qty, rs.Err()
}
