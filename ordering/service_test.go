package ordering_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

type env struct {
	t   *testing.T
	db  *sqlx.DB
	svc *ordering.Service
}

func setup(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	orderingtest.New(t, db)
	return &env{t: t, db: db, svc: ordering.NewService(orderdb.New(db), nil)}
}

func (e *env) who(email string) auth.Principal { return orderingtest.Principal(e.t, e.db, email) }

// at returns a service whose clock is now + d.
func (e *env) at(d time.Duration) *ordering.Service {
	return ordering.NewService(orderdb.New(e.db), func() time.Time { return time.Now().Add(d) })
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, q, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) submit(p auth.Principal, req ordering.SubmitRequest) ordering.Order {
	e.t.Helper()
	o, created, err := e.svc.Submit(context.Background(), p, req, "")
	if err != nil || !created {
		e.t.Fatalf("submit: created %v, %v", created, err)
	}
	return o
}

func shirt(color, size string, qty int) ordering.LineRequest {
	return ordering.LineRequest{Style: "ST1001", Color: color, Size: size, Qty: qty}
}

func wantErr(t *testing.T, err error, code apperr.Code, details []apperr.Detail) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%s), want %s", e.Code, e.Message, code)
	}
	if details != nil {
		if diff := cmp.Diff(details, e.Details); diff != "" {
			t.Errorf("details (-want +got):\n%s", diff)
		}
	}
	return e
}

