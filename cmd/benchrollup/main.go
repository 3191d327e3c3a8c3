// Command benchrollup measures the style × colour × size rollup of the bench
// season (built by cmd/benchdata) in the database of DATABASE_URL: the
// summary-backed rollup (-runs times) and, as the baseline, the same rollup
// as a plain GROUP BY over the order lines (-baseline-runs times), both
// through the aggregation service in this process, while a background
// goroutine submits, amends and cancels orders with SQL that fires the
// summary triggers (bounded by -max-orders and -max-write). After the
// writes stop it compares the two rollups row by row and prints one line:
//
//	rollup: lines=N p50_ms=X p99_ms=Y groupby_p50_ms=Z ratio=Z/X exact=true|false
//
// It exits with status 1 when the results differ.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"slices"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	exact, err := run(ctx, os.Args[1:], os.Getenv("DATABASE_URL"), os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrollup:", err)
		os.Exit(1)
	}
	if !exact {
		os.Exit(1)
	}
}

type config struct {
	Season       string
	Runs         int
	BaselineRuns int
	Rate         int
	MaxOrders    int
	MaxWrite     time.Duration
}

func run(ctx context.Context, args []string, url string, out, log io.Writer) (bool, error) {
	var c config
	fs := flag.NewFlagSet("benchrollup", flag.ContinueOnError)
	fs.SetOutput(log)
	fs.StringVar(&c.Season, "season", "BENCH", "season built by cmd/benchdata")
	fs.IntVar(&c.Runs, "runs", 50, "timed runs of the summary rollup")
	fs.IntVar(&c.BaselineRuns, "baseline-runs", 10, "timed runs of the GROUP BY baseline")
	fs.IntVar(&c.Rate, "rate", 20, "orders per second the background writer submits")
	fs.IntVar(&c.MaxOrders, "max-orders", 3000, "at most this many orders written")
	fs.DurationVar(&c.MaxWrite, "max-write", 2*time.Minute, "at most this long writing")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return false, err
	}
	defer db.Close()
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	summaryQ := aggregation.RollupQuery{By: aggregation.DefaultBy, Statuses: aggregation.CountedStatuses}
	linesQ := summaryQ
	linesQ.Source = aggregation.SourceLines

	w, err := newWriter(ctx, db, c.Season)
	if err != nil {
		return false, err
	}
	// Warm the caches the way a planner's first look would.
	for i := 0; i < 3; i++ {
		if _, err := timed(ctx, svc, c.Season, summaryQ, true); err != nil {
			return false, err
		}
	}
	if _, err := timed(ctx, svc, c.Season, linesQ, false); err != nil {
		return false, err
	}

	wctx, stopWrites := context.WithTimeout(ctx, c.MaxWrite)
	var wg sync.WaitGroup
	var written int
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		written, werr = w.run(wctx, c.Rate, c.MaxOrders)
	}()

	var summary, baseline []float64
	for i := 0; i < c.Runs; i++ {
		d, err := timed(ctx, svc, c.Season, summaryQ, true)
		if err != nil {
			stopWrites()
			return false, err
		}
		summary = append(summary, d)
	}
	for i := 0; i < c.BaselineRuns; i++ {
		d, err := timed(ctx, svc, c.Season, linesQ, false)
		if err != nil {
			stopWrites()
			return false, err
		}
		baseline = append(baseline, d)
	}
	stopWrites()
	wg.Wait()
	if werr != nil {
		return false, fmt.Errorf("background writer: %w", werr)
	}
	fmt.Fprintf(log, "benchrollup: %d orders written (%d cancelled, %d amended) during %d + %d rollups\n",
		written, w.cancelled, w.amended, c.Runs, c.BaselineRuns)

	a, err := svc.RollupQuery(ctx, c.Season, summaryQ)
	if err != nil {
		return false, err
	}
	b, err := svc.RollupQuery(ctx, c.Season, linesQ)
	if err != nil {
		return false, err
	}
	exact := a.FromSummary && !b.FromSummary && cmp.Equal(a.Rows, b.Rows) && a.Totals == b.Totals
	if !exact {
		fmt.Fprintf(log, "benchrollup: summary and GROUP BY differ:\n%s\ntotals %+v vs %+v\n", cmp.Diff(b.Rows, a.Rows), b.Totals, a.Totals)
	}
	var lines int
	if err := db.GetContext(ctx, &lines, `SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
JOIN seasons s ON s.id = o.season_id WHERE s.code = $1`, c.Season); err != nil {
		return false, err
	}
	p50, p99, g50 := percentile(summary, 50), percentile(summary, 99), percentile(baseline, 50)
	fmt.Fprintf(out, "rollup: lines=%d p50_ms=%.1f p99_ms=%.1f groupby_p50_ms=%.1f ratio=%.1f exact=%t\n",
		lines, p50, p99, g50, g50/p50, exact)
	return exact, nil
}

func timed(ctx context.Context, svc *aggregation.Service, season string, q aggregation.RollupQuery, wantSummary bool) (float64, error) {
	t0 := time.Now()
	r, err := svc.RollupQuery(ctx, season, q)
	d := float64(time.Since(t0).Microseconds()) / 1000
	if err != nil {
		return 0, err
	}
	if r.FromSummary != wantSummary || len(r.Rows) == 0 {
		return 0, fmt.Errorf("rollup from summary %v (want %v) with %d rows: is season %s built?", r.FromSummary, wantSummary, len(r.Rows), season)
	}
	return d, nil
}

