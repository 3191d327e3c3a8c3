// Package dealerdb stores dealer records, invoices and payments, returns,
// credit notes, announcements and feedback in PostgreSQL for the dealers
// service, and reads the facts of the dealer value analysis. Exposure is
// computed with ordering/orderdb's ExposureColumns, the one definition the
// credit check uses too.
package dealerdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/postgres"
)

// Store implements dealers.Store.
type Store struct {
	conn
	db *sqlx.DB
}

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{conn: conn{q: db}, db: db} }

// InTx implements dealers.Store: READ COMMITTED with row locks (dealer
// first), retried on deadlock.
func (s *Store) InTx(ctx context.Context, fn func(dealers.Tx) error) error {
	return postgres.Transact(ctx, s.db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
		return fn(&txStore{conn: conn{q: tx}})
	})
}

// txStore implements dealers.Tx.
type txStore struct{ conn }

type queryer = postgres.Queryer

// conn runs the queries through a database or a transaction.
type conn struct{ q queryer }

var (
	_ dealers.Store = (*Store)(nil)
	_ dealers.Tx    = (*txStore)(nil)
)

// exposureStates is the ordering package's ExposureStatuses as a SQL array.
func exposureStates() any {
	st := make([]string, len(ordering.ExposureStatuses))
	for i, s := range ordering.ExposureStatuses {
		st[i] = string(s)
	}
	return pq.Array(st)
}

// args builds a parameter list for queries with optional filters.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// likePattern escapes s for ILIKE and wraps it in %…%.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

func author(alias string) string {
	return `COALESCE(NULLIF(` + alias + `.display_name, ''), ` + alias + `.email, '')`
}

type summaryRow struct {
	ID             int          `db:"id"`
	Code           string       `db:"code"`
	Name           string       `db:"name"`
	RegionCode     string       `db:"region_code"`
	RegionName     string       `db:"region_name"`
	PriceListCode  string       `db:"price_list_code"`
	PriceListName  string       `db:"price_list_name"`
	Currency       string       `db:"currency"`
	Status         string       `db:"status"`
	HoldReason     string       `db:"hold_reason"`
	AutoHold       bool         `db:"auto_hold"`
	CreditLimit    money.Amount `db:"credit_limit"`
	CreditPolicy   string       `db:"credit_policy"`
	Terms          int          `db:"payment_terms_days"`
	Address        string       `db:"address"`
	CreatedAt      time.Time    `db:"created_at"`
	OpenOrders     money.Amount `db:"open_orders"`
	UnpaidInvoices money.Amount `db:"unpaid_invoices"`
	CreditNotes    money.Amount `db:"credit_notes"`
	Overdue        money.Amount `db:"overdue"`
}

func (r summaryRow) summary() dealers.Summary {
	return dealers.Summary{
		ID: r.ID, Code: r.Code, Name: r.Name,
		Region:    dealers.Region{Code: r.RegionCode, Name: r.RegionName},
		PriceList: dealers.PriceList{Code: r.PriceListCode, Name: r.PriceListName, Currency: r.Currency},
		Currency:  r.Currency, Status: r.Status, HoldReason: r.HoldReason, AutoHold: r.AutoHold,
		CreditLimit: r.CreditLimit, CreditPolicy: r.CreditPolicy, PaymentTermsDays: r.Terms,
		Exposure: dealers.NewExposure(r.OpenOrders, r.UnpaidInvoices, r.CreditNotes, r.Overdue, r.CreditLimit, r.Currency),
	}
}