func TestSubmit(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.who("dealer01@test.test")
	o := e.submit(p, ordering.SubmitRequest{Season: "SS27", Reference: "PO-77", Lines: []ordering.LineRequest{
		shirt("BLK", "M", 4), shirt("BLK", "M", 2), // summed
		{Style: "ST1001", Color: "NVY", Prepack: "PP1", Packs: 1}, // S1 M2 L2 XL1
		{Style: "ST2001", Color: "KHA", Size: "38", Qty: 4, DeliveryWindow: "D2"},
	}})
	if !strings.HasPrefix(o.Number, "SO-SS27-") || len(o.Number) != len("SO-SS27-000001") {
		t.Errorf("number %q", o.Number)
	}
	if o.Status != ordering.StatusSubmitted || o.Dealer != "D001" || o.Season != "SS27" || o.Currency != "CNY" ||
		o.Reference != "PO-77" || o.Version != 1 || o.SubmittedAt == nil {
		t.Errorf("order %+v", o)
	}
	type l struct {
		Style, Color, Size string
		Qty                int
		Price, Amount      string
		Window             string
	}
	var got []l
	for _, x := range o.Lines {
		got = append(got, l{x.Style, x.Color, x.Size, x.Qty, x.UnitPrice.String(), x.Amount.String(), x.DeliveryWindow})
	}
	want := []l{
		{"ST1001", "BLK", "M", 6, "129.00", "774.00", "D1"},
		{"ST1001", "NVY", "S", 1, "129.00", "129.00", "D1"},
		{"ST1001", "NVY", "M", 2, "129.00", "258.00", "D1"},
		{"ST1001", "NVY", "L", 2, "129.00", "258.00", "D1"},
		{"ST1001", "NVY", "XL", 1, "129.00", "129.00", "D1"},
		{"ST2001", "KHA", "38", 4, "149.00", "596.00", "D2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if o.TotalQty != 16 || o.TotalAmount != money.MustParse("2144.00") {
		t.Errorf("totals %d %s", o.TotalQty, o.TotalAmount)
	}
	if len(o.DeliveryWindows) != 2 || o.DeliveryWindows[0].Code != "D1" || o.DeliveryWindows[1].ShipsFrom.String() != "2027-03-01" {
		t.Errorf("windows %+v", o.DeliveryWindows)
	}
	if len(o.History) != 1 || o.History[0].Kind != "submitted" || o.History[0].To != "submitted" ||
		o.History[0].User != "dealer01@test.test" || o.History[0].Detail.TotalQty != 16 {
		t.Errorf("history %+v", o.History)
	}

	// Prices are frozen: a later price change does not touch the order.
	e.db.MustExec(`UPDATE prices SET price = 500 WHERE style_id = (SELECT id FROM styles WHERE code = 'ST1001') AND price_list_id = (SELECT id FROM price_lists WHERE code = 'DLR')`)
	again, err := e.svc.Get(ctx, p, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o, again); diff != "" {
		t.Errorf("Get differs from the submitted order (-submit +get):\n%s", diff)
	}

	// A planner enters an order on a dealer's behalf.
	po := e.submit(e.who("planner@test.test"), ordering.SubmitRequest{Season: "ss27", Dealer: "d002", Lines: []ordering.LineRequest{shirt("WHT", "S", 6)}})
	if po.Dealer != "D002" || po.Lines[0].UnitPrice != money.MustParse("120.00") {
		t.Errorf("planner's order %s %s", po.Dealer, po.Lines[0].UnitPrice)
	}
	if n := e.count(`SELECT count(*) FROM order_events WHERE order_id IN (SELECT id FROM orders)`); n != 2 {
		t.Errorf("%d events", n)
	}
}

func TestSubmitRefusals(t *testing.T) {
	e := setup(t)
	e.db.MustExec(`INSERT INTO invoices (number, dealer_id, currency, amount, paid, issued_on, due_on)
	               SELECT 'INV-1', id, 'CNY', 1000.00, 400.00, '2026-01-01', '2026-02-01' FROM dealers WHERE code = 'D040'`)
	d1, d40 := e.who("dealer01@test.test"), e.who("dealer40@test.test")
	ok := []ordering.LineRequest{shirt("BLK", "M", 6)}
	tests := []struct {
		name    string
		p       auth.Principal
		req     ordering.SubmitRequest
		code    apperr.Code
		details []apperr.Detail
	}{
		{"unknown size", d1, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6), shirt("BLK", "XXXL", 1)}},
			apperr.Validation, []apperr.Detail{{Field: "lines[1].size", Message: "size XXXL is not offered for style ST1001"}}},
		{"style of another season", d1, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST9001", Color: "OLV", Size: "M", Qty: 1}}},
			apperr.Validation, []apperr.Detail{{Field: "lines[0].style", Message: "style ST9001 is not offered in season SS27"}}},
		{"no list price for dealers", d1, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST1003", Color: "WHT", Size: "M", Qty: 1}}},
			apperr.Validation, []apperr.Detail{{Field: "lines[0].style", Message: "style ST1003 has no price in your price list"}}},
		{"below minimum", d1, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 5)}},
			apperr.Validation, []apperr.Detail{{Field: "lines[0].qty", Message: "style ST1001 color BLK: 5 pieces ordered, the minimum per color is 6"}}},
		{"no lines", d1, ordering.SubmitRequest{Season: "SS27"},
			apperr.Validation, []apperr.Detail{{Field: "lines", Message: "an order needs at least one line"}}},
		{"unknown season", d1, ordering.SubmitRequest{Season: "XX99", Lines: ok},
			apperr.Validation, []apperr.Detail{{Field: "season", Message: "season XX99 does not exist"}}},
		{"missing season", d1, ordering.SubmitRequest{Lines: ok},
			apperr.Validation, []apperr.Detail{{Field: "season", Message: "season is required"}}},
		{"long reference", d1, ordering.SubmitRequest{Season: "SS27", Reference: strings.Repeat("é", 101), Lines: ok},
			apperr.Validation, []apperr.Detail{{Field: "reference", Message: "reference may have at most 100 characters"}}},
		{"past cut-off", d1, ordering.SubmitRequest{Season: "AW26", Lines: ok}, apperr.SeasonClosed, nil},
		{"closed by head office", d1, ordering.SubmitRequest{Season: "CL27", Lines: ok}, apperr.SeasonClosed, nil},
		{"not open yet", d1, ordering.SubmitRequest{Season: "FW27", Lines: ok}, apperr.SeasonClosed, nil},
		{"dealer on hold", e.who("dealer39@test.test"), ordering.SubmitRequest{Season: "SS27", Lines: ok}, apperr.DealerOnHold, nil},
		{"credit limit", d40, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST2001", Color: "KHA", Size: "36", Qty: 336}}},
			apperr.CreditLimitExceeded, []apperr.Detail{{Field: "credit_limit", Message: "50000.00"}, {Field: "exposure", Message: "600.00"}, {Field: "order_value", Message: "50064.00"}}},
		{"another dealer in the body", d1, ordering.SubmitRequest{Season: "SS27", Dealer: "D002", Lines: ok}, apperr.Forbidden, nil},
		{"supplier", e.who("supplier01@test.test"), ordering.SubmitRequest{Season: "SS27", Dealer: "D001", Lines: ok}, apperr.Forbidden, nil},
		{"planner without dealer", e.who("planner@test.test"), ordering.SubmitRequest{Season: "SS27", Lines: ok},
			apperr.Validation, []apperr.Detail{{Field: "dealer", Message: "dealer is required when head office enters an order"}}},
		{"planner, unknown dealer", e.who("planner@test.test"), ordering.SubmitRequest{Season: "SS27", Dealer: "D999", Lines: ok},
			apperr.Validation, []apperr.Detail{{Field: "dealer", Message: "dealer D999 does not exist"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.svc.Submit(context.Background(), tt.p, tt.req, "key-"+tt.name)
			wantErr(t, err, tt.code, tt.details)
		})
	}
	// Nothing half-written: no order, line, event or idempotency key.
	if n := e.count(`SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_lines) + (SELECT count(*) FROM order_events) + (SELECT count(*) FROM idempotency_keys)`); n != 0 {
		t.Errorf("%d rows written by refused submissions", n)
	}
	// The credit message carries the figures too.
	_, _, err := e.svc.Submit(context.Background(), d40, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST2001", Color: "KHA", Size: "36", Qty: 336}}}, "")
	if e, _ := apperr.As(err); !strings.Contains(e.Message, "50000.00") || !strings.Contains(e.Message, "600.00") || !strings.Contains(e.Message, "50064.00") {
		t.Errorf("message %q", e.Message)
	}
}

