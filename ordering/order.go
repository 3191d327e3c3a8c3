// Package ordering owns dealers' orders: submission with every business rule
// of head office (season open, style, colour, size, quantities, prepacks,
// minimum order, frozen prices, dealer on hold, credit), idempotent retries,
// amendments with optimistic locking, cancellation, confirmation by
// planners, the server-side draft ("basket") and the audit of every change.
// The one Service here is used by the API, the portal and the import alike.
// The SQL lives in ordering/orderdb.
package ordering

import (
	"time"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
)

// Status is the state of an order (product.md "Order").
type Status string

// The order states. Held is a submitted order over the dealer's credit limit,
// waiting for head office (dealers whose credit policy is "hold").
const (
	StatusDraft        Status = "draft"
	StatusSubmitted    Status = "submitted"
	StatusHeld         Status = "held"
	StatusConfirmed    Status = "confirmed"
	StatusInProduction Status = "in_production"
	StatusShipped      Status = "shipped"
	StatusClosed       Status = "closed"
	StatusCancelled    Status = "cancelled"
)

// Statuses lists every state, in lifecycle order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusHeld, StatusConfirmed,
	StatusInProduction, StatusShipped, StatusClosed, StatusCancelled}

// ExposureStatuses are the states whose order value counts towards a
// dealer's credit exposure.
var ExposureStatuses = []Status{StatusSubmitted, StatusHeld, StatusConfirmed, StatusInProduction}

// Valid reports whether s is a known state.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Amendable reports whether lines of an order in state s may be replaced
// (before cut-off).
func (s Status) Amendable() bool {
	return s == StatusSubmitted || s == StatusHeld || s == StatusConfirmed
}

// Cancellable reports whether an order in state s may be cancelled (before
// cut-off, except drafts, which may be dropped at any time).
func (s Status) Cancellable() bool { return s == StatusDraft || s.Amendable() }

