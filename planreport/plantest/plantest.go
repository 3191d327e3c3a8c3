// Package plantest builds the small, hand-computed season the plan report is
// tested against (planreport/plandb's test holds the hand computation of
// every figure). The catalogue, the history and the orders are plain SQL;
// the production order is drafted and released through the aggregation
// service, as a planner would.
//
// The season SS27 has three styles (STA tops, STB and the new STC bottoms),
// two colours (BLK, WHT) and three sizes (S, M, L); two dealers (D1, D2)
// ordered; the production order is released with 10 % overage; then D2's
// order O3 is cancelled (written directly: the ordering service refuses to
// cancel an order once in production, which is exactly the case the report
// must explain as "other cause" excess), and D1 orders once more after the
// release (O4, uncovered: a shortage).
package plantest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Fixture holds the ids of what HandSeason wrote.
type Fixture struct {
	DB        *sqlx.DB
	Users     map[string]int // planner, admin, D1 (a dealer user), S1 (a supplier user)
	Dealers   map[string]int
	Suppliers map[string]int
	Released  string // the released production order's number

	seasons map[string]int
	skus    map[string][4]int // "STA/BLK/S" → sku, style, colour, size ids
	prices  map[string]money.Amount
}

// Principal returns a principal for one of the fixture's users.
func (f *Fixture) Principal(key string) auth.Principal {
	switch key {
	case "planner":
		return auth.Principal{UserID: f.Users[key], Email: "planner@plan.test", Role: auth.RolePlanner}
	case "admin":
		return auth.Principal{UserID: f.Users[key], Email: "admin@plan.test", Role: auth.RoleAdmin}
	case "D1":
		return auth.Principal{UserID: f.Users[key], Email: "d1@plan.test", Role: auth.RoleDealer, DealerID: f.Dealers["D1"], DealerCode: "D1"}
	case "S1":
		return auth.Principal{UserID: f.Users[key], Email: "s1@plan.test", Role: auth.RoleSupplier, SupplierID: f.Suppliers["S1"], SupplierCode: "S1"}
	}
	panic("plantest: no user " + key)
}

type line struct {
	sku string // "STA/BLK/S"
	qty int
}