func TestHeldPolicy(t *testing.T) {
	e := setup(t)
	// D050: limit 1000.00, policy hold. 774.00 fits.
	p := e.who("dealer50@test.test")
	o := e.submit(p, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6)}})
	if o.Status != ordering.StatusSubmitted {
		t.Fatalf("status %s", o.Status)
	}
	h := e.submit(p, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("NVY", "M", 6)}}) // 774 + 774 > 1000
	if h.Status != ordering.StatusHeld {
		t.Fatalf("status %s, want held", h.Status)
	}
	ev := h.History[0]
	if ev.Kind != "held" || ev.Detail.Credit == nil || ev.Detail.Credit.Exposure.String() != "774.00" || ev.Detail.Credit.Limit.String() != "1000.00" {
		t.Errorf("event %+v credit %+v", ev, ev.Detail.Credit)
	}
	// The held order as returned is the order as stored.
	if again, err := e.svc.Get(context.Background(), p, h.Number); err != nil {
		t.Fatal(err)
	} else if diff := cmp.Diff(h, again); diff != "" {
		t.Errorf("Get differs from the held order (-submit +get):\n%s", diff)
	}
	// A head-office confirmation approves the held order.
	got, err := e.svc.Confirm(context.Background(), e.who("planner@test.test"), []string{h.Number})
	if err != nil || got[0].Status != ordering.StatusConfirmed {
		t.Fatalf("confirm: %v %+v", err, got)
	}
}

func TestParallelSubmissionsStayWithinCredit(t *testing.T) {
	e := setup(t)
	p := e.who("dealer40@test.test") // limit 50,000.00
	const n = 24
	req := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST2001", Color: "KHA", Size: "36", Qty: 40}}} // 5,960.00
	value := money.MustParse("5960.00")
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, _, errs[i] = e.svc.Submit(context.Background(), p, req, "")
		}()
	}
	close(start)
	wg.Wait()
	accepted := 0
	for _, err := range errs {
		switch {
		case err == nil:
			accepted++
		case !apperr.Is(err, apperr.CreditLimitExceeded):
			t.Errorf("unexpected error: %v", err)
		}
	}
	var total money.Amount
	if err := e.db.Get(&total, `SELECT COALESCE(sum(total_amount), 0) FROM orders WHERE dealer_id = (SELECT id FROM dealers WHERE code = 'D040')`); err != nil {
		t.Fatal(err)
	}
	if total > money.MustParse("50000.00") {
		t.Errorf("accepted total %s exceeds the limit", total)
	}
	if accepted != 8 || total != value.Times(accepted) {
		t.Errorf("accepted %d orders worth %s, want 8 worth %s", accepted, total, value.Times(8))
	}
}

// submitResult is one answer of submitTogether.
type submitResult struct {
	o       ordering.Order
	created bool
	err     error
}

// submitTogether submits req n times at once with one Idempotency-Key.
func submitTogether(e *env, p auth.Principal, req ordering.SubmitRequest, key string, n int) []submitResult {
	res := make([]submitResult, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			o, c, err := e.svc.Submit(context.Background(), p, req, key)
			res[i] = submitResult{o, c, err}
		}()
	}
	close(start)
	wg.Wait()
	return res
}