// Order is a dealer's order for one season. Its JSON form is api.md's order
// object plus extra fields (names, delivery windows, history).
type Order struct {
	ID         int64  `json:"-"`
	Number     string `json:"number"`
	DealerID   int    `json:"-"`
	Dealer     string `json:"dealer"`
	DealerName string `json:"dealer_name"`
	SeasonID   int    `json:"-"`
	Season     string `json:"season"`
	SeasonName string `json:"season_name"`
	Status     Status `json:"status"`
	Reference  string `json:"reference"`
	Currency   string `json:"currency"`
	TotalQty   int    `json:"total_qty"`
	// TotalAmount is Σ line amounts, at the prices frozen on the lines.
	TotalAmount money.Amount `json:"total_amount"`
	Lines       []Line       `json:"lines"`
	// DeliveryWindows are the season's windows that lines of this order
	// ship in, in shipping order (to group lines by window).
	DeliveryWindows []catalog.DeliveryWindow `json:"delivery_windows"`
	// History is every recorded change, oldest first.
	History     []Event    `json:"history"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	Version     int        `json:"version"`
}

// Line is one SKU of an order: a quantity at a unit price frozen when the
// order was submitted.
type Line struct {
	SKUID              int          `json:"-"`
	StyleID            int          `json:"-"`
	ColorID            int          `json:"-"`
	SizeID             int          `json:"-"`
	SizePosition       int          `json:"-"`
	DeliveryWindowID   int          `json:"-"`
	Style              string       `json:"style"`
	StyleName          string       `json:"style_name"`
	Color              string       `json:"color"`
	ColorName          string       `json:"color_name"`
	Size               string       `json:"size"`
	Qty                int          `json:"qty"`
	UnitPrice          money.Amount `json:"unit_price"`
	Amount             money.Amount `json:"amount"`
	DeliveryWindow     string       `json:"delivery_window,omitempty"`
	DeliveryWindowName string       `json:"delivery_window_name,omitempty"`
}

// Event is one recorded change of an order: who, when, from which state to
// which, and what changed.
type Event struct {
	At     time.Time   `json:"at"`
	Kind   string      `json:"kind"`
	From   Status      `json:"from_status,omitempty"`
	To     Status      `json:"to_status,omitempty"`
	User   string      `json:"user,omitempty"` // the user's email; empty for automatic changes
	Detail EventDetail `json:"detail"`
}

// Event kinds.
const (
	EventSubmitted    = "submitted"
	EventHeld         = "held" // submitted over the credit limit, held for head office
	EventAmended      = "amended"
	EventCancelled    = "cancelled"
	EventConfirmed    = "confirmed"
	EventDraftCreated = "draft_created"
	EventDraftUpdated = "draft_updated"
)

// EventDetail is what changed. It is a typed struct (not free JSON) so an
// order's JSON is the same however often it is stored and read back.
type EventDetail struct {
	Lines       int            `json:"lines,omitempty"`
	TotalQty    int            `json:"total_qty,omitempty"`
	TotalAmount *money.Amount  `json:"total_amount,omitempty"`
	Reference   *Change        `json:"reference,omitempty"`
	Added       []LineChange   `json:"added,omitempty"`
	Removed     []LineChange   `json:"removed,omitempty"`
	Changed     []LineChange   `json:"changed,omitempty"`
	Credit      *CreditFigures `json:"credit,omitempty"`
}

// Change is a before/after pair of a text field.
type Change struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// LineChange is the change of one SKU's quantity (From 0: added; To 0: removed).
type LineChange struct {
	Style string `json:"style"`
	Color string `json:"color"`
	Size  string `json:"size"`
	From  int    `json:"from_qty"`
	To    int    `json:"to_qty"`
	// Window is set when the SKU moved to another delivery window.
	Window *Change `json:"delivery_window,omitempty"`
}

// CreditFigures are the three figures of a credit decision, in the dealer's
// currency.
type CreditFigures struct {
	Limit      money.Amount `json:"credit_limit"`
	Exposure   money.Amount `json:"exposure"`
	OrderValue money.Amount `json:"order_value"`
	Currency   string       `json:"currency"`
}

// Exceeded reports whether exposure + order value is above the limit.
func (f CreditFigures) Exceeded() bool { return f.Exposure+f.OrderValue > f.Limit }

// SubmitRequest is an order as a dealer (or a planner on a dealer's behalf)
// submits it: api.md's POST /orders body.
type SubmitRequest struct {
	Season    string        `json:"season"`
	Dealer    string        `json:"dealer,omitempty"`
	Reference string        `json:"reference,omitempty"`
	Lines     []LineRequest `json:"lines"`
}

// LineRequest is one requested line: a size and quantity, or a prepack and a
// number of packs, of a style's colour. DeliveryWindow optionally picks the
// season's delivery window for the style (one window per style and order;
// default: the style's current window, else the season's first).
type LineRequest struct {
	Style          string `json:"style"`
	Color          string `json:"color"`
	Size           string `json:"size,omitempty"`
	Qty            int    `json:"qty,omitempty"`
	Prepack        string `json:"prepack,omitempty"`
	Packs          int    `json:"packs,omitempty"`
	DeliveryWindow string `json:"delivery_window,omitempty"`
	// Label replaces "lines[i]" in error details (the import sets "row 7",
	// giving "row 7.size"). Not part of the request's identity.
	Label string `json:"-"`
}

// Dealer is what ordering needs to know about a dealer.
type Dealer struct {
	ID           int
	Code         string
	Name         string
	Status       string // active | on_hold
	HoldReason   string
	CreditLimit  money.Amount
	CreditPolicy string // refuse | hold
	PriceListID  int
	Currency     string
}

// Dealer statuses and credit policies.
const (
	DealerActive = "active"
	DealerOnHold = "on_hold"
	PolicyRefuse = "refuse"
	PolicyHold   = "hold"
)

// Page is one page of a list of orders.
type Page struct {
	Items      []Order
	NextCursor string
}
