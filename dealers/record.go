package dealers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Limits of text fields and lists.
const (
	MaxReason      = 500
	MaxNote        = 4000
	MaxQuery       = 100
	RecordListSize = 50 // orders, invoices, returns, threads on a record
	MaxCreditLimit = money.Amount(99_999_999_999_99)
)

// ListFilter selects dealers for List.
type ListFilter struct {
	Region string // region code
	Status string // active | on_hold
	Q      string // part of the code or name
}

// List returns the dealers in scope (a dealer: only itself), by code, with
// their exposure. Returns validation_failed for a bad filter, forbidden for
// suppliers.
func (s *Service) List(ctx context.Context, p auth.Principal, f ListFilter) ([]Summary, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	f.Region, f.Status, f.Q = normCode(f.Region), strings.TrimSpace(strings.ToLower(f.Status)), strings.TrimSpace(f.Q)
	var details []apperr.Detail
	if f.Status != "" && f.Status != StatusActive && f.Status != StatusOnHold {
		details = append(details, apperr.Detail{Field: "status", Message: "status must be active or on_hold"})
	}
	details = checkKey(details, "region", f.Region)
	details = checkText(details, false, "q", f.Q)
	if utf8.RuneCountInString(f.Q) > MaxQuery {
		details = append(details, apperr.Detail{Field: "q", Message: fmt.Sprintf("q may have at most %d characters", MaxQuery)})
	}
	if len(details) > 0 {
		return nil, apperr.Invalid(details[0].Message, details...)
	}
	return s.store.Dealers(ctx, scope, f, DateOf(s.now()))
}

// Regions returns the sales regions (for filters and announcement forms).
func (s *Service) Regions(ctx context.Context, p auth.Principal) ([]Region, error) {
	if _, err := scopeOf(p); err != nil {
		return nil, err
	}
	return s.store.Regions(ctx)
}

// Get returns a dealer's record: master data, contacts, exposure in its
// parts, order history by season, recent orders, invoices, returns,
// feedback and announcements; for head office also the internal notes and
// the audit of changes. Another dealer's code is not_found for dealers.
func (s *Service) Get(ctx context.Context, p auth.Principal, code string) (Record, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Record{}, err
	}
	code = normCode(code)
	if err := notFoundUnless(code, "dealer"); err != nil {
		return Record{}, err
	}
	today := DateOf(s.now())
	r, err := s.store.Dealer(ctx, scope, code, today)
	if err != nil {
		return Record{}, err
	}
	r.AsOf = today
	one := Scope{DealerID: r.ID}
	if r.Contacts, err = s.store.Contacts(ctx, r.ID); err != nil {
		return Record{}, err
	}
	if r.Seasons, err = s.store.SeasonHistory(ctx, r.ID); err != nil {
		return Record{}, err
	}
	if r.Orders, err = s.store.DealerOrders(ctx, r.ID, RecordListSize); err != nil {
		return Record{}, err
	}
	if r.Invoices, err = s.store.Invoices(ctx, one, InvoiceQuery{Limit: RecordListSize}); err != nil {
		return Record{}, err
	}
	for i := range r.Invoices {
		r.Invoices[i].settle(today)
	}
	if r.Returns, err = s.store.Returns(ctx, one, ReturnQuery{Limit: RecordListSize}); err != nil {
		return Record{}, err
	}
	if r.Feedback, err = s.store.Threads(ctx, one, ThreadQuery{Limit: RecordListSize}); err != nil {
		return Record{}, err
	}
	aq := AnnouncementQuery{DealerID: r.ID, Limit: RecordListSize}
	if p.Role == auth.RoleDealer {
		aq.UserID = p.UserID
	}
	if r.Announcements, err = s.store.Announcements(ctx, aq); err != nil {
		return Record{}, err
	}
	if r.OverdueDays, err = s.store.OverdueHoldDays(ctx); err != nil {
		return Record{}, err
	}
	if p.IsHeadOffice() {
		if r.Notes, err = s.store.Notes(ctx, r.ID); err != nil {
			return Record{}, err
		}
		if r.Events, err = s.store.Events(ctx, r.ID); err != nil {
			return Record{}, err
		}
	}
	return r, nil
}