// summarySelect selects dealers with their exposure; $1 is the order
// states that count, $2 today (for the overdue part).
var summarySelect = `
SELECT d.id, d.code, d.name, r.code AS region_code, r.name AS region_name,
       pl.code AS price_list_code, pl.name AS price_list_name, pl.currency,
       d.status, d.hold_reason, d.auto_hold, d.credit_limit, d.credit_policy, d.payment_terms_days,
       d.address, d.created_at,` + orderdb.ExposureColumns("d.id", "$1", "0") + `,
       COALESCE((SELECT sum(i.amount - i.paid) FROM invoices i
                 WHERE i.dealer_id = d.id AND i.paid < i.amount AND i.due_on < $2::date), 0) AS overdue
FROM dealers d
JOIN regions r ON r.id = d.region_id
JOIN price_lists pl ON pl.id = d.price_list_id`

// Dealers implements dealers.Queries.
func (c conn) Dealers(ctx context.Context, scope dealers.Scope, f dealers.ListFilter, today dealers.Date) ([]dealers.Summary, error) {
	a := args{exposureStates(), today.String()}
	q := summarySelect + ` WHERE true`
	if !scope.All() {
		q += ` AND d.id = ` + a.add(scope.DealerID)
	}
	if f.Region != "" {
		q += ` AND r.code = ` + a.add(f.Region)
	}
	if f.Status != "" {
		q += ` AND d.status = ` + a.add(f.Status)
	}
	if f.Q != "" {
		p := a.add(likePattern(f.Q))
		q += ` AND (d.code ILIKE ` + p + ` OR d.name ILIKE ` + p + `)`
	}
	q += ` ORDER BY d.code`
	var rows []summaryRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, a...); err != nil {
		return nil, postgres.Error(err, "dealers")
	}
	out := make([]dealers.Summary, len(rows))
	for i, r := range rows {
		out[i] = r.summary()
	}
	return out, nil
}

// Dealer implements dealers.Queries.
func (c conn) Dealer(ctx context.Context, scope dealers.Scope, code string, today dealers.Date) (dealers.Record, error) {
	q := summarySelect + ` WHERE d.code = $3 AND ($4 = 0 OR d.id = $4)`
	var r summaryRow
	if err := sqlx.GetContext(ctx, c.q, &r, q, exposureStates(), today.String(), code, scope.DealerID); err != nil {
		return dealers.Record{}, postgres.Error(err, "dealer "+code)
	}
	return dealers.Record{Summary: r.summary(), Address: r.Address, CreatedAt: r.CreatedAt.UTC()}, nil
}

// Regions implements dealers.Queries.
func (c conn) Regions(ctx context.Context) ([]dealers.Region, error) {
	out := []dealers.Region{}
	err := sqlx.SelectContext(ctx, c.q, &out, `SELECT code, name FROM regions ORDER BY code`)
	return out, postgres.Error(err, "regions")
}

// RegionID implements dealers.Queries.
func (c conn) RegionID(ctx context.Context, code string) (int, error) {
	var id int
	err := sqlx.GetContext(ctx, c.q, &id, `SELECT id FROM regions WHERE code = $1`, code)
	return id, postgres.Error(err, "region "+code)
}

// StyleID implements dealers.Queries.
func (c conn) StyleID(ctx context.Context, code string) (int, error) {
	var id int
	err := sqlx.GetContext(ctx, c.q, &id, `SELECT id FROM styles WHERE code = $1`, code)
	return id, postgres.Error(err, "style "+code)
}

// Contacts implements dealers.Queries.
func (c conn) Contacts(ctx context.Context, dealerID int) ([]dealers.Contact, error) {
	const q = `SELECT name, title, email, phone FROM dealer_contacts WHERE dealer_id = $1 ORDER BY id`
	out := []dealers.Contact{}
	err := sqlx.SelectContext(ctx, c.q, &out, q, dealerID)
	return out, postgres.Error(err, "contacts")
}