// HandSeason writes the hand-computed season into db (a fresh pgtest
// database) and releases its production order.
func HandSeason(t testing.TB, db *sqlx.DB) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{DB: db, Users: map[string]int{}, Dealers: map[string]int{}, Suppliers: map[string]int{},
		seasons: map[string]int{}, skus: map[string][4]int{}, prices: map[string]money.Amount{}}
	one := func(q string, args ...any) int {
		t.Helper()
		var id int
		if err := db.QueryRowContext(ctx, q, args...).Scan(&id); err != nil {
			t.Fatalf("plantest: %v\n%s", err, q)
		}
		return id
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("plantest: %v\n%s", err, q)
		}
	}

	region := one(`INSERT INTO regions (code, name) VALUES ('EAST', 'East') RETURNING id`)
	pl := one(`INSERT INTO price_lists (code, name, currency, is_list) VALUES ('LIST', 'List', 'CNY', true) RETURNING id`)
	// A dealer price list, so that wholesale value is seen to come from the list price list only.
	dpl := one(`INSERT INTO price_lists (code, name, currency) VALUES ('DEALER', 'Dealer', 'CNY') RETURNING id`)
	for _, d := range []string{"D1", "D2"} {
		f.Dealers[d] = one(`INSERT INTO dealers (code, name, region_id, price_list_id, credit_limit) VALUES ($1, $1, $2, $3, 1000000) RETURNING id`,
			d, region, dpl)
	}
	f.Suppliers["S1"] = one(`INSERT INTO suppliers (code, name) VALUES ('S1', 'Supplier') RETURNING id`)
	for _, s := range []struct{ code, starts, opens, cutoff string }{
		{"AW26", "2026-08-01", "2026-01-01", "2026-04-01"},
		{"SS27", "2027-02-01", "2026-06-01", "2026-11-30"},
	} {
		f.seasons[s.code] = one(`INSERT INTO seasons (code, name, starts_on, order_opens_at, order_cutoff_at, closed)
VALUES ($1, $1, $2, $3, $4, $1 = 'AW26') RETURNING id`, s.code, s.starts, s.opens, s.cutoff)
	}
	scale := one(`INSERT INTO size_scales (code, name) VALUES ('LETTER', 'Letter') RETURNING id`)
	sizes := map[string]int{}
	for i, sz := range []string{"S", "M", "L"} {
		sizes[sz] = one(`INSERT INTO sizes (size_scale_id, code, position) VALUES ($1, $2, $3) RETURNING id`, scale, sz, i+1)
	}
	cats := map[string]int{}
	for _, c := range []struct {
		code  string
		curve [3]string
	}{{"TOPS", [3]string{"0.25", "0.50", "0.25"}}, {"BOTTOMS", [3]string{"0.20", "0.30", "0.50"}}} {
		cats[c.code] = one(`INSERT INTO categories (code, name) VALUES ($1, initcap($1)) RETURNING id`, c.code)
		for i, sz := range []string{"S", "M", "L"} {
			exec(`INSERT INTO size_curves (category_id, size_id, share) VALUES ($1, $2, $3)`, cats[c.code], sizes[sz], c.curve[i])
		}
	}
	for _, st := range []struct {
		code, cat        string
		cutLot           int
		cost, list, deal string
		seasons          []string
	}{
		{"STA", "TOPS", 6, "40.00", "100.00", "55.00", []string{"AW26", "SS27"}},
		{"STB", "BOTTOMS", 4, "25.50", "60.00", "33.00", []string{"AW26", "SS27"}},
		{"STC", "BOTTOMS", 5, "30.00", "80.00", "44.00", []string{"SS27"}},
	} {
		id := one(`INSERT INTO styles (code, name, category_id, size_scale_id, cut_lot, unit_cost) VALUES ($1, 'Style ' || $1, $2, $3, $4, $5) RETURNING id`,
			st.code, cats[st.cat], scale, st.cutLot, st.cost)
		exec(`INSERT INTO prices (price_list_id, style_id, price) VALUES ($1, $2, $3), ($4, $2, $5)`, pl, id, st.list, dpl, st.deal)
		f.prices[st.code] = money.MustParse(st.deal)
		for _, se := range st.seasons {
			exec(`INSERT INTO season_styles (season_id, style_id) VALUES ($1, $2)`, f.seasons[se], id)
		}
		for _, c := range []string{"BLK", "WHT"} {
			cid := one(`INSERT INTO colors (style_id, code, name) VALUES ($1, $2, $2) RETURNING id`, id, c)
			for _, sz := range []string{"S", "M", "L"} {
				kid := one(`INSERT INTO skus (style_id, color_id, size_id) VALUES ($1, $2, $3) RETURNING id`, id, cid, sizes[sz])
				f.skus[st.code+"/"+c+"/"+sz] = [4]int{kid, id, cid, sizes[sz]}
			}
		}
	}
	for _, u := range []struct {
		key, role        string
		dealer, supplier any
	}{{"planner", "planner", nil, nil}, {"admin", "admin", nil, nil},
		{"D1", "dealer", f.Dealers["D1"], nil}, {"S1", "supplier", nil, f.Suppliers["S1"]}} {
		f.Users[u.key] = one(`INSERT INTO users (email, password_hash, role, dealer_id, supplier_id) VALUES ($1, 'x', $2, $3, $4) RETURNING id`,
			fmt.Sprintf("%s@plan.test", map[string]string{"planner": "planner", "admin": "admin", "D1": "d1", "S1": "s1"}[u.key]),
			u.role, u.dealer, u.supplier)
	}
	exec(`INSERT INTO stock_on_hand (sku_id, qty) VALUES ($1, 10), ($2, 3)`, f.skus["STA/BLK/S"][0], f.skus["STB/WHT/L"][0])

	// AW26, the base season: STA BLK 60, WHT 20; STB BLK 30, WHT 14 − 4 returned = 10.
	a1 := f.order(t, "A1", "AW26", "D1", "closed", "2026-02-01", []line{
		{"STA/BLK/S", 10}, {"STA/BLK/M", 20}, {"STA/BLK/L", 10}, {"STA/WHT/M", 20}, {"STB/WHT/M", 14}})
	a2 := f.order(t, "A2", "AW26", "D2", "closed", "2026-02-02", []line{
		{"STA/BLK/M", 20}, {"STB/BLK/S", 10}, {"STB/BLK/M", 10}, {"STB/BLK/L", 10}})
	f.order(t, "A3", "AW26", "D2", "cancelled", "2026-02-03", []line{{"STA/WHT/S", 50}})
	f.ret(t, "R1", a1, "approved", "STB/WHT/M", 4)
	f.ret(t, "R2", a2, "rejected", "STB/BLK/M", 3)

	// SS27 before the release.
	f.order(t, "O1", "SS27", "D1", "submitted", "2026-07-01", []line{
		{"STA/BLK/S", 10}, {"STA/BLK/M", 30}, {"STA/BLK/L", 12}, {"STA/WHT/M", 8}, {"STB/BLK/L", 20}, {"STC/BLK/M", 9}})
	f.order(t, "O2", "SS27", "D2", "confirmed", "2026-07-02", []line{
		{"STA/BLK/M", 6}, {"STB/WHT/L", 5}, {"STC/WHT/S", 4}, {"STC/BLK/M", 3}})
	o3 := f.order(t, "O3", "SS27", "D2", "submitted", "2026-07-03", []line{{"STA/WHT/S", 7}, {"STB/BLK/M", 10}})
	f.order(t, "O5", "SS27", "D1", "draft", "", []line{{"STA/BLK/S", 100}})
	f.order(t, "O6", "SS27", "D1", "held", "2026-07-04", []line{{"STC/WHT/L", 50}})

	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	planner := f.Principal("planner")
	po, err := svc.CreateProductionOrder(ctx, planner, aggregation.ProductionRequest{Season: "SS27", OveragePct: "10"}, "")
	if err != nil {
		t.Fatalf("plantest: draft: %v", err)
	}
	if _, err := svc.Release(ctx, planner, po.Number); err != nil {
		t.Fatalf("plantest: release: %v", err)
	}
	f.Released = po.Number

	// After the release: D2 cancels O3 (in production by now), D1 orders more.
	exec(`UPDATE orders SET status = 'cancelled', cancelled_at = now(), updated_at = now(), version = version + 1 WHERE id = $1`, o3)
	exec(`INSERT INTO order_events (order_id, dealer_id, user_id, kind, from_status, to_status)
VALUES ($1, $2, $3, 'cancelled', 'in_production', 'cancelled')`, o3, f.Dealers["D2"], f.Users["planner"])
	f.order(t, "O4", "SS27", "D1", "submitted", "2026-08-01", []line{{"STC/WHT/M", 6}})
	return f
}