func TestParallelRetriesWithOneKey(t *testing.T) {
	e := setup(t)
	p := e.who("dealer01@test.test")
	req := ordering.SubmitRequest{Season: "SS27", Reference: "retry", Lines: []ordering.LineRequest{shirt("BLK", "M", 6), shirt("WHT", "L", 6)}}
	const n = 12
	res := submitTogether(e, p, req, "same-key-1", n)
	created := 0
	var first []byte
	for i, r := range res {
		if r.err != nil {
			t.Fatalf("retry %d: %v", i, r.err)
		}
		if r.created {
			created++
		}
		b, _ := json.Marshal(r.o)
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Errorf("response %d differs:\n%s\n%s", i, b, first)
		}
	}
	if created != 1 {
		t.Errorf("%d submissions created an order, want 1", created)
	}
	if c := e.count(`SELECT count(*) FROM orders`); c != 1 {
		t.Errorf("%d orders, want 1", c)
	}

	// The same key with another body is refused; another user's key is its own.
	req2 := req
	req2.Reference = "other"
	_, _, err := e.svc.Submit(context.Background(), p, req2, "same-key-1")
	wantErr(t, err, apperr.IdempotencyReused, nil)
	o, created2, err := e.svc.Submit(context.Background(), e.who("dealer01b@test.test"), req, "same-key-1")
	if err != nil || !created2 || o.Number == res[0].o.Number {
		t.Errorf("another user's key: %v %v %s", err, created2, o.Number)
	}
	// A replay still answers after cut-off, with the first response.
	late, c, err := e.at(40*24*time.Hour).Submit(context.Background(), p, req, "same-key-1")
	if err != nil || c || late.Number != res[0].o.Number {
		t.Errorf("late replay: %v %v %s", err, c, late.Number)
	}
}

// TestParallelRetriesAtTheCreditLimit: retries of one order that fits the
// dealer's credit only once, all in flight together. Each retry that ran
// before the first committed places a duplicate that then fails the credit
// check (or finds the key taken at the end); every one must still answer
// with the first response (api.md), and only one order and one key remain.
func TestParallelRetriesAtTheCreditLimit(t *testing.T) {
	e := setup(t)
	p := e.who("dealer40@test.test") // limit 50,000.00
	// 200 × 149.00 = 29,800.00: a second one would exceed the limit.
	req := ordering.SubmitRequest{Season: "SS27", Reference: "big", Lines: []ordering.LineRequest{{Style: "ST2001", Color: "KHA", Size: "36", Qty: 200}}}
	const n = 8
	res := submitTogether(e, p, req, "credit-key", n)
	created := 0
	for i, r := range res {
		if r.err != nil {
			t.Fatalf("retry %d: %v", i, r.err)
		}
		if r.created {
			created++
		}
		if r.o.Number != res[0].o.Number || r.o.TotalAmount != res[0].o.TotalAmount {
			t.Errorf("retry %d answered %s %s, retry 0 %s %s", i, r.o.Number, r.o.TotalAmount, res[0].o.Number, res[0].o.TotalAmount)
		}
	}
	if created != 1 {
		t.Errorf("%d retries created the order, want 1", created)
	}
	if c := e.count(`SELECT count(*) FROM orders`); c != 1 {
		t.Errorf("%d orders, want 1", c)
	}
	if c := e.count(`SELECT count(*) FROM idempotency_keys WHERE key = 'credit-key'`); c != 1 {
		t.Errorf("%d key rows, want 1", c)
	}
}