// percentile is the nearest-rank percentile.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// writer submits orders of the bench dealers for random SKUs, and now and then
// amends or cancels one it wrote, each in its own transaction.
type writer struct {
	db        *sqlx.DB
	seasonID  int
	dealers   []int
	skus      []benchSKU
	r         *rand.Rand
	mine      []int64
	last      int64
	cancelled int
	amended   int
}

type benchSKU struct {
	ID, Style, Color, Size int
	Price                  string
}

func newWriter(ctx context.Context, db *sqlx.DB, season string) (*writer, error) {
	w := &writer{db: db, r: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}
	if err := db.GetContext(ctx, &w.seasonID, `SELECT id FROM seasons WHERE code = $1`, season); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("season %s does not exist: run cmd/benchdata first", season)
		}
		return nil, err
	}
	if err := db.SelectContext(ctx, &w.dealers, `SELECT DISTINCT dealer_id FROM orders WHERE season_id = $1`, w.seasonID); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT k.id, k.style_id, k.color_id, k.size_id, pr.price::text
FROM season_styles ss JOIN skus k ON k.style_id = ss.style_id JOIN prices pr ON pr.style_id = k.style_id
WHERE ss.season_id = $1 ORDER BY k.id, pr.price_list_id`, w.seasonID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[int]bool{}
	for rows.Next() {
		var k benchSKU
		if err := rows.Scan(&k.ID, &k.Style, &k.Color, &k.Size, &k.Price); err != nil {
			return nil, err
		}
		if !seen[k.ID] {
			seen[k.ID] = true
			w.skus = append(w.skus, k)
		}
	}
	if len(w.dealers) == 0 || len(w.skus) < 10 {
		return nil, fmt.Errorf("season %s has no orders or SKUs: run cmd/benchdata first", season)
	}
	return w, rows.Err()
}

func (w *writer) run(ctx context.Context, rate, maxOrders int) (int, error) {
	tick := time.NewTicker(time.Second / time.Duration(max(rate, 1)))
	defer tick.Stop()
	n := 0
	for n < maxOrders {
		select {
		case <-ctx.Done():
			return n, nil
		case <-tick.C:
		}
		err := postgres.Transact(ctx, w.db, sql.LevelReadCommitted, w.submit)
		if ctx.Err() != nil {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		w.mine = append(w.mine, w.last)
		if n%10 == 0 && len(w.mine) > 2 {
			id := w.mine[w.r.IntN(len(w.mine))]
			if w.r.IntN(2) == 0 {
				err = postgres.Transact(ctx, w.db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'cancelled', cancelled_at = now(), version = version + 1
WHERE id = $1 AND status = 'submitted'`, id)
					return err
				})
				w.cancelled++
			} else {
				err = postgres.Transact(ctx, w.db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
					if _, err := tx.ExecContext(ctx, `UPDATE order_lines SET qty = qty + 1, amount = unit_price * (qty + 1)
WHERE id = (SELECT min(id) FROM order_lines WHERE order_id = $1)`, id); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `UPDATE orders o SET total_qty = s.q, total_amount = s.a, version = version + 1
FROM (SELECT sum(qty) AS q, sum(amount) AS a FROM order_lines WHERE order_id = $1) s WHERE o.id = $1`, id)
					return err
				})
				w.amended++
			}
			if ctx.Err() != nil {
				return n, nil
			}
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// submit writes one submitted order of 5–15 lines.
func (w *writer) submit(tx *sqlx.Tx) error {
	ctx := context.Background()
	dealer := w.dealers[w.r.IntN(len(w.dealers))]
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO orders (number, dealer_id, season_id, status, currency, submitted_at)
VALUES ('BW' || nextval('order_number_seq'), $1, $2, 'submitted', 'CNY', now()) RETURNING id`, dealer, w.seasonID)
	if err != nil {
		return err
	}
	n := 5 + w.r.IntN(11)
	used := map[int]bool{}
	var skus, styles, colors, sizes, qtys []int64
	var prices []string
	for len(used) < n {
		k := w.skus[w.r.IntN(len(w.skus))]
		if used[k.ID] {
			continue
		}
		used[k.ID] = true
		skus, styles, colors, sizes = append(skus, int64(k.ID)), append(styles, int64(k.Style)), append(colors, int64(k.Color)), append(sizes, int64(k.Size))
		qtys = append(qtys, int64(1+w.r.IntN(24)))
		prices = append(prices, k.Price)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
SELECT $1, $2, k, s, c, z, q, p, p * q
FROM unnest($3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::numeric[]) AS x(k, s, c, z, q, p)`,
		id, dealer, pq.Array(skus), pq.Array(styles), pq.Array(colors), pq.Array(sizes), pq.Array(qtys), pq.Array(prices))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE orders o SET total_qty = s.q, total_amount = s.a
FROM (SELECT sum(qty) AS q, sum(amount) AS a FROM order_lines WHERE order_id = $1) s WHERE o.id = $1`, id)
	if err != nil {
		return err
	}
	w.last = id
	return nil
}
