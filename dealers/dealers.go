// Package dealers owns the relationship with dealers: the one shared dealer
// record (master data, contacts, credit limit and terms, exposure, history,
// internal notes, the audit of every change), invoices and payments as far
// as credit needs them (shipping raises an invoice; overdue dealers go on
// hold automatically and come off it when paid), returns (RMA) with
// restocking and credit notes, the dealer value analysis (Pareto, RFM, CLV,
// 16-segment model), announcements with read receipts and feedback threads.
//
// Every method takes the caller's principal and scopes by it: a dealer sees
// only its own dealer's data (anything else is not_found) and may not do
// head-office actions (forbidden); suppliers are forbidden everywhere here.
// The SQL lives in dealers/dealerdb.
package dealers

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Service is the one place where dealer relationships are read and changed;
// the API and the portal both use it.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the service. now is the clock (shipping dates, due
// dates, overdue holds); nil means time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Scope limits what a caller sees: one dealer's data, or (DealerID 0) every
// dealer's.
type Scope struct{ DealerID int }

// All reports whether the scope covers every dealer.
func (s Scope) All() bool { return s.DealerID == 0 }

// scopeOf returns what p may see: dealers their own dealer, head office
// everything; suppliers are forbidden.
func scopeOf(p auth.Principal) (Scope, error) {
	switch p.Role {
	case auth.RoleDealer:
		if p.DealerID > 0 {
			return Scope{DealerID: p.DealerID}, nil
		}
	case auth.RolePlanner, auth.RoleAdmin:
		return Scope{}, nil
	}
	return Scope{}, apperr.New(apperr.Forbidden, "dealer records are for dealers and head office")
}

// headOffice refuses everyone but planners and admins.
func headOffice(p auth.Principal, what string) error {
	if p.IsHeadOffice() {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only head office may %s", what)
}

// Dealer statuses and credit policies (the dealers table).
const (
	StatusActive = "active"
	StatusOnHold = "on_hold"
	PolicyRefuse = "refuse"
	PolicyHold   = "hold"
)

// Region is a sales region.
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// PriceList is the price list a dealer buys from.
type PriceList struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
}

// Exposure is a dealer's credit exposure in its parts (product.md "Credit
// exposure"): Total = OpenOrders + UnpaidInvoices − CreditNotes, the same
// figure the ordering service checks orders against; Available =
// CreditLimit − Total (negative when over the limit). Overdue is the part
// of UnpaidInvoices past its due date (already in UnpaidInvoices).
type Exposure struct {
	OpenOrders     money.Amount `json:"open_orders"`
	UnpaidInvoices money.Amount `json:"unpaid_invoices"`
	CreditNotes    money.Amount `json:"credit_notes"`
	Total          money.Amount `json:"total"`
	CreditLimit    money.Amount `json:"credit_limit"`
	Available      money.Amount `json:"available"`
	Overdue        money.Amount `json:"overdue"`
	Currency       string       `json:"currency"`
}

// NewExposure completes the parts read from the store with the total and
// what is available under the limit.
func NewExposure(open, unpaid, credits, overdue, limit money.Amount, currency string) Exposure {
	total := open + unpaid - credits
	return Exposure{OpenOrders: open, UnpaidInvoices: unpaid, CreditNotes: credits, Total: total,
		CreditLimit: limit, Available: limit - total, Overdue: overdue, Currency: currency}
}

// Summary is a dealer in a list.
type Summary struct {
	ID               int          `json:"-"`
	Code             string       `json:"code"`
	Name             string       `json:"name"`
	Region           Region       `json:"region"`
	PriceList        PriceList    `json:"price_list"`
	Currency         string       `json:"currency"`
	Status           string       `json:"status"`
	HoldReason       string       `json:"hold_reason"`
	AutoHold         bool         `json:"auto_hold"`
	CreditLimit      money.Amount `json:"credit_limit"`
	CreditPolicy     string       `json:"credit_policy"`
	PaymentTermsDays int          `json:"payment_terms_days"`
	Exposure         Exposure     `json:"exposure"`
}

// OnHold reports whether the dealer is on hold.
func (s Summary) OnHold() bool { return s.Status == StatusOnHold }

// Contact is a person at a dealer.
type Contact struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// SeasonHistory is what a dealer ordered in one season: orders in any state
// but draft and cancelled.
type SeasonHistory struct {
	Season   string       `json:"season"`
	Name     string       `json:"season_name"`
	Orders   int          `json:"orders"`
	Qty      int          `json:"qty"`
	Amount   money.Amount `json:"amount"`
	Returned money.Amount `json:"credited"` // credit notes of returns on these orders
	Currency string       `json:"currency"`
}

