package aggdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/money"
)

// readSnapshot runs fn in a read-only REPEATABLE READ transaction, so the
// rows and totals of one rollup come from one snapshot.
func (s *Store) readSnapshot(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// summaryOrder is the ORDER BY of a key in the summary query. Codes sort
// bytewise (COLLATE "C"), whatever the database's locale.
var summaryOrder = map[aggregation.Key]string{
	aggregation.KeyStyle: `st.code COLLATE "C"`,
	aggregation.KeyColor: `c.code COLLATE "C"`,
	aggregation.KeySize:  `sz.position, sz.code COLLATE "C"`,
}

// RollupSummary implements aggregation.Store. It reads the summary of
// migration 00010: each SKU's base row plus its few side rows.
// The distinct order count of a SKU is its counted line count (an order has
// one line per SKU); its distinct dealers are kept by the triggers; the
// totals' distinct counts come from the per-dealer order counts the
// triggers keep.
func (s *Store) RollupSummary(ctx context.Context, seasonID int, by []aggregation.Key) ([]aggregation.RollupRow, aggregation.Totals, error) {
	var order []string
	for _, k := range by {
		o, ok := summaryOrder[k]
		if !ok {
			return nil, aggregation.Totals{}, fmt.Errorf("aggdb: summary cannot group by %q", k)
		}
		order = append(order, o)
	}
	cols := map[aggregation.Key]string{aggregation.KeyStyle: "st.code", aggregation.KeyColor: "c.code", aggregation.KeySize: "sz.code"}
	sel := make([]string, len(by))
	for i, k := range by {
		sel[i] = cols[k]
	}
	q := `
WITH side AS (
    SELECT sku_id, sum(qty) AS qty, sum(amount) AS amount, sum(lines) AS lines, sum(dealers) AS dealers
    FROM rollup_sku_slots
    WHERE season_id = $1 AND slot <> 0
    GROUP BY sku_id
)
SELECT ` + strings.Join(sel, ", ") + `,
       b.qty + coalesce(side.qty, 0), b.amount + coalesce(side.amount, 0),
       b.lines + coalesce(side.lines, 0), b.dealers + coalesce(side.dealers, 0)
FROM rollup_sku_slots b
LEFT JOIN side ON side.sku_id = b.sku_id
JOIN styles st ON st.id = b.style_id
JOIN colors c ON c.id = b.color_id
JOIN sizes sz ON sz.id = b.size_id
WHERE b.season_id = $1 AND b.slot = 0 AND b.lines + coalesce(side.lines, 0) > 0
ORDER BY ` + strings.Join(order, ", ")
	const qTotals = `
SELECT coalesce(sum(orders), 0), count(*) FILTER (WHERE orders > 0)
FROM rollup_season_dealers
WHERE season_id = $1`

	var rows []aggregation.RollupRow
	var t aggregation.Totals
	err := s.readSnapshot(ctx, func(tx *sqlx.Tx) error {
		rs, err := tx.QueryContext(ctx, q, seasonID)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			r := aggregation.RollupRow{Keys: make([]string, len(by))}
			dest := make([]any, 0, len(by)+4)
			for i := range r.Keys {
				dest = append(dest, &r.Keys[i])
			}
			dest = append(dest, &r.Qty, &r.Amount, &r.Orders, &r.Dealers)
			if err := rs.Scan(dest...); err != nil {
				return err
			}
			t.Qty += r.Qty
			t.Amount += r.Amount
			rows = append(rows, r)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, qTotals, seasonID).Scan(&t.Orders, &t.Dealers)
	})
	if err != nil {
		return nil, t, fmt.Errorf("rollup summary: %w", err)
	}
	return rows, t, nil
}

// CompactSummary folds the summary's side rows into their base rows (see
// migrations 00010 and 00030) and returns how many it folded. Reads are exact
// without it; running it now and then keeps them at about one row per SKU.
// Each batch of compactBatchSKUs SKUs is its own short transaction, so orders
// writing to the same SKUs wait for one batch at most, never for the whole
// pass.
func (s *Store) CompactSummary(ctx context.Context) (int, error) {
	total, season, sku := 0, 0, 0
	for {
		var b struct {
			Folded int           `db:"folded"`
			Season sql.NullInt64 `db:"last_season"`
			SKU    sql.NullInt64 `db:"last_sku"`
		}
		err := s.db.GetContext(ctx, &b, `SELECT folded, last_season, last_sku FROM rollup_compact_batch($1, $2, $3)`,
			season, sku, compactBatchSKUs)
		if err != nil {
			return total, fmt.Errorf("compact summary after season %d, SKU %d: %w", season, sku, err)
		}
		if !b.Season.Valid {
			return total, nil
		}
		total += b.Folded
		season, sku = int(b.Season.Int64), int(b.SKU.Int64)
	}
}

