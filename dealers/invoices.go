package dealers

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Invoice states, derived from the amounts and the due date.
const (
	InvoiceOpen    = "open"
	InvoiceOverdue = "overdue"
	InvoicePaid    = "paid"
)

// Invoice is what a dealer owes for a shipped order.
type Invoice struct {
	ID          int64        `json:"-"`
	DealerID    int          `json:"-"`
	Number      string       `json:"number"`
	Dealer      string       `json:"dealer"`
	DealerName  string       `json:"dealer_name"`
	Order       string       `json:"order"`
	Currency    string       `json:"currency"`
	Amount      money.Amount `json:"amount"`
	Paid        money.Amount `json:"paid"`
	Balance     money.Amount `json:"balance"`
	IssuedOn    Date         `json:"issued_on"`
	DueOn       Date         `json:"due_on"`
	Status      string       `json:"status"`
	DaysOverdue int          `json:"days_overdue"`
	Payments    []Payment    `json:"payments,omitempty"`
}

// settle derives the balance, the state and the days overdue as of today.
func (in *Invoice) settle(today Date) {
	in.Balance = in.Amount - in.Paid
	in.DaysOverdue = 0
	switch {
	case in.Balance <= 0:
		in.Status = InvoicePaid
	case today.After(in.DueOn.Time):
		in.Status = InvoiceOverdue
		in.DaysOverdue = today.DaysSince(in.DueOn)
	default:
		in.Status = InvoiceOpen
	}
}

