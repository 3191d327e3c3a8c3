// Package orderingtest builds small, known catalogue and dealer fixtures by
// SQL for tests of ordering and the catalogue (and of the portal, import and
// PDF built on them), without the demo seed.
//
// Fixture (all money CNY):
//
//	seasons   SS27 open (cut-off in 30 days; windows D1, D2), AW26 past cut-off,
//	          FW27 not open yet, CL27 closed by head office
//	styles    ST1001 Men's poplin shirt (SHIRT, sizes XS–XXL, BLK NVY WHT, min 6 per colour,
//	          list 199.00, DLR 129.00, DLR2 120.00; stock BLK M 5, NVY L 2)
//	          ST1002 Oxford shirt (SHIRT, BLU WHT, no SKU BLU XXL, min 1, DLR 99.50)
//	          ST2001 Chino (PANT, sizes 36–42, KHA NVY, min 4, DLR 149.00)
//	          ST3001 Linen 100%_tee (SHIRT, RED, min 1, DLR 59.90)
//	          ST1003 Polo (SHIRT, WHT, list price only: no DLR price)
//	          ST9001 Old parka (only in AW26, DLR 30.00)
//	prepacks  ALPHA PP1 = S1 M2 L2 XL1, PP2 = M1 L1
//	dealers   D001 上海时装 (active, limit 1,000,000.00, DLR), D002 서울패션 (DLR2),
//	          D039 on hold, D040 limit 50,000.00, D050 limit 1,000.00 credit policy hold
//	users     planner@test.test, admin@test.test, dealer01@test.test and dealer01b@test.test (D001),
//	          dealer02@test.test, dealer39@test.test, dealer40@test.test, dealer50@test.test,
//	          supplier01@test.test (S01)
package orderingtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
)

