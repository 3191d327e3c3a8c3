package aggdb

import (
	"context"
	"fmt"
	"time"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/postgres"
)

// Fabric implements aggregation.Store.
func (s *Store) Fabric(ctx context.Context, code string) (aggregation.Fabric, error) {
	const q = `
SELECT f.id, f.code, f.name, f.unit, f.supplier_id, s.code
FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id
WHERE f.code = $1`
	var f aggregation.Fabric
	err := s.db.QueryRowContext(ctx, q, code).Scan(&f.ID, &f.Code, &f.Name, &f.Unit, &f.SupplierID, &f.Supplier)
	if err != nil {
		return f, postgres.Error(err, "fabric")
	}
	return f, nil
}

// Forecast implements aggregation.Store. The quantity of a SKU is the planned
// quantity of released production orders (needed from the earliest delivery
// window among the order lines they covered) plus the uncovered quantity of
// counted order lines (needed from the line's window); lines without a window
// use the season's first window, or its start date if it has none. The week
// of need is the Monday of (that date − the fabric's lead time).
func (s *Store) Forecast(ctx context.Context, seasonID, supplierID int, fabricCode string) ([]aggregation.FabricRow, error) {
	const q = `
WITH season AS (
    SELECT coalesce((SELECT min(ships_from) FROM delivery_windows WHERE season_id = se.id), se.starts_on) AS first_day
    FROM seasons se WHERE se.id = $1
), cov AS (
    SELECT pc.order_line_id, sum(pc.qty) AS covered
    FROM production_coverage pc
    JOIN production_orders po ON po.id = pc.production_order_id
    WHERE po.season_id = $1 AND po.status = 'released'
    GROUP BY pc.order_line_id
), src AS (
    SELECT l.style_id, l.size_id, l.qty - coalesce(cov.covered, 0) AS qty,
           coalesce(w.ships_from, (SELECT first_day FROM season)) AS need_from
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    LEFT JOIN cov ON cov.order_line_id = l.id
    LEFT JOIN delivery_windows w ON w.id = l.delivery_window_id
    WHERE o.season_id = $1 AND rollup_counted(o.status) AND l.qty > coalesce(cov.covered, 0)
    UNION ALL
    SELECT pl.style_id, pl.size_id, pl.planned_qty,
           coalesce((SELECT min(coalesce(w.ships_from, (SELECT first_day FROM season)))
                     FROM production_coverage pc
                     JOIN order_lines l ON l.id = pc.order_line_id
                     LEFT JOIN delivery_windows w ON w.id = l.delivery_window_id
                     WHERE pc.production_order_id = po.id AND pc.sku_id = pl.sku_id),
                    (SELECT first_day FROM season))
    FROM production_orders po
    JOIN production_order_lines pl ON pl.production_order_id = po.id
    WHERE po.season_id = $1 AND po.status = 'released' AND pl.planned_qty > 0
), need AS (
    SELECT b.fabric_id,
           date_trunc('week', src.need_from - 7 * f.lead_time_weeks)::date AS week,
           sum(src.qty * b.consumption) AS raw
    FROM src
    JOIN bom_lines b ON b.style_id = src.style_id AND b.size_id = src.size_id
    JOIN fabrics f ON f.id = b.fabric_id
    WHERE ($2 = 0 OR f.supplier_id = $2) AND ($3 = '' OR f.code = $3)
    GROUP BY b.fabric_id, 2
)
SELECT f.code, f.name, su.code, f.unit, need.week,
       round(need.raw * (1 + f.wastage_pct / 100), 2),
       a.committed_qty, a.committed_date, a.note, a.required_qty, coalesce(u.email, ''), a.updated_at
FROM need
JOIN fabrics f ON f.id = need.fabric_id
JOIN suppliers su ON su.id = f.supplier_id
LEFT JOIN fabric_acknowledgements a ON a.season_id = $1 AND a.fabric_id = f.id AND a.week = need.week
LEFT JOIN users u ON u.id = a.user_id
ORDER BY f.code, need.week`
	rs, err := s.db.QueryContext(ctx, q, seasonID, supplierID, fabricCode)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	defer rs.Close()
	var out []aggregation.FabricRow
	for rs.Next() {
		var r aggregation.FabricRow
		var cq, rq *aggregation.Qty2
		var cd, up *time.Time
		var note *string
		var by string
		if err := rs.Scan(&r.Fabric, &r.Name, &r.Supplier, &r.Unit, &r.Week, &r.RequiredQty,
			&cq, &cd, &note, &rq, &by, &up); err != nil {
			return nil, fmt.Errorf("forecast: %w", err)
		}
		if cq != nil {
			r.Ack = &aggregation.Ack{CommittedQty: *cq, CommittedDate: *cd, Note: *note, RequiredQty: *rq, By: by, UpdatedAt: *up}
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// SaveAck implements aggregation.Store.
func (s *Store) SaveAck(ctx context.Context, a aggregation.AckInput) error {
	const q = `
INSERT INTO fabric_acknowledgements (season_id, fabric_id, week, required_qty, committed_qty, committed_date, note, user_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (season_id, fabric_id, week) DO UPDATE
SET required_qty = excluded.required_qty, committed_qty = excluded.committed_qty,
    committed_date = excluded.committed_date, note = excluded.note, user_id = excluded.user_id, updated_at = now()`
	_, err := s.db.ExecContext(ctx, q, a.SeasonID, a.FabricID, a.Week, a.RequiredQty, a.CommittedQty,
		a.CommittedDate, a.Note, a.UserID)
	return postgres.Error(err, "acknowledgement")
}
