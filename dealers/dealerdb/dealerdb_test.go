package dealerdb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/dealers/dealerdb"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// env is the orderingtest fixture with the ordering and dealers services;
// the dealers service runs on a clock the test moves.
type env struct {
	t   *testing.T
	ctx context.Context
	db  *sqlx.DB
	ord *ordering.Service
	svc *dealers.Service
	now time.Time
	mu  sync.Mutex
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.New(t)
	orderingtest.New(t, db)
	e := &env{t: t, ctx: context.Background(), db: db, ord: ordering.NewService(orderdb.New(db), nil),
		now: time.Now().UTC()}
	e.svc = dealers.NewService(dealerdb.New(db), e.clock)
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *env) who(email string) auth.Principal { return orderingtest.Principal(e.t, e.db, email) }

func m(s string) money.Amount { return money.MustParse(s) }

// confirmed submits an order for the dealer user and has head office confirm it.
func (e *env) confirmed(dealerEmail string, lines ...ordering.LineRequest) ordering.Order {
	e.t.Helper()
	o, _, err := e.ord.Submit(e.ctx, e.who(dealerEmail), ordering.SubmitRequest{Season: "SS27", Lines: lines}, "")
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.ord.Confirm(e.ctx, e.who("planner@test.test"), []string{o.Number}); err != nil {
		e.t.Fatal(err)
	}
	return o
}

// shipped is confirmed and then shipped by the dealers service.
func (e *env) shipped(dealerEmail string, lines ...ordering.LineRequest) dealers.Shipment {
	e.t.Helper()
	o := e.confirmed(dealerEmail, lines...)
	s, err := e.svc.Ship(e.ctx, e.who("planner@test.test"), o.Number, dealers.ShipRequest{})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

var shirt6 = ordering.LineRequest{Style: "ST1001", Color: "BLK", Size: "M", Qty: 6} // 6 × 129.00 = 774.00 for D001

func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	return e
}

// orderingExposure is the figure the ordering service checks credit against.
func (e *env) orderingExposure(dealerID int) money.Amount {
	e.t.Helper()
	var exp money.Amount
	err := orderdb.New(e.db).InTx(e.ctx, func(tx ordering.Tx) error {
		var err error
		exp, err = tx.Exposure(e.ctx, dealerID, 0)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return exp
}

func TestExposureAddsUp(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	d1 := e.who("dealer01@test.test")

	// Open orders: one submitted (774.00) and one confirmed (2 × 774.00).
	if _, _, err := e.ord.Submit(e.ctx, d1, ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt6}}, ""); err != nil {
		t.Fatal(err)
	}
	e.confirmed("dealer01@test.test", ordering.LineRequest{Style: "ST1001", Color: "NVY", Size: "L", Qty: 12})
	// A shipped order (774.00) invoiced, 300.00 paid; a return of 2 approved: credit 258.00.
	s := e.shipped("dealer01@test.test", shirt6)
	if _, err := e.svc.RecordPayment(e.ctx, planner, s.Invoice.Number, dealers.PaymentRequest{Amount: "300.00"}); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: s.Order.Number, Reason: "seams open",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(e.ctx, planner, r.Number, dealers.DecisionRequest{}); err != nil {
		t.Fatal(err)
	}

	rec, err := e.svc.Get(e.ctx, planner, "D001")
	if err != nil {
		t.Fatal(err)
	}
	want := dealers.Exposure{OpenOrders: m("2322.00"), UnpaidInvoices: m("474.00"), CreditNotes: m("258.00"),
		Total: m("2538.00"), CreditLimit: m("1000000.00"), Available: m("997462.00"), Currency: "CNY"}
	if diff := cmp.Diff(want, rec.Exposure); diff != "" {
		t.Errorf("exposure (-want +got):\n%s", diff)
	}
	x := rec.Exposure
	if x.OpenOrders+x.UnpaidInvoices-x.CreditNotes != x.Total || x.CreditLimit-x.Total != x.Available {
		t.Errorf("parts do not add up: %+v", x)
	}
	if got := e.orderingExposure(rec.ID); got != x.Total {
		t.Errorf("ordering's exposure %s, the record's %s", got, x.Total)
	}
	// The list shows the same figure.
	list, err := e.svc.List(e.ctx, planner, dealers.ListFilter{Q: "d001"})
	if err != nil || len(list) != 1 || list[0].Exposure != x {
		t.Errorf("list %+v %v", list, err)
	}
}