// SeasonHistory implements dealers.Queries.
func (c conn) SeasonHistory(ctx context.Context, dealerID int) ([]dealers.SeasonHistory, error) {
	const q = `
SELECT s.code AS season, s.name, count(*) AS orders, COALESCE(sum(o.total_qty), 0) AS qty,
       COALESCE(sum(o.total_amount), 0) AS amount, COALESCE(sum(cr.amount), 0) AS credited, max(o.currency) AS currency
FROM orders o
JOIN seasons s ON s.id = o.season_id
LEFT JOIN (SELECT r.order_id, sum(cn.amount) AS amount FROM returns r JOIN credit_notes cn ON cn.return_id = r.id
           WHERE r.dealer_id = $1 GROUP BY r.order_id) cr ON cr.order_id = o.id
WHERE o.dealer_id = $1 AND o.status NOT IN ('draft', 'cancelled')
GROUP BY s.id
ORDER BY s.starts_on DESC`
	var rows []struct {
		Season   string       `db:"season"`
		Name     string       `db:"name"`
		Orders   int          `db:"orders"`
		Qty      int          `db:"qty"`
		Amount   money.Amount `db:"amount"`
		Credited money.Amount `db:"credited"`
		Currency string       `db:"currency"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, dealerID); err != nil {
		return nil, postgres.Error(err, "order history")
	}
	out := make([]dealers.SeasonHistory, len(rows))
	for i, r := range rows {
		out[i] = dealers.SeasonHistory{Season: r.Season, Name: r.Name, Orders: r.Orders, Qty: r.Qty, Amount: r.Amount,
			Returned: r.Credited, Currency: r.Currency}
	}
	return out, nil
}

type orderRow struct {
	ID        int64        `db:"id"`
	DealerID  int          `db:"dealer_id"`
	Number    string       `db:"number"`
	Season    string       `db:"season"`
	Status    string       `db:"status"`
	Qty       int          `db:"total_qty"`
	Amount    money.Amount `db:"total_amount"`
	Currency  string       `db:"currency"`
	CreatedAt time.Time    `db:"created_at"`
	ShippedAt *time.Time   `db:"shipped_at"`
	Invoice   string       `db:"invoice"`
}

func (r orderRow) head() dealers.OrderHead {
	o := dealers.OrderHead{ID: r.ID, DealerID: r.DealerID, OrderSummary: dealers.OrderSummary{
		Number: r.Number, Season: r.Season, Status: r.Status, Qty: r.Qty, Amount: r.Amount, Currency: r.Currency,
		CreatedAt: r.CreatedAt.UTC(), Invoice: r.Invoice}}
	if r.ShippedAt != nil {
		t := r.ShippedAt.UTC()
		o.ShippedAt = &t
	}
	return o
}

const orderSelect = `
SELECT o.id, o.dealer_id, o.number, s.code AS season, o.status, o.total_qty, o.total_amount, o.currency,
       o.created_at, o.shipped_at,
       COALESCE((SELECT i.number FROM invoices i WHERE i.order_id = o.id ORDER BY i.id LIMIT 1), '') AS invoice
FROM orders o
JOIN seasons s ON s.id = o.season_id`

// DealerOrders implements dealers.Queries: orders head office can ship
// first, then the newest.
func (c conn) DealerOrders(ctx context.Context, dealerID, limit int) ([]dealers.OrderSummary, error) {
	const q = orderSelect + `
WHERE o.dealer_id = $1 AND o.status <> 'draft'
ORDER BY (o.status IN ('confirmed', 'in_production')) DESC, o.created_at DESC, o.id DESC
LIMIT $2`
	var rows []orderRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, dealerID, limit); err != nil {
		return nil, postgres.Error(err, "orders")
	}
	out := make([]dealers.OrderSummary, len(rows))
	for i, r := range rows {
		out[i] = r.head().OrderSummary
	}
	return out, nil
}

// OrderHead implements dealers.Queries.
func (c conn) OrderHead(ctx context.Context, scope dealers.Scope, number string) (dealers.OrderHead, error) {
	const q = orderSelect + ` WHERE o.number = $1 AND ($2 = 0 OR o.dealer_id = $2) AND o.status <> 'draft'`
	var r orderRow
	if err := sqlx.GetContext(ctx, c.q, &r, q, number, scope.DealerID); err != nil {
		return dealers.OrderHead{}, postgres.Error(err, "order "+number)
	}
	return r.head(), nil
}

// LockOrder implements dealers.Tx.
func (t *txStore) LockOrder(ctx context.Context, id int64) (dealers.OrderHead, error) {
	const q = orderSelect + ` WHERE o.id = $1 FOR NO KEY UPDATE OF o`
	var r orderRow
	if err := sqlx.GetContext(ctx, t.q, &r, q, id); err != nil {
		return dealers.OrderHead{}, postgres.Error(err, "order")
	}
	return r.head(), nil
}

// ShipOrder implements dealers.Tx.
func (t *txStore) ShipOrder(ctx context.Context, orderID int64, at time.Time) error {
	const q = `UPDATE orders SET status = 'shipped', shipped_at = $2, version = version + 1, updated_at = now() WHERE id = $1`
	_, err := t.q.ExecContext(ctx, q, orderID, at)
	return postgres.Error(err, "order")
}

// InsertOrderEvent implements dealers.Tx.
func (t *txStore) InsertOrderEvent(ctx context.Context, e dealers.OrderEvent) error {
	const q = `
INSERT INTO order_events (order_id, dealer_id, user_id, kind, from_status, to_status, detail)
VALUES ($1, $2, NULLIF($3, 0), $4, NULLIF($5, ''), NULLIF($6, ''), $7::jsonb)`
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, q, e.OrderID, e.DealerID, e.UserID, e.Kind, e.From, e.To, string(detail))
	return postgres.Error(err, "order event")
}

type noteRow struct {
	ID        int64     `db:"id"`
	Body      string    `db:"body"`
	Author    string    `db:"author"`
	CreatedAt time.Time `db:"created_at"`
}

func (r noteRow) note() dealers.Note {
	return dealers.Note{ID: r.ID, Body: r.Body, Author: r.Author, CreatedAt: r.CreatedAt.UTC()}
}

// Notes implements dealers.Queries.
func (c conn) Notes(ctx context.Context, dealerID int) ([]dealers.Note, error) {
	q := `SELECT n.id, n.body, ` + author("u") + ` AS author, n.created_at
FROM dealer_notes n JOIN users u ON u.id = n.user_id
WHERE n.dealer_id = $1 ORDER BY n.created_at DESC, n.id DESC`
	var rows []noteRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, dealerID); err != nil {
		return nil, postgres.Error(err, "notes")
	}
	out := make([]dealers.Note, len(rows))
	for i, r := range rows {
		out[i] = r.note()
	}
	return out, nil
}

// InsertNote implements dealers.Tx.
func (t *txStore) InsertNote(ctx context.Context, dealerID, userID int, body string) (dealers.Note, error) {
	q := `WITH n AS (INSERT INTO dealer_notes (dealer_id, user_id, body) VALUES ($1, $2, $3) RETURNING id, user_id, body, created_at)
SELECT n.id, n.body, ` + author("u") + ` AS author, n.created_at FROM n JOIN users u ON u.id = n.user_id`
	var r noteRow
	if err := sqlx.GetContext(ctx, t.q, &r, q, dealerID, userID, body); err != nil {
		return dealers.Note{}, postgres.Error(err, "note")
	}
	return r.note(), nil
}

// Events implements dealers.Queries.
func (c conn) Events(ctx context.Context, dealerID int) ([]dealers.Event, error) {
	const q = `
SELECT e.kind, e.reason, COALESCE(u.email, '') AS email, e.changes, e.created_at
FROM dealer_events e LEFT JOIN users u ON u.id = e.user_id
WHERE e.dealer_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT 200`
	var rows []struct {
		Kind    string    `db:"kind"`
		Reason  string    `db:"reason"`
		Email   string    `db:"email"`
		Changes []byte    `db:"changes"`
		At      time.Time `db:"created_at"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, dealerID); err != nil {
		return nil, postgres.Error(err, "dealer events")
	}
	out := make([]dealers.Event, len(rows))
	for i, r := range rows {
		out[i] = dealers.Event{Kind: r.Kind, Reason: r.Reason, User: r.Email, CreatedAt: r.At.UTC(), Changes: map[string]dealers.Change{}}
		if err := json.Unmarshal(r.Changes, &out[i].Changes); err != nil {
			return nil, fmt.Errorf("dealer event changes: %w", err)
		}
	}
	return out, nil
}

