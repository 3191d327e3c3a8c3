// Command benchdata builds the rollup benchmark's data set in the database of
// DATABASE_URL: a season BENCH with its own dealers, styles (each in several
// colours and a 7-size scale) and about -lines order lines, written with COPY
// in one transaction (so the season is either complete or absent). It does
// nothing when the season already exists. The rollup summary triggers run as
// for any writer, so the summary is exact when the command ends.
//
//	go run ./cmd/benchdata -lines 1000000 -dealers 2000 -styles 500
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv("DATABASE_URL"), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata:", err)
		os.Exit(1)
	}
}

type config struct {
	Season        string
	Lines         int
	Dealers       int
	Styles        int
	Colors        int
	LinesPerOrder int
	Chunk         int
	Seed          uint64
}

func run(ctx context.Context, args []string, url string, log io.Writer) error {
	var c config
	fs := flag.NewFlagSet("benchdata", flag.ContinueOnError)
	fs.SetOutput(log)
	fs.StringVar(&c.Season, "season", "BENCH", "season code to build")
	fs.IntVar(&c.Lines, "lines", 1_000_000, "order lines to write")
	fs.IntVar(&c.Dealers, "dealers", 2000, "dealers")
	fs.IntVar(&c.Styles, "styles", 500, "styles (each with -colors colours and 7 sizes)")
	fs.IntVar(&c.Colors, "colors", 5, "colours per style")
	fs.IntVar(&c.LinesPerOrder, "lines-per-order", 25, "lines per order")
	fs.IntVar(&c.Chunk, "chunk", 100_000, "order lines per COPY statement")
	fs.Uint64Var(&c.Seed, "seed", 27, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Lines < 1 || c.Dealers < 1 || c.Styles < 1 || c.Colors < 1 || c.Colors > 99 || c.LinesPerOrder < 1 ||
		c.LinesPerOrder > c.Styles*c.Colors*len(sizeCodes) || c.Dealers > 99999 || c.Styles > 99999 {
		return errors.New("flags out of range")
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	var lines int
	err = db.GetContext(ctx, &lines, `SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
JOIN seasons s ON s.id = o.season_id WHERE s.code = $1`, c.Season)
	if err != nil {
		return err
	}
	var exists bool
	if err := db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM seasons WHERE code = $1)`, c.Season); err != nil {
		return err
	}
	if exists {
		fmt.Fprintf(log, "benchdata: season %s exists with %d order lines; nothing to do\n", c.Season, lines)
		return nil
	}
	start := time.Now()
	err = postgres.Transact(ctx, db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error { return build(ctx, tx, c, log) })
	if err != nil {
		return err
	}
	// What autovacuum would soon do: the bulk load updated each summary row many times.
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE orders, order_lines, rollup_sku_slots, rollup_sku_dealers,
rollup_orders, rollup_season_dealers, skus, styles, colors, sizes, dealers`); err != nil {
		return err
	}
	fmt.Fprintf(log, "benchdata: season %s built in %s\n", c.Season, time.Since(start).Round(time.Millisecond))
	return nil
}

var sizeCodes = []string{"XS", "S", "M", "L", "XL", "2XL", "3XL"}

type sku struct {
	id, style, color, size int
	price                  int64 // hundredths
}