func TestShipRaisesInvoiceAndPayments(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	o := e.confirmed("dealer01@test.test", shirt6)

	_, err := e.svc.Ship(e.ctx, e.who("dealer01@test.test"), o.Number, dealers.ShipRequest{})
	wantCode(t, err, apperr.Forbidden)
	_, err = e.svc.Ship(e.ctx, planner, o.Number, dealers.ShipRequest{ShippedOn: e.now.AddDate(0, 0, 1).Format("2006-01-02")})
	wantCode(t, err, apperr.Validation)

	s, err := e.svc.Ship(e.ctx, planner, o.Number, dealers.ShipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	today := dealers.DateOf(e.now)
	in := s.Invoice
	if in.Amount != o.TotalAmount || in.Amount != m("774.00") || in.IssuedOn != today || in.DueOn != today.AddDays(30) ||
		in.Status != dealers.InvoiceOpen || in.Order != o.Number || in.Dealer != "D001" {
		t.Errorf("invoice %+v", in)
	}
	after, err := e.ord.Get(e.ctx, planner, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	last := after.History[len(after.History)-1]
	if after.Status != ordering.StatusShipped || after.Version != o.Version+2 || last.Kind != "shipped" ||
		last.From != ordering.StatusConfirmed || last.To != ordering.StatusShipped || last.User != "planner@test.test" {
		t.Errorf("order %s v%d, last event %+v", after.Status, after.Version, last)
	}
	// Shipping twice is refused.
	_, err = e.svc.Ship(e.ctx, planner, o.Number, dealers.ShipRequest{})
	wantCode(t, err, apperr.InvalidState)
	_, err = e.svc.Ship(e.ctx, planner, "SO-NOPE", dealers.ShipRequest{})
	wantCode(t, err, apperr.NotFound)

	// Payments: no overpayment, no zero, then part and rest.
	pay := func(amount string) (dealers.Invoice, error) {
		return e.svc.RecordPayment(e.ctx, planner, in.Number, dealers.PaymentRequest{Amount: dealers.Decimal(amount), Reference: "TT-1"})
	}
	ae := wantCode(t, func() error { _, err := pay("774.01"); return err }(), apperr.Validation)
	if ae.Details[0].Field != "amount" {
		t.Errorf("overpay details %+v", ae.Details)
	}
	for _, bad := range []string{"0", "-5", "abc", "1.234", ""} {
		_, err := pay(bad)
		wantCode(t, err, apperr.Validation)
	}
	_, err = e.svc.RecordPayment(e.ctx, e.who("dealer01@test.test"), in.Number, dealers.PaymentRequest{Amount: "1.00"})
	wantCode(t, err, apperr.Forbidden)
	got, err := pay("500.00")
	if err != nil {
		t.Fatal(err)
	}
	if got.Paid != m("500.00") || got.Balance != m("274.00") || got.Status != dealers.InvoiceOpen || len(got.Payments) != 1 {
		t.Errorf("after part payment %+v", got)
	}
	got, err = pay("274.00")
	if err != nil {
		t.Fatal(err)
	}
	if got.Paid != m("774.00") || got.Balance != 0 || got.Status != dealers.InvoicePaid || len(got.Payments) != 2 {
		t.Errorf("after full payment %+v", got)
	}

	// Invoices are scoped: D002's user sees none of D001's.
	d2 := e.who("dealer02@test.test")
	if _, err := e.svc.Invoice(e.ctx, d2, in.Number); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("D002 reads D001's invoice: %v", err)
	}
	if list, err := e.svc.Invoices(e.ctx, d2, dealers.InvoiceFilter{}); err != nil || len(list) != 0 {
		t.Errorf("D002 lists %d invoices, %v", len(list), err)
	}
	if _, err := e.svc.Invoices(e.ctx, d2, dealers.InvoiceFilter{Dealer: "D001"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("D002 filters by D001: %v", err)
	}
	if list, err := e.svc.Invoices(e.ctx, e.who("dealer01@test.test"), dealers.InvoiceFilter{Status: "paid"}); err != nil || len(list) != 1 {
		t.Errorf("D001 paid invoices %d %v", len(list), err)
	}
}

func TestOverdueHoldAndRelease(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	s := e.shipped("dealer01@test.test", shirt6) // due in 30 days; hold after 30 more
	var d001 int
	if err := e.db.Get(&d001, `SELECT id FROM dealers WHERE code = 'D001'`); err != nil {
		t.Fatal(err)
	}
	status := func() (string, bool, string) {
		var r struct {
			Status string `db:"status"`
			Auto   bool   `db:"auto_hold"`
			Reason string `db:"hold_reason"`
		}
		if err := e.db.Get(&r, `SELECT status, auto_hold, hold_reason FROM dealers WHERE id = $1`, d001); err != nil {
			t.Fatal(err)
		}
		return r.Status, r.Auto, r.Reason
	}

	// Due + 30 days is not yet "more than 30 days" overdue.
	e.advance(60 * 24 * time.Hour)
	res, err := e.svc.ApplyOverdueHolds(e.ctx, e.clock())
	if err != nil || len(res.Held) != 0 {
		t.Fatalf("day 60: %+v %v", res, err)
	}
	e.advance(24 * time.Hour)
	if _, err := e.svc.SweepHolds(e.ctx, e.who("dealer01@test.test")); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("dealer sweeps: %v", err)
	}
	res, err = e.svc.SweepHolds(e.ctx, planner)
	if err != nil || !cmp.Equal(res.Held, []string{"D001"}) || len(res.Released) != 0 {
		t.Fatalf("day 61: %+v %v", res, err)
	}
	if st, auto, reason := status(); st != "on_hold" || !auto || reason == "" {
		t.Errorf("after the sweep: %s auto=%v %q", st, auto, reason)
	}
	// An on-hold dealer cannot order.
	_, _, err = e.ord.Submit(e.ctx, e.who("dealer01@test.test"), ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt6}}, "")
	wantCode(t, err, apperr.DealerOnHold)
	// A second sweep changes nothing.
	if res, err := e.svc.ApplyOverdueHolds(e.ctx, e.clock()); err != nil || len(res.Held)+len(res.Released) != 0 {
		t.Errorf("second sweep %+v %v", res, err)
	}
	rec, err := e.svc.Get(e.ctx, planner, "D001")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Exposure.Overdue != m("774.00") || rec.Invoices[0].Status != dealers.InvoiceOverdue || rec.Invoices[0].DaysOverdue != 31 {
		t.Errorf("record: overdue %s, invoice %+v", rec.Exposure.Overdue, rec.Invoices[0])
	}

	// Paying part is not enough; paying the rest releases at once.
	if _, err := e.svc.RecordPayment(e.ctx, planner, s.Invoice.Number, dealers.PaymentRequest{Amount: "700.00"}); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := status(); st != "on_hold" {
		t.Errorf("after a part payment: %s", st)
	}
	if _, err := e.svc.RecordPayment(e.ctx, planner, s.Invoice.Number, dealers.PaymentRequest{Amount: "74.00"}); err != nil {
		t.Fatal(err)
	}
	if st, auto, reason := status(); st != "active" || auto || reason != "" {
		t.Errorf("after paying up: %s auto=%v %q", st, auto, reason)
	}
	// Both were audited as automatic changes (no user).
	var events []struct {
		Kind   string `db:"kind"`
		User   *int   `db:"user_id"`
		Reason string `db:"reason"`
	}
	if err := e.db.Select(&events, `SELECT kind, user_id, reason FROM dealer_events WHERE dealer_id = $1 ORDER BY id`, d001); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Kind != "auto_hold" || events[1].Kind != "auto_release" || events[0].User != nil || events[1].User != nil {
		t.Errorf("events %+v", events)
	}

	// A hold head office puts is not released by the sweep.
	if _, err := e.svc.Update(e.ctx, planner, "D001", dealers.UpdateRequest{Status: ptr("on_hold"), Reason: "dispute"}); err != nil {
		t.Fatal(err)
	}
	if res, err := e.svc.ApplyOverdueHolds(e.ctx, e.clock()); err != nil || len(res.Released) != 0 {
		t.Errorf("manual hold released: %+v %v", res, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestUpdateIsAudited(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	limit := dealers.Decimal("250000.00")
	rec, err := e.svc.Update(e.ctx, planner, "d040", dealers.UpdateRequest{CreditLimit: &limit, PaymentTermsDays: ptr(45),
		Reason: "annual review"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.CreditLimit != m("250000.00") || rec.PaymentTermsDays != 45 || len(rec.Events) != 1 {
		t.Fatalf("record %+v", rec.Summary)
	}
	ev := rec.Events[0]
	want := map[string]dealers.Change{
		"credit_limit":       {From: ptr("50000.00"), To: ptr("250000.00")},
		"payment_terms_days": {From: ptr("30"), To: ptr("45")},
	}
	if ev.Kind != "updated" || ev.Reason != "annual review" || ev.User != "planner@test.test" || !cmp.Equal(want, ev.Changes) {
		t.Errorf("event %+v", ev)
	}
	// The ordering service sees the new limit at once.
	d, err := orderdb.New(e.db).Dealer(e.ctx, "D040")
	if err != nil || d.CreditLimit != m("250000.00") {
		t.Errorf("ordering sees %s %v", d.CreditLimit, err)
	}

	// Bad input names each field; nothing is written.
	bad := dealers.Decimal("-1")
	_, err = e.svc.Update(e.ctx, planner, "D040", dealers.UpdateRequest{CreditLimit: &bad, PaymentTermsDays: ptr(400),
		CreditPolicy: ptr("maybe"), Status: ptr("gone")})
	ae := wantCode(t, err, apperr.Validation)
	var fields []string
	for _, d := range ae.Details {
		fields = append(fields, d.Field)
	}
	if diff := cmp.Diff([]string{"credit_limit", "payment_terms_days", "credit_policy", "status", "reason"}, fields); diff != "" {
		t.Errorf("fields: %s", diff)
	}
	_, err = e.svc.Update(e.ctx, planner, "D999", dealers.UpdateRequest{Status: ptr("active"), Reason: "x"})
	wantCode(t, err, apperr.NotFound)
	_, err = e.svc.Update(e.ctx, e.who("dealer40@test.test"), "D040", dealers.UpdateRequest{Status: ptr("active"), Reason: "x"})
	wantCode(t, err, apperr.Forbidden)

	// Put on hold and back: the hold reason follows.
	rec, err = e.svc.Update(e.ctx, planner, "D040", dealers.UpdateRequest{Status: ptr("on_hold"), Reason: "unpaid samples"})
	if err != nil || rec.Status != "on_hold" || rec.HoldReason != "unpaid samples" || rec.Events[0].Kind != "status_changed" {
		t.Fatalf("hold: %+v %v", rec.Summary, err)
	}
	// Notes are for head office; dealers get no notes and no events.
	if _, err := e.svc.AddNote(e.ctx, planner, "D040", dealers.NoteRequest{Body: "  called the owner  "}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AddNote(e.ctx, planner, "D040", dealers.NoteRequest{Body: "   "})
	wantCode(t, err, apperr.Validation)
	_, err = e.svc.AddNote(e.ctx, e.who("dealer40@test.test"), "D040", dealers.NoteRequest{Body: "hi"})
	wantCode(t, err, apperr.Forbidden)
	own, err := e.svc.Get(e.ctx, e.who("dealer40@test.test"), "D040")
	if err != nil || own.Notes != nil || own.Events != nil || own.Code != "D040" {
		t.Errorf("dealer's own record: notes %v events %v %v", own.Notes, own.Events, err)
	}
	ho, err := e.svc.Get(e.ctx, planner, "D040")
	if err != nil || len(ho.Notes) != 1 || ho.Notes[0].Body != "called the owner" || ho.Notes[0].Author != "Planner" {
		t.Errorf("notes %+v %v", ho.Notes, err)
	}
}

func TestScopes(t *testing.T) {
	e := newEnv(t)
	d1 := e.who("dealer01@test.test")
	sup := e.who("supplier01@test.test")
	if _, err := e.svc.Get(e.ctx, d1, "D002"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("dealer reads another record: %v", err)
	}
	if list, err := e.svc.List(e.ctx, d1, dealers.ListFilter{}); err != nil || len(list) != 1 || list[0].Code != "D001" {
		t.Errorf("dealer's list %v %v", list, err)
	}
	if _, err := e.svc.Get(e.ctx, sup, "D001"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("supplier: %v", err)
	}
	if _, err := e.svc.Analysis(e.ctx, d1, dealers.AnalysisParams{Season: "SS27"}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("dealer analysis: %v", err)
	}
	all, err := e.svc.List(e.ctx, e.who("admin@test.test"), dealers.ListFilter{Region: "south", Status: "active"})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range all {
		codes = append(codes, d.Code)
	}
	if diff := cmp.Diff([]string{"D002", "D040", "D050"}, codes); diff != "" {
		t.Errorf("south active: %s", diff)
	}
	if list, err := e.svc.List(e.ctx, e.who("admin@test.test"), dealers.ListFilter{Q: "100%_"}); err != nil || len(list) != 0 {
		t.Errorf("q with wildcards: %v %v", list, err)
	}
}

func TestReturns(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	d1 := e.who("dealer01@test.test")
	s := e.shipped("dealer01@test.test", shirt6, ordering.LineRequest{Style: "ST1001", Color: "NVY", Size: "L", Qty: 6})
	stock := func(color, size string) int {
		var n int
		err := e.db.Get(&n, `SELECT COALESCE((SELECT h.qty FROM stock_on_hand h JOIN skus k ON k.id = h.sku_id
JOIN styles st ON st.id = k.style_id JOIN colors c ON c.id = k.color_id JOIN sizes sz ON sz.id = k.size_id
WHERE st.code = 'ST1001' AND c.code = $1 AND sz.code = $2), 0)`, color, size)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	blkM, nvyL := stock("BLK", "M"), stock("NVY", "L") // 5 and 2 in the fixture

	// Not yet shipped: invalid_state; another dealer: not_found.
	o := e.confirmed("dealer01@test.test", shirt6)
	_, err := e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: o.Number, Reason: "x",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 1}}})
	wantCode(t, err, apperr.InvalidState)
	_, err = e.svc.RequestReturn(e.ctx, e.who("dealer02@test.test"), dealers.ReturnRequest{Order: s.Order.Number, Reason: "x",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 1}}})
	wantCode(t, err, apperr.NotFound)
	// Too many, an unknown SKU, no reason: 422 naming the line.
	_, err = e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: s.Order.Number, Reason: "x",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 7}, {Style: "ST1001", Color: "WHT", Size: "M", Qty: 1}}})
	ae := wantCode(t, err, apperr.Validation)
	if len(ae.Details) != 2 || ae.Details[0].Field != "lines[1]" || ae.Details[1].Field != "lines[0].qty" {
		t.Errorf("details %+v", ae.Details)
	}
	_, err = e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: s.Order.Number,
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 0}}})
	ae = wantCode(t, err, apperr.Validation)
	if len(ae.Details) != 2 || ae.Details[0].Field != "reason" || ae.Details[1].Field != "lines[0].qty" {
		t.Errorf("details %+v", ae.Details)
	}

	r, err := e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: s.Order.Number, Reason: "wrong colour",
		Lines: []dealers.ReturnLineRequest{{Style: "st1001", Color: "blk", Size: "m", Qty: 2}, {Style: "ST1001", Color: "NVY", Size: "L", Qty: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "requested" || r.TotalQty != 5 || r.Amount != m("645.00") || r.Dealer != "D001" || len(r.Lines) != 2 {
		t.Errorf("return %+v", r)
	}
	// Requested quantities count: only 4 BLK M are left.
	_, err = e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: s.Order.Number, Reason: "more",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 5}}})
	wantCode(t, err, apperr.Validation)

	// Approve: dealers may not; stock and credit change.
	_, err = e.svc.Approve(e.ctx, d1, r.Number, dealers.DecisionRequest{})
	wantCode(t, err, apperr.Forbidden)
	before, _ := e.svc.Get(e.ctx, planner, "D001")
	ap, err := e.svc.Approve(e.ctx, planner, r.Number, dealers.DecisionRequest{Reason: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if ap.Status != "approved" || ap.CreditAmount != m("645.00") || ap.DecidedBy != "planner@test.test" || ap.DecidedAt == nil {
		t.Errorf("approved %+v", ap)
	}
	if got := stock("BLK", "M"); got != blkM+2 {
		t.Errorf("BLK M stock %d, want %d", got, blkM+2)
	}
	if got := stock("NVY", "L"); got != nvyL+3 {
		t.Errorf("NVY L stock %d, want %d", got, nvyL+3)
	}
	after, _ := e.svc.Get(e.ctx, planner, "D001")
	if after.Exposure.CreditNotes-before.Exposure.CreditNotes != m("645.00") || before.Exposure.Total-after.Exposure.Total != m("645.00") {
		t.Errorf("exposure before %+v after %+v", before.Exposure, after.Exposure)
	}
	_, err = e.svc.Approve(e.ctx, planner, r.Number, dealers.DecisionRequest{})
	wantCode(t, err, apperr.InvalidState)

	// Reject needs a reason; a rejected return frees its quantities again.
	r2, err := e.svc.RequestReturn(e.ctx, d1, dealers.ReturnRequest{Order: s.Order.Number, Reason: "again",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Reject(e.ctx, planner, r2.Number, dealers.DecisionRequest{Reason: " "})
	wantCode(t, err, apperr.Validation)
	rj, err := e.svc.Reject(e.ctx, planner, r2.Number, dealers.DecisionRequest{Reason: "outside the return window"})
	if err != nil || rj.Status != "rejected" || rj.CreditAmount != 0 || rj.DecisionReason != "outside the return window" {
		t.Fatalf("rejected %+v %v", rj, err)
	}
	if _, lines, err := e.svc.ReturnableLines(e.ctx, d1, s.Order.Number); err != nil || lines[0].Available() != 4 {
		t.Errorf("returnable %+v %v", lines, err)
	}
	// Both sides see the returns; the other dealer does not.
	if list, err := e.svc.Returns(e.ctx, d1, dealers.ReturnFilter{}); err != nil || len(list) != 2 {
		t.Errorf("dealer's returns %d %v", len(list), err)
	}
	if list, err := e.svc.Returns(e.ctx, e.who("dealer02@test.test"), dealers.ReturnFilter{}); err != nil || len(list) != 0 {
		t.Errorf("D002 sees %d returns %v", len(list), err)
	}
	if _, err := e.svc.Return(e.ctx, e.who("dealer02@test.test"), r.Number); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("D002 reads D001's return: %v", err)
	}
}

// Parallel requests for the same SKU never return more than was shipped.
func TestParallelReturnsCannotExceedShipped(t *testing.T) {
	e := newEnv(t)
	s := e.shipped("dealer01@test.test", ordering.LineRequest{Style: "ST1001", Color: "BLK", Size: "M", Qty: 10})
	d1, d1b := e.who("dealer01@test.test"), e.who("dealer01b@test.test")
	const workers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := d1
			if i%2 == 1 {
				p = d1b
			}
			req := dealers.ReturnRequest{Order: s.Order.Number, Reason: fmt.Sprint("batch ", i),
				Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 3}}}
			if i < workers/2 {
				req.Key = fmt.Sprint("key-", i) // claims take key-share locks on the dealer first
			}
			_, err := e.svc.RequestReturn(e.ctx, p, req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case apperr.Is(err, apperr.Validation):
				refused++
			default:
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	var total int
	if err := e.db.Get(&total, `SELECT COALESCE(sum(rl.qty), 0) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
JOIN orders o ON o.id = r.order_id WHERE o.number = $1`, s.Order.Number); err != nil {
		t.Fatal(err)
	}
	if ok != 3 || refused != workers-3 || total != 9 {
		t.Errorf("%d accepted, %d refused, %d returned of 10", ok, refused, total)
	}
}

func TestAnnouncementsAndFeedback(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	d1, d2 := e.who("dealer01@test.test"), e.who("dealer02@test.test") // NORTH, SOUTH

	_, err := e.svc.Publish(e.ctx, d1, dealers.AnnouncementRequest{Title: "x", Body: "y"})
	wantCode(t, err, apperr.Forbidden)
	_, err = e.svc.Publish(e.ctx, planner, dealers.AnnouncementRequest{Title: " ", Body: "y", Region: "MOON"})
	ae := wantCode(t, err, apperr.Validation)
	if ae.Details[0].Field != "title" {
		t.Errorf("details %+v", ae.Details)
	}
	_, err = e.svc.Publish(e.ctx, planner, dealers.AnnouncementRequest{Title: "t", Body: "y", Region: "MOON"})
	wantCode(t, err, apperr.Validation)
	all, err := e.svc.Publish(e.ctx, planner, dealers.AnnouncementRequest{Title: "SS27 cut-off", Body: "Orders close on Friday."})
	if err != nil {
		t.Fatal(err)
	}
	north, err := e.svc.Publish(e.ctx, planner, dealers.AnnouncementRequest{Title: "North roadshow", Body: "See you in Beijing.", Region: "north"})
	if err != nil || north.Region == nil || north.Region.Code != "NORTH" || north.Audience != 2 {
		t.Fatalf("north %+v %v", north, err)
	}
	// D002 (south) sees only the one for everyone and cannot read the other.
	list, err := e.svc.Announcements(e.ctx, d2)
	if err != nil || len(list) != 1 || list[0].ID != all.ID || list[0].Read {
		t.Errorf("D002 sees %+v %v", list, err)
	}
	_, err = e.svc.MarkRead(e.ctx, d2, north.ID)
	wantCode(t, err, apperr.NotFound)
	_, err = e.svc.MarkRead(e.ctx, planner, all.ID)
	wantCode(t, err, apperr.Forbidden)
	a, err := e.svc.MarkRead(e.ctx, d1, north.ID)
	if err != nil || !a.Read || a.ReadAt == nil {
		t.Fatalf("read %+v %v", a, err)
	}
	if _, err := e.svc.MarkRead(e.ctx, d1, north.ID); err != nil {
		t.Errorf("reading twice: %v", err)
	}
	list, _ = e.svc.Announcements(e.ctx, planner)
	reads := map[int]int{}
	for _, a := range list {
		reads[a.ID] = a.Reads
	}
	if reads[north.ID] != 1 || reads[all.ID] != 0 {
		t.Errorf("read counts %v", reads)
	}
	rec, _ := e.svc.Get(e.ctx, planner, "D001")
	if len(rec.Announcements) != 2 || !rec.Announcements[0].Read {
		t.Errorf("D001's record: %+v", rec.Announcements)
	}

	// Feedback: dealers start threads, both sides answer, scoped.
	_, err = e.svc.StartThread(e.ctx, planner, dealers.ThreadRequest{Topic: "product", Subject: "s", Body: "b"})
	wantCode(t, err, apperr.Forbidden)
	_, err = e.svc.StartThread(e.ctx, d1, dealers.ThreadRequest{Topic: "weather", Style: "NOPE", Subject: "", Body: "", Rating: ptr(6)})
	ae = wantCode(t, err, apperr.Validation)
	if len(ae.Details) != 4 {
		t.Errorf("details %+v", ae.Details)
	}
	_, err = e.svc.StartThread(e.ctx, d1, dealers.ThreadRequest{Topic: "product", Style: "NOPE", Subject: "s", Body: "b"})
	wantCode(t, err, apperr.Validation)
	th, err := e.svc.StartThread(e.ctx, d1, dealers.ThreadRequest{Topic: "product", Style: "st1001", Subject: "Collar too tight", Body: "Size M runs small.", Rating: ptr(3)})
	if err != nil || th.Status != "open" || th.Style != "ST1001" || len(th.Messages) != 1 || !th.Messages[0].FromDealer || *th.Rating != 3 {
		t.Fatalf("thread %+v %v", th, err)
	}
	_, err = e.svc.Reply(e.ctx, d2, th.ID, dealers.MessageRequest{Body: "me too"})
	wantCode(t, err, apperr.NotFound)
	th, err = e.svc.Reply(e.ctx, planner, th.ID, dealers.MessageRequest{Body: "We will check the pattern."})
	if err != nil || th.Status != "answered" || len(th.Messages) != 2 || th.Messages[1].FromDealer {
		t.Fatalf("answered %+v %v", th, err)
	}
	th, err = e.svc.Reply(e.ctx, d1, th.ID, dealers.MessageRequest{Body: "Thanks"})
	if err != nil || th.Status != "open" || th.MessageCount != 3 {
		t.Fatalf("reply %+v %v", th, err)
	}
	if list, err := e.svc.Threads(e.ctx, d2, dealers.ThreadFilter{}); err != nil || len(list) != 0 {
		t.Errorf("D002 threads %v %v", list, err)
	}
	if _, err := e.svc.Thread(e.ctx, d2, th.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("D002 reads the thread: %v", err)
	}
	rec, _ = e.svc.Get(e.ctx, d1, "D001")
	if len(rec.Feedback) != 1 || rec.Feedback[0].Subject != "Collar too tight" {
		t.Errorf("feedback on the record %+v", rec.Feedback)
	}
}

// The analysis reads the facts from the database as analysis.go defines
// them: accepted orders less credit notes; goods cost from unit costs.
func TestAnalysisFacts(t *testing.T) {
	e := newEnv(t)
	planner := e.who("planner@test.test")
	// D001: shipped 10 × 129.00 = 1290.00, 2 returned (credit 258.00);
	// D002: submitted 6 × 120.00 = 720.00. Unit cost 40.00 for every style.
	s := e.shipped("dealer01@test.test", ordering.LineRequest{Style: "ST1001", Color: "BLK", Size: "M", Qty: 10})
	r, err := e.svc.RequestReturn(e.ctx, e.who("dealer01@test.test"), dealers.ReturnRequest{Order: s.Order.Number, Reason: "r",
		Lines: []dealers.ReturnLineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(e.ctx, planner, r.Number, dealers.DecisionRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.ord.Submit(e.ctx, e.who("dealer02@test.test"), ordering.SubmitRequest{Season: "SS27", Lines: []ordering.LineRequest{shirt6}}, ""); err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.Analysis(e.ctx, planner, dealers.AnalysisParams{Season: "ss27", DiscountRate: "0", Horizon: "0"})
	if err != nil {
		t.Fatal(err)
	}
	// D001 revenue 1290 − 258 = 1032.00; cost 40 × 8 + 150 handling = 470.00; margin 562.00.
	// D002 revenue 720.00; cost 40 × 6 + 150 = 390.00; margin 330.00.
	got := map[string][2]money.Amount{}
	for _, d := range a.Dealers {
		got[d.Dealer] = [2]money.Amount{d.Value, d.CLV.Historical}
	}
	want := map[string][2]money.Amount{"D001": {m("1032.00"), m("562.00")}, "D002": {m("720.00"), m("330.00")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if a.Pareto.TotalValue != m("1752.00") || a.Pareto.TopShare != "0.5890" || a.HandlingCost != m("150.00") {
		t.Errorf("pareto %+v", a.Pareto)
	}
	_, err = e.svc.Analysis(e.ctx, planner, dealers.AnalysisParams{Season: "XX99"})
	wantCode(t, err, apperr.Validation)
	doc, err := e.svc.AnalysisXLSX(e.ctx, planner, dealers.AnalysisParams{Season: "SS27"})
	if err != nil || len(doc.Body) == 0 || doc.Filename != "dealer-analysis-SS27.xlsx" {
		t.Errorf("xlsx %s %d %v", doc.Filename, len(doc.Body), err)
	}
}