// InsertEvent implements dealers.Tx.
func (t *txStore) InsertEvent(ctx context.Context, e dealers.NewEvent) error {
	const q = `INSERT INTO dealer_events (dealer_id, user_id, kind, reason, changes) VALUES ($1, NULLIF($2, 0), $3, $4, $5::jsonb)`
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, q, e.DealerID, e.UserID, e.Kind, e.Reason, string(changes))
	return postgres.Error(err, "dealer event")
}

type accountRow struct {
	ID           int          `db:"id"`
	Code         string       `db:"code"`
	Name         string       `db:"name"`
	Status       string       `db:"status"`
	HoldReason   string       `db:"hold_reason"`
	AutoHold     bool         `db:"auto_hold"`
	CreditLimit  money.Amount `db:"credit_limit"`
	CreditPolicy string       `db:"credit_policy"`
	Terms        int          `db:"payment_terms_days"`
	Currency     string       `db:"currency"`
}

const accountSelect = `
SELECT d.id, d.code, d.name, d.status, d.hold_reason, d.auto_hold, d.credit_limit, d.credit_policy,
       d.payment_terms_days, pl.currency
FROM dealers d JOIN price_lists pl ON pl.id = d.price_list_id`

// lockAccount locks a dealer row FOR NO KEY UPDATE, as the ordering store
// does: dealer transactions exclude each other, but do not wait for the KEY
// SHARE locks that foreign keys (an Idempotency-Key row, an invoice) of a
// concurrent transaction hold on the dealer, which would deadlock. The
// other rows locked here are never updated in their keys either.
func (t *txStore) lockAccount(ctx context.Context, where string, arg any, what string) (dealers.Account, error) {
	q := accountSelect + ` WHERE ` + where + ` FOR NO KEY UPDATE OF d`
	var r accountRow
	if err := sqlx.GetContext(ctx, t.q, &r, q, arg); err != nil {
		return dealers.Account{}, postgres.Error(err, what)
	}
	return dealers.Account{ID: r.ID, Code: r.Code, Name: r.Name, Status: r.Status, HoldReason: r.HoldReason,
		AutoHold: r.AutoHold, CreditLimit: r.CreditLimit, CreditPolicy: r.CreditPolicy, PaymentTermsDays: r.Terms,
		Currency: r.Currency}, nil
}