// Decimal is a decimal number as the client wrote it, in a JSON string or
// as a number literal; the service parses it exactly (never via a float)
// and names the field when it is not a number.
type Decimal string

// UnmarshalJSON keeps the literal text.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*d = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		s = v
	}
	*d = Decimal(strings.TrimSpace(s))
	return nil
}

// UpdateRequest changes a dealer's credit and status (PATCH
// /dealers/{code}); nil fields stay as they are. Reason is required.
type UpdateRequest struct {
	CreditLimit      *Decimal `json:"credit_limit"`
	PaymentTermsDays *int     `json:"payment_terms_days"`
	CreditPolicy     *string  `json:"credit_policy"`
	Status           *string  `json:"status"`
	Reason           string   `json:"reason"`
}

// Event kinds of dealer_events.
const (
	EventCreditLimit  = "credit_limit_changed"
	EventTerms        = "payment_terms_changed"
	EventPolicy       = "credit_policy_changed"
	EventStatus       = "status_changed"
	EventUpdated      = "updated" // several fields at once
	EventAutoHold     = "auto_hold"
	EventAutoRelease  = "auto_release"
	EventNoteAdded    = "note_added"
	EventOrderShipped = "order_shipped"
)

// Update changes a dealer's credit limit, payment terms, credit policy or
// status (head office only; forbidden otherwise), recording who, why and
// each field's old and new value in one audit event, in one transaction.
// Putting a dealer on hold keeps the reason as the hold reason; setting it
// active clears the hold (also an automatic one; the overdue sweep puts it
// back on hold while invoices stay overdue). Returns validation_failed
// naming each bad field, not_found for an unknown dealer.
func (s *Service) Update(ctx context.Context, p auth.Principal, code string, req UpdateRequest) (Record, error) {
	if err := headOffice(p, "change dealers' credit and status"); err != nil {
		return Record{}, err
	}
	code = normCode(code)
	if err := notFoundUnless(code, "dealer"); err != nil {
		return Record{}, err
	}
	reason := strings.TrimSpace(req.Reason)
	var details []apperr.Detail
	bad := func(field, format string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	var limit money.Amount
	if req.CreditLimit != nil {
		v, err := money.Parse(string(*req.CreditLimit))
		switch {
		case err != nil:
			bad("credit_limit", "credit_limit must be an amount such as \"250000.00\"")
		case v < 0 || v > MaxCreditLimit:
			bad("credit_limit", "credit_limit must be between 0.00 and %s", MaxCreditLimit)
		}
		limit = v
	}
	if req.PaymentTermsDays != nil && (*req.PaymentTermsDays < 0 || *req.PaymentTermsDays > 365) {
		bad("payment_terms_days", "payment_terms_days must be between 0 and 365")
	}
	if req.CreditPolicy != nil {
		v := strings.TrimSpace(strings.ToLower(*req.CreditPolicy))
		if v != PolicyRefuse && v != PolicyHold {
			bad("credit_policy", "credit_policy must be refuse or hold")
		}
		req.CreditPolicy = &v
	}
	if req.Status != nil {
		v := strings.TrimSpace(strings.ToLower(*req.Status))
		if v != StatusActive && v != StatusOnHold {
			bad("status", "status must be active or on_hold")
		}
		req.Status = &v
	}
	if req.CreditLimit == nil && req.PaymentTermsDays == nil && req.CreditPolicy == nil && req.Status == nil {
		bad("body", "give at least one of credit_limit, payment_terms_days, credit_policy, status")
	}
	switch {
	case reason == "":
		bad("reason", "reason is required: say why the change is made")
	case utf8.RuneCountInString(reason) > MaxReason:
		bad("reason", "reason may have at most %d characters", MaxReason)
	}
	details = checkText(details, true, "reason", reason)
	if len(details) > 0 {
		return Record{}, apperr.Invalid(details[0].Message, details...)
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		a, err := tx.LockDealer(ctx, code)
		if err != nil {
			return err
		}
		next := a
		changes := map[string]Change{}
		kinds := []string{}
		if req.CreditLimit != nil && limit != a.CreditLimit {
			next.CreditLimit = limit
			changes["credit_limit"] = Change{From: str(a.CreditLimit.String()), To: str(limit.String())}
			kinds = append(kinds, EventCreditLimit)
		}
		if req.PaymentTermsDays != nil && *req.PaymentTermsDays != a.PaymentTermsDays {
			next.PaymentTermsDays = *req.PaymentTermsDays
			changes["payment_terms_days"] = Change{From: str(fmt.Sprint(a.PaymentTermsDays)), To: str(fmt.Sprint(next.PaymentTermsDays))}
			kinds = append(kinds, EventTerms)
		}
		if req.CreditPolicy != nil && *req.CreditPolicy != a.CreditPolicy {
			next.CreditPolicy = *req.CreditPolicy
			changes["credit_policy"] = Change{From: str(a.CreditPolicy), To: str(next.CreditPolicy)}
			kinds = append(kinds, EventPolicy)
		}
		if req.Status != nil && (*req.Status != a.Status || (a.Status == StatusOnHold && a.AutoHold)) {
			next.Status, next.AutoHold = *req.Status, false
			next.HoldReason = ""
			if next.Status == StatusOnHold {
				next.HoldReason = reason
			}
			changes["status"] = Change{From: str(a.Status), To: str(next.Status)}
			if a.AutoHold {
				changes["auto_hold"] = Change{From: str("true"), To: str("false")}
			}
			kinds = append(kinds, EventStatus)
		}
		if len(kinds) == 0 {
			return nil
		}
		kind := kinds[0]
		if len(kinds) > 1 {
			kind = EventUpdated
		}
		if err := tx.UpdateAccount(ctx, next); err != nil {
			return err
		}
		return tx.InsertEvent(ctx, NewEvent{DealerID: a.ID, UserID: p.UserID, Kind: kind, Reason: reason, Changes: changes})
	})
	if err != nil {
		return Record{}, err
	}
	return s.Get(ctx, p, code)
}