// compactBatchSKUs is how many SKUs' side rows one compaction transaction
// folds: about 350 rows, a few milliseconds on an idle database.
const compactBatchSKUs = 50

// lineKey says how the GROUP BY over lines groups by one key: by an id
// column where that is equivalent to the code, else by the code itself
// (a colour code such as BLK across styles, a size code across scales).
type lineKey struct {
	group string // inner GROUP BY expression, named k<i>
	join  string // outer join that turns it into a code (empty: the group is the code)
	code  string // outer code expression
	order string // outer ORDER BY expression
	pos   string // inner extra aggregate for ordering (sizes by code), named p<i>
}

func lineKeys(q aggregation.RollupQuery) (keys []lineKey, joins map[string]bool) {
	joins = map[string]bool{}
	withStyle := q.Has(aggregation.KeyStyle)
	for i, k := range q.By {
		n := fmt.Sprintf("k%d", i)
		var lk lineKey
		switch k {
		case aggregation.KeyStyle:
			lk = lineKey{group: "l.style_id", join: "JOIN styles j%[1]d ON j%[1]d.id = i.%[2]s", code: "j%[1]d.code", order: `j%[1]d.code COLLATE "C"`}
		case aggregation.KeyColor:
			if withStyle {
				lk = lineKey{group: "l.color_id", join: "JOIN colors j%[1]d ON j%[1]d.id = i.%[2]s", code: "j%[1]d.code", order: `j%[1]d.code COLLATE "C"`}
			} else {
				joins["c"] = true
				lk = lineKey{group: "c.code", code: "i.%[2]s", order: `i.%[2]s COLLATE "C"`}
			}
		case aggregation.KeySize:
			if withStyle {
				lk = lineKey{group: "l.size_id", join: "JOIN sizes j%[1]d ON j%[1]d.id = i.%[2]s", code: "j%[1]d.code", order: `j%[1]d.position, j%[1]d.code COLLATE "C"`}
			} else {
				joins["sz"] = true
				lk = lineKey{group: "sz.code", pos: "min(sz.position)", code: "i.%[2]s", order: `i.p%[1]d, i.%[2]s COLLATE "C"`}
			}
		case aggregation.KeyDealer:
			lk = lineKey{group: "l.dealer_id", join: "JOIN dealers j%[1]d ON j%[1]d.id = i.%[2]s", code: "j%[1]d.code", order: `j%[1]d.code COLLATE "C"`}
		case aggregation.KeyRegion:
			joins["d"] = true
			lk = lineKey{group: "d.region_id", join: "JOIN regions j%[1]d ON j%[1]d.id = i.%[2]s", code: "j%[1]d.code", order: `j%[1]d.code COLLATE "C"`}
		}
		if lk.join != "" {
			lk.join = fmt.Sprintf(lk.join, i, n)
		}
		lk.code = fmt.Sprintf(lk.code, i, n)
		lk.order = fmt.Sprintf(lk.order, i, n)
		keys = append(keys, lk)
	}
	return keys, joins
}

