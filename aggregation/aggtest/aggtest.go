// Package aggtest builds small, consistent fixtures for the aggregation tests
// with plain SQL (no dependency on the ordering service): a catalogue with
// two seasons, overlapping colour and size codes across styles and size
// scales, dealers in three regions, fabrics with bills of materials, and
// helpers that write, amend, cancel and delete orders keeping orders' totals
// equal to their lines.
package aggtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/money"
)

// SKU identifies a SKU and its parts.
type SKU struct {
	ID, StyleID, ColorID, SizeID int
	Style, Color, Size           string
	SizePos                      int
}

// Fixture holds the ids of the catalogue it created.
type Fixture struct {
	DB        *sqlx.DB
	Seasons   map[string]int
	Windows   map[string]int // delivery window code → id (season SS27: W1, W2)
	Regions   map[string]int
	Dealers   map[string]int
	DealerReg map[string]string // dealer code → region code
	Styles    map[string]int
	StyleCat  map[string]string // style code → category code
	Prices    map[string]money.Amount
	SKUs      []SKU
	Fabrics   map[string]int
	Users     map[string]int // planner, admin, supplier S01, supplier S02, dealer D01
	Suppliers map[string]int

	seq int
}

// Style definitions: code, category, scale, colours, cut lot, price.
var styleDefs = []struct {
	code, cat, scale string
	colors           []string
	cutLot           int
	price            string
}{
	{"ST01", "TOPS", "LETTER", []string{"BLK", "WHT", "NVY"}, 6, "129.00"},
	{"ST02", "TOPS", "LETTER", []string{"BLK", "RED"}, 12, "89.50"},
	{"ST03", "BOTTOMS", "NUM", []string{"BLK", "KHK"}, 10, "159.99"},
	{"ST04", "BOTTOMS", "NUM", []string{"NVY"}, 1, "75.10"},
	{"ST05", "KIDS", "KIDS", []string{"WHT", "RED"}, 5, "49.95"},
	{"ST06", "TOPS", "LETTER", []string{"GRN", "BLK"}, 24, "210.00"},
}

var scaleDefs = map[string][]string{
	"LETTER": {"XS", "S", "M", "L", "XL"},
	"NUM":    {"36", "38", "40", "42"},
	"KIDS":   {"S", "M"}, // same codes as LETTER at other positions
}