func TestReplace(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.who("dealer01@test.test")
	o := e.submit(p, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6), shirt("NVY", "S", 6)}})

	// Prices change after submission: kept SKUs keep their price, new SKUs get the new one.
	e.db.MustExec(`UPDATE prices SET price = 139.00 WHERE style_id = (SELECT id FROM styles WHERE code = 'ST1001') AND price_list_id = (SELECT id FROM price_lists WHERE code = 'DLR')`)
	a, err := e.svc.Replace(ctx, p, o.Number, 1, []ordering.LineRequest{shirt("BLK", "M", 8), shirt("BLK", "L", 2), {Style: "ST1001", Color: "WHT", Prepack: "PP2", Packs: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 || a.TotalQty != 16 {
		t.Errorf("version %d qty %d", a.Version, a.TotalQty)
	}
	prices := map[string]string{}
	for _, l := range a.Lines {
		prices[l.Color+" "+l.Size] = l.UnitPrice.String()
	}
	if diff := cmp.Diff(map[string]string{"BLK M": "129.00", "BLK L": "139.00", "WHT M": "139.00", "WHT L": "139.00"}, prices); diff != "" {
		t.Errorf("prices (-want +got):\n%s", diff)
	}
	if want := money.MustParse("1032.00") + money.MustParse("139.00").Times(8); a.TotalAmount != want {
		t.Errorf("total %s, want %s", a.TotalAmount, want)
	}
	ev := a.History[len(a.History)-1]
	if ev.Kind != "amended" || len(ev.Detail.Added) != 3 || len(ev.Detail.Removed) != 1 || len(ev.Detail.Changed) != 1 ||
		ev.Detail.Changed[0] != (ordering.LineChange{Style: "ST1001", Color: "BLK", Size: "M", From: 6, To: 8}) {
		t.Errorf("event %+v", ev)
	}

	_, err = e.svc.Replace(ctx, p, o.Number, 1, []ordering.LineRequest{shirt("BLK", "M", 6)})
	wantErr(t, err, apperr.Conflict, nil)
	_, err = e.svc.Replace(ctx, p, o.Number, 2, []ordering.LineRequest{shirt("BLK", "M", 6), shirt("BLK", "Q", 1)})
	wantErr(t, err, apperr.Validation, []apperr.Detail{{Field: "lines[1].size", Message: "size Q is not offered for style ST1001"}})
	_, err = e.at(31*24*time.Hour).Replace(ctx, p, o.Number, 2, []ordering.LineRequest{shirt("BLK", "M", 6)})
	wantErr(t, err, apperr.SeasonClosed, nil)
	_, err = e.svc.Replace(ctx, e.who("dealer02@test.test"), o.Number, 2, []ordering.LineRequest{shirt("BLK", "M", 6)})
	wantErr(t, err, apperr.NotFound, nil)
	if n := e.count(`SELECT version FROM orders WHERE number = $1`, o.Number); n != 2 {
		t.Errorf("refused amendments changed the version to %d", n)
	}

	// A planner amends too; an amendment over the credit limit is refused.
	pl := e.who("planner@test.test")
	if _, err := e.svc.Replace(ctx, pl, o.Number, 2, []ordering.LineRequest{shirt("BLK", "M", 7)}); err != nil {
		t.Fatal(err)
	}
	e.db.MustExec(`UPDATE dealers SET credit_limit = 1000 WHERE code = 'D001'`)
	_, err = e.svc.Replace(ctx, p, o.Number, 3, []ordering.LineRequest{shirt("BLK", "M", 60)})
	wantErr(t, err, apperr.CreditLimitExceeded, nil)
	// Lowering an order is always possible, even over the limit.
	e.db.MustExec(`UPDATE dealers SET credit_limit = 0 WHERE code = 'D001'`)
	if _, err := e.svc.Replace(ctx, p, o.Number, 3, []ordering.LineRequest{shirt("BLK", "M", 6)}); err != nil {
		t.Errorf("lowering: %v", err)
	}

	e.db.MustExec(`UPDATE orders SET status = 'in_production' WHERE number = $1`, o.Number)
	_, err = e.svc.Replace(ctx, p, o.Number, 4, []ordering.LineRequest{shirt("BLK", "M", 6)})
	wantErr(t, err, apperr.InvalidState, nil)
}

func TestCancel(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.who("dealer01@test.test")
	req := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6)}}
	a, b, c := e.submit(p, req), e.submit(p, req), e.submit(p, req)

	got, err := e.svc.Cancel(ctx, p, a.Number)
	if err != nil || got.Status != ordering.StatusCancelled || got.CancelledAt == nil || got.Version != 2 {
		t.Fatalf("cancel: %v %+v", err, got)
	}
	if ev := got.History[len(got.History)-1]; ev.Kind != "cancelled" || ev.From != "submitted" || ev.To != "cancelled" {
		t.Errorf("event %+v", ev)
	}
	_, err = e.svc.Cancel(ctx, p, a.Number)
	wantErr(t, err, apperr.InvalidState, nil)
	_, err = e.at(31*24*time.Hour).Cancel(ctx, p, b.Number)
	wantErr(t, err, apperr.InvalidState, nil)
	e.db.MustExec(`UPDATE orders SET status = 'in_production' WHERE number = $1`, c.Number)
	_, err = e.svc.Cancel(ctx, p, c.Number)
	wantErr(t, err, apperr.InvalidState, nil)
	_, err = e.svc.Cancel(ctx, e.who("dealer02@test.test"), b.Number)
	wantErr(t, err, apperr.NotFound, nil)
	_, err = e.svc.Cancel(ctx, e.who("supplier01@test.test"), b.Number)
	wantErr(t, err, apperr.Forbidden, nil)

	// Cancelling frees credit: D040 can order again.
	d40 := e.who("dealer40@test.test")
	big := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST2001", Color: "KHA", Size: "36", Qty: 300}}} // 44,700.00
	first := e.submit(d40, big)
	_, _, err = e.svc.Submit(ctx, d40, big, "")
	wantErr(t, err, apperr.CreditLimitExceeded, nil)
	if _, err := e.svc.Cancel(ctx, d40, first.Number); err != nil {
		t.Fatal(err)
	}
	e.submit(d40, big)
}

