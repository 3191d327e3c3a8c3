package dealerdb

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/postgres"
)

// Returnable implements dealers.Queries.
func (c conn) Returnable(ctx context.Context, orderID int64) ([]dealers.Returnable, error) {
	const q = `
SELECT l.id AS order_line_id, l.sku_id, st.code AS style, st.name AS style_name, c.code AS color, sz.code AS size,
       l.qty, l.unit_price,
       COALESCE((SELECT sum(rl.qty) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
                 WHERE rl.order_line_id = l.id AND r.status IN ('requested', 'approved')), 0) AS returned
FROM order_lines l
JOIN styles st ON st.id = l.style_id
JOIN colors c ON c.id = l.color_id
JOIN sizes sz ON sz.id = l.size_id
WHERE l.order_id = $1
ORDER BY st.code, c.code, sz.position`
	var rows []struct {
		OrderLineID int64        `db:"order_line_id"`
		SKUID       int          `db:"sku_id"`
		Style       string       `db:"style"`
		StyleName   string       `db:"style_name"`
		Color       string       `db:"color"`
		Size        string       `db:"size"`
		Qty         int          `db:"qty"`
		UnitPrice   money.Amount `db:"unit_price"`
		Returned    int          `db:"returned"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, orderID); err != nil {
		return nil, postgres.Error(err, "order lines")
	}
	out := make([]dealers.Returnable, len(rows))
	for i, r := range rows {
		out[i] = dealers.Returnable{OrderLineID: r.OrderLineID, SKUID: r.SKUID, Style: r.Style, StyleName: r.StyleName,
			Color: r.Color, Size: r.Size, Qty: r.Qty, UnitPrice: r.UnitPrice, Returned: r.Returned}
	}
	return out, nil
}

// ReturnableOrders implements dealers.Queries.
func (c conn) ReturnableOrders(ctx context.Context, scope dealers.Scope, limit int) ([]dealers.OrderSummary, error) {
	const q = orderSelect + `
WHERE ($1 = 0 OR o.dealer_id = $1) AND o.status IN ('shipped', 'closed')
  AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.qty >
      COALESCE((SELECT sum(rl.qty) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
                WHERE rl.order_line_id = l.id AND r.status IN ('requested', 'approved')), 0))
ORDER BY o.shipped_at DESC NULLS LAST, o.id DESC
LIMIT $2`
	var rows []orderRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, scope.DealerID, limit); err != nil {
		return nil, postgres.Error(err, "orders")
	}
	out := make([]dealers.OrderSummary, len(rows))
	for i, r := range rows {
		out[i] = r.head().OrderSummary
	}
	return out, nil
}

type returnRow struct {
	ID             int64        `db:"id"`
	DealerID       int          `db:"dealer_id"`
	Number         string       `db:"number"`
	Dealer         string       `db:"dealer"`
	DealerName     string       `db:"dealer_name"`
	Order          string       `db:"order_number"`
	Season         string       `db:"season"`
	Status         string       `db:"status"`
	Reason         string       `db:"reason"`
	DecisionReason string       `db:"decision_reason"`
	CreditAmount   money.Amount `db:"credit_amount"`
	Currency       string       `db:"currency"`
	RequestedBy    string       `db:"requested_by"`
	DecidedBy      string       `db:"decided_by"`
	CreatedAt      time.Time    `db:"created_at"`
	DecidedAt      *time.Time   `db:"decided_at"`
}

const returnSelect = `
SELECT r.id, r.dealer_id, r.number, d.code AS dealer, d.name AS dealer_name, o.number AS order_number,
       s.code AS season, r.status, r.reason, r.decision_reason, r.credit_amount, o.currency,
       COALESCE(ru.email, '') AS requested_by, COALESCE(du.email, '') AS decided_by, r.created_at, r.decided_at
FROM returns r
JOIN dealers d ON d.id = r.dealer_id
JOIN orders o ON o.id = r.order_id
JOIN seasons s ON s.id = o.season_id
LEFT JOIN users ru ON ru.id = r.requested_by
LEFT JOIN users du ON du.id = r.decided_by`

// withLines reads the returns' lines and completes them.
func (c conn) withLines(ctx context.Context, rows []returnRow) ([]dealers.Return, error) {
	out := make([]dealers.Return, len(rows))
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		out[i] = dealers.Return{ID: r.ID, DealerID: r.DealerID, Number: r.Number, Dealer: r.Dealer, DealerName: r.DealerName,
			Order: r.Order, Season: r.Season, Status: r.Status, Reason: r.Reason, DecisionReason: r.DecisionReason,
			CreditAmount: r.CreditAmount, Currency: r.Currency, RequestedBy: r.RequestedBy, DecidedBy: r.DecidedBy,
			CreatedAt: r.CreatedAt.UTC(), Lines: []dealers.ReturnLine{}}
		if r.DecidedAt != nil {
			t := r.DecidedAt.UTC()
			out[i].DecidedAt = &t
		}
		ids[i] = r.ID
		at[r.ID] = i
	}
	if len(rows) == 0 {
		return out, nil
	}
	const q = `
SELECT rl.return_id, st.code AS style, st.name AS style_name, c.code AS color, sz.code AS size, rl.qty, l.unit_price
FROM return_lines rl
JOIN order_lines l ON l.id = rl.order_line_id
JOIN styles st ON st.id = l.style_id
JOIN colors c ON c.id = l.color_id
JOIN sizes sz ON sz.id = l.size_id
WHERE rl.return_id = ANY($1)
ORDER BY rl.return_id, st.code, c.code, sz.position`
	var lines []struct {
		ReturnID  int64        `db:"return_id"`
		Style     string       `db:"style"`
		StyleName string       `db:"style_name"`
		Color     string       `db:"color"`
		Size      string       `db:"size"`
		Qty       int          `db:"qty"`
		UnitPrice money.Amount `db:"unit_price"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &lines, q, pq.Array(ids)); err != nil {
		return nil, postgres.Error(err, "return lines")
	}
	for _, l := range lines {
		r := &out[at[l.ReturnID]]
		amount := l.UnitPrice.Times(l.Qty)
		r.Lines = append(r.Lines, dealers.ReturnLine{Style: l.Style, StyleName: l.StyleName, Color: l.Color, Size: l.Size,
			Qty: l.Qty, UnitPrice: l.UnitPrice, Amount: amount})
		r.TotalQty += l.Qty
		r.Amount += amount
	}
	return out, nil
}