// order writes an order with its lines and totals; it returns the order's id.
func (f *Fixture) order(t testing.TB, number, season, dealer, status, submitted string, lines []line) int64 {
	t.Helper()
	ctx := context.Background()
	var at any
	if submitted != "" {
		at = submitted + "T02:00:00Z"
	}
	var id int64
	const qo = `
INSERT INTO orders (number, dealer_id, season_id, status, currency, submitted_at, cancelled_at)
VALUES ($1, $2, $3, $4, 'CNY', $5, CASE WHEN $4 = 'cancelled' THEN $5::timestamptz END) RETURNING id`
	if err := f.DB.QueryRowContext(ctx, qo, number, f.Dealers[dealer], f.seasons[season], status, at).Scan(&id); err != nil {
		t.Fatalf("plantest: order %s: %v", number, err)
	}
	for _, l := range lines {
		k := f.skus[l.sku]
		price := f.prices[l.sku[:3]]
		const ql = `
INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
		if _, err := f.DB.ExecContext(ctx, ql, id, f.Dealers[dealer], k[0], k[1], k[2], k[3], l.qty, price, price.Times(l.qty)); err != nil {
			t.Fatalf("plantest: order %s line %s: %v", number, l.sku, err)
		}
	}
	const qt = `
UPDATE orders o SET total_qty = s.qty, total_amount = s.amount
FROM (SELECT sum(qty) AS qty, sum(amount) AS amount FROM order_lines WHERE order_id = $1) s
WHERE o.id = $1`
	if _, err := f.DB.ExecContext(ctx, qt, id); err != nil {
		t.Fatalf("plantest: order %s totals: %v", number, err)
	}
	return id
}

// ret writes a return of qty of one SKU of an order.
func (f *Fixture) ret(t testing.TB, number string, orderID int64, status, sku string, qty int) {
	t.Helper()
	ctx := context.Background()
	var dealer int
	var lineID int64
	const ql = `SELECT dealer_id, id FROM order_lines WHERE order_id = $1 AND sku_id = $2`
	if err := f.DB.QueryRowContext(ctx, ql, orderID, f.skus[sku][0]).Scan(&dealer, &lineID); err != nil {
		t.Fatalf("plantest: return %s: %v", number, err)
	}
	var id int64
	const qr = `INSERT INTO returns (number, dealer_id, order_id, status, reason) VALUES ($1, $2, $3, $4, 'faulty') RETURNING id`
	if err := f.DB.QueryRowContext(ctx, qr, number, dealer, orderID, status).Scan(&id); err != nil {
		t.Fatalf("plantest: return %s: %v", number, err)
	}
	const qrl = `INSERT INTO return_lines (return_id, dealer_id, order_line_id, sku_id, qty) VALUES ($1, $2, $3, $4, $5)`
	if _, err := f.DB.ExecContext(ctx, qrl, id, dealer, lineID, f.skus[sku][0], qty); err != nil {
		t.Fatalf("plantest: return %s: %v", number, err)
	}
}