// RollupLines implements aggregation.Store: one GROUP BY over the season's
// lines with GROUPING SETS, so the rows and the totals (with distinct
// counts) come from one scan.
func (s *Store) RollupLines(ctx context.Context, seasonID int, q aggregation.RollupQuery) ([]aggregation.RollupRow, aggregation.Totals, error) {
	keys, joins := lineKeys(q)
	args := []any{seasonID, pq.Array(q.Statuses)}
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(q.Regions) > 0 {
		joins["d"] = true
		where = append(where, "d.region_id IN (SELECT id FROM regions WHERE code = ANY("+arg(pq.Array(q.Regions))+"))")
	}
	if len(q.Dealers) > 0 {
		where = append(where, "l.dealer_id IN (SELECT id FROM dealers WHERE code = ANY("+arg(pq.Array(q.Dealers))+"))")
	}
	if len(q.Categories) > 0 {
		where = append(where, "l.style_id IN (SELECT id FROM styles WHERE category_id IN (SELECT id FROM categories WHERE code = ANY("+arg(pq.Array(q.Categories))+")))")
	}
	var from strings.Builder
	from.WriteString("order_lines l JOIN orders o ON o.id = l.order_id")
	if joins["d"] {
		from.WriteString(" JOIN dealers d ON d.id = l.dealer_id")
	}
	if joins["c"] {
		from.WriteString(" JOIN colors c ON c.id = l.color_id")
	}
	if joins["sz"] {
		from.WriteString(" JOIN sizes sz ON sz.id = l.size_id")
	}
	var innerSel, groups, outerSel, outerJoin, order []string
	for i, k := range keys {
		innerSel = append(innerSel, fmt.Sprintf("%s AS k%d", k.group, i))
		if k.pos != "" {
			innerSel = append(innerSel, fmt.Sprintf("%s AS p%d", k.pos, i))
		}
		groups = append(groups, k.group)
		outerSel = append(outerSel, k.code)
		if k.join != "" {
			outerJoin = append(outerJoin, strings.Replace(k.join, "JOIN", "LEFT JOIN", 1))
		}
		order = append(order, k.order)
	}
	cond := "o.season_id = $1 AND o.status = ANY($2)"
	if len(where) > 0 {
		cond += " AND " + strings.Join(where, " AND ")
	}
	query := `
SELECT ` + strings.Join(outerSel, ", ") + `, i.qty, i.amount, i.orders, i.dealers, i.total
FROM (
    SELECT ` + strings.Join(innerSel, ", ") + `,
           sum(l.qty) AS qty, sum(l.amount) AS amount,
           count(DISTINCT l.order_id) AS orders, count(DISTINCT l.dealer_id) AS dealers,
           GROUPING(` + strings.Join(groups, ", ") + `) <> 0 AS total
    FROM ` + from.String() + `
    WHERE ` + cond + `
    GROUP BY GROUPING SETS ((` + strings.Join(groups, ", ") + `), ())
) i
` + strings.Join(outerJoin, "\n") + `
ORDER BY i.total, ` + strings.Join(order, ", ")

	rs, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, aggregation.Totals{}, fmt.Errorf("rollup lines: %w", err)
	}
	defer rs.Close()
	var rows []aggregation.RollupRow
	var t aggregation.Totals
	for rs.Next() {
		codes := make([]sql.NullString, len(keys))
		var qty sql.NullInt64
		var amount money.Amount
		var orders, dealers int
		var total bool
		dest := make([]any, 0, len(keys)+5)
		for i := range codes {
			dest = append(dest, &codes[i])
		}
		dest = append(dest, &qty, &amount, &orders, &dealers, &total)
		if err := rs.Scan(dest...); err != nil {
			return nil, t, fmt.Errorf("rollup lines: %w", err)
		}
		if total {
			t = aggregation.Totals{Qty: qty.Int64, Amount: amount, Orders: orders, Dealers: dealers}
			continue
		}
		r := aggregation.RollupRow{Keys: make([]string, len(keys)), Qty: qty.Int64, Amount: amount, Orders: orders, Dealers: dealers}
		for i, c := range codes {
			r.Keys[i] = c.String
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, t, fmt.Errorf("rollup lines: %w", err)
	}
	return rows, t, nil
}