// LockDealer implements dealers.Tx.
func (t *txStore) LockDealer(ctx context.Context, code string) (dealers.Account, error) {
	return t.lockAccount(ctx, `d.code = $1`, code, "dealer "+code)
}

// LockDealerByID implements dealers.Tx.
func (t *txStore) LockDealerByID(ctx context.Context, id int) (dealers.Account, error) {
	return t.lockAccount(ctx, `d.id = $1`, id, "dealer")
}

// UpdateAccount implements dealers.Tx.
func (t *txStore) UpdateAccount(ctx context.Context, a dealers.Account) error {
	const q = `
UPDATE dealers SET credit_limit = $2, payment_terms_days = $3, credit_policy = $4, status = $5,
       hold_reason = $6, auto_hold = $7, updated_at = now()
WHERE id = $1`
	_, err := t.q.ExecContext(ctx, q, a.ID, a.CreditLimit, a.PaymentTermsDays, a.CreditPolicy, a.Status, a.HoldReason, a.AutoHold)
	return postgres.Error(err, "dealer "+a.Code)
}

// SetHold implements dealers.Tx.
func (t *txStore) SetHold(ctx context.Context, dealerID int, status, reason string, auto bool) error {
	const q = `UPDATE dealers SET status = $2, hold_reason = $3, auto_hold = $4, updated_at = now() WHERE id = $1`
	_, err := t.q.ExecContext(ctx, q, dealerID, status, reason, auto)
	return postgres.Error(err, "dealer")
}