// New builds the catalogue in db (a fresh pgtest database).
func New(t testing.TB, db *sqlx.DB) *Fixture {
	t.Helper()
	f := &Fixture{DB: db, Seasons: map[string]int{}, Windows: map[string]int{}, Regions: map[string]int{},
		Dealers: map[string]int{}, DealerReg: map[string]string{}, Styles: map[string]int{}, StyleCat: map[string]string{},
		Prices: map[string]money.Amount{}, Fabrics: map[string]int{}, Users: map[string]int{}, Suppliers: map[string]int{}}
	ctx := context.Background()
	one := func(dest *int, q string, args ...any) {
		t.Helper()
		if err := db.QueryRowContext(ctx, q, args...).Scan(dest); err != nil {
			t.Fatalf("aggtest: %v\n%s", err, q)
		}
	}
	var id int
	for i, code := range []string{"NORTH", "SOUTH", "EAST"} {
		one(&id, `INSERT INTO regions (code, name) VALUES ($1, $2) RETURNING id`, code, fmt.Sprintf("Region %d", i+1))
		f.Regions[code] = id
	}
	var pl int
	one(&pl, `INSERT INTO price_lists (code, name, currency, is_list) VALUES ('LIST', 'List', 'CNY', true) RETURNING id`)
	for i := 1; i <= 8; i++ {
		code := fmt.Sprintf("D%02d", i)
		region := []string{"NORTH", "SOUTH", "EAST"}[i%3]
		one(&id, `INSERT INTO dealers (code, name, region_id, price_list_id, credit_limit) VALUES ($1, $2, $3, $4, 1000000) RETURNING id`,
			code, "经销商 "+code, f.Regions[region], pl)
		f.Dealers[code], f.DealerReg[code] = id, region
	}
	for _, s := range []struct{ code, opens, cutoff, starts string }{
		{"AW26", "2026-01-01", "2026-04-01", "2026-08-01"}, {"SS27", "2026-06-01", "2026-11-30", "2027-02-01"},
	} {
		one(&id, `INSERT INTO seasons (code, name, starts_on, order_opens_at, order_cutoff_at) VALUES ($1, $1, $2, $3, $4) RETURNING id`,
			s.code, s.starts, s.opens, s.cutoff)
		f.Seasons[s.code] = id
	}
	for _, w := range []struct{ code, from, to string }{{"W1", "2027-02-15", "2027-03-15"}, {"W2", "2027-04-01", "2027-04-30"}} {
		one(&id, `INSERT INTO delivery_windows (season_id, code, name, ships_from, ships_to) VALUES ($1, $2, $2, $3, $4) RETURNING id`,
			f.Seasons["SS27"], w.code, w.from, w.to)
		f.Windows[w.code] = id
	}
	cats := map[string]int{}
	for _, c := range []string{"TOPS", "BOTTOMS", "KIDS"} {
		one(&id, `INSERT INTO categories (code, name) VALUES ($1, $1) RETURNING id`, c)
		cats[c] = id
	}
	scales := map[string]int{}
	sizes := map[string]map[string][2]int{} // scale → code → (id, position)
	for _, sc := range []string{"LETTER", "NUM", "KIDS"} {
		one(&id, `INSERT INTO size_scales (code, name) VALUES ($1, $1) RETURNING id`, sc)
		scales[sc] = id
		sizes[sc] = map[string][2]int{}
		for i, code := range scaleDefs[sc] {
			var sid int
			one(&sid, `INSERT INTO sizes (size_scale_id, code, position) VALUES ($1, $2, $3) RETURNING id`, id, code, i+1)
			sizes[sc][code] = [2]int{sid, i + 1}
		}
	}
	for _, s := range []struct{ code, name string }{{"S01", "Supplier One"}, {"S02", "Supplier Two"}} {
		one(&id, `INSERT INTO suppliers (code, name) VALUES ($1, $2) RETURNING id`, s.code, s.name)
		f.Suppliers[s.code] = id
	}
	for _, fb := range []struct {
		code, supplier, unit, wastage string
		lead                          int
	}{{"FAB-POP", "S01", "m", "3.50", 4}, {"FAB-DEN", "S02", "m", "5.00", 6}, {"FAB-RIB", "S01", "kg", "0", 2}} {
		one(&id, `INSERT INTO fabrics (code, name, supplier_id, unit, wastage_pct, lead_time_weeks) VALUES ($1, $1 || ' 面料', $2, $3, $4, $5) RETURNING id`,
			fb.code, f.Suppliers[fb.supplier], fb.unit, fb.wastage, fb.lead)
		f.Fabrics[fb.code] = id
	}
	for _, sd := range styleDefs {
		one(&id, `INSERT INTO styles (code, name, category_id, size_scale_id, cut_lot) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			sd.code, "款式 "+sd.code, cats[sd.cat], scales[sd.scale], sd.cutLot)
		f.Styles[sd.code], f.StyleCat[sd.code] = id, sd.cat
		f.Prices[sd.code] = money.MustParse(sd.price)
		exec(t, db, `INSERT INTO prices (price_list_id, style_id, price) VALUES ($1, $2, $3)`, pl, id, sd.price)
		for _, se := range f.Seasons {
			exec(t, db, `INSERT INTO season_styles (season_id, style_id) VALUES ($1, $2)`, se, id)
		}
		for _, c := range sd.colors {
			var cid int
			one(&cid, `INSERT INTO colors (style_id, code, name) VALUES ($1, $2, $2 || ' colour') RETURNING id`, id, c)
			for _, sz := range scaleDefs[sd.scale] {
				s := sizes[sd.scale][sz]
				var kid int
				one(&kid, `INSERT INTO skus (style_id, color_id, size_id) VALUES ($1, $2, $3) RETURNING id`, id, cid, s[0])
				f.SKUs = append(f.SKUs, SKU{ID: kid, StyleID: id, ColorID: cid, SizeID: s[0], Style: sd.code, Color: c, Size: sz, SizePos: s[1]})
			}
		}
		// Bills of materials: tops and kids use poplin and rib, bottoms denim; bigger sizes take more.
		fabrics := map[string][]string{"TOPS": {"FAB-POP", "FAB-RIB"}, "KIDS": {"FAB-POP"}, "BOTTOMS": {"FAB-DEN"}}[sd.cat]
		for i, sz := range scaleDefs[sd.scale] {
			for j, fb := range fabrics {
				cons := fmt.Sprintf("%d.%04d", 1-j, 1000+i*125+j*333)
				exec(t, db, `INSERT INTO bom_lines (style_id, size_id, fabric_id, consumption) VALUES ($1, $2, $3, $4)`,
					id, sizes[sd.scale][sz][0], f.Fabrics[fb], cons)
			}
		}
	}
	for _, u := range []struct {
		key, role     string
		dealer, suppl string
	}{{"planner", "planner", "", ""}, {"admin", "admin", "", ""}, {"S01", "supplier", "", "S01"},
		{"S02", "supplier", "", "S02"}, {"D01", "dealer", "D01", ""}} {
		var dealer, supplier any
		if u.dealer != "" {
			dealer = f.Dealers[u.dealer]
		}
		if u.suppl != "" {
			supplier = f.Suppliers[u.suppl]
		}
		one(&id, `INSERT INTO users (email, password_hash, role, dealer_id, supplier_id) VALUES ($1, 'x', $2, $3, $4) RETURNING id`,
			strings.ToLower(u.key)+"@fixture.test", u.role, dealer, supplier)
		f.Users[u.key] = id
	}
	return f
}

func exec(t testing.TB, db sqlx.ExecerContext, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("aggtest: %v\n%s", err, q)
	}
}

// FindSKU returns the SKU of style, colour and size; it fails the test if there is none.
func (f *Fixture) FindSKU(t testing.TB, style, color, size string) SKU {
	t.Helper()
	for _, k := range f.SKUs {
		if k.Style == style && k.Color == color && k.Size == size {
			return k
		}
	}
	t.Fatalf("aggtest: no SKU %s/%s/%s", style, color, size)
	return SKU{}
}

// Line is an order line to write.
type Line struct {
	SKU    SKU
	Qty    int
	Window string // delivery window code, "" for none
}

// Order is an order the fixture wrote.
type Order struct {
	ID     int64
	Number string
	Dealer string
	Season string
	Status string
	Lines  map[int64]Line // line id → line
}

// Q is what the helpers run SQL on: a database or a transaction.
type Q interface {
	sqlx.ExtContext
}

// CreateOrder writes an order and its lines (one per SKU) with consistent totals.
func (f *Fixture) CreateOrder(t testing.TB, q Q, season, dealer, status string, lines []Line) Order {
	t.Helper()
	ctx := context.Background()
	f.seq++
	o := Order{Dealer: dealer, Season: season, Status: status, Lines: map[int64]Line{}}
	const qo = `
INSERT INTO orders (number, dealer_id, season_id, status, currency, submitted_at, cancelled_at)
VALUES ('T' || lpad(nextval('order_number_seq')::text, 7, '0'), $1, $2, $3, 'CNY',
        CASE WHEN $3 <> 'draft' THEN now() END, CASE WHEN $3 = 'cancelled' THEN now() END)
RETURNING id, number`
	if err := q.QueryRowxContext(ctx, qo, f.Dealers[dealer], f.Seasons[season], status).Scan(&o.ID, &o.Number); err != nil {
		t.Fatalf("aggtest: create order: %v", err)
	}
	for _, l := range lines {
		id := f.insertLine(t, q, o.ID, dealer, l)
		o.Lines[id] = l
	}
	f.fixTotals(t, q, o.ID)
	return o
}

func (f *Fixture) insertLine(t testing.TB, q Q, orderID int64, dealer string, l Line) int64 {
	t.Helper()
	price := f.Prices[l.SKU.Style]
	var window any
	if l.Window != "" {
		window = f.Windows[l.Window]
	}
	const ql = `
INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount, delivery_window_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`
	var id int64
	err := q.QueryRowxContext(context.Background(), ql, orderID, f.Dealers[dealer], l.SKU.ID, l.SKU.StyleID, l.SKU.ColorID,
		l.SKU.SizeID, l.Qty, price, price.Times(l.Qty), window).Scan(&id)
	if err != nil {
		t.Fatalf("aggtest: insert line: %v", err)
	}
	return id
}

func (f *Fixture) fixTotals(t testing.TB, q Q, orderID int64) {
	t.Helper()
	const qt = `
UPDATE orders o SET total_qty = coalesce(s.qty, 0), total_amount = coalesce(s.amount, 0),
       version = version + 1, updated_at = now()
FROM (SELECT sum(qty) AS qty, sum(amount) AS amount FROM order_lines WHERE order_id = $1) s
WHERE o.id = $1`
	exec(t, q, qt, orderID)
}

// AddLine adds a line to an order (an amendment) and returns its id.
func (f *Fixture) AddLine(t testing.TB, q Q, o *Order, l Line) int64 {
	t.Helper()
	id := f.insertLine(t, q, o.ID, o.Dealer, l)
	o.Lines[id] = l
	f.fixTotals(t, q, o.ID)
	return id
}

// SetQty changes a line's quantity (and amount).
func (f *Fixture) SetQty(t testing.TB, q Q, o *Order, lineID int64, qty int) {
	t.Helper()
	l := o.Lines[lineID]
	price := f.Prices[l.SKU.Style]
	exec(t, q, `UPDATE order_lines SET qty = $2, amount = $3 WHERE id = $1`, lineID, qty, price.Times(qty))
	l.Qty = qty
	o.Lines[lineID] = l
	f.fixTotals(t, q, o.ID)
}

// DeleteLine removes a line from an order.
func (f *Fixture) DeleteLine(t testing.TB, q Q, o *Order, lineID int64) {
	t.Helper()
	exec(t, q, `DELETE FROM order_lines WHERE id = $1`, lineID)
	delete(o.Lines, lineID)
	f.fixTotals(t, q, o.ID)
}

// ReplaceLines replaces all lines of an order in one statement pair, like an
// amendment through PUT /orders/{number}.
func (f *Fixture) ReplaceLines(t testing.TB, q Q, o *Order, lines []Line) {
	t.Helper()
	exec(t, q, `DELETE FROM order_lines WHERE order_id = $1`, o.ID)
	o.Lines = map[int64]Line{}
	for _, l := range lines {
		o.Lines[f.insertLine(t, q, o.ID, o.Dealer, l)] = l
	}
	f.fixTotals(t, q, o.ID)
}

// SetStatus changes an order's status (cancel, confirm, ...).
func (f *Fixture) SetStatus(t testing.TB, q Q, o *Order, status string) {
	t.Helper()
	exec(t, q, `UPDATE orders SET status = $2, cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() END,
       version = version + 1, updated_at = now() WHERE id = $1`, o.ID, status)
	o.Status = status
}

// DeleteOrder deletes an order; its lines go by cascade.
func (f *Fixture) DeleteOrder(t testing.TB, q Q, o *Order) {
	t.Helper()
	exec(t, q, `DELETE FROM orders WHERE id = $1`, o.ID)
}

// SetStock sets the stock on hand of a SKU.
func (f *Fixture) SetStock(t testing.TB, sku SKU, qty int) {
	t.Helper()
	exec(t, f.DB, `INSERT INTO stock_on_hand (sku_id, qty) VALUES ($1, $2)
ON CONFLICT (sku_id) DO UPDATE SET qty = excluded.qty, updated_at = now()`, sku.ID, qty)
}

// SummaryDiff compares the rollup summary with a fresh GROUP BY over the
// lines — per SKU (summing its base and side rows), per SKU and dealer, per
// order and per season dealer — and describes every difference ("" when equal).
func SummaryDiff(t testing.TB, db *sqlx.DB) string {
	t.Helper()
	const q = `
WITH counted AS (
    SELECT o.season_id, l.order_id, l.sku_id, l.dealer_id, l.qty, l.amount
    FROM order_lines l JOIN orders o ON o.id = l.order_id
    WHERE rollup_counted(o.status)
), truth_skus AS (
    SELECT season_id, sku_id, sum(qty) AS qty, sum(amount) AS amount, count(*) AS lines, count(DISTINCT dealer_id) AS dealers
    FROM counted GROUP BY 1, 2
), summary_skus AS (
    SELECT season_id, sku_id, sum(qty) AS qty, sum(amount) AS amount, sum(lines) AS lines, sum(dealers) AS dealers
    FROM rollup_sku_slots GROUP BY 1, 2
    HAVING sum(qty) <> 0 OR sum(amount) <> 0 OR sum(lines) <> 0 OR sum(dealers) <> 0
), truth_dealers AS (
    SELECT season_id, sku_id, dealer_id, count(*) AS lines FROM counted GROUP BY 1, 2, 3
), summary_dealers AS (
    SELECT season_id, sku_id, dealer_id, lines FROM rollup_sku_dealers WHERE lines <> 0
), truth_orders AS (
    SELECT season_id, order_id, count(*) AS lines FROM counted GROUP BY 1, 2
), summary_orders AS (
    SELECT season_id, order_id, lines FROM rollup_orders WHERE lines <> 0
), truth_season AS (
    SELECT season_id, dealer_id, count(DISTINCT order_id) AS orders FROM counted GROUP BY 1, 2
), summary_season AS (
    SELECT season_id, dealer_id, orders FROM rollup_season_dealers WHERE orders <> 0
)
SELECT 'sku ' || coalesce(t.season_id, s.season_id) || '/' || coalesce(t.sku_id, s.sku_id)
       || ': lines want ' || coalesce(t.qty::text, '-') || '/' || coalesce(t.amount::text, '-') || '/' || coalesce(t.lines::text, '-') || '/' || coalesce(t.dealers::text, '-')
       || ' summary has ' || coalesce(s.qty::text, '-') || '/' || coalesce(s.amount::text, '-') || '/' || coalesce(s.lines::text, '-') || '/' || coalesce(s.dealers::text, '-')
FROM truth_skus t FULL JOIN summary_skus s USING (season_id, sku_id)
WHERE t.qty IS DISTINCT FROM s.qty OR t.amount IS DISTINCT FROM s.amount
   OR t.lines IS DISTINCT FROM s.lines OR t.dealers IS DISTINCT FROM s.dealers
UNION ALL
SELECT 'sku dealer ' || coalesce(t.season_id, s.season_id) || '/' || coalesce(t.sku_id, s.sku_id) || '/' || coalesce(t.dealer_id, s.dealer_id)
       || ': lines want ' || coalesce(t.lines::text, '-') || ' summary has ' || coalesce(s.lines::text, '-')
FROM truth_dealers t FULL JOIN summary_dealers s USING (season_id, sku_id, dealer_id)
WHERE t.lines IS DISTINCT FROM s.lines
UNION ALL
SELECT 'order ' || coalesce(t.season_id, s.season_id) || '/' || coalesce(t.order_id, s.order_id)
       || ': lines want ' || coalesce(t.lines::text, '-') || ' summary has ' || coalesce(s.lines::text, '-')
FROM truth_orders t FULL JOIN summary_orders s USING (season_id, order_id)
WHERE t.lines IS DISTINCT FROM s.lines
UNION ALL
SELECT 'season dealer ' || coalesce(t.season_id, s.season_id) || '/' || coalesce(t.dealer_id, s.dealer_id)
       || ': orders want ' || coalesce(t.orders::text, '-') || ' summary has ' || coalesce(s.orders::text, '-')
FROM truth_season t FULL JOIN summary_season s USING (season_id, dealer_id)
WHERE t.orders IS DISTINCT FROM s.orders`
	var diffs []string
	if err := db.Select(&diffs, q); err != nil {
		t.Fatalf("aggtest: summary diff: %v", err)
	}
	return strings.Join(diffs, "\n")
}
