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

// Return states.
const (
	ReturnRequested = "requested"
	ReturnApproved  = "approved"
	ReturnRejected  = "rejected"
)

// Return is a dealer's request to send back SKU quantities of a shipped
// order (an RMA), and head office's decision on it.
type Return struct {
	ID             int64        `json:"-"`
	DealerID       int          `json:"-"`
	Number         string       `json:"number"`
	Dealer         string       `json:"dealer"`
	DealerName     string       `json:"dealer_name"`
	Order          string       `json:"order"`
	Season         string       `json:"season"`
	Status         string       `json:"status"`
	Reason         string       `json:"reason"`
	DecisionReason string       `json:"decision_reason"`
	CreditAmount   money.Amount `json:"credit_amount"` // the credit note of an approved return
	Currency       string       `json:"currency"`
	TotalQty       int          `json:"total_qty"`
	Amount         money.Amount `json:"amount"` // Σ qty × unit price of the lines
	Lines          []ReturnLine `json:"lines"`
	RequestedBy    string       `json:"requested_by,omitempty"`
	DecidedBy      string       `json:"decided_by,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
	DecidedAt      *time.Time   `json:"decided_at,omitempty"`
}

// ReturnLine is one SKU of a return, at the unit price frozen on the order.
type ReturnLine struct {
	Style     string       `json:"style"`
	StyleName string       `json:"style_name"`
	Color     string       `json:"color"`
	Size      string       `json:"size"`
	Qty       int          `json:"qty"`
	UnitPrice money.Amount `json:"unit_price"`
	Amount    money.Amount `json:"amount"`
}

// ReturnQuery selects returns in a scope, newest first.
type ReturnQuery struct {
	Status string
	Dealer string // dealer code
	Limit  int
}

// ReturnRequest is a dealer's return request (POST /returns).
type ReturnRequest struct {
	Order  string              `json:"order"`
	Reason string              `json:"reason"`
	Lines  []ReturnLineRequest `json:"lines"`
	// Key is the caller's Idempotency-Key ("" for none).
	Key string `json:"-"`
}

// ReturnLineRequest is one SKU quantity to return.
type ReturnLineRequest struct {
	Style string `json:"style"`
	Color string `json:"color"`
	Size  string `json:"size"`
	Qty   int    `json:"qty"`
}

// Returnable is a line of a shipped order with what can still be returned:
// Qty shipped less Returned (requested or approved returns count).
type Returnable struct {
	OrderLineID int64
	SKUID       int
	Style       string
	StyleName   string
	Color       string
	Size        string
	Qty         int
	UnitPrice   money.Amount
	Returned    int
}

// Available is what can still be returned of the line.
func (r Returnable) Available() int { return max(0, r.Qty-r.Returned) }

// NewReturnLine is a return line to insert.
type NewReturnLine struct {
	OrderLineID int64
	SKUID       int
	Qty         int
}

// Limits of returns.
const (
	MaxReturnLines = 500
	MaxReturns     = 500
)

// ReturnFilter is the caller's return list filter.
type ReturnFilter struct {
	Status string
	Dealer string
}

// Returns lists returns in scope, newest first. A dealer naming another
// dealer gets not_found; validation_failed for a bad status.
func (s *Service) Returns(ctx context.Context, p auth.Principal, f ReturnFilter) ([]Return, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	q := ReturnQuery{Status: strings.TrimSpace(strings.ToLower(f.Status)), Dealer: normCode(f.Dealer), Limit: MaxReturns}
	switch q.Status {
	case "", ReturnRequested, ReturnApproved, ReturnRejected:
	default:
		return nil, apperr.Field("status", "status must be requested, approved or rejected")
	}
	if err := checkDealerFilter(p, q.Dealer); err != nil {
		return nil, err
	}
	return s.store.Returns(ctx, scope, q)
}

// Return returns one return in scope with its lines; not_found.
func (s *Service) Return(ctx context.Context, p auth.Principal, number string) (Return, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Return{}, err
	}
	number = strings.TrimSpace(number)
	if err := notFoundUnless(number, "return"); err != nil {
		return Return{}, err
	}
	return s.store.Return(ctx, scope, number)
}

// ReturnableLines returns the lines of a shipped or closed order in scope
// with what can still be returned (for the request form); not_found;
// invalid_state for an order not shipped yet.
func (s *Service) ReturnableLines(ctx context.Context, p auth.Principal, number string) (OrderSummary, []Returnable, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return OrderSummary{}, nil, err
	}
	number = strings.TrimSpace(number)
	if err := notFoundUnless(number, "order"); err != nil {
		return OrderSummary{}, nil, err
	}
	o, err := s.store.OrderHead(ctx, scope, number)
	if err != nil {
		return OrderSummary{}, nil, err
	}
	if o.Status != "shipped" && o.Status != "closed" {
		return OrderSummary{}, nil, apperr.New(apperr.InvalidState, "order %s is %s; only shipped orders can be returned", o.Number, o.Status)
	}
	lines, err := s.store.Returnable(ctx, o.ID)
	return o.OrderSummary, lines, err
}

// ReturnableOrders lists the shipped or closed orders in scope that have
// something left to return, newest first (for the request form).
func (s *Service) ReturnableOrders(ctx context.Context, p auth.Principal) ([]OrderSummary, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	return s.store.ReturnableOrders(ctx, scope, RecordListSize)
}

// RequestReturn records a return request on a shipped or closed order in
// one transaction. Dealers request on their own orders (another dealer's
// order is not_found); head office may enter one for a dealer. Lines for
// one SKU are summed. Returns validation_failed naming each bad line (a
// SKU not on the order, a quantity below 1 or above what was shipped less
// what was already returned or requested), invalid_state for an order not
// shipped. The order row is locked, so concurrent requests cannot together
// return more than was shipped.
func (s *Service) RequestReturn(ctx context.Context, p auth.Principal, req ReturnRequest) (Return, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Return{}, err
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Return{}, err
	}
	number := strings.TrimSpace(req.Order)
	reason := strings.TrimSpace(req.Reason)
	var details []apperr.Detail
	bad := func(field, format string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if number == "" {
		bad("order", "order is required")
	}
	switch {
	case reason == "":
		bad("reason", "reason is required: say why the goods come back")
	case utf8.RuneCountInString(reason) > MaxReason:
		bad("reason", "reason may have at most %d characters", MaxReason)
	}
	switch {
	case len(req.Lines) == 0:
		bad("lines", "give at least one line to return")
	case len(req.Lines) > MaxReturnLines:
		bad("lines", "a return may have at most %d lines", MaxReturnLines)
	}
	for i, l := range req.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if normCode(l.Style) == "" || normCode(l.Color) == "" || normCode(l.Size) == "" {
			bad(f, "style, color and size are required")
		}
		if l.Qty < 1 {
			bad(f+".qty", "qty must be at least 1")
		}
	}
	details = checkText(details, true, "reason", reason)
	if len(details) > 0 {
		return Return{}, apperr.Invalid(details[0].Message, details...)
	}
	if err := notFoundUnless(number, "order "+number); err != nil {
		return Return{}, err
	}
	var out Return
	asked := ReturnRequest{Order: number, Reason: reason, Lines: req.Lines}
	err = s.store.InTx(ctx, func(tx Tx) error {
		var err error
		out, _, err = once(ctx, tx, p, req.Key, "return", asked, func() (Return, error) {
			return s.requestReturn(ctx, tx, p, scope, number, reason, req.Lines)
		})
		return err
	})
	return out, err
}

// requestReturn records a return request in tx (see RequestReturn).
func (s *Service) requestReturn(ctx context.Context, tx Tx, p auth.Principal, scope Scope, number, reason string, reqLines []ReturnLineRequest) (Return, error) {
	var out Return
	err := func() error {
		o, a, err := lockOrder(ctx, tx, scope, number)
		if err != nil {
			return err
		}
		if o.Status != "shipped" && o.Status != "closed" {
			return apperr.New(apperr.InvalidState, "order %s is %s; only shipped orders can be returned", o.Number, o.Status)
		}
		have, err := tx.Returnable(ctx, o.ID)
		if err != nil {
			return err
		}
		lines, details := matchReturn(o.Number, have, reqLines)
		if len(details) > 0 {
			return apperr.Invalid(fmt.Sprintf("%d of the lines cannot be returned", len(details)), details...)
		}
		n, err := tx.NextReturnNumber(ctx)
		if err != nil {
			return err
		}
		id, err := tx.InsertReturn(ctx, NewReturn{Number: ReturnNumber(n), DealerID: a.ID, OrderID: o.ID, Reason: reason, RequestedBy: p.UserID}, lines)
		if err != nil {
			return err
		}
		out, err = tx.ReturnByID(ctx, id)
		return err
	}()
	return out, err
}

// NewReturn is a return to insert.
type NewReturn struct {
	Number      string
	DealerID    int
	OrderID     int64
	Reason      string
	RequestedBy int
}

// ReturnNumber formats a return number from its sequence value.
func ReturnNumber(n int64) string { return fmt.Sprintf("RMA-%06d", n) }

// matchReturn matches requested lines to the order's lines, sums lines for
// one SKU and checks each against what is left to return. Details name the
// request line (the first line of a SKU for a sum that is too big).
func matchReturn(order string, have []Returnable, req []ReturnLineRequest) ([]NewReturnLine, []apperr.Detail) {
	type key struct{ style, color, size string }
	byKey := make(map[key]int, len(have))
	for i, h := range have {
		byKey[key{h.Style, h.Color, h.Size}] = i
	}
	sums := map[int]int{}
	first := map[int]int{}
	var seq []int
	var details []apperr.Detail
	for i, l := range req {
		k := key{normCode(l.Style), normCode(l.Color), normCode(l.Size)}
		j, ok := byKey[k]
		if !ok {
			details = append(details, apperr.Detail{Field: fmt.Sprintf("lines[%d]", i),
				Message: fmt.Sprintf("%s %s %s is not on order %s", k.style, k.color, k.size, order)})
			continue
		}
		if _, seen := first[j]; !seen {
			first[j] = i
			seq = append(seq, j)
		}
		sums[j] += l.Qty
	}
	var out []NewReturnLine
	for _, j := range seq {
		h := have[j]
		if sums[j] > h.Available() {
			details = append(details, apperr.Detail{Field: fmt.Sprintf("lines[%d].qty", first[j]),
				Message: fmt.Sprintf("at most %d of %s %s %s can be returned (shipped %d, already returned or requested %d)",
					h.Available(), h.Style, h.Color, h.Size, h.Qty, h.Returned)})
			continue
		}
		out = append(out, NewReturnLine{OrderLineID: h.OrderLineID, SKUID: h.SKUID, Qty: sums[j]})
	}
	return out, details
}

// DecisionRequest is the body of approve and reject.
type DecisionRequest struct {
	Reason string `json:"reason"`
}

// Approve approves a requested return (head office only): the quantities go
// back into stock on hand, the dealer gets a credit note of Σ qty × the
// line's unit price (which reduces its exposure), and the return records
// the decision, in one transaction; then the dealer's overdue hold is
// re-checked. not_found; invalid_state when already decided.
func (s *Service) Approve(ctx context.Context, p auth.Principal, number string, req DecisionRequest) (Return, error) {
	return s.decide(ctx, p, number, ReturnApproved, req.Reason)
}

// Reject rejects a requested return with a reason (required; head office
// only). not_found; invalid_state when already decided.
func (s *Service) Reject(ctx context.Context, p auth.Principal, number string, req DecisionRequest) (Return, error) {
	return s.decide(ctx, p, number, ReturnRejected, req.Reason)
}

func (s *Service) decide(ctx context.Context, p auth.Principal, number, to, reason string) (Return, error) {
	if err := headOffice(p, "decide on returns"); err != nil {
		return Return{}, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case to == ReturnRejected && reason == "":
		return Return{}, apperr.Field("reason", "reason is required: say why the return is rejected")
	case utf8.RuneCountInString(reason) > MaxReason:
		return Return{}, apperr.Field("reason", "reason may have at most %d characters", MaxReason)
	}
	if p := textProblem(reason, true); p != "" {
		return Return{}, apperr.Field("reason", "reason %s", p)
	}
	number = strings.TrimSpace(number)
	if err := notFoundUnless(number, "return"); err != nil {
		return Return{}, err
	}
	now := s.now()
	var out Return
	err := s.store.InTx(ctx, func(tx Tx) error {
		head, err := tx.Return(ctx, Scope{}, number)
		if err != nil {
			return err
		}
		if _, err := tx.LockDealerByID(ctx, head.DealerID); err != nil {
			return err
		}
		r, err := tx.LockReturn(ctx, head.ID)
		if err != nil {
			return err
		}
		if r.Status != ReturnRequested {
			return apperr.New(apperr.InvalidState, "return %s is already %s", r.Number, r.Status)
		}
		var credit money.Amount
		if to == ReturnApproved {
			credit = CreditFor(r.Lines)
			if err := tx.Restock(ctx, r.ID); err != nil {
				return err
			}
			if credit > 0 {
				if err := tx.InsertCreditNote(ctx, r.DealerID, r.ID, credit); err != nil {
					return err
				}
			}
		}
		if err := tx.DecideReturn(ctx, r.ID, to, reason, credit, p.UserID, now); err != nil {
			return err
		}
		if to == ReturnApproved {
			if _, err := s.applyHolds(ctx, tx, DateOf(now), []int{r.DealerID}); err != nil {
				return err
			}
		}
		out, err = tx.ReturnByID(ctx, r.ID)
		return err
	})
	return out, err
}

// CreditFor is the credit of returned lines: Σ qty × unit price.
func CreditFor(lines []ReturnLine) money.Amount {
	var sum money.Amount
	for _, l := range lines {
		sum += l.UnitPrice.Times(l.Qty)
	}
	return sum
}

// checkDealerFilter checks a list's dealer filter: a valid code, and for a
// dealer only its own (another dealer's code is not_found, as for its objects).
func checkDealerFilter(p auth.Principal, code string) error {
	if d := checkKey(nil, "dealer", code); len(d) > 0 {
		return apperr.Invalid(d[0].Message, d...)
	}
	if p.Role == auth.RoleDealer && code != "" && code != p.DealerCode {
		return apperr.New(apperr.NotFound, "dealer %s not found", code)
	}
	return nil
}