func TestConfirm(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.who("dealer01@test.test")
	req := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6)}}
	a, b := e.submit(p, req), e.submit(p, req)
	pl := e.who("planner@test.test")

	_, err := e.svc.Confirm(ctx, p, []string{a.Number})
	wantErr(t, err, apperr.Forbidden, nil)
	_, err = e.svc.Confirm(ctx, pl, nil)
	wantErr(t, err, apperr.Validation, []apperr.Detail{{Field: "numbers", Message: "give at least one order number"}})
	_, err = e.svc.Confirm(ctx, pl, []string{a.Number, "SO-NOPE"})
	wantErr(t, err, apperr.Validation, []apperr.Detail{{Field: "numbers[1]", Message: "order SO-NOPE does not exist"}})

	got, err := e.svc.Confirm(ctx, pl, []string{a.Number, b.Number, a.Number})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Status != ordering.StatusConfirmed || got[1].ConfirmedAt == nil {
		t.Errorf("confirmed %+v", got)
	}
	_, err = e.svc.Confirm(ctx, pl, []string{a.Number})
	wantErr(t, err, apperr.InvalidState, []apperr.Detail{{Field: "numbers[0]", Message: fmt.Sprintf("order %s is confirmed; only submitted or held orders can be confirmed", a.Number)}})
	full, _ := e.svc.Get(ctx, p, a.Number)
	if ev := full.History[len(full.History)-1]; ev.Kind != "confirmed" || ev.User != "planner@test.test" {
		t.Errorf("event %+v", ev)
	}
	// A confirmed order may still be amended and cancelled before cut-off.
	if _, err := e.svc.Replace(ctx, p, a.Number, full.Version, []ordering.LineRequest{shirt("BLK", "M", 7)}); err != nil {
		t.Errorf("amend confirmed: %v", err)
	}
	if _, err := e.svc.Cancel(ctx, p, b.Number); err != nil {
		t.Errorf("cancel confirmed: %v", err)
	}
}