// Build inserts the fixture into an empty, migrated database.
func Build(ctx context.Context, db *sqlx.DB) error {
	now := time.Now().UTC()
	day := 24 * time.Hour
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO regions (code, name) VALUES ('NORTH', 'North'), ('SOUTH', 'South')`, nil},
		{`INSERT INTO categories (code, name) VALUES ('SHIRT', 'Shirts'), ('PANT', 'Trousers'), ('KNIT', 'Knitwear')`, nil},
		{`INSERT INTO size_scales (code, name) VALUES ('ALPHA', 'XS–XXL'), ('NUM', '36–42')`, nil},
		{`INSERT INTO sizes (size_scale_id, code, position)
		  SELECT sc.id, s.code, s.pos FROM size_scales sc,
		  (VALUES ('XS', 1), ('S', 2), ('M', 3), ('L', 4), ('XL', 5), ('XXL', 6)) AS s(code, pos) WHERE sc.code = 'ALPHA'
		  UNION ALL
		  SELECT sc.id, s.code, s.pos FROM size_scales sc,
		  (VALUES ('36', 1), ('38', 2), ('40', 3), ('42', 4)) AS s(code, pos) WHERE sc.code = 'NUM'`, nil},
		{`INSERT INTO prepacks (size_scale_id, code, name)
		  SELECT id, 'PP1', 'Ratio 1-2-2-1' FROM size_scales WHERE code = 'ALPHA'
		  UNION ALL SELECT id, 'PP2', 'M+L' FROM size_scales WHERE code = 'ALPHA'`, nil},
		{`INSERT INTO prepack_items (prepack_id, size_id, qty)
		  SELECT p.id, sz.id, v.qty FROM prepacks p
		  JOIN (VALUES ('PP1', 'S', 1), ('PP1', 'M', 2), ('PP1', 'L', 2), ('PP1', 'XL', 1), ('PP2', 'M', 1), ('PP2', 'L', 1))
		       AS v(pack, size, qty) ON v.pack = p.code
		  JOIN sizes sz ON sz.size_scale_id = p.size_scale_id AND sz.code = v.size`, nil},
		{`INSERT INTO price_lists (code, name, currency, is_list) VALUES
		  ('LIST', 'List prices', 'CNY', true), ('DLR', 'Dealer prices', 'CNY', false), ('DLR2', 'Key accounts', 'CNY', false)`, nil},
		{`INSERT INTO seasons (code, name, starts_on, order_opens_at, order_cutoff_at, closed) VALUES
		  ('SS27', 'Spring/Summer 2027', '2027-02-01', $1, $2, false),
		  ('AW26', 'Autumn/Winter 2026', '2026-08-01', $3, $4, false),
		  ('FW27', 'Fall/Winter 2027', '2027-08-01', $5, $6, false),
		  ('CL27', 'Closed 2027', '2027-03-01', $1, $2, true)`,
			[]any{now.Add(-30 * day), now.Add(30 * day), now.Add(-200 * day), now.Add(-100 * day), now.Add(10 * day), now.Add(60 * day)}},
		{`INSERT INTO delivery_windows (season_id, code, name, ships_from, ships_to)
		  SELECT id, 'D1', 'Drop 1', date '2027-01-15', date '2027-02-15' FROM seasons WHERE code = 'SS27'
		  UNION ALL SELECT id, 'D2', 'Drop 2', date '2027-03-01', date '2027-03-31' FROM seasons WHERE code = 'SS27'
		  UNION ALL SELECT id, 'W1', 'Winter drop', date '2026-09-01', date '2026-09-30' FROM seasons WHERE code = 'AW26'`, nil},
		{`INSERT INTO styles (code, name, category_id, size_scale_id, min_order_qty, cut_lot, unit_cost)
		  SELECT v.code, v.name, c.id, sc.id, v.min, v.cut, 40 FROM
		  (VALUES ('ST1001', 'Men''s poplin shirt', 'SHIRT', 'ALPHA', 6, 12),
		          ('ST1002', 'Oxford shirt', 'SHIRT', 'ALPHA', 1, 1),
		          ('ST2001', 'Chino', 'PANT', 'NUM', 4, 10),
		          ('ST3001', 'Linen 100%_tee', 'SHIRT', 'ALPHA', 1, 1),
		          ('ST1003', 'Polo', 'SHIRT', 'ALPHA', 1, 1),
		          ('ST9001', 'Old parka', 'KNIT', 'ALPHA', 1, 1)) AS v(code, name, cat, scale, min, cut)
		  JOIN categories c ON c.code = v.cat JOIN size_scales sc ON sc.code = v.scale`, nil},
		{`INSERT INTO season_styles (season_id, style_id)
		  SELECT se.id, st.id FROM seasons se JOIN styles st ON st.code <> 'ST9001' WHERE se.code IN ('SS27', 'FW27', 'CL27')
		  UNION ALL SELECT se.id, st.id FROM seasons se JOIN styles st ON st.code IN ('ST9001', 'ST1001') WHERE se.code = 'AW26'`, nil},
		{`INSERT INTO colors (style_id, code, name)
		  SELECT st.id, v.color, v.name FROM styles st JOIN
		  (VALUES ('ST1001', 'BLK', 'Black'), ('ST1001', 'NVY', 'Navy'), ('ST1001', 'WHT', 'White'),
		          ('ST1002', 'BLU', 'Blue'), ('ST1002', 'WHT', 'White'),
		          ('ST2001', 'KHA', 'Khaki'), ('ST2001', 'NVY', 'Navy'),
		          ('ST3001', 'RED', 'Red'), ('ST1003', 'WHT', 'White'), ('ST9001', 'OLV', 'Olive'))
		  AS v(style, color, name) ON v.style = st.code`, nil},
		{`INSERT INTO skus (style_id, color_id, size_id)
		  SELECT st.id, c.id, sz.id FROM styles st
		  JOIN colors c ON c.style_id = st.id
		  JOIN sizes sz ON sz.size_scale_id = st.size_scale_id
		  WHERE NOT (st.code = 'ST1002' AND c.code = 'BLU' AND sz.code = 'XXL')`, nil},
		{`INSERT INTO prices (price_list_id, style_id, price)
		  SELECT pl.id, st.id, v.price FROM
		  (VALUES ('LIST', 'ST1001', 199.00), ('LIST', 'ST1002', 159.00), ('LIST', 'ST2001', 249.00),
		          ('LIST', 'ST3001', 99.00), ('LIST', 'ST1003', 89.00), ('LIST', 'ST9001', 50.00),
		          ('DLR', 'ST1001', 129.00), ('DLR', 'ST1002', 99.50), ('DLR', 'ST2001', 149.00),
		          ('DLR', 'ST3001', 59.90), ('DLR', 'ST9001', 30.00),
		          ('DLR2', 'ST1001', 120.00), ('DLR2', 'ST1002', 90.00), ('DLR2', 'ST2001', 140.00),
		          ('DLR2', 'ST3001', 55.00)) AS v(pl, style, price)
		  JOIN price_lists pl ON pl.code = v.pl JOIN styles st ON st.code = v.style`, nil},
		{`INSERT INTO stock_on_hand (sku_id, qty)
		  SELECT k.id, v.qty FROM skus k JOIN styles st ON st.id = k.style_id JOIN colors c ON c.id = k.color_id
		  JOIN sizes sz ON sz.id = k.size_id
		  JOIN (VALUES ('ST1001', 'BLK', 'M', 5), ('ST1001', 'NVY', 'L', 2), ('ST1001', 'WHT', 'S', 0)) AS v(style, color, size, qty)
		    ON v.style = st.code AND v.color = c.code AND v.size = sz.code`, nil},
		{`INSERT INTO dealers (code, name, region_id, price_list_id, credit_limit, credit_policy, status, hold_reason)
		  SELECT v.code, v.name, r.id, pl.id, v.lim, v.policy, v.status, v.reason FROM
		  (VALUES ('D001', '上海时装', 'NORTH', 'DLR', 1000000.00, 'refuse', 'active', ''),
		          ('D002', '서울패션', 'SOUTH', 'DLR2', 1000000.00, 'refuse', 'active', ''),
		          ('D039', 'On Hold Trading', 'NORTH', 'DLR', 1000000.00, 'refuse', 'on_hold', 'overdue invoices'),
		          ('D040', 'Small Limit Ltd', 'SOUTH', 'DLR', 50000.00, 'refuse', 'active', ''),
		          ('D050', 'Held Orders Co', 'SOUTH', 'DLR', 1000.00, 'hold', 'active', ''))
		  AS v(code, name, region, pl, lim, policy, status, reason)
		  JOIN regions r ON r.code = v.region JOIN price_lists pl ON pl.code = v.pl`, nil},
		{`INSERT INTO suppliers (code, name) VALUES ('S01', 'Fabric One')`, nil},
		{`INSERT INTO users (email, password_hash, role, dealer_id, supplier_id, display_name)
		  SELECT v.email, 'x', v.role, d.id, s.id, v.name FROM
		  (VALUES ('planner@test.test', 'planner', NULL, NULL, 'Planner'),
		          ('admin@test.test', 'admin', NULL, NULL, 'Admin'),
		          ('dealer01@test.test', 'dealer', 'D001', NULL, 'Dealer One'),
		          ('dealer01b@test.test', 'dealer', 'D001', NULL, 'Dealer One B'),
		          ('dealer02@test.test', 'dealer', 'D002', NULL, 'Dealer Two'),
		          ('dealer39@test.test', 'dealer', 'D039', NULL, 'Dealer 39'),
		          ('dealer40@test.test', 'dealer', 'D040', NULL, 'Dealer 40'),
		          ('dealer50@test.test', 'dealer', 'D050', NULL, 'Dealer 50'),
		          ('supplier01@test.test', 'supplier', NULL, 'S01', 'Supplier One'))
		  AS v(email, role, dealer, supplier, name)
		  LEFT JOIN dealers d ON d.code = v.dealer LEFT JOIN suppliers s ON s.code = v.supplier`, nil},
	}
	for i, s := range stmts {
		if _, err := db.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("fixture statement %d: %w", i, err)
		}
	}
	return nil
}

// New builds the fixture into db (a fresh database from pgtest.New).
func New(t testing.TB, db *sqlx.DB) {
	t.Helper()
	if err := Build(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

// Principal returns the principal of a fixture user, as a token carries it.
func Principal(t testing.TB, db *sqlx.DB, email string) auth.Principal {
	t.Helper()
	u, err := authdb.New(db).UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("principal %s: %v", email, err)
	}
	return u.Principal
}

// AddBulkStyles adds n styles BK0001… to season, in category KNIT, each with
// colors colours (C1…) and the ALPHA scale's six sizes, every SKU, priced
// 10.00 + the style's number in every price list, with minimum order 1: big
// orders for benchmarks.
func AddBulkStyles(ctx context.Context, db *sqlx.DB, season string, n, colors int) error {
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO styles (code, name, category_id, size_scale_id, min_order_qty, cut_lot)
		 SELECT 'BK' || lpad(g::text, 4, '0'), 'Bulk style ' || g, c.id, sc.id, 1, 1
		 FROM generate_series(1, $1::int) g, categories c, size_scales sc WHERE c.code = 'KNIT' AND sc.code = 'ALPHA'`, []any{n}},
		{`INSERT INTO season_styles (season_id, style_id)
		 SELECT se.id, st.id FROM seasons se, styles st WHERE se.code = $1 AND st.code LIKE 'BK%'`, []any{season}},
		{`INSERT INTO colors (style_id, code, name)
		 SELECT st.id, 'C' || g, 'Colour ' || g FROM styles st, generate_series(1, $1::int) g WHERE st.code LIKE 'BK%'`, []any{colors}},
		{`INSERT INTO skus (style_id, color_id, size_id)
		 SELECT st.id, c.id, sz.id FROM styles st JOIN colors c ON c.style_id = st.id
		 JOIN sizes sz ON sz.size_scale_id = st.size_scale_id WHERE st.code LIKE 'BK%'`, nil},
		{`INSERT INTO prices (price_list_id, style_id, price)
		 SELECT pl.id, st.id, 10 + substr(st.code, 3)::int FROM price_lists pl, styles st WHERE st.code LIKE 'BK%'`, nil},
	}
	for i, s := range stmts {
		if _, err := db.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("bulk statement %d: %w", i, err)
		}
	}
	return nil
}
