package aggdb

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/aggregation"
)

// Seasons implements aggregation.Store.
func (s *Store) Seasons(ctx context.Context) ([]aggregation.SeasonInfo, error) {
	const q = `
SELECT id, code, name, starts_on, order_opens_at, order_cutoff_at, closed
FROM seasons
ORDER BY starts_on DESC, code COLLATE "C" DESC`
	rs, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("seasons: %w", err)
	}
	defer rs.Close()
	var out []aggregation.SeasonInfo
	for rs.Next() {
		var se aggregation.SeasonInfo
		if err := rs.Scan(&se.ID, &se.Code, &se.Name, &se.StartsOn, &se.OpensAt, &se.CutoffAt, &se.Closed); err != nil {
			return nil, fmt.Errorf("seasons: %w", err)
		}
		out = append(out, se)
	}
	return out, rs.Err()
}

// Dashboard implements aggregation.Store: six reads in one REPEATABLE READ
// snapshot, so that the figures of one page agree with each other.
func (s *Store) Dashboard(ctx context.Context, seasonID, prevSeasonID int, statuses []string, top int) (aggregation.DashboardFigures, error) {
	var d aggregation.DashboardFigures
	st := pq.Array(statuses)
	err := s.readSnapshot(ctx, func(tx *sqlx.Tx) error {
		if err := dashTotals(ctx, tx, seasonID, st, &d.Totals); err != nil {
			return fmt.Errorf("totals: %w", err)
		}
		if prevSeasonID > 0 {
			if err := dashTotals(ctx, tx, prevSeasonID, st, &d.PrevTotals); err != nil {
				return fmt.Errorf("previous totals: %w", err)
			}
		}
		var err error
		if d.Categories, err = dashCategories(ctx, tx, seasonID, prevSeasonID, st); err != nil {
			return fmt.Errorf("categories: %w", err)
		}
		if d.TopStyles, err = dashTopStyles(ctx, tx, seasonID, st, top); err != nil {
			return fmt.Errorf("top styles: %w", err)
		}
		if d.Missing, err = dashMissing(ctx, tx, seasonID, prevSeasonID, st); err != nil {
			return fmt.Errorf("dealers without orders: %w", err)
		}
		if d.Held, err = dashHeld(ctx, tx, seasonID); err != nil {
			return fmt.Errorf("held orders: %w", err)
		}
		if d.Curves, err = dashCurves(ctx, tx, seasonID, st); err != nil {
			return fmt.Errorf("size curves: %w", err)
		}
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("dashboard: %w", err)
	}
	return d, nil
}

// dashTotals sums the season's order lines: the same figures as a rollup of
// those statuses.
func dashTotals(ctx context.Context, tx *sqlx.Tx, seasonID int, statuses any, t *aggregation.Totals) error {
	const q = `
SELECT coalesce(sum(l.qty), 0), coalesce(sum(l.amount), 0),
       count(DISTINCT l.order_id), count(DISTINCT l.dealer_id)
FROM order_lines l JOIN orders o ON o.id = l.order_id
WHERE o.season_id = $1 AND o.status = ANY($2)`
	return tx.QueryRowContext(ctx, q, seasonID, statuses).Scan(&t.Qty, &t.Amount, &t.Orders, &t.Dealers)
}

func dashCategories(ctx context.Context, tx *sqlx.Tx, seasonID, prevSeasonID int, statuses any) ([]aggregation.CategoryFigures, error) {
	const q = `
SELECT c.code, c.name,
       count(DISTINCT l.style_id) FILTER (WHERE o.season_id = $1),
       coalesce(sum(l.qty) FILTER (WHERE o.season_id = $1), 0) AS qty,
       coalesce(sum(l.amount) FILTER (WHERE o.season_id = $1), 0),
       count(DISTINCT l.dealer_id) FILTER (WHERE o.season_id = $1),
       coalesce(sum(l.qty) FILTER (WHERE o.season_id = $2), 0),
       coalesce(sum(l.amount) FILTER (WHERE o.season_id = $2), 0)
FROM order_lines l
JOIN orders o ON o.id = l.order_id
JOIN styles st ON st.id = l.style_id
JOIN categories c ON c.id = st.category_id
WHERE o.season_id IN ($1, $2) AND o.status = ANY($3)
GROUP BY c.id, c.code, c.name
ORDER BY qty DESC, c.code COLLATE "C"`
	rs, err := tx.QueryContext(ctx, q, seasonID, prevSeasonID, statuses)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []aggregation.CategoryFigures
	for rs.Next() {
		var c aggregation.CategoryFigures
		if err := rs.Scan(&c.Category, &c.Name, &c.Styles, &c.Qty, &c.Amount, &c.Dealers, &c.PrevQty, &c.PrevAmount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rs.Err()
}

func dashTopStyles(ctx context.Context, tx *sqlx.Tx, seasonID int, statuses any, top int) ([]aggregation.StyleFigures, error) {
	const q = `
SELECT st.code, st.name, c.code, sum(l.qty), sum(l.amount),
       count(DISTINCT l.order_id), count(DISTINCT l.dealer_id)
FROM order_lines l
JOIN orders o ON o.id = l.order_id
JOIN styles st ON st.id = l.style_id
JOIN categories c ON c.id = st.category_id
WHERE o.season_id = $1 AND o.status = ANY($2)
GROUP BY st.id, st.code, st.name, c.code
ORDER BY sum(l.qty) DESC, sum(l.amount) DESC, st.code COLLATE "C"
LIMIT $3`
	rs, err := tx.QueryContext(ctx, q, seasonID, statuses, top)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []aggregation.StyleFigures
	for rs.Next() {
		var s aggregation.StyleFigures
		if err := rs.Scan(&s.Style, &s.Name, &s.Category, &s.Qty, &s.Amount, &s.Orders, &s.Dealers); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rs.Err()
}

// dashMissing lists the dealers with no order in the season but drafts and
// cancelled ones, the biggest of the season before first.
func dashMissing(ctx context.Context, tx *sqlx.Tx, seasonID, prevSeasonID int, statuses any) ([]aggregation.DealerGap, error) {
	const q = `
SELECT d.code, d.name, r.code, d.status = 'on_hold',
       EXISTS (SELECT 1 FROM orders x WHERE x.dealer_id = d.id AND x.season_id = $1 AND x.status = 'draft'),
       coalesce(prev.qty, 0), coalesce(prev.amount, 0)
FROM dealers d
JOIN regions r ON r.id = d.region_id
LEFT JOIN LATERAL (
    SELECT sum(l.qty) AS qty, sum(l.amount) AS amount
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    WHERE o.dealer_id = d.id AND o.season_id = $2 AND o.status = ANY($3)
) prev ON true
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.dealer_id = d.id AND o.season_id = $1
                  AND o.status NOT IN ('draft', 'cancelled'))
ORDER BY coalesce(prev.amount, 0) DESC, d.code COLLATE "C"`
	rs, err := tx.QueryContext(ctx, q, seasonID, prevSeasonID, statuses)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []aggregation.DealerGap
	for rs.Next() {
		var g aggregation.DealerGap
		if err := rs.Scan(&g.Dealer, &g.Name, &g.Region, &g.OnHold, &g.Draft, &g.PrevQty, &g.PrevAmount); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rs.Err()
}

func dashHeld(ctx context.Context, tx *sqlx.Tx, seasonID int) ([]aggregation.HeldOrder, error) {
	const q = `
SELECT o.number, d.code, d.name, o.total_qty, o.total_amount, o.currency, d.credit_limit, o.submitted_at
FROM orders o JOIN dealers d ON d.id = o.dealer_id
WHERE o.season_id = $1 AND o.status = 'held'
ORDER BY o.submitted_at NULLS LAST, o.number COLLATE "C"`
	rs, err := tx.QueryContext(ctx, q, seasonID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []aggregation.HeldOrder
	for rs.Next() {
		var h aggregation.HeldOrder
		if err := rs.Scan(&h.Number, &h.Dealer, &h.Name, &h.Qty, &h.Amount, &h.Currency, &h.CreditLimit, &h.SubmittedAt); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rs.Err()
}

// dashCurves returns, per category and size scale with orders in the
// season, every size of the scale with its ordered quantity and the
// category's standard share in basis points.
func dashCurves(ctx context.Context, tx *sqlx.Tx, seasonID int, statuses any) ([]aggregation.SizeCurve, error) {
	const q = `
WITH q AS (
    SELECT st.category_id, st.size_scale_id, l.size_id, sum(l.qty) AS qty
    FROM order_lines l
    JOIN orders o ON o.id = l.order_id
    JOIN styles st ON st.id = l.style_id
    WHERE o.season_id = $1 AND o.status = ANY($2)
    GROUP BY 1, 2, 3
), g AS (
    SELECT DISTINCT category_id, size_scale_id FROM q
)
SELECT c.code, c.name, sc.code, sz.code, coalesce(q.qty, 0),
       coalesce(round(cv.share * 10000), 0)::int, cv.share IS NOT NULL
FROM g
JOIN categories c ON c.id = g.category_id
JOIN size_scales sc ON sc.id = g.size_scale_id
JOIN sizes sz ON sz.size_scale_id = g.size_scale_id
LEFT JOIN q ON q.category_id = g.category_id AND q.size_id = sz.id
LEFT JOIN size_curves cv ON cv.category_id = g.category_id AND cv.size_id = sz.id
ORDER BY c.code COLLATE "C", sc.code COLLATE "C", sz.position`
	rs, err := tx.QueryContext(ctx, q, seasonID, statuses)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []aggregation.SizeCurve
	for rs.Next() {
		var cat, name, scale string
		var z aggregation.SizeShare
		if err := rs.Scan(&cat, &name, &scale, &z.Size, &z.Qty, &z.StandardBP, &z.HasStandard); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].Category != cat || out[n-1].Scale != scale {
			out = append(out, aggregation.SizeCurve{Category: cat, Name: name, Scale: scale})
		}
		c := &out[len(out)-1]
		c.Sizes = append(c.Sizes, z)
		c.Qty += z.Qty
	}
	return out, rs.Err()
}

// MatrixLayout implements aggregation.Store.
func (s *Store) MatrixLayout(ctx context.Context, seasonID int, categories []string) ([]aggregation.StyleLayout, error) {
	const q = `
SELECT st.code, st.name, cat.code, sc.code, c.code, c.name, sz.code, sz.position
FROM season_styles ss
JOIN styles st ON st.id = ss.style_id
JOIN categories cat ON cat.id = st.category_id
JOIN size_scales sc ON sc.id = st.size_scale_id
JOIN skus k ON k.style_id = st.id
JOIN colors c ON c.id = k.color_id
JOIN sizes sz ON sz.id = k.size_id
WHERE ss.season_id = $1 AND (cardinality($2::text[]) = 0 OR cat.code = ANY($2))
ORDER BY st.code COLLATE "C", c.code COLLATE "C", sz.position`
	if categories == nil {
		categories = []string{}
	}
	rs, err := s.db.QueryContext(ctx, q, seasonID, pq.Array(categories))
	if err != nil {
		return nil, fmt.Errorf("matrix layout: %w", err)
	}
	defer rs.Close()
	var out []aggregation.StyleLayout
	var pos map[string]int // the current style's sizes and their positions
	sortSizes := func() {
		if n := len(out); n > 0 {
			slices.SortStableFunc(out[n-1].Sizes, func(a, b string) int { return pos[a] - pos[b] })
		}
	}
	for rs.Next() {
		var style, name, cat, scale, color, colorName, size string
		var position int
		if err := rs.Scan(&style, &name, &cat, &scale, &color, &colorName, &size, &position); err != nil {
			return nil, fmt.Errorf("matrix layout: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].Style != style {
			sortSizes()
			out = append(out, aggregation.StyleLayout{Style: style, Name: name, Category: cat, Scale: scale})
			pos = map[string]int{}
		}
		l := &out[len(out)-1]
		if n := len(l.Colors); n == 0 || l.Colors[n-1].Code != color {
			l.Colors = append(l.Colors, aggregation.Named{Code: color, Name: colorName})
		}
		if _, ok := pos[size]; !ok {
			pos[size] = position
			l.Sizes = append(l.Sizes, size)
		}
	}
	sortSizes()
	return out, rs.Err()
}

// Choices implements aggregation.Store.
func (s *Store) Choices(ctx context.Context) (aggregation.Choices, error) {
	var c aggregation.Choices
	for _, x := range []struct {
		dest *[]aggregation.Named
		q    string
	}{
		{&c.Regions, `SELECT code, name FROM regions ORDER BY code COLLATE "C"`},
		{&c.Dealers, `SELECT code, name FROM dealers ORDER BY code COLLATE "C"`},
		{&c.Categories, `SELECT code, name FROM categories ORDER BY code COLLATE "C"`},
	} {
		rs, err := s.db.QueryContext(ctx, x.q)
		if err != nil {
			return c, fmt.Errorf("choices: %w", err)
		}
		for rs.Next() {
			var n aggregation.Named
			if err := rs.Scan(&n.Code, &n.Name); err != nil {
				rs.Close()
				return c, fmt.Errorf("choices: %w", err)
			}
			*x.dest = append(*x.dest, n)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return c, fmt.Errorf("choices: %w", err)
		}
	}
	return c, nil
}