func TestList(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	d1, d2 := e.who("dealer01@test.test"), e.who("dealer02@test.test")
	req := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6)}}
	var mine []string
	for range 5 {
		mine = append(mine, e.submit(d1, req).Number)
	}
	theirs := e.submit(d2, req).Number
	if _, err := e.svc.Cancel(ctx, d1, mine[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveDraftLines(ctx, d1, "SS27", "ST1001", []ordering.LineRequest{{Color: "BLK", Size: "M", Qty: 1}}, ""); err != nil {
		t.Fatal(err)
	}

	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		pg, err := e.svc.List(ctx, d1, ordering.ListFilter{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range pg.Items {
			seen = append(seen, o.Number)
			if o.Lines != nil {
				t.Errorf("list items carry lines")
			}
		}
		if pg.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("too many pages")
		}
		cursor = pg.NextCursor
	}
	want := []string{mine[4], mine[3], mine[2], mine[1], mine[0]}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("dealer's pages (-want +got):\n%s", diff)
	}

	numbers := func(p auth.Principal, f ordering.ListFilter) []string {
		t.Helper()
		pg, err := e.svc.List(ctx, p, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range pg.Items {
			out = append(out, o.Number)
		}
		return out
	}
	pl := e.who("planner@test.test")
	if got := numbers(pl, ordering.ListFilter{Dealer: "D002"}); !cmp.Equal(got, []string{theirs}) {
		t.Errorf("planner, dealer D002: %v", got)
	}
	if got := numbers(d1, ordering.ListFilter{Dealer: "D002"}); len(got) != 0 {
		t.Errorf("dealer asking for another dealer's orders got %v", got)
	}
	if got := numbers(d1, ordering.ListFilter{Status: "cancelled"}); !cmp.Equal(got, []string{mine[0]}) {
		t.Errorf("cancelled: %v", got)
	}
	if got := numbers(d1, ordering.ListFilter{Status: "draft"}); len(got) != 1 {
		t.Errorf("drafts: %v", got)
	}
	if got := numbers(pl, ordering.ListFilter{Season: "AW26"}); len(got) != 0 {
		t.Errorf("AW26: %v", got)
	}
	if got := numbers(pl, ordering.ListFilter{Status: "submitted,cancelled", Season: "SS27"}); len(got) != 6 {
		t.Errorf("planner sees %d orders, want 6", len(got))
	}
	for _, f := range []ordering.ListFilter{{Status: "shipping"}, {Limit: 500}, {Limit: -1}, {Cursor: "not-a-cursor"}} {
		_, err := e.svc.List(ctx, pl, f)
		wantErr(t, err, apperr.Validation, nil)
	}
	_, err := e.svc.List(ctx, e.who("supplier01@test.test"), ordering.ListFilter{})
	wantErr(t, err, apperr.Forbidden, nil)
}

func TestIsolation(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	o := e.submit(e.who("dealer01@test.test"), ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt("BLK", "M", 6)}})
	other, sup := e.who("dealer02@test.test"), e.who("supplier01@test.test")
	calls := []struct {
		name string
		call func(p auth.Principal) error
	}{
		{"get", func(p auth.Principal) error { _, err := e.svc.Get(ctx, p, o.Number); return err }},
		{"replace", func(p auth.Principal) error {
			_, err := e.svc.Replace(ctx, p, o.Number, 1, []ordering.LineRequest{shirt("BLK", "M", 9)})
			return err
		}},
		{"cancel", func(p auth.Principal) error { _, err := e.svc.Cancel(ctx, p, o.Number); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, c.call(other), apperr.NotFound, nil)
			wantErr(t, c.call(sup), apperr.Forbidden, nil)
		})
	}
	got, err := e.svc.Get(ctx, e.who("dealer01b@test.test"), o.Number)
	if err != nil || got.Number != o.Number || got.Status != ordering.StatusSubmitted {
		t.Errorf("a colleague of the same dealer: %v %s", err, got.Status)
	}
}