// OrderSummary is one of a dealer's orders on its record.
type OrderSummary struct {
	Number    string       `json:"number"`
	Season    string       `json:"season"`
	Status    string       `json:"status"`
	Qty       int          `json:"total_qty"`
	Amount    money.Amount `json:"total_amount"`
	Currency  string       `json:"currency"`
	CreatedAt time.Time    `json:"created_at"`
	ShippedAt *time.Time   `json:"shipped_at,omitempty"`
	Invoice   string       `json:"invoice,omitempty"`
}

// Shippable reports whether head office may ship the order now.
func (o OrderSummary) Shippable() bool { return o.Status == "confirmed" || o.Status == "in_production" }

// Note is an internal note of head office on a dealer.
type Note struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// Event is one audited change of a dealer: who (empty for automatic
// changes), why, and each changed field from → to.
type Event struct {
	Kind      string            `json:"kind"`
	Reason    string            `json:"reason"`
	User      string            `json:"user,omitempty"`
	Changes   map[string]Change `json:"changes"`
	CreatedAt time.Time         `json:"created_at"`
}

// Change is a field's value before and after (JSON null for none).
type Change struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

func str(s string) *string { return &s }

// Record is the whole dealer record (GET /dealers/{code}). Notes and Events
// are for head office only and nil for dealers.
type Record struct {
	Summary
	Address       string          `json:"address"`
	CreatedAt     time.Time       `json:"created_at"`
	Contacts      []Contact       `json:"contacts"`
	Seasons       []SeasonHistory `json:"order_history"`
	Orders        []OrderSummary  `json:"orders"`
	Invoices      []Invoice       `json:"invoices"`
	Returns       []Return        `json:"returns"`
	Feedback      []Thread        `json:"feedback"`
	Announcements []Announcement  `json:"announcements"`
	Notes         []Note          `json:"notes,omitempty"`
	Events        []Event         `json:"events,omitempty"`
	OverdueDays   int             `json:"overdue_hold_days"`
	AsOf          Date            `json:"as_of"` // the day overdue amounts are computed for
}

// normCode upper-cases and trims a business code.
func normCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Date is a calendar day, written as "2006-01-02" in JSON.
type Date struct{ time.Time }

// DateLayout is the JSON and form layout of a Date.
const DateLayout = "2006-01-02"

// DateOf returns the UTC calendar day of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// String is the ISO date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// AddDays returns the day n days later.
func (d Date) AddDays(n int) Date { return Date{d.AddDate(0, 0, n)} }

// DaysSince returns the number of days from e to d (d − e).
func (d Date) DaysSince(e Date) int { return int(d.Sub(e.Time).Hours() / 24) }

// MarshalJSON writes "2006-01-02".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "2006-01-02".
func (d *Date) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return apperr.New(apperr.Validation, "dates are written as YYYY-MM-DD")
	}
	*d = v
	return nil
}

// textProblem says why s cannot be stored as text, or "" if it can:
// invalid UTF-8, or control characters (newlines and tabs are allowed in
// multi-line texts). PostgreSQL refuses NUL bytes; the service refuses
// them first, as a validation error naming the field.
func textProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			if multiline {
				continue
			}
			return "may not contain line breaks or tabs"
		}
		if unicode.IsControl(r) {
			return "may not contain control characters"
		}
	}
	return ""
}

// checkText appends a detail for each field whose text cannot be stored.
func checkText(details []apperr.Detail, multiline bool, fields ...string) []apperr.Detail {
	for i := 0; i+1 < len(fields); i += 2 {
		if p := textProblem(fields[i+1], multiline); p != "" {
			details = append(details, apperr.Detail{Field: fields[i], Message: fields[i] + " " + p})
		}
	}
	return details
}

// MaxKey is the longest business key or number the service looks up.
const MaxKey = 64

// lookupKey reports whether s can be a business key or a document number
// (printable ASCII without spaces); anything else cannot exist, so lookups
// answer not_found without asking the database.
func lookupKey(s string) bool {
	if s == "" || len(s) > MaxKey {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// notFoundUnless returns not_found for what unless key can exist.
func notFoundUnless(key, what string) error {
	if lookupKey(key) {
		return nil
	}
	return apperr.New(apperr.NotFound, "%s not found", what)
}

// checkKey appends a detail for a filter that cannot be a key ("" is fine).
func checkKey(details []apperr.Detail, field, key string) []apperr.Detail {
	if key != "" && !lookupKey(key) {
		details = append(details, apperr.Detail{Field: field, Message: field + " is not a valid code"})
	}
	return details
}
