package dealerdb

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/postgres"
)

type invoiceRow struct {
	ID         int64        `db:"id"`
	DealerID   int          `db:"dealer_id"`
	Number     string       `db:"number"`
	Dealer     string       `db:"dealer"`
	DealerName string       `db:"dealer_name"`
	Order      string       `db:"order_number"`
	Currency   string       `db:"currency"`
	Amount     money.Amount `db:"amount"`
	Paid       money.Amount `db:"paid"`
	IssuedOn   time.Time    `db:"issued_on"`
	DueOn      time.Time    `db:"due_on"`
}

func (r invoiceRow) invoice() dealers.Invoice {
	return dealers.Invoice{ID: r.ID, DealerID: r.DealerID, Number: r.Number, Dealer: r.Dealer, DealerName: r.DealerName,
		Order: r.Order, Currency: r.Currency, Amount: r.Amount, Paid: r.Paid, Balance: r.Amount - r.Paid,
		IssuedOn: dealers.DateOf(r.IssuedOn), DueOn: dealers.DateOf(r.DueOn)}
}

const invoiceSelect = `
SELECT i.id, i.dealer_id, i.number, d.code AS dealer, d.name AS dealer_name, COALESCE(o.number, '') AS order_number,
       i.currency, i.amount, i.paid, i.issued_on, i.due_on
FROM invoices i
JOIN dealers d ON d.id = i.dealer_id
LEFT JOIN orders o ON o.id = i.order_id`

// Invoices implements dealers.Queries: open invoices first, then newest.
func (c conn) Invoices(ctx context.Context, scope dealers.Scope, iq dealers.InvoiceQuery) ([]dealers.Invoice, error) {
	var a args
	q := invoiceSelect + ` WHERE true`
	if !scope.All() {
		q += ` AND i.dealer_id = ` + a.add(scope.DealerID)
	}
	if iq.Dealer != "" {
		q += ` AND d.code = ` + a.add(iq.Dealer)
	}
	switch iq.Status {
	case dealers.InvoiceOpen:
		q += ` AND i.paid < i.amount`
	case dealers.InvoiceOverdue:
		q += ` AND i.paid < i.amount AND i.due_on < ` + a.add(iq.Today.String()) + `::date`
	case dealers.InvoicePaid:
		q += ` AND i.paid >= i.amount`
	}
	q += ` ORDER BY (i.paid < i.amount) DESC, i.issued_on DESC, i.id DESC LIMIT ` + a.add(iq.Limit)
	var rows []invoiceRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, a...); err != nil {
		return nil, postgres.Error(err, "invoices")
	}
	out := make([]dealers.Invoice, len(rows))
	for i, r := range rows {
		out[i] = r.invoice()
	}
	return out, nil
}

// Invoice implements dealers.Queries.
func (c conn) Invoice(ctx context.Context, scope dealers.Scope, number string) (dealers.Invoice, error) {
	const q = invoiceSelect + ` WHERE i.number = $1 AND ($2 = 0 OR i.dealer_id = $2)`
	var r invoiceRow
	if err := sqlx.GetContext(ctx, c.q, &r, q, number, scope.DealerID); err != nil {
		return dealers.Invoice{}, postgres.Error(err, "invoice "+number)
	}
	in := r.invoice()
	pmq := `SELECT p.amount, p.paid_on, p.reference, COALESCE(u.email, '') AS email, p.created_at
FROM payments p LEFT JOIN users u ON u.id = p.user_id
WHERE p.invoice_id = $1 ORDER BY p.paid_on, p.id`
	var rows []struct {
		Amount    money.Amount `db:"amount"`
		PaidOn    time.Time    `db:"paid_on"`
		Reference string       `db:"reference"`
		Email     string       `db:"email"`
		CreatedAt time.Time    `db:"created_at"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, pmq, in.ID); err != nil {
		return dealers.Invoice{}, postgres.Error(err, "payments")
	}
	in.Payments = make([]dealers.Payment, len(rows))
	for i, p := range rows {
		in.Payments[i] = dealers.Payment{Amount: p.Amount, PaidOn: dealers.DateOf(p.PaidOn), Reference: p.Reference,
			User: p.Email, CreatedAt: p.CreatedAt.UTC()}
	}
	return in, nil
}

// LockInvoice implements dealers.Tx.
func (t *txStore) LockInvoice(ctx context.Context, id int64) (dealers.Invoice, error) {
	const q = invoiceSelect + ` WHERE i.id = $1 FOR NO KEY UPDATE OF i`
	var r invoiceRow
	if err := sqlx.GetContext(ctx, t.q, &r, q, id); err != nil {
		return dealers.Invoice{}, postgres.Error(err, "invoice")
	}
	return r.invoice(), nil
}

// NextInvoiceNumber implements dealers.Tx.
func (t *txStore) NextInvoiceNumber(ctx context.Context) (int64, error) {
	var n int64
	err := sqlx.GetContext(ctx, t.q, &n, `SELECT nextval('invoice_number_seq')`)
	return n, postgres.Error(err, "invoice number")
}

// InsertInvoice implements dealers.Tx.
func (t *txStore) InsertInvoice(ctx context.Context, orderID int64, in dealers.Invoice) (int64, error) {
	const q = `
INSERT INTO invoices (number, dealer_id, order_id, currency, amount, paid, issued_on, due_on)
VALUES ($1, $2, $3, $4, $5, 0, $6::date, $7::date)
RETURNING id`
	var id int64
	err := sqlx.GetContext(ctx, t.q, &id, q, in.Number, in.DealerID, orderID, in.Currency, in.Amount,
		in.IssuedOn.String(), in.DueOn.String())
	return id, postgres.Error(err, "invoice "+in.Number)
}

// InsertPayment implements dealers.Tx.
func (t *txStore) InsertPayment(ctx context.Context, invoiceID int64, dealerID int, pm dealers.Payment, userID int) error {
	const ins = `
INSERT INTO payments (invoice_id, dealer_id, amount, paid_on, reference, user_id)
VALUES ($1, $2, $3, $4::date, $5, NULLIF($6, 0))`
	if _, err := t.q.ExecContext(ctx, ins, invoiceID, dealerID, pm.Amount, pm.PaidOn.String(), pm.Reference, userID); err != nil {
		return postgres.Error(err, "payment")
	}
	const upd = `UPDATE invoices SET paid = paid + $2 WHERE id = $1`
	_, err := t.q.ExecContext(ctx, upd, invoiceID, pm.Amount)
	return postgres.Error(err, "invoice")
}