func build(ctx context.Context, tx *sqlx.Tx, c config, log io.Writer) error {
	p := c.Season // code prefix for everything the bench owns
	step := func(what string, q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	if err := step("regions", `INSERT INTO regions (code, name)
SELECT $1 || '-R' || i, 'Bench region ' || i FROM generate_series(1, 8) i ON CONFLICT (code) DO NOTHING`, p); err != nil {
		return err
	}
	if err := step("price list", `INSERT INTO price_lists (code, name, currency) VALUES ($1, 'Bench prices', 'CNY')
ON CONFLICT (code) DO NOTHING`, p); err != nil {
		return err
	}
	if err := step("category", `INSERT INTO categories (code, name) VALUES ($1, 'Bench') ON CONFLICT (code) DO NOTHING`, p); err != nil {
		return err
	}
	if err := step("size scale", `INSERT INTO size_scales (code, name) VALUES ($1 || '7', 'Bench 7 sizes') ON CONFLICT (code) DO NOTHING`, p); err != nil {
		return err
	}
	if err := step("sizes", `INSERT INTO sizes (size_scale_id, code, position)
SELECT (SELECT id FROM size_scales WHERE code = $1 || '7'), code, n
FROM unnest($2::text[]) WITH ORDINALITY AS x(code, n) ON CONFLICT DO NOTHING`, p, pq.Array(sizeCodes)); err != nil {
		return err
	}
	var seasonID int
	if err := tx.GetContext(ctx, &seasonID, `INSERT INTO seasons (code, name, starts_on, order_opens_at, order_cutoff_at)
VALUES ($1, 'Benchmark season', '2027-02-01', '2026-06-01', '2026-12-01') RETURNING id`, p); err != nil {
		return fmt.Errorf("season: %w", err)
	}
	if err := step("windows", `INSERT INTO delivery_windows (season_id, code, name, ships_from, ships_to)
VALUES ($1, 'D1', 'Drop 1', '2027-02-15', '2027-03-15'), ($1, 'D2', 'Drop 2', '2027-04-01', '2027-04-30')`, seasonID); err != nil {
		return err
	}
	if err := step("styles", `INSERT INTO styles (code, name, category_id, size_scale_id, cut_lot, unit_cost)
SELECT $1 || lpad(i::text, 5, '0'), 'Bench style ' || i, (SELECT id FROM categories WHERE code = $1),
       (SELECT id FROM size_scales WHERE code = $1 || '7'), 6, 40
FROM generate_series(1, $2) i`, p, c.Styles); err != nil {
		return err
	}
	const benchStyles = `styles WHERE code LIKE $1 || '%' AND category_id = (SELECT id FROM categories WHERE code = $1)`
	const inBench = `(SELECT id FROM ` + benchStyles + `)`
	if err := step("season styles", `INSERT INTO season_styles (season_id, style_id) SELECT $2, id FROM `+benchStyles, p, seasonID); err != nil {
		return err
	}
	if err := step("prices", `INSERT INTO prices (price_list_id, style_id, price)
SELECT (SELECT id FROM price_lists WHERE code = $1), id, 50 + (id % 200) FROM `+benchStyles, p); err != nil {
		return err
	}
	if err := step("colours", `INSERT INTO colors (style_id, code, name)
SELECT s.id, 'C' || lpad(n::text, 2, '0'), 'Colour ' || n FROM `+inBench+` s, generate_series(1, $2) n`, p, c.Colors); err != nil {
		return err
	}
	if err := step("skus", `INSERT INTO skus (style_id, color_id, size_id)
SELECT c.style_id, c.id, z.id FROM colors c JOIN sizes z ON z.size_scale_id = (SELECT id FROM size_scales WHERE code = $1 || '7')
WHERE c.style_id IN `+inBench, p); err != nil {
		return err
	}
	if err := step("dealers", `INSERT INTO dealers (code, name, region_id, price_list_id, credit_limit)
SELECT $1 || 'D' || lpad(i::text, 5, '0'), 'Bench dealer ' || i,
       (SELECT id FROM regions WHERE code = $1 || '-R' || (1 + i % 8)), (SELECT id FROM price_lists WHERE code = $1), 100000000
FROM generate_series(1, $2) i`, p, c.Dealers); err != nil {
		return err
	}

	var skus []sku
	rows, err := tx.QueryContext(ctx, `SELECT k.id, k.style_id, k.color_id, k.size_id, (pr.price * 100)::bigint
FROM skus k JOIN prices pr ON pr.style_id = k.style_id AND pr.price_list_id = (SELECT id FROM price_lists WHERE code = $1)
WHERE k.style_id IN `+inBench+` ORDER BY k.id`, p)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k sku
		if err := rows.Scan(&k.id, &k.style, &k.color, &k.size, &k.price); err != nil {
			rows.Close()
			return err
		}
		skus = append(skus, k)
	}
	rows.Close()
	var dealers []int
	if err := tx.SelectContext(ctx, &dealers, `SELECT id FROM dealers WHERE code LIKE $1 || 'D%' ORDER BY id`, p); err != nil {
		return err
	}
	var windows []int
	if err := tx.SelectContext(ctx, &windows, `SELECT id FROM delivery_windows WHERE season_id = $1 ORDER BY ships_from`, seasonID); err != nil {
		return err
	}
	fmt.Fprintf(log, "benchdata: catalogue: %d dealers, %d SKUs\n", len(dealers), len(skus))

	// Orders: dealers take turns; each order has distinct SKUs.
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0xbe7c))
	nOrders := (c.Lines + c.LinesPerOrder - 1) / c.LinesPerOrder
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('orders_id_seq') FROM generate_series(1, $1)`, nOrders); err != nil {
		return err
	}
	type line struct {
		order  int64
		dealer int
		k      sku
		qty    int
		window any
	}
	lines := make([]line, 0, c.Lines)
	type order struct {
		id     int64
		dealer int
		status string
		qty    int64
		amount int64
	}
	orders := make([]order, nOrders)
	statuses := []string{"submitted", "submitted", "submitted", "submitted", "confirmed", "confirmed", "confirmed",
		"in_production", "cancelled", "shipped"}
	used := map[int]bool{}
	for i := range orders {
		o := order{id: ids[i], dealer: dealers[i%len(dealers)], status: statuses[r.IntN(len(statuses))]}
		n := min(c.LinesPerOrder, c.Lines-len(lines))
		clear(used)
		for len(used) < n {
			k := skus[r.IntN(len(skus))]
			if used[k.id] {
				continue
			}
			used[k.id] = true
			q := 1 + r.IntN(24)
			var w any
			if x := r.IntN(3); x < len(windows) {
				w = windows[x]
			}
			lines = append(lines, line{order: o.id, dealer: o.dealer, k: k, qty: q, window: w})
			o.qty += int64(q)
			o.amount += int64(q) * k.price
		}
		orders[i] = o
	}

	copyRows := func(table string, cols []string, n int, row func(i int) []any) error {
		stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
				stmt.Close()
				return err
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			stmt.Close()
			return err
		}
		return stmt.Close()
	}
	cents := func(v int64) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }
	err = copyRows("orders", []string{"id", "number", "dealer_id", "season_id", "status", "currency", "total_qty",
		"total_amount", "submitted_at", "confirmed_at", "cancelled_at"}, len(orders), func(i int) []any {
		o := orders[i]
		at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		var confirmed, cancelled any
		if o.status == "confirmed" || o.status == "in_production" || o.status == "shipped" {
			confirmed = at.Add(time.Hour)
		}
		if o.status == "cancelled" {
			cancelled = at.Add(2 * time.Hour)
		}
		return []any{o.id, fmt.Sprintf("%s-%07d", p, i+1), o.dealer, seasonID, o.status, "CNY", o.qty, cents(o.amount), at, confirmed, cancelled}
	})
	if err != nil {
		return fmt.Errorf("copy orders: %w", err)
	}
	fmt.Fprintf(log, "benchdata: %d orders copied\n", len(orders))
	cols := []string{"order_id", "dealer_id", "sku_id", "style_id", "color_id", "size_id", "qty", "unit_price", "amount", "delivery_window_id"}
	for from := 0; from < len(lines); from += c.Chunk {
		chunk := lines[from:min(from+c.Chunk, len(lines))]
		t0 := time.Now()
		err := copyRows("order_lines", cols, len(chunk), func(i int) []any {
			l := chunk[i]
			return []any{l.order, l.dealer, l.k.id, l.k.style, l.k.color, l.k.size, l.qty, cents(l.k.price), cents(int64(l.qty) * l.k.price), l.window}
		})
		if err != nil {
			return fmt.Errorf("copy order lines: %w", err)
		}
		fmt.Fprintf(log, "benchdata: %d/%d order lines copied (%s for this chunk, summary triggers included)\n",
			from+len(chunk), len(lines), time.Since(t0).Round(time.Millisecond))
	}
	return nil
}
