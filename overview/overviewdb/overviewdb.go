// Package overviewdb reads the home pages' data from PostgreSQL for the
// overview service. Every dealer- or supplier-owned read is filtered by the id
// the service passes, which comes from the caller's token.
package overviewdb

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/overview"
	"github.com/sizerun/sizerun/postgres"
)

// Store implements overview.Store.
type Store struct{ db *sqlx.DB }

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

// Dealer implements overview.Store.
func (s *Store) Dealer(ctx context.Context, dealerID int) (overview.Dealer, error) {
	const q = `SELECT code, name, status FROM dealers WHERE id = $1`
	var r struct {
		Code   string `db:"code"`
		Name   string `db:"name"`
		Status string `db:"status"`
	}
	if err := s.db.GetContext(ctx, &r, q, dealerID); err != nil {
		return overview.Dealer{}, postgres.Error(err, "dealer")
	}
	return overview.Dealer{Code: r.Code, Name: r.Name, OnHold: r.Status == "on_hold"}, nil
}

type seasonRow struct {
	Code     string    `db:"code"`
	Name     string    `db:"name"`
	StartsOn time.Time `db:"starts_on"`
	OpensAt  time.Time `db:"order_opens_at"`
	CutoffAt time.Time `db:"order_cutoff_at"`
	Closed   bool      `db:"closed"`
}

func toSeason(r seasonRow) overview.Season {
	return overview.Season{Code: r.Code, Name: r.Name, StartsOn: r.StartsOn,
		OpensAt: r.OpensAt, CutoffAt: r.CutoffAt, Closed: r.Closed}
}

// OrderableSeasons implements overview.Store.
func (s *Store) OrderableSeasons(ctx context.Context, now time.Time) ([]overview.Season, error) {
	const q = `
SELECT code, name, starts_on, order_opens_at, order_cutoff_at, closed
FROM seasons
WHERE NOT closed AND order_cutoff_at > $1
ORDER BY order_cutoff_at, code`
	var rows []seasonRow
	if err := s.db.SelectContext(ctx, &rows, q, now); err != nil {
		return nil, postgres.Error(err, "seasons")
	}
	out := make([]overview.Season, len(rows))
	for i, r := range rows {
		out[i] = toSeason(r)
	}
	return out, nil
}