// OverdueHoldDays implements dealers.Queries.
func (c conn) OverdueHoldDays(ctx context.Context) (int, error) {
	v, ok, err := c.setting(ctx, "overdue_hold_days")
	if err != nil || !ok {
		return dealers.DefaultOverdueHoldDays, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return dealers.DefaultOverdueHoldDays, nil
	}
	return n, nil
}

func (c conn) setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := sqlx.GetContext(ctx, c.q, &v, `SELECT value FROM settings WHERE key = $1`, key)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, postgres.Error(err, "setting "+key)
	}
	return v, true, nil
}

// HoldStates implements dealers.Queries.
func (c conn) HoldStates(ctx context.Context, cutoff dealers.Date, ids []int) ([]dealers.HoldState, error) {
	const q = `
SELECT d.id, d.code, d.status, d.auto_hold, o.overdue, o.oldest,
       COALESCE((SELECT sum(c.amount) FROM credit_notes c WHERE c.dealer_id = d.id), 0) AS credits
FROM dealers d,
LATERAL (SELECT COALESCE(sum(i.amount - i.paid), 0) AS overdue, min(i.due_on) AS oldest
         FROM invoices i WHERE i.dealer_id = d.id AND i.paid < i.amount AND i.due_on < $1::date) o
WHERE ($2::int[] IS NULL OR d.id = ANY($2::int[]))
ORDER BY d.id`
	var arr any
	if ids != nil {
		a := make([]int64, len(ids))
		for i, id := range ids {
			a[i] = int64(id)
		}
		arr = pq.Array(a)
	}
	var rows []struct {
		ID       int          `db:"id"`
		Code     string       `db:"code"`
		Status   string       `db:"status"`
		AutoHold bool         `db:"auto_hold"`
		Overdue  money.Amount `db:"overdue"`
		Oldest   *time.Time   `db:"oldest"`
		Credits  money.Amount `db:"credits"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, cutoff.String(), arr); err != nil {
		return nil, postgres.Error(err, "overdue invoices")
	}
	out := make([]dealers.HoldState, len(rows))
	for i, r := range rows {
		out[i] = dealers.HoldState{DealerID: r.ID, Code: r.Code, Status: r.Status, AutoHold: r.AutoHold,
			Overdue: r.Overdue, Credits: r.Credits}
		if r.Oldest != nil {
			out[i].OldestDue = dealers.DateOf(*r.Oldest)
		}
	}
	return out, nil
}

// Seasons implements dealers.Queries.
func (c conn) Seasons(ctx context.Context) ([]dealers.SeasonRef, error) {
	out := []dealers.SeasonRef{}
	err := sqlx.SelectContext(ctx, c.q, &out, `SELECT code, name FROM seasons ORDER BY starts_on, code`)
	return out, postgres.Error(err, "seasons")
}

// ClaimIdempotencyKey implements dealers.Tx (postgres.ClaimKey).
func (t *txStore) ClaimIdempotencyKey(ctx context.Context, k dealers.IdemClaim) (*dealers.IdemStored, error) {
	s, err := postgres.ClaimKey(ctx, t.q, k.UserID, k.Key, k.DealerID, k.Hash)
	if s == nil || err != nil {
		return nil, err
	}
	return &dealers.IdemStored{Hash: s.Hash, Body: s.Body}, nil
}

// SaveIdempotencyResponse implements dealers.Tx.
func (t *txStore) SaveIdempotencyResponse(ctx context.Context, userID int, key string, status int, body []byte) error {
	return postgres.SaveResponse(ctx, t.q, userID, key, status, body)
}