// Payment is money received against an invoice.
type Payment struct {
	Amount    money.Amount `json:"amount"`
	PaidOn    Date         `json:"paid_on"`
	Reference string       `json:"reference"`
	User      string       `json:"recorded_by,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
}

// InvoiceQuery selects invoices in a scope.
type InvoiceQuery struct {
	Dealer string // dealer code; "" for all in scope
	Status string // open (includes overdue) | overdue | paid; "" for all
	Today  Date   // for the overdue state
	Limit  int
}

// InvoiceFilter is the caller's invoice list filter.
type InvoiceFilter struct {
	Dealer string
	Status string
}

// MaxInvoices is the longest invoice list.
const MaxInvoices = 500

// Invoices lists invoices in scope, newest first; a dealer naming another
// dealer gets not_found. Returns validation_failed for a bad status.
func (s *Service) Invoices(ctx context.Context, p auth.Principal, f InvoiceFilter) ([]Invoice, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	q := InvoiceQuery{Dealer: normCode(f.Dealer), Status: strings.TrimSpace(strings.ToLower(f.Status)),
		Today: DateOf(s.now()), Limit: MaxInvoices}
	switch q.Status {
	case "", InvoiceOpen, InvoiceOverdue, InvoicePaid:
	default:
		return nil, apperr.Field("status", "status must be open, overdue or paid")
	}
	if err := checkDealerFilter(p, q.Dealer); err != nil {
		return nil, err
	}
	out, err := s.store.Invoices(ctx, scope, q)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].settle(q.Today)
	}
	return out, nil
}

// Invoice returns one invoice in scope with its payments; not_found.
func (s *Service) Invoice(ctx context.Context, p auth.Principal, number string) (Invoice, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Invoice{}, err
	}
	number = strings.TrimSpace(number)
	if err := notFoundUnless(number, "invoice"); err != nil {
		return Invoice{}, err
	}
	in, err := s.store.Invoice(ctx, scope, number)
	if err != nil {
		return Invoice{}, err
	}
	in.settle(DateOf(s.now()))
	return in, nil
}

// ShipRequest is the optional body of POST /orders/{number}/ship.
type ShipRequest struct {
	ShippedOn string `json:"shipped_on"` // YYYY-MM-DD; default today
	Key       string `json:"-"`          // the caller's Idempotency-Key; "" for none
}

// Shipment is the result of shipping an order: the order and its invoice.
type Shipment struct {
	Order   OrderSummary `json:"order"`
	Invoice Invoice      `json:"invoice"`
}

// Ship marks a confirmed or in-production order shipped and raises its
// invoice (amount = the order's total, due = shipped date + the dealer's
// payment terms), with an order event, in one transaction; then re-checks
// the dealer's overdue hold. Head office only (forbidden); not_found;
// invalid_state for an order in another state; validation_failed for a
// shipping date in the future or more than a year back.
func (s *Service) Ship(ctx context.Context, p auth.Principal, number string, req ShipRequest) (Shipment, error) {
	if err := headOffice(p, "ship orders"); err != nil {
		return Shipment{}, err
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Shipment{}, err
	}
	now := s.now().UTC()
	today := DateOf(now)
	shipped := today
	at := now
	if v := strings.TrimSpace(req.ShippedOn); v != "" {
		d, err := ParseDate(v)
		switch {
		case err != nil:
			return Shipment{}, apperr.Field("shipped_on", "shipped_on must be a date such as 2026-11-25")
		case d.After(today.Time):
			return Shipment{}, apperr.Field("shipped_on", "shipped_on cannot be in the future")
		case today.DaysSince(d) > 365:
			return Shipment{}, apperr.Field("shipped_on", "shipped_on cannot be more than a year back")
		}
		if !d.Equal(today.Time) {
			shipped, at = d, d.Time.Add(12*time.Hour)
		}
	}
	number = strings.TrimSpace(number)
	if err := notFoundUnless(number, "order"); err != nil {
		return Shipment{}, err
	}
	var out Shipment
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		out, _, err = once(ctx, tx, p, req.Key, "ship "+number, shipped.String(), func() (Shipment, error) {
			return s.ship(ctx, tx, p, number, shipped, at, today)
		})
		return err
	})
	return out, err
}

// ship ships an order in tx (see Ship).
func (s *Service) ship(ctx context.Context, tx Tx, p auth.Principal, number string, shipped Date, at time.Time, today Date) (Shipment, error) {
	var out Shipment
	err := func() error {
		o, a, err := lockOrder(ctx, tx, Scope{}, number)
		if err != nil {
			return err
		}
		if o.Status != "confirmed" && o.Status != "in_production" {
			return apperr.New(apperr.InvalidState, "order %s is %s; only confirmed or in-production orders can be shipped", o.Number, o.Status)
		}
		n, err := tx.NextInvoiceNumber(ctx)
		if err != nil {
			return err
		}
		in := Invoice{Number: InvoiceNumber(n), DealerID: a.ID, Dealer: a.Code, DealerName: a.Name, Order: o.Number, Currency: o.Currency,
			Amount: o.Amount, IssuedOn: shipped, DueOn: shipped.AddDays(a.PaymentTermsDays)}
		if err := tx.ShipOrder(ctx, o.ID, at); err != nil {
			return err
		}
		if in.ID, err = tx.InsertInvoice(ctx, o.ID, in); err != nil {
			return err
		}
		amount := o.Amount
		if err := tx.InsertOrderEvent(ctx, OrderEvent{OrderID: o.ID, DealerID: a.ID, UserID: p.UserID, Kind: "shipped",
			From: o.Status, To: "shipped", Detail: OrderEventDetail{TotalQty: o.Qty, TotalAmount: &amount, Invoice: in.Number}}); err != nil {
			return err
		}
		if _, err := s.applyHolds(ctx, tx, today, []int{a.ID}); err != nil {
			return err
		}
		in.settle(today)
		o.Status, o.ShippedAt, o.Invoice = "shipped", &at, in.Number
		out = Shipment{Order: o.OrderSummary, Invoice: in}
		return nil
	}()
	return out, err
}

// InvoiceNumber formats an invoice number from its sequence value.
func InvoiceNumber(n int64) string { return fmt.Sprintf("INV-%06d", n) }

// lockOrder finds an order in scope, locks its dealer and then the order,
// in the order every order-changing transaction takes its locks.
func lockOrder(ctx context.Context, tx Tx, scope Scope, number string) (OrderHead, Account, error) {
	head, err := tx.OrderHead(ctx, scope, number)
	if err != nil {
		return OrderHead{}, Account{}, err
	}
	a, err := tx.LockDealerByID(ctx, head.DealerID)
	if err != nil {
		return OrderHead{}, Account{}, err
	}
	o, err := tx.LockOrder(ctx, head.ID)
	return o, a, err
}

// PaymentRequest is the body of POST /invoices/{number}/payments.
type PaymentRequest struct {
	Amount    Decimal `json:"amount"`
	PaidOn    string  `json:"paid_on"` // YYYY-MM-DD; default today
	Reference string  `json:"reference"`
	// Key is the caller's Idempotency-Key ("" for none): a repeat records nothing.
	Key string `json:"-"`
}

// MaxPaymentReference is the longest payment reference.
const MaxPaymentReference = 100

// RecordPayment records a payment against an invoice and raises the
// invoice's paid amount, in one transaction; then re-checks the dealer's
// overdue hold (a dealer paid up comes off an automatic hold). Head office
// only; not_found; validation_failed naming the field for an amount that
// is not positive or more than the balance (no overpayment), or a date in
// the future.
func (s *Service) RecordPayment(ctx context.Context, p auth.Principal, number string, req PaymentRequest) (Invoice, error) {
	if err := headOffice(p, "record payments"); err != nil {
		return Invoice{}, err
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Invoice{}, err
	}
	today := DateOf(s.now())
	var details []apperr.Detail
	amount, err := money.Parse(string(req.Amount))
	switch {
	case req.Amount == "":
		details = append(details, apperr.Detail{Field: "amount", Message: "amount is required"})
	case err != nil:
		details = append(details, apperr.Detail{Field: "amount", Message: "amount must be an amount such as \"100.00\""})
	case amount <= 0:
		details = append(details, apperr.Detail{Field: "amount", Message: "amount must be more than 0.00"})
	}
	paidOn := today
	if v := strings.TrimSpace(req.PaidOn); v != "" {
		d, err := ParseDate(v)
		switch {
		case err != nil:
			details = append(details, apperr.Detail{Field: "paid_on", Message: "paid_on must be a date such as 2026-11-25"})
		case d.After(today.Time):
			details = append(details, apperr.Detail{Field: "paid_on", Message: "paid_on cannot be in the future"})
		}
		paidOn = d
	}
	ref := strings.TrimSpace(req.Reference)
	details = checkText(details, false, "reference", ref)
	if utf8.RuneCountInString(ref) > MaxPaymentReference {
		details = append(details, apperr.Detail{Field: "reference", Message: fmt.Sprintf("reference may have at most %d characters", MaxPaymentReference)})
	}
	if len(details) > 0 {
		return Invoice{}, apperr.Invalid(details[0].Message, details...)
	}
	number = strings.TrimSpace(number)
	if err := notFoundUnless(number, "invoice"); err != nil {
		return Invoice{}, err
	}
	var out Invoice
	asked := struct {
		Amount    money.Amount
		PaidOn    string
		Reference string
	}{amount, paidOn.String(), ref}
	err = s.store.InTx(ctx, func(tx Tx) error {
		var err error
		out, _, err = once(ctx, tx, p, req.Key, "payment "+number, asked, func() (Invoice, error) {
			return s.pay(ctx, tx, p, number, amount, paidOn, ref, today)
		})
		return err
	})
	if err != nil {
		return Invoice{}, err
	}
	out.settle(today)
	return out, nil
}

// pay records a payment in tx (see RecordPayment).
func (s *Service) pay(ctx context.Context, tx Tx, p auth.Principal, number string, amount money.Amount, paidOn Date, ref string, today Date) (Invoice, error) {
	var out Invoice
	err := func() error {
		head, err := tx.Invoice(ctx, Scope{}, number)
		if err != nil {
			return err
		}
		if _, err := tx.LockDealerByID(ctx, head.DealerID); err != nil {
			return err
		}
		in, err := tx.LockInvoice(ctx, head.ID)
		if err != nil {
			return err
		}
		balance := in.Amount - in.Paid
		if amount > balance {
			return apperr.Invalid(fmt.Sprintf("the payment is more than the balance of invoice %s", in.Number),
				apperr.Detail{Field: "amount", Message: fmt.Sprintf("at most %s %s is open on invoice %s", balance, in.Currency, in.Number)})
		}
		if paidOn.Before(in.IssuedOn.Time) {
			return apperr.Field("paid_on", "paid_on cannot be before the invoice was issued (%s)", in.IssuedOn)
		}
		if err := tx.InsertPayment(ctx, in.ID, in.DealerID, Payment{Amount: amount, PaidOn: paidOn, Reference: ref}, p.UserID); err != nil {
			return err
		}
		if _, err := s.applyHolds(ctx, tx, today, []int{in.DealerID}); err != nil {
			return err
		}
		out, err = tx.Invoice(ctx, Scope{}, number)
		return err
	}()
	return out, err
}