// NoteRequest is the body of POST /dealers/{code}/notes.
type NoteRequest struct {
	Body string `json:"body"`
	Key  string `json:"-"` // the caller's Idempotency-Key; "" for none
}

// AddNote adds an internal note to a dealer's record (head office only).
// Returns validation_failed for an empty or too long body, not_found.
func (s *Service) AddNote(ctx context.Context, p auth.Principal, code string, req NoteRequest) (Note, error) {
	if err := headOffice(p, "write notes on dealers"); err != nil {
		return Note{}, err
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Note{}, err
	}
	body := req.Body
	code = normCode(code)
	if err := notFoundUnless(code, "dealer"); err != nil {
		return Note{}, err
	}
	body = strings.TrimSpace(body)
	if p := textProblem(body, true); p != "" {
		return Note{}, apperr.Field("body", "body %s", p)
	}
	switch {
	case body == "":
		return Note{}, apperr.Field("body", "the note is empty")
	case utf8.RuneCountInString(body) > MaxNote:
		return Note{}, apperr.Field("body", "a note may have at most %d characters", MaxNote)
	}
	var n Note
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		n, _, err = once(ctx, tx, p, req.Key, "note "+code, body, func() (Note, error) {
			a, err := tx.LockDealer(ctx, code)
			if err != nil {
				return Note{}, err
			}
			return tx.InsertNote(ctx, a.ID, p.UserID, body)
		})
		return err
	})
	return n, err
}
