package aggdb_test

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

var planner = auth.Principal{UserID: 0, Role: auth.RolePlanner}

func seed(t *testing.T) uint64 {
	if v := os.Getenv("AGG_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return uint64(time.Now().UnixNano())
}

// history writes a random history of orders: creations in every status,
// amendments (quantity changes, added, deleted and replaced lines), status
// changes (cancellations among them) and deletions, some grouped in one
// transaction. It returns the orders as the test wrote them.
func history(t *testing.T, f *aggtest.Fixture, r *rand.Rand, steps int) []*aggtest.Order {
	t.Helper()
	ctx := context.Background()
	var orders []*aggtest.Order
	dealers := slices.Sorted(mapKeys(f.Dealers))
	statuses := []string{"submitted", "submitted", "confirmed", "confirmed", "in_production", "draft", "held", "shipped", "closed", "cancelled"}
	hasDraft := func(season, dealer string, except *aggtest.Order) bool {
		for _, o := range orders {
			if o != except && o.Season == season && o.Dealer == dealer && o.Status == "draft" {
				return true
			}
		}
		return false
	}
	randomLines := func(o *aggtest.Order, n int) []aggtest.Line {
		used := map[int]bool{}
		for _, l := range o.Lines {
			used[l.SKU.ID] = true
		}
		var out []aggtest.Line
		for len(out) < n {
			k := f.SKUs[r.IntN(len(f.SKUs))]
			if used[k.ID] {
				continue
			}
			used[k.ID] = true
			w := []string{"", "W1", "W2"}[r.IntN(3)]
			out = append(out, aggtest.Line{SKU: k, Qty: 1 + r.IntN(60), Window: w})
		}
		return out
	}
	for step := 0; step < steps; step++ {
		tx, err := f.DB.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1 + r.IntN(3); n > 0; n-- { // 1–3 operations per transaction
			op := r.IntN(100)
			if len(orders) == 0 {
				op = 0
			}
			o := (*aggtest.Order)(nil)
			if len(orders) > 0 {
				o = orders[r.IntN(len(orders))]
			}
			switch {
			case op < 35:
				season := "SS27"
				if r.IntN(5) == 0 {
					season = "AW26"
				}
				dealer := dealers[r.IntN(len(dealers))]
				st := statuses[r.IntN(len(statuses))]
				if st == "draft" && hasDraft(season, dealer, nil) {
					st = "submitted"
				}
				no := &aggtest.Order{Season: season, Dealer: dealer}
				created := f.CreateOrder(t, tx, season, dealer, st, randomLines(no, 1+r.IntN(6)))
				orders = append(orders, &created)
			case op < 50 && len(o.Lines) > 0:
				ids := slices.Sorted(mapKeys(o.Lines))
				f.SetQty(t, tx, o, ids[r.IntN(len(ids))], 1+r.IntN(80))
			case op < 60:
				f.AddLine(t, tx, o, randomLines(o, 1)[0])
			case op < 70 && len(o.Lines) > 0:
				ids := slices.Sorted(mapKeys(o.Lines))
				f.DeleteLine(t, tx, o, ids[r.IntN(len(ids))])
			case op < 75:
				o.Lines = map[int64]aggtest.Line{}
				f.ReplaceLines(t, tx, o, randomLines(o, 1+r.IntN(5)))
			case op < 95:
				st := statuses[r.IntN(len(statuses))]
				if st == "draft" && hasDraft(o.Season, o.Dealer, o) {
					st = "cancelled"
				}
				f.SetStatus(t, tx, o, st)
			default:
				f.DeleteOrder(t, tx, o)
				orders = slices.DeleteFunc(orders, func(x *aggtest.Order) bool { return x == o })
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return orders
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

type group struct {
	keys    []string
	pos     int // smallest size position in the group, for ordering sizes by code
	qty     int64
	amount  money.Amount
	orders  map[int64]bool
	dealers map[string]bool
}

// expected computes a rollup in Go from the orders the test wrote.
func expected(f *aggtest.Fixture, orders []*aggtest.Order, season string, q aggregation.RollupQuery) ([]aggregation.RollupRow, aggregation.Totals) {
	groups := map[string]*group{}
	tot := group{orders: map[int64]bool{}, dealers: map[string]bool{}}
	for _, o := range orders {
		if o.Season != season || !slices.Contains(q.Statuses, o.Status) {
			continue
		}
		if len(q.Dealers) > 0 && !slices.Contains(q.Dealers, o.Dealer) {
			continue
		}
		if len(q.Regions) > 0 && !slices.Contains(q.Regions, f.DealerReg[o.Dealer]) {
			continue
		}
		for _, l := range o.Lines {
			if len(q.Categories) > 0 && !slices.Contains(q.Categories, f.StyleCat[l.SKU.Style]) {
				continue
			}
			keys := make([]string, len(q.By))
			for i, k := range q.By {
				keys[i] = map[aggregation.Key]string{
					aggregation.KeyStyle: l.SKU.Style, aggregation.KeyColor: l.SKU.Color, aggregation.KeySize: l.SKU.Size,
					aggregation.KeyDealer: o.Dealer, aggregation.KeyRegion: f.DealerReg[o.Dealer],
				}[k]
			}
			id := strings.Join(keys, "\x00")
			g := groups[id]
			if g == nil {
				g = &group{keys: keys, pos: l.SKU.SizePos, orders: map[int64]bool{}, dealers: map[string]bool{}}
				groups[id] = g
			}
			amount := f.Prices[l.SKU.Style].Times(l.Qty)
			g.pos = min(g.pos, l.SKU.SizePos)
			g.qty += int64(l.Qty)
			g.amount += amount
			g.orders[o.ID] = true
			g.dealers[o.Dealer] = true
			tot.qty += int64(l.Qty)
			tot.amount += amount
			tot.orders[o.ID] = true
			tot.dealers[o.Dealer] = true
		}
	}
	list := slices.Collect(func(yield func(*group) bool) {
		for _, g := range groups {
			if !yield(g) {
				return
			}
		}
	})
	slices.SortFunc(list, func(a, b *group) int {
		for i, k := range q.By {
			if k == aggregation.KeySize {
				if c := cmp.Compare(a.pos, b.pos); c != 0 {
					return c
				}
			}
			if c := strings.Compare(a.keys[i], b.keys[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	var rows []aggregation.RollupRow
	for _, g := range list {
		rows = append(rows, aggregation.RollupRow{Keys: g.keys, Qty: g.qty, Amount: g.amount, Orders: len(g.orders), Dealers: len(g.dealers)})
	}
	return rows, aggregation.Totals{Qty: tot.qty, Amount: tot.amount, Orders: len(tot.orders), Dealers: len(tot.dealers)}
}

// TestRollupProperty checks, for a random history of orders with amendments
// and cancellations, that every grouping (all 31 non-empty subsets of the
// keys, each in a random order, plus every order of style, color, size) under
// several status sets and filters equals the sum computed in Go, and that the
// summary equals a fresh GROUP BY.
func TestRollupProperty(t *testing.T) {
	s := seed(t)
	t.Logf("seed %d (set AGG_SEED to replay)", s)
	r := rand.New(rand.NewPCG(s, s^0x5eed))
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	orders := history(t, f, r, 250)
	if d := aggtest.SummaryDiff(t, db); d != "" {
		t.Fatalf("summary differs from the lines after the random history:\n%s", d)
	}
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	ctx := context.Background()

	var bys [][]aggregation.Key
	for mask := 1; mask < 1<<len(aggregation.Keys); mask++ {
		var by []aggregation.Key
		for i, k := range aggregation.Keys {
			if mask&(1<<i) != 0 {
				by = append(by, k)
			}
		}
		r.Shuffle(len(by), func(i, j int) { by[i], by[j] = by[j], by[i] })
		bys = append(bys, by)
	}
	for _, p := range [][]aggregation.Key{{"style", "color", "size"}, {"style", "size", "color"}, {"color", "style", "size"},
		{"color", "size", "style"}, {"size", "style", "color"}, {"size", "color", "style"}} {
		bys = append(bys, p)
	}
	randomSubset := func(all []string) []string {
		var out []string
		for _, x := range all {
			if r.IntN(2) == 0 {
				out = append(out, x)
			}
		}
		if len(out) == 0 {
			out = append(out, all[r.IntN(len(all))])
		}
		return out
	}
	type filter struct{ regions, dealers, categories []string }
	filters := []filter{{}, {regions: []string{"NORTH"}}, {dealers: []string{"D02", "D05"}}, {categories: []string{"TOPS"}},
		{regions: []string{"SOUTH", "EAST"}, categories: []string{"BOTTOMS", "KIDS"}}}
	checked, fromSummary := 0, 0
	for _, by := range bys {
		for pass, statuses := range [][]string{aggregation.CountedStatuses, aggregation.CountedStatuses,
			randomSubset(aggregation.OrderStatuses), aggregation.OrderStatuses} {
			fl := filters[0]
			if pass == 1 || (pass > 1 && r.IntN(3) == 0) {
				fl = filters[1+r.IntN(len(filters)-1)]
			}
			for _, season := range []string{"SS27", "AW26"} {
				params := aggregation.RollupParams{Season: season, By: joinKeys(by), Status: strings.Join(statuses, ","),
					Region: strings.Join(fl.regions, ","), Dealer: strings.Join(fl.dealers, ","), Category: strings.Join(fl.categories, ",")}
				got, err := svc.Rollup(ctx, planner, params)
				if err != nil {
					t.Fatalf("%+v: %v", params, err)
				}
				q, _ := aggregation.ParseRollup(params)
				wantRows, wantTotals := expected(f, orders, season, q)
				if diff := gocmp.Diff(wantRows, got.Rows); diff != "" {
					t.Fatalf("%+v (summary %v): rows differ (-want +got):\n%s", params, got.FromSummary, diff)
				}
				if diff := gocmp.Diff(wantTotals, got.Totals); diff != "" {
					t.Fatalf("%+v (summary %v): totals differ (-want +got):\n%s", params, got.FromSummary, diff)
				}
				// The lines and the summary must agree wherever both can answer.
				q.Source = aggregation.SourceLines
				viaLines, err := svc.RollupQuery(ctx, season, q)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(got.Rows, viaLines.Rows); diff != "" {
					t.Fatalf("%+v: summary and lines differ:\n%s", params, diff)
				}
				checked++
				if got.FromSummary {
					fromSummary++
				}
			}
		}
	}
	if fromSummary < 12 {
		t.Fatalf("only %d of %d rollups came from the summary", fromSummary, checked)
	}
	t.Logf("%d orders, %d rollups checked, %d from the summary", len(orders), checked, fromSummary)
}

func joinKeys(by []aggregation.Key) string {
	s := make([]string, len(by))
	for i, k := range by {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

func TestRollupValidation(t *testing.T) {
	db := pgtest.New(t)
	aggtest.New(t, db)
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	ctx := context.Background()
	tests := []struct {
		name   string
		p      auth.Principal
		params aggregation.RollupParams
		code   apperr.Code
		field  string
	}{
		{"unknown key", planner, aggregation.RollupParams{Season: "SS27", By: "style,fabric"}, apperr.Validation, "by"},
		{"key twice", planner, aggregation.RollupParams{Season: "SS27", By: "style,style"}, apperr.Validation, "by"},
		{"unknown status", planner, aggregation.RollupParams{Season: "SS27", Status: "submitted,lost"}, apperr.Validation, "status"},
		{"sql injection", planner, aggregation.RollupParams{Season: "SS27", By: "style;DROP TABLE orders"}, apperr.Validation, "by"},
		{"unknown region", planner, aggregation.RollupParams{Season: "SS27", Region: "MARS"}, apperr.Validation, "region"},
		{"unknown dealer", planner, aggregation.RollupParams{Season: "SS27", Dealer: "D01,X99"}, apperr.Validation, "dealer"},
		{"unknown category", planner, aggregation.RollupParams{Season: "SS27", Category: "HATS"}, apperr.Validation, "category"},
		{"no season", planner, aggregation.RollupParams{}, apperr.Validation, "season"},
		{"unknown season", planner, aggregation.RollupParams{Season: "XX99"}, apperr.NotFound, ""},
		{"dealer", auth.Principal{UserID: 1, Role: auth.RoleDealer, DealerID: 1}, aggregation.RollupParams{Season: "SS27"}, apperr.Forbidden, ""},
		{"supplier", auth.Principal{UserID: 1, Role: auth.RoleSupplier, SupplierID: 1}, aggregation.RollupParams{Season: "SS27"}, apperr.Forbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Rollup(ctx, tt.p, tt.params)
			e, ok := apperr.As(err)
			if !ok || e.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if tt.field != "" && (len(e.Details) == 0 || e.Details[0].Field != tt.field) {
				t.Fatalf("details %+v, want field %s", e.Details, tt.field)
			}
		})
	}
	// An empty season answers with no rows and zero totals.
	got, err := svc.Rollup(ctx, planner, aggregation.RollupParams{Season: "SS27"})
	if err != nil || len(got.Rows) != 0 || got.Totals != (aggregation.Totals{}) || !got.FromSummary || got.Currency != "CNY" {
		t.Fatalf("empty rollup: %+v, %v", got, err)
	}
}

// TestSummaryConcurrentWriters runs writers that hit the same hot SKUs from
// many dealers at once — inserting, amending, cancelling and reinstating each
// other's orders — and checks the summary still equals the lines.
func TestSummaryConcurrentWriters(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx := context.Background()
	hot := []aggtest.SKU{f.FindSKU(t, "ST01", "BLK", "M"), f.FindSKU(t, "ST01", "BLK", "L"), f.FindSKU(t, "ST02", "RED", "S")}
	dealers := slices.Sorted(mapKeys(f.Dealers))
	// At least 4 s and 200 successful writes (a busy CI machine, with the
	// browser suite beside, managed 34 lines in 4 s), at most 60 s.
	deadline, hardDeadline := time.Now().Add(4*time.Second), time.Now().Add(60*time.Second)
	var succeeded atomic.Int64
	more := func() bool {
		now := time.Now()
		return now.Before(deadline) || (succeeded.Load() < 200 && now.Before(hardDeadline))
	}
	writing := make(chan struct{})
	errc := make(chan error, 8)
	for w := 0; w < 8; w++ {
		go func(w int) {
			r := rand.New(rand.NewPCG(uint64(w), 42))
			dealer := dealers[w%len(dealers)]
			for more() {
				err := concurrentOp(ctx, db, f, r, dealer, hot)
				if err != nil && !retryable(err) {
					errc <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				if err == nil {
					succeeded.Add(1)
				}
			}
			errc <- nil
		}(w)
	}
	// Meanwhile, fold side rows into base rows now and then.
	compacted := make(chan int)
	go func() {
		total := 0
		store := aggdb.New(db)
		for {
			select {
			case <-writing:
				compacted <- total
				return
			default:
			}
			n, err := store.CompactSummary(ctx)
			if err != nil && !retryable(err) {
				t.Error(err)
			}
			total += n
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var werrs []error
	for i := 0; i < 8; i++ {
		if err := <-errc; err != nil {
			werrs = append(werrs, err)
		}
	}
	close(writing)
	folded := <-compacted
	if len(werrs) > 0 {
		t.Fatal(werrs)
	}
	var side int
	db.Get(&side, `SELECT count(*) FROM rollup_sku_slots WHERE slot <> 0`)
	t.Logf("%d writes; side rows folded by compaction: %d; left: %d", succeeded.Load(), folded, side)
	var n int
	db.Get(&n, `SELECT count(*) FROM order_lines`)
	if n < 50 {
		t.Fatalf("only %d lines written", n)
	}
	if d := aggtest.SummaryDiff(t, db); d != "" {
		t.Fatalf("summary differs from the lines after concurrent writes:\n%s", d)
	}
}

// TestSummaryRefusesOtherIsolation: a change that moves the summary under
// REPEATABLE READ or SERIALIZABLE fails with a clear error (migration
// 00050) and leaves the summary equal to the lines.
func TestSummaryRefusesOtherIsolation(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx := context.Background()
	sku := f.FindSKU(t, "ST01", "BLK", "M")
	o := f.CreateOrder(t, db, "SS27", "D01", "submitted", []aggtest.Line{{SKU: sku, Qty: 5}})
	for _, iso := range []sql.IsolationLevel{sql.LevelRepeatableRead, sql.LevelSerializable} {
		for _, q := range []string{
			`UPDATE order_lines SET qty = qty + 1, amount = unit_price * (qty + 1) WHERE order_id = $1`,
			`UPDATE orders SET status = 'cancelled' WHERE id = $1`,
			`DELETE FROM orders WHERE id = $1`,
		} {
			tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: iso})
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.ExecContext(ctx, q, o.ID)
			tx.Rollback()
			if err == nil || !strings.Contains(err.Error(), "must be changed under READ COMMITTED") {
				t.Errorf("%s: %s: err = %v, want the READ COMMITTED refusal", iso, q, err)
			}
		}
	}
	// A change that does not move the summary is not refused.
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'confirmed' WHERE id = $1`, o.ID); err != nil {
		t.Fatalf("submitted → confirmed under SERIALIZABLE: %v", err)
	}
	tx.Rollback()
	if d := aggtest.SummaryDiff(t, db); d != "" {
		t.Fatalf("summary differs from the lines:\n%s", d)
	}
}

// retryable: the writers race on purpose; a deadlock, a serialization
// failure, two writers adding the same SKU to one order, or adding lines to
// an order another writer deleted meanwhile just lose the race.
func retryable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "deadlock") || strings.Contains(s, "could not serialize") ||
		strings.Contains(s, "order_lines_order_id_sku_id_key") || strings.Contains(s, "order_lines_order_id_fkey")
}

// concurrentOp runs one random write in its own READ COMMITTED transaction
// (the only level the summary's triggers accept: TestSummaryRefusesOtherIsolation).
func concurrentOp(ctx context.Context, db *sqlx.DB, f *aggtest.Fixture, r *rand.Rand, dealer string, hot []aggtest.SKU) error {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var other int64
	if err := tx.GetContext(ctx, &other, `SELECT coalesce((SELECT id FROM orders ORDER BY random() LIMIT 1), 0)`); err != nil {
		return err
	}
	insertLines := func(orderID int64) error {
		perm := r.Perm(len(hot))[:1+r.IntN(len(hot))]
		for _, i := range perm {
			k := hot[i]
			price := f.Prices[k.Style]
			qty := 1 + r.IntN(40)
			_, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
SELECT $1, dealer_id, $2, $3, $4, $5, $6, $7, $8 FROM orders WHERE id = $1`, orderID, k.ID, k.StyleID, k.ColorID, k.SizeID, qty, price, price.Times(qty))
			if err != nil {
				return err
			}
		}
		return nil
	}
	op := r.IntN(10)
	if other == 0 {
		op = 0
	}
	switch {
	case op < 4:
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO orders (number, dealer_id, season_id, status, currency)
VALUES ('C' || nextval('order_number_seq'), $1, $2, 'submitted', 'CNY') RETURNING id`, f.Dealers[dealer], f.Seasons["SS27"])
		if err != nil {
			return err
		}
		if err := insertLines(id); err != nil {
			return err
		}
	case op < 6:
		if _, err := tx.ExecContext(ctx, `UPDATE order_lines SET qty = qty % 50 + 1, amount = unit_price * (qty % 50 + 1) WHERE order_id = $1`, other); err != nil {
			return err
		}
	case op < 7:
		if _, err := tx.ExecContext(ctx, `DELETE FROM order_lines WHERE order_id = $1`, other); err != nil {
			return err
		}
		if err := insertLines(other); err != nil {
			return err
		}
	case op < 9:
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = CASE WHEN status = 'cancelled' THEN 'confirmed' ELSE 'cancelled' END WHERE id = $1`, other); err != nil {
			return err
		}
	default:
		if _, err := tx.ExecContext(ctx, `DELETE FROM orders WHERE id = $1`, other); err != nil {
			return err
		}
	}
	return tx.Commit()
}