// Drill implements aggregation.Store.
func (s *Store) Drill(ctx context.Context, seasonID int, q aggregation.DrillQuery) (aggregation.Drill, error) {
	if err := s.checkCell(ctx, q); err != nil {
		return aggregation.Drill{}, err
	}
	args := []any{seasonID, pq.Array(q.Statuses), q.Style, q.Color, q.Size}
	cond := `o.season_id = $1 AND o.status = ANY($2)
  AND ($3 = '' OR l.style_id = (SELECT id FROM styles WHERE code = $3))
  AND ($4 = '' OR l.color_id IN (SELECT id FROM colors WHERE code = $4))
  AND ($5 = '' OR l.size_id IN (SELECT id FROM sizes WHERE code = $5))`
	if len(q.Regions) > 0 {
		args = append(args, pq.Array(q.Regions))
		cond += fmt.Sprintf(" AND d.region_id IN (SELECT id FROM regions WHERE code = ANY($%d))", len(args))
	}
	if len(q.Dealers) > 0 {
		args = append(args, pq.Array(q.Dealers))
		cond += fmt.Sprintf(" AND d.code = ANY($%d)", len(args))
	}
	if len(q.Categories) > 0 {
		args = append(args, pq.Array(q.Categories))
		cond += fmt.Sprintf(" AND l.style_id IN (SELECT id FROM styles WHERE category_id IN (SELECT id FROM categories WHERE code = ANY($%d)))", len(args))
	}
	from := `order_lines l JOIN orders o ON o.id = l.order_id JOIN dealers d ON d.id = l.dealer_id`
	qDealers := `
SELECT d.code, d.name, r.code, sum(l.qty), sum(l.amount), count(DISTINCT l.order_id)
FROM ` + from + ` JOIN regions r ON r.id = d.region_id
WHERE ` + cond + `
GROUP BY d.id, d.code, d.name, r.code
ORDER BY sum(l.qty) DESC, d.code`
	qOrders := `
SELECT o.number, d.code, o.status, sum(l.qty), sum(l.amount), o.submitted_at
FROM ` + from + `
WHERE ` + cond + `
GROUP BY o.id, o.number, d.code, o.status, o.submitted_at
ORDER BY o.submitted_at NULLS LAST, o.number`
	var out aggregation.Drill
	err := s.readSnapshot(ctx, func(tx *sqlx.Tx) error {
		rs, err := tx.QueryContext(ctx, qDealers, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var d aggregation.DrillDealer
			if err := rs.Scan(&d.Dealer, &d.Name, &d.Region, &d.Qty, &d.Amount, &d.Orders); err != nil {
				return err
			}
			out.Totals.Qty += d.Qty
			out.Totals.Amount += d.Amount
			out.Dealers = append(out.Dealers, d)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		rs2, err := tx.QueryContext(ctx, qOrders, args...)
		if err != nil {
			return err
		}
		defer rs2.Close()
		for rs2.Next() {
			var o aggregation.DrillOrder
			if err := rs2.Scan(&o.Number, &o.Dealer, &o.Status, &o.Qty, &o.Amount, &o.SubmittedAt); err != nil {
				return err
			}
			out.Orders = append(out.Orders, o)
		}
		return rs2.Err()
	})
	if err != nil {
		return out, fmt.Errorf("drill: %w", err)
	}
	out.Totals.Orders, out.Totals.Dealers = len(out.Orders), len(out.Dealers)
	return out, nil
}

// checkCell refuses codes that name nothing: validation_failed naming them.
func (s *Store) checkCell(ctx context.Context, q aggregation.DrillQuery) error {
	const qc = `
SELECT ($1 = '' OR EXISTS (SELECT 1 FROM styles WHERE code = $1)),
       ($2 = '' OR EXISTS (SELECT 1 FROM colors c WHERE c.code = $2
                           AND ($1 = '' OR c.style_id = (SELECT id FROM styles WHERE code = $1)))),
       ($3 = '' OR EXISTS (SELECT 1 FROM sizes z WHERE z.code = $3
                           AND ($1 = '' OR z.size_scale_id = (SELECT size_scale_id FROM styles WHERE code = $1))))`
	var st, co, sz bool
	if err := s.db.QueryRowContext(ctx, qc, q.Style, q.Color, q.Size).Scan(&st, &co, &sz); err != nil {
		return fmt.Errorf("drill: %w", err)
	}
	var details []apperr.Detail
	if !st {
		details = append(details, apperr.Detail{Field: "style", Message: fmt.Sprintf("unknown style %q", q.Style)})
	}
	if !co {
		details = append(details, apperr.Detail{Field: "color", Message: fmt.Sprintf("style %s has no colour %q", q.Style, q.Color)})
	}
	if !sz {
		details = append(details, apperr.Detail{Field: "size", Message: fmt.Sprintf("style %s has no size %q", q.Style, q.Size)})
	}
	if len(details) > 0 {
		return apperr.Invalid(details[0].Message, details...)
	}
	return nil
}
