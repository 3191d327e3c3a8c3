package seed_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
)

func loadDemo(t *testing.T) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	var out bytes.Buffer
	start := time.Now()
	if err := seed.Demo(context.Background(), db, &out); err != nil {
		t.Fatalf("Demo: %v\n%s", err, out.String())
	}
	t.Logf("Demo took %v\n%s", time.Since(start).Round(time.Millisecond), out.String())
	if !strings.Contains(out.String(), "seed: styles ") || strings.Contains(out.String(), "\x1b") {
		t.Errorf("want plain progress lines, got:\n%s", out.String())
	}
	return db
}

// checksums returns an md5 of the contents of every table and the value of
// every sequence. skip names columns left out (table.column).
func checksums(t *testing.T, db *sqlx.DB, skip ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	err := db.SelectContext(ctx, &tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, tb := range tables {
		var cols []string
		err := db.SelectContext(ctx, &cols, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, tb)
		if err != nil {
			t.Fatal(err)
		}
		var keep []string
		for _, c := range cols {
			skipped := false
			for _, s := range skip {
				skipped = skipped || s == tb+"."+c
			}
			if !skipped {
				keep = append(keep, fmt.Sprintf("%q", c))
			}
		}
		var sum string
		q := fmt.Sprintf(`SELECT coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '') FROM (SELECT %s FROM %q) r`, strings.Join(keep, ", "), tb)
		if err := db.GetContext(ctx, &sum, q); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		sums[tb] = sum
	}
	var seqs []string
	if err := db.SelectContext(ctx, &seqs, `SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	for _, s := range seqs {
		var v string
		if err := db.GetContext(ctx, &v, fmt.Sprintf(`SELECT coalesce(last_value, 0)::text FROM pg_sequences WHERE schemaname = 'public' AND sequencename = '%s'`, s)); err != nil {
			t.Fatal(err)
		}
		sums["seq "+s] = v
	}
	return sums
}

func count(t *testing.T, db *sqlx.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestDemo(t *testing.T) {
	db := loadDemo(t)
	ctx := context.Background()

	before := checksums(t, db)
	var out bytes.Buffer
	if err := seed.Demo(ctx, db, &out); err != nil {
		t.Fatalf("second Demo: %v", err)
	}
	if !strings.Contains(out.String(), "demo data already loaded") {
		t.Errorf("second run said %q", out.String())
	}
	if diff := cmp.Diff(before, checksums(t, db)); diff != "" {
		t.Errorf("second run changed the data (-before +after):\n%s", diff)
	}

	counts := []struct {
		what     string
		q        string
		min, max int
	}{
		{"styles", `SELECT count(*) FROM styles`, 100, 1000},
		{"SS27 styles", `SELECT count(*) FROM season_styles ss JOIN seasons s ON s.id = ss.season_id WHERE s.code = 'SS27'`, 90, 1000},
		{"AW26 carry-overs in SS27", `SELECT count(*) FROM season_styles a JOIN seasons sa ON sa.id = a.season_id AND sa.code = 'AW26'
			JOIN season_styles b ON b.style_id = a.style_id JOIN seasons sb ON sb.id = b.season_id AND sb.code = 'SS27'`, 40, 1000},
		{"new styles in SS27", `SELECT count(*) FROM season_styles ss JOIN seasons s ON s.id = ss.season_id AND s.code = 'SS27'
			WHERE NOT EXISTS (SELECT 1 FROM season_styles o JOIN seasons so ON so.id = o.season_id WHERE o.style_id = ss.style_id AND so.code <> 'SS27')`, 10, 1000},
		{"dealers", `SELECT count(*) FROM dealers`, 40, 40},
		{"dealer contacts", `SELECT count(DISTINCT dealer_id) FROM dealer_contacts`, 40, 40},
		{"suppliers", `SELECT count(*) FROM suppliers`, 5, 5},
		{"fabrics", `SELECT count(*) FROM fabrics`, 15, 40},
		{"users", `SELECT count(*) FROM users`, 47, 47},
		{"dealer users", `SELECT count(*) FROM users WHERE role = 'dealer' AND email ~ '^dealer[0-9]{2}@demo\.test$'`, 40, 40},
		{"supplier users", `SELECT count(*) FROM users WHERE role = 'supplier' AND email ~ '^supplier0[1-5]@demo\.test$'`, 5, 5},
		{"seasons", `SELECT count(*) FROM seasons`, 4, 4},
		{"open seasons", `SELECT count(*) FROM seasons WHERE NOT closed AND code = 'SS27'`, 1, 1},
		{"SS27 windows", `SELECT count(*) FROM delivery_windows w JOIN seasons s ON s.id = w.season_id WHERE s.code = 'SS27'`, 3, 3},
		{"styles with 3-6 colours", `SELECT count(*) FROM (SELECT style_id FROM colors GROUP BY 1 HAVING count(*) BETWEEN 3 AND 6) x`, 100, 1000},
		{"styles without 3-6 colours", `SELECT count(*) FROM styles s WHERE (SELECT count(*) FROM colors c WHERE c.style_id = s.id) NOT BETWEEN 3 AND 6`, 0, 0},
		{"styles missing SKUs", `SELECT count(*) FROM styles s WHERE (SELECT count(*) FROM skus k WHERE k.style_id = s.id) <>
			(SELECT count(*) FROM colors c WHERE c.style_id = s.id) * (SELECT count(*) FROM sizes z WHERE z.size_scale_id = s.size_scale_id)`, 0, 0},
		{"styles missing prices", `SELECT count(*) FROM styles s CROSS JOIN price_lists pl WHERE NOT EXISTS (SELECT 1 FROM prices p WHERE p.style_id = s.id AND p.price_list_id = pl.id)`, 0, 0},
		{"dealer prices outside 45-60% of list", `SELECT count(*) FROM prices p JOIN price_lists pl ON pl.id = p.price_list_id AND NOT pl.is_list
			JOIN prices lp ON lp.style_id = p.style_id JOIN price_lists l ON l.id = lp.price_list_id AND l.is_list
			WHERE p.price NOT BETWEEN lp.price * 0.45 AND lp.price * 0.60`, 0, 0},
		{"styles without a BOM for every size", `SELECT count(*) FROM styles s JOIN sizes z ON z.size_scale_id = s.size_scale_id
			WHERE NOT EXISTS (SELECT 1 FROM bom_lines b WHERE b.style_id = s.id AND b.size_id = z.id)`, 0, 0},
		{"size curves not summing to 1", `SELECT count(*) FROM (SELECT category_id FROM size_curves GROUP BY 1 HAVING sum(share) <> 1) x`, 0, 0},
		{"categories without a size curve", `SELECT count(*) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM size_curves s WHERE s.category_id = c.id)`, 0, 0},
		{"stock rows", `SELECT count(*) FROM stock_on_hand`, 150, 1000},
		{"D039 on hold", `SELECT count(*) FROM dealers WHERE code = 'D039' AND status = 'on_hold' AND hold_reason <> ''`, 1, 1},
		{"other dealers on hold", `SELECT count(*) FROM dealers WHERE code <> 'D039' AND status <> 'active'`, 0, 0},
		{"D040 limit", `SELECT count(*) FROM dealers WHERE code = 'D040' AND credit_limit = 50000.00`, 1, 1},
		{"D040 anything", `SELECT (SELECT count(*) FROM orders o JOIN dealers d ON d.id = o.dealer_id WHERE d.code = 'D040')
			+ (SELECT count(*) FROM invoices i JOIN dealers d ON d.id = i.dealer_id WHERE d.code = 'D040')
			+ (SELECT count(*) FROM returns r JOIN dealers d ON d.id = r.dealer_id WHERE d.code = 'D040')`, 0, 0},
		{"dealer limits outside 200k-2M", `SELECT count(*) FROM dealers WHERE code <> 'D040' AND credit_limit NOT BETWEEN 200000 AND 2000000`, 0, 0},
		{"AW26 orders", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE s.code = 'AW26' AND o.status IN ('shipped', 'closed')`, 30, 200},
		{"closed-season orders not shipped or closed", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE s.closed AND o.status NOT IN ('shipped', 'closed')`, 0, 0},
		{"SS27 dealers", `SELECT count(DISTINCT o.dealer_id) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE s.code = 'SS27'`, 20, 30},
		{"SS27 confirmed", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE s.code = 'SS27' AND o.status = 'confirmed'`, 3, 30},
		{"SS27 orders not submitted/confirmed", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE s.code = 'SS27' AND o.status NOT IN ('submitted', 'confirmed')`, 0, 0},
		{"SS27 orders of D039/D040", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id JOIN dealers d ON d.id = o.dealer_id WHERE s.code = 'SS27' AND d.code IN ('D039', 'D040')`, 0, 0},
		{"SS27 orders outside 10-60 lines", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE s.code = 'SS27'
			AND (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) NOT BETWEEN 10 AND 60`, 0, 0},
		{"drifting dealers (AW26, not SS27)", `SELECT count(*) FROM dealers d WHERE
			EXISTS (SELECT 1 FROM orders o JOIN seasons s ON s.id = o.season_id WHERE o.dealer_id = d.id AND s.code = 'AW26')
			AND NOT EXISTS (SELECT 1 FROM orders o JOIN seasons s ON s.id = o.season_id WHERE o.dealer_id = d.id AND s.code = 'SS27')`, 5, 20},
		{"new dealers in SS27", `SELECT count(*) FROM dealers d WHERE
			EXISTS (SELECT 1 FROM orders o JOIN seasons s ON s.id = o.season_id WHERE o.dealer_id = d.id AND s.code = 'SS27')
			AND NOT EXISTS (SELECT 1 FROM orders o JOIN seasons s ON s.id = o.season_id WHERE o.dealer_id = d.id AND s.code <> 'SS27')`, 2, 5},
		{"orders with a bad number", `SELECT count(*) FROM orders o JOIN seasons s ON s.id = o.season_id WHERE o.number !~ ('^SO-' || s.code || '-[0-9]{6}$')`, 0, 0},
		{"orders whose totals differ from their lines", `SELECT count(*) FROM orders o WHERE
			o.total_qty <> (SELECT coalesce(sum(qty), 0) FROM order_lines l WHERE l.order_id = o.id)
			OR o.total_amount <> (SELECT coalesce(sum(amount), 0) FROM order_lines l WHERE l.order_id = o.id)`, 0, 0},
		{"orders without lines", `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)`, 0, 0},
		{"lines with amount <> qty x unit_price", `SELECT count(*) FROM order_lines WHERE amount <> qty * unit_price OR qty <= 0`, 0, 0},
		{"lines not at the dealer's price", `SELECT count(*) FROM order_lines l JOIN dealers d ON d.id = l.dealer_id
			JOIN prices p ON p.price_list_id = d.price_list_id AND p.style_id = l.style_id WHERE p.price <> l.unit_price`, 0, 0},
		{"lines inconsistent with their SKU or order", `SELECT count(*) FROM order_lines l JOIN skus k ON k.id = l.sku_id JOIN orders o ON o.id = l.order_id
			WHERE k.style_id <> l.style_id OR k.color_id <> l.color_id OR k.size_id <> l.size_id OR o.dealer_id <> l.dealer_id
			OR NOT EXISTS (SELECT 1 FROM season_styles ss WHERE ss.season_id = o.season_id AND ss.style_id = l.style_id)`, 0, 0},
		{"style-colours below the minimum", `SELECT count(*) FROM (SELECT l.order_id, l.style_id, l.color_id, sum(l.qty) AS q, min(s.min_order_qty) AS m
			FROM order_lines l JOIN styles s ON s.id = l.style_id GROUP BY 1, 2, 3) x WHERE q < m`, 0, 0},
		{"order events", `SELECT count(*) FROM order_events WHERE kind IN ('submitted', 'confirmed', 'shipped')`, 100, 100000},
		{"orders whose last event is not their status", `SELECT count(*) FROM orders o WHERE o.status <> (SELECT e.to_status FROM order_events e WHERE e.order_id = o.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1)`, 0, 0},
		{"events after 2026-11-21", `SELECT count(*) FROM order_events WHERE created_at >= '2026-11-21'`, 0, 0},
		{"shipped orders without an invoice", `SELECT count(*) FROM orders o WHERE o.status IN ('shipped', 'closed') AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id)`, 0, 0},
		{"invoices with bad amounts or dates", `SELECT count(*) FROM invoices i JOIN orders o ON o.id = i.order_id JOIN dealers d ON d.id = i.dealer_id
			WHERE i.amount <> o.total_amount OR i.due_on <> i.issued_on + d.payment_terms_days OR i.number !~ '^INV-[0-9]{6}$'
			OR i.paid <> (SELECT coalesce(sum(amount), 0) FROM payments p WHERE p.invoice_id = i.id)`, 0, 0},
		{"unpaid invoices", `SELECT count(*) FROM invoices WHERE paid < amount`, 2, 30},
		{"dealers with overdue invoices", `SELECT count(DISTINCT dealer_id) FROM invoices WHERE paid < amount AND due_on < '2026-11-20'`, 1, 3},
		{"closed orders not fully paid", `SELECT count(*) FROM orders o JOIN invoices i ON i.order_id = o.id WHERE o.status = 'closed' AND i.paid <> i.amount`, 0, 0},
		{"returns", `SELECT count(*) FROM returns WHERE number ~ '^RMA-[0-9]{6}$'`, 4, 20},
		{"return lines above the shipped quantity", `SELECT count(*) FROM (SELECT rl.order_line_id, sum(rl.qty) AS q FROM return_lines rl GROUP BY 1) x
			JOIN order_lines l ON l.id = x.order_line_id WHERE x.q > l.qty`, 0, 0},
		{"approved returns without a matching credit note", `SELECT count(*) FROM returns r WHERE r.status = 'approved' AND r.credit_amount <> coalesce((SELECT sum(amount) FROM credit_notes c WHERE c.return_id = r.id), 0)`, 0, 0},
		{"rejected returns", `SELECT count(*) FROM returns WHERE status = 'rejected' AND decision_reason <> ''`, 1, 10},
		{"feedback threads with messages", `SELECT count(*) FROM feedback_threads t WHERE EXISTS (SELECT 1 FROM feedback_messages m WHERE m.thread_id = t.id)`, 3, 20},
		{"announcements", `SELECT count(*) FROM announcements`, 2, 2},
		{"marker", `SELECT count(*) FROM settings WHERE key = 'demo_loaded' AND value = 'v1'`, 1, 1},
	}
	for _, c := range counts {
		if n := count(t, db, c.q); n < c.min || n > c.max {
			t.Errorf("%s: %d, want %d..%d", c.what, n, c.min, c.max)
		}
	}

	// Credit: every SS27 dealer's exposure (open orders + unpaid invoices) is within its limit.
	var over []struct {
		Code     string `db:"code"`
		Limit    string `db:"credit_limit"`
		Exposure string `db:"exposure"`
	}
	err := db.SelectContext(ctx, &over, `
		SELECT d.code, d.credit_limit::text, x.exposure::text FROM dealers d CROSS JOIN LATERAL (SELECT
			coalesce((SELECT sum(total_amount) FROM orders o WHERE o.dealer_id = d.id AND o.status IN ('submitted', 'held', 'confirmed', 'in_production')), 0)
			+ coalesce((SELECT sum(amount - paid) FROM invoices i WHERE i.dealer_id = d.id), 0) AS exposure) x
		WHERE EXISTS (SELECT 1 FROM orders o JOIN seasons s ON s.id = o.season_id WHERE o.dealer_id = d.id AND s.code = 'SS27')
		  AND x.exposure > d.credit_limit`)
	if err != nil {
		t.Fatal(err)
	}
	if len(over) > 0 {
		t.Errorf("dealers over their credit limit: %+v", over)
	}

	// The rollup summary (kept by triggers) matches the counted lines.
	if count(t, db, `SELECT count(*) FROM pg_class WHERE relname = 'rollup_sku_slots'`) == 1 {
		if n := count(t, db, `SELECT count(*) FROM (
			SELECT o.season_id, l.sku_id, sum(l.qty) AS qty FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE o.status IN ('submitted', 'confirmed', 'in_production') GROUP BY 1, 2) a
			FULL JOIN (SELECT season_id, sku_id, sum(qty) AS qty FROM rollup_sku_slots GROUP BY 1, 2 HAVING sum(qty) <> 0) b
			USING (season_id, sku_id) WHERE a.qty IS DISTINCT FROM b.qty`); n != 0 {
			t.Errorf("rollup summary differs from the order lines for %d SKUs", n)
		}
	}

	// Every demo account logs in with the demo password.
	var hashes []string
	if err := db.SelectContext(ctx, &hashes, `SELECT DISTINCT password_hash FROM users`); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		ok, err := auth.CheckPassword(h, "demo-pass-27")
		if err != nil || !ok {
			t.Errorf("CheckPassword(demo-pass-27) = %v, %v", ok, err)
		}
	}
	var locales []string
	if err := db.SelectContext(ctx, &locales, `SELECT u.email || '=' || u.locale FROM users u
		WHERE u.email IN ('admin@demo.test', 'planner@demo.test', 'dealer01@demo.test', 'dealer31@demo.test') ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	want := []string{"admin@demo.test=en", "dealer01@demo.test=zh", "dealer31@demo.test=ko", "planner@demo.test=en"}
	if diff := cmp.Diff(want, locales); diff != "" {
		t.Errorf("locales (-want +got):\n%s", diff)
	}
}

// TestDemoDeterministic loads the data set into two databases and compares
// them: only the password hash (random salt) may differ.
func TestDemoDeterministic(t *testing.T) {
	a, b := loadDemo(t), loadDemo(t)
	if diff := cmp.Diff(checksums(t, a, "users.password_hash"), checksums(t, b, "users.password_hash")); diff != "" {
		t.Errorf("two loads differ (-a +b):\n%s", diff)
	}
}