func TestDrafts(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.who("dealer01@test.test")

	empty, err := e.svc.Draft(ctx, p, "SS27")
	if err != nil || empty.Number != "" || len(empty.Lines) != 0 || empty.Status != ordering.StatusDraft {
		t.Fatalf("empty draft: %v %+v", err, empty)
	}
	d, err := e.svc.SaveDraftLines(ctx, p, "SS27", "ST1001", []ordering.LineRequest{
		{Color: "BLK", Size: "M", Qty: 3}, {Color: "BLK", Size: "L", Qty: 0}, {Color: "NVY", Prepack: "PP1", Packs: 1}}, "D2")
	if err != nil {
		t.Fatal(err)
	}
	if d.Number == "" || d.TotalQty != 9 || d.Lines[0].DeliveryWindow != "D2" || d.TotalAmount != money.MustParse("129.00").Times(9) {
		t.Fatalf("draft %+v", d)
	}
	if _, err := e.svc.SaveDraftLines(ctx, p, "SS27", "ST2001", []ordering.LineRequest{{Color: "KHA", Size: "40", Qty: 4}}, ""); err != nil {
		t.Fatal(err)
	}
	// Replacing one style's grid leaves the others alone.
	d, err = e.svc.SaveDraftLines(ctx, p, "SS27", "ST1001", []ordering.LineRequest{{Color: "BLK", Size: "M", Qty: 3}, {Color: "BLK", Size: "S", Qty: 1}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.TotalQty != 8 || len(d.Lines) != 3 || d.Lines[0].DeliveryWindow != "D2" {
		t.Errorf("draft after edit: qty %d, %d lines, %+v", d.TotalQty, len(d.Lines), d.Lines)
	}
	_, err = e.svc.SaveDraftLines(ctx, p, "SS27", "ST1001", []ordering.LineRequest{{Color: "BLK", Size: "XXXL", Qty: 1}}, "")
	wantErr(t, err, apperr.Validation, []apperr.Detail{{Field: "lines[0].size", Message: "size XXXL is not offered for style ST1001"}})
	_, err = e.svc.SaveDraftLines(ctx, p, "AW26", "ST1001", []ordering.LineRequest{{Color: "BLK", Size: "M", Qty: 1}}, "")
	wantErr(t, err, apperr.SeasonClosed, nil)

	// Another dealer does not see it; head office has no drafts.
	if other, err := e.svc.Draft(ctx, e.who("dealer02@test.test"), "SS27"); err != nil || other.Number != "" {
		t.Errorf("dealer02's draft: %v %q", err, other.Number)
	}
	_, err = e.svc.Draft(ctx, e.who("planner@test.test"), "SS27")
	wantErr(t, err, apperr.Forbidden, nil)
	_, err = e.svc.Draft(ctx, p, "XX99")
	wantErr(t, err, apperr.NotFound, nil)

	// Submitting checks the minimum (BLK has 4 of 6), naming the line.
	_, err = e.svc.SubmitDraft(ctx, p, "SS27", "basket")
	wantErr(t, err, apperr.Validation, []apperr.Detail{{Field: "ST1001 BLK S.qty", Message: "style ST1001 color BLK: 4 pieces ordered, the minimum per color is 6"}})
	if _, err := e.svc.SaveDraftLines(ctx, p, "SS27", "ST1001", []ordering.LineRequest{{Color: "BLK", Size: "M", Qty: 5}, {Color: "BLK", Size: "S", Qty: 1}}, ""); err != nil {
		t.Fatal(err)
	}
	o, err := e.svc.SubmitDraft(ctx, p, "SS27", "basket")
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != d.Number || o.Status != ordering.StatusSubmitted || o.Reference != "basket" || o.TotalQty != 10 || o.SubmittedAt == nil {
		t.Errorf("submitted draft %+v", o)
	}
	kinds := []string{}
	for _, ev := range o.History {
		kinds = append(kinds, ev.Kind)
	}
	if diff := cmp.Diff([]string{"draft_created", "draft_updated", "draft_updated", "draft_updated", "submitted"}, kinds); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if after, _ := e.svc.Draft(ctx, p, "SS27"); after.Number != "" {
		t.Errorf("draft still there after submitting: %s", after.Number)
	}
	_, err = e.svc.SubmitDraft(ctx, p, "SS27", "")
	wantErr(t, err, apperr.NotFound, nil)

	// A draft can be dropped with Cancel.
	if _, err := e.svc.SaveDraftLines(ctx, p, "SS27", "ST3001", []ordering.LineRequest{{Color: "RED", Size: "M", Qty: 1}}, ""); err != nil {
		t.Fatal(err)
	}
	dr, _ := e.svc.Draft(ctx, p, "SS27")
	if c, err := e.svc.Cancel(ctx, p, dr.Number); err != nil || c.Status != ordering.StatusCancelled {
		t.Errorf("cancel draft: %v %s", err, c.Status)
	}
}

func TestSubmitMany(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.who("dealer01@test.test")
	good := ordering.SubmitRequest{Season: "SS27", Reference: "imp", Lines: []ordering.LineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 6, Label: "row 2"}}}
	bad := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST1001", Color: "BLK", Size: "XXXL", Qty: 6, Label: "row 3"}}}
	_, _, err := e.svc.SubmitMany(ctx, p, []ordering.SubmitRequest{good, bad}, "")
	wantErr(t, err, apperr.Validation, []apperr.Detail{{Field: "row 3.size", Message: "size XXXL is not offered for style ST1001"}})
	if n := e.count(`SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("%d orders after a refused batch", n)
	}
	orders, created, err := e.svc.SubmitMany(ctx, p, []ordering.SubmitRequest{good, good}, "import-1")
	if err != nil || !created || len(orders) != 2 {
		t.Fatalf("batch: %v %v %d", err, created, len(orders))
	}
	again, created, err := e.svc.SubmitMany(ctx, p, []ordering.SubmitRequest{good, good}, "import-1")
	if err != nil || created || !cmp.Equal(orders[1].Number, again[1].Number) {
		t.Errorf("replayed batch: %v %v", err, created)
	}
	// The credit check of a batch counts its earlier orders.
	d40 := e.who("dealer40@test.test")
	big := ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{{Style: "ST2001", Color: "KHA", Size: "36", Qty: 300}}}
	_, _, err = e.svc.SubmitMany(ctx, d40, []ordering.SubmitRequest{big, big}, "")
	if e := wantErr(t, err, apperr.CreditLimitExceeded, nil); !strings.HasPrefix(e.Message, "order 2 ") {
		t.Errorf("message %q", e.Message)
	}
}