// RecentOrders implements overview.Store.
func (s *Store) RecentOrders(ctx context.Context, dealerID, limit int) ([]overview.Order, error) {
	const q = `
SELECT o.number, s.code AS season, o.status, o.total_qty, o.total_amount, o.currency,
       COALESCE(o.submitted_at, o.created_at) AS date
FROM orders o
JOIN seasons s ON s.id = o.season_id
WHERE o.dealer_id = $1
ORDER BY o.created_at DESC, o.id DESC
LIMIT $2`
	var rows []struct {
		Number   string       `db:"number"`
		Season   string       `db:"season"`
		Status   string       `db:"status"`
		Qty      int          `db:"total_qty"`
		Amount   money.Amount `db:"total_amount"`
		Currency string       `db:"currency"`
		Date     time.Time    `db:"date"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, dealerID, limit); err != nil {
		return nil, postgres.Error(err, "orders")
	}
	out := make([]overview.Order, len(rows))
	for i, r := range rows {
		out[i] = overview.Order{Number: r.Number, Season: r.Season, Status: r.Status, Qty: r.Qty,
			Amount: r.Amount, Currency: r.Currency, Date: r.Date}
	}
	return out, nil
}

// SeasonTotals implements overview.Store. One row per season (currency
// NULL, from the ROLLUP's grand total) carries the counts; one row per season
// and currency carries the amounts.
func (s *Store) SeasonTotals(ctx context.Context, statuses []string) ([]overview.SeasonTotals, error) {
	const q = `
WITH picked AS (
    (SELECT id FROM seasons WHERE NOT closed ORDER BY starts_on DESC, id DESC LIMIT 6)
    UNION
    (SELECT id FROM seasons WHERE closed ORDER BY starts_on DESC, id DESC LIMIT 1)
)
SELECT s.code, s.name, s.starts_on, s.order_opens_at, s.order_cutoff_at, s.closed,
       t.currency, t.is_total, t.orders, t.dealers, t.qty, t.amount
FROM seasons s
JOIN picked ON picked.id = s.id
CROSS JOIN LATERAL (
    SELECT o.currency, GROUPING(o.currency) = 1 AS is_total,
           count(*) AS orders, count(DISTINCT o.dealer_id) AS dealers,
           COALESCE(sum(o.total_qty), 0) AS qty, COALESCE(sum(o.total_amount), 0) AS amount
    FROM orders o
    WHERE o.season_id = s.id AND o.status IN (?)
    GROUP BY ROLLUP (o.currency)
) t
ORDER BY s.starts_on DESC, s.id DESC, t.is_total DESC, t.currency`
	var rows []struct {
		seasonRow
		Currency *string      `db:"currency"`
		IsTotal  bool         `db:"is_total"`
		Orders   int          `db:"orders"`
		Dealers  int          `db:"dealers"`
		Qty      int          `db:"qty"`
		Amount   money.Amount `db:"amount"`
	}
	query, args, err := sqlx.In(q, statuses)
	if err != nil {
		return nil, err
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
		return nil, postgres.Error(err, "season totals")
	}
	var out []overview.SeasonTotals
	for _, r := range rows {
		if r.IsTotal {
			out = append(out, overview.SeasonTotals{Season: toSeason(r.seasonRow),
				Orders: r.Orders, Dealers: r.Dealers, Qty: r.Qty})
			continue
		}
		if len(out) == 0 || out[len(out)-1].Code != r.Code || r.Currency == nil {
			continue // cannot happen: the total row of a season sorts first
		}
		last := &out[len(out)-1]
		last.Amounts = append(last.Amounts, overview.CurrencyAmount{Currency: *r.Currency, Amount: r.Amount})
	}
	return out, nil
}

// Supplier implements overview.Store.
func (s *Store) Supplier(ctx context.Context, supplierID int) (overview.Supplier, error) {
	const q = `SELECT code, name FROM suppliers WHERE id = $1`
	var r struct {
		Code string `db:"code"`
		Name string `db:"name"`
	}
	if err := s.db.GetContext(ctx, &r, q, supplierID); err != nil {
		return overview.Supplier{}, postgres.Error(err, "supplier")
	}
	return overview.Supplier{Code: r.Code, Name: r.Name}, nil
}

// SupplierFabrics implements overview.Store.
func (s *Store) SupplierFabrics(ctx context.Context, supplierID int) ([]overview.Fabric, error) {
	const q = `
SELECT code, name, unit, lead_time_weeks
FROM fabrics
WHERE supplier_id = $1
ORDER BY code`
	var rows []struct {
		Code     string `db:"code"`
		Name     string `db:"name"`
		Unit     string `db:"unit"`
		LeadTime int    `db:"lead_time_weeks"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, supplierID); err != nil {
		return nil, postgres.Error(err, "fabrics")
	}
	out := make([]overview.Fabric, len(rows))
	for i, r := range rows {
		out[i] = overview.Fabric{Code: r.Code, Name: r.Name, Unit: r.Unit, LeadTimeWeeks: r.LeadTime}
	}
	return out, nil
}

// Users implements overview.Store.
func (s *Store) Users(ctx context.Context, limit int) ([]overview.User, error) {
	const q = `
SELECT u.email, u.display_name, u.role, u.locale, u.active,
       COALESCE(d.code, '') AS dealer_code, COALESCE(d.name, '') AS dealer_name,
       COALESCE(s.code, '') AS supplier_code, COALESCE(s.name, '') AS supplier_name
FROM users u
LEFT JOIN dealers d ON d.id = u.dealer_id
LEFT JOIN suppliers s ON s.id = u.supplier_id
ORDER BY CASE u.role WHEN 'admin' THEN 1 WHEN 'planner' THEN 2 WHEN 'supplier' THEN 3 ELSE 4 END, u.email
LIMIT $1`
	var rows []struct {
		Email        string `db:"email"`
		Name         string `db:"display_name"`
		Role         string `db:"role"`
		Locale       string `db:"locale"`
		Active       bool   `db:"active"`
		DealerCode   string `db:"dealer_code"`
		DealerName   string `db:"dealer_name"`
		SupplierCode string `db:"supplier_code"`
		SupplierName string `db:"supplier_name"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, limit); err != nil {
		return nil, postgres.Error(err, "users")
	}
	out := make([]overview.User, len(rows))
	for i, r := range rows {
		out[i] = overview.User{Email: r.Email, Name: r.Name, Role: auth.Role(r.Role), Locale: r.Locale,
			Active: r.Active, DealerCode: r.DealerCode, DealerName: r.DealerName,
			SupplierCode: r.SupplierCode, SupplierName: r.SupplierName}
	}
	return out, nil
}