// Returns implements dealers.Queries.
func (c conn) Returns(ctx context.Context, scope dealers.Scope, rq dealers.ReturnQuery) ([]dealers.Return, error) {
	var a args
	q := returnSelect + ` WHERE true`
	if !scope.All() {
		q += ` AND r.dealer_id = ` + a.add(scope.DealerID)
	}
	if rq.Dealer != "" {
		q += ` AND d.code = ` + a.add(rq.Dealer)
	}
	if rq.Status != "" {
		q += ` AND r.status = ` + a.add(rq.Status)
	}
	q += ` ORDER BY (r.status = 'requested') DESC, r.created_at DESC, r.id DESC LIMIT ` + a.add(rq.Limit)
	var rows []returnRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, a...); err != nil {
		return nil, postgres.Error(err, "returns")
	}
	return c.withLines(ctx, rows)
}

func (c conn) oneReturn(ctx context.Context, q string, what string, arg ...any) (dealers.Return, error) {
	var r returnRow
	if err := sqlx.GetContext(ctx, c.q, &r, q, arg...); err != nil {
		return dealers.Return{}, postgres.Error(err, what)
	}
	out, err := c.withLines(ctx, []returnRow{r})
	if err != nil {
		return dealers.Return{}, err
	}
	return out[0], nil
}

// Return implements dealers.Queries.
func (c conn) Return(ctx context.Context, scope dealers.Scope, number string) (dealers.Return, error) {
	return c.oneReturn(ctx, returnSelect+` WHERE r.number = $1 AND ($2 = 0 OR r.dealer_id = $2)`, "return "+number, number, scope.DealerID)
}

// ReturnByID implements dealers.Queries.
func (c conn) ReturnByID(ctx context.Context, id int64) (dealers.Return, error) {
	return c.oneReturn(ctx, returnSelect+` WHERE r.id = $1`, "return", id)
}

// LockReturn implements dealers.Tx.
func (t *txStore) LockReturn(ctx context.Context, id int64) (dealers.Return, error) {
	return t.oneReturn(ctx, returnSelect+` WHERE r.id = $1 FOR NO KEY UPDATE OF r`, "return", id)
}

// NextReturnNumber implements dealers.Tx.
func (t *txStore) NextReturnNumber(ctx context.Context) (int64, error) {
	var n int64
	err := sqlx.GetContext(ctx, t.q, &n, `SELECT nextval('return_number_seq')`)
	return n, postgres.Error(err, "return number")
}

// InsertReturn implements dealers.Tx: the return and its lines.
func (t *txStore) InsertReturn(ctx context.Context, r dealers.NewReturn, lines []dealers.NewReturnLine) (int64, error) {
	const ins = `
INSERT INTO returns (number, dealer_id, order_id, status, reason, requested_by)
VALUES ($1, $2, $3, 'requested', $4, NULLIF($5, 0))
RETURNING id`
	var id int64
	if err := sqlx.GetContext(ctx, t.q, &id, ins, r.Number, r.DealerID, r.OrderID, r.Reason, r.RequestedBy); err != nil {
		return 0, postgres.Error(err, "return "+r.Number)
	}
	const insLines = `
INSERT INTO return_lines (return_id, dealer_id, order_line_id, sku_id, qty)
SELECT $1, $2, u.line, u.sku, u.qty FROM unnest($3::bigint[], $4::int[], $5::int[]) AS u(line, sku, qty)`
	n := len(lines)
	lineIDs, skus, qtys := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, l := range lines {
		lineIDs[i], skus[i], qtys[i] = l.OrderLineID, int64(l.SKUID), int64(l.Qty)
	}
	_, err := t.q.ExecContext(ctx, insLines, id, r.DealerID, pq.Array(lineIDs), pq.Array(skus), pq.Array(qtys))
	return id, postgres.Error(err, "return lines")
}

// Restock implements dealers.Tx.
func (t *txStore) Restock(ctx context.Context, returnID int64) error {
	const q = `
INSERT INTO stock_on_hand (sku_id, qty, updated_at)
SELECT sku_id, sum(qty), now() FROM return_lines WHERE return_id = $1 GROUP BY sku_id
ON CONFLICT (sku_id) DO UPDATE SET qty = stock_on_hand.qty + EXCLUDED.qty, updated_at = now()`
	_, err := t.q.ExecContext(ctx, q, returnID)
	return postgres.Error(err, "stock")
}

// InsertCreditNote implements dealers.Tx.
func (t *txStore) InsertCreditNote(ctx context.Context, dealerID int, returnID int64, amount money.Amount) error {
	const q = `INSERT INTO credit_notes (dealer_id, return_id, amount) VALUES ($1, $2, $3)`
	_, err := t.q.ExecContext(ctx, q, dealerID, returnID, amount)
	return postgres.Error(err, "credit note")
}

// DecideReturn implements dealers.Tx.
func (t *txStore) DecideReturn(ctx context.Context, id int64, status, reason string, credit money.Amount, userID int, at time.Time) error {
	const q = `
UPDATE returns SET status = $2, decision_reason = $3, credit_amount = $4, decided_by = NULLIF($5, 0), decided_at = $6
WHERE id = $1`
	_, err := t.q.ExecContext(ctx, q, id, status, reason, credit, userID, at)
	return postgres.Error(err, "return")
}
