package dealers

import (
	"context"
	"time"

	"github.com/sizerun/sizerun/money"
)

// Queries are the reads the service needs, inside or outside a
// transaction. Methods taking a Scope return apperr.NotFound for objects
// outside it.
type Queries interface {
	// Dealers returns the dealers in scope matching f, by code, with their
	// exposure (overdue as of today).
	Dealers(ctx context.Context, scope Scope, f ListFilter, today Date) ([]Summary, error)
	// Dealer returns a dealer's master data and exposure (the Summary,
	// Address and CreatedAt of a Record); apperr.NotFound.
	Dealer(ctx context.Context, scope Scope, code string, today Date) (Record, error)
	Regions(ctx context.Context) ([]Region, error)
	// RegionID and StyleID resolve codes; apperr.NotFound.
	RegionID(ctx context.Context, code string) (int, error)
	StyleID(ctx context.Context, code string) (int, error)
	Contacts(ctx context.Context, dealerID int) ([]Contact, error)
	// SeasonHistory sums a dealer's orders (but drafts and cancelled ones)
	// per season, newest season first.
	SeasonHistory(ctx context.Context, dealerID int) ([]SeasonHistory, error)
	// DealerOrders returns a dealer's latest orders (not drafts).
	DealerOrders(ctx context.Context, dealerID, limit int) ([]OrderSummary, error)
	Notes(ctx context.Context, dealerID int) ([]Note, error)
	Events(ctx context.Context, dealerID int) ([]Event, error)
	// OverdueHoldDays is the setting overdue_hold_days
	// (DefaultOverdueHoldDays when missing or invalid).
	OverdueHoldDays(ctx context.Context) (int, error)
	// HoldStates returns the overdue state of the given dealers (nil: all)
	// counting invoices due before cutoff, by dealer id.
	HoldStates(ctx context.Context, cutoff Date, dealerIDs []int) ([]HoldState, error)

	// Invoices returns invoices in scope, newest first, without payments.
	Invoices(ctx context.Context, scope Scope, q InvoiceQuery) ([]Invoice, error)
	// Invoice returns an invoice in scope with its payments.
	Invoice(ctx context.Context, scope Scope, number string) (Invoice, error)

	// OrderHead returns an order in scope without lines.
	OrderHead(ctx context.Context, scope Scope, number string) (OrderHead, error)
	// Returnable returns an order's lines with the quantities already in
	// requested or approved returns.
	Returnable(ctx context.Context, orderID int64) ([]Returnable, error)
	// ReturnableOrders returns shipped or closed orders in scope with
	// something left to return, newest first.
	ReturnableOrders(ctx context.Context, scope Scope, limit int) ([]OrderSummary, error)
	// Returns returns returns in scope, newest first, with their lines.
	Returns(ctx context.Context, scope Scope, q ReturnQuery) ([]Return, error)
	// Return and ReturnByID return one return with its lines.
	Return(ctx context.Context, scope Scope, number string) (Return, error)
	ReturnByID(ctx context.Context, id int64) (Return, error)

	Announcements(ctx context.Context, q AnnouncementQuery) ([]Announcement, error)
	// Announcement returns one announcement; with q.DealerID only if that
	// dealer sees it (else apperr.NotFound).
	Announcement(ctx context.Context, id int, q AnnouncementQuery) (Announcement, error)
	// Threads returns feedback threads in scope without messages.
	Threads(ctx context.Context, scope Scope, q ThreadQuery) ([]Thread, error)
	// Thread returns a thread in scope with its messages.
	Thread(ctx context.Context, scope Scope, id int64) (Thread, error)

	// Seasons returns every season, oldest first.
	Seasons(ctx context.Context) ([]SeasonRef, error)
	// AnalysisFacts returns every season (oldest first) and every dealer's
	// facts per season, and the handling cost per order.
	AnalysisFacts(ctx context.Context) (AnalysisInput, error)
}

// Store is what the service needs from the database.
type Store interface {
	Queries
	// InTx runs fn in one READ COMMITTED transaction, committing when fn
	// returns nil. fn may run again after a deadlock, so it must not keep
	// state from a previous run.
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Account is a dealer's credit and status row, as locked for a change.
type Account struct {
	ID               int
	Code             string
	Name             string
	Status           string
	HoldReason       string
	AutoHold         bool
	CreditLimit      money.Amount
	CreditPolicy     string
	PaymentTermsDays int
	Currency         string
}

// NewEvent is a dealer event (audit) to record; UserID 0 for automatic
// changes.
type NewEvent struct {
	DealerID int
	UserID   int
	Kind     string
	Reason   string
	Changes  map[string]Change
}

// OrderHead is an order as shipping and returns need it.
type OrderHead struct {
	OrderSummary
	ID       int64
	DealerID int
}

// OrderEvent is an order event to record (order_events).
type OrderEvent struct {
	OrderID  int64
	DealerID int
	UserID   int
	Kind     string
	From, To string
	Detail   OrderEventDetail
}

// OrderEventDetail is the detail of an order event; its fields match the
// ordering package's event detail, plus the invoice raised.
type OrderEventDetail struct {
	TotalQty    int           `json:"total_qty,omitempty"`
	TotalAmount *money.Amount `json:"total_amount,omitempty"`
	Invoice     string        `json:"invoice,omitempty"`
}

// Tx is the service's view of one transaction. Locks are taken dealer
// first, then the order, invoice, return or thread, like the ordering
// service does, so that concurrent transactions cannot deadlock.
type Tx interface {
	Queries
	// LockDealer and LockDealerByID lock a dealer row; apperr.NotFound.
	LockDealer(ctx context.Context, code string) (Account, error)
	LockDealerByID(ctx context.Context, id int) (Account, error)
	// UpdateAccount writes a dealer's credit limit, terms, policy, status,
	// hold reason and automatic-hold flag.
	UpdateAccount(ctx context.Context, a Account) error
	// SetHold sets a dealer's status, hold reason and automatic-hold flag.
	SetHold(ctx context.Context, dealerID int, status, reason string, auto bool) error
	InsertEvent(ctx context.Context, e NewEvent) error
	InsertNote(ctx context.Context, dealerID, userID int, body string) (Note, error)

	// LockOrder locks an order row and returns it.
	LockOrder(ctx context.Context, id int64) (OrderHead, error)
	// ShipOrder sets an order shipped at the given time, with a new version.
	ShipOrder(ctx context.Context, orderID int64, at time.Time) error
	InsertOrderEvent(ctx context.Context, e OrderEvent) error
	NextInvoiceNumber(ctx context.Context) (int64, error)
	InsertInvoice(ctx context.Context, orderID int64, in Invoice) (int64, error)
	// LockInvoice locks an invoice row and returns it without payments.
	LockInvoice(ctx context.Context, id int64) (Invoice, error)
	// InsertPayment records a payment and adds it to the invoice's paid amount.
	InsertPayment(ctx context.Context, invoiceID int64, dealerID int, pm Payment, userID int) error

	NextReturnNumber(ctx context.Context) (int64, error)
	InsertReturn(ctx context.Context, r NewReturn, lines []NewReturnLine) (int64, error)
	// LockReturn locks a return row and returns it with its lines.
	LockReturn(ctx context.Context, id int64) (Return, error)
	// Restock adds a return's quantities to stock on hand.
	Restock(ctx context.Context, returnID int64) error
	InsertCreditNote(ctx context.Context, dealerID int, returnID int64, amount money.Amount) error
	DecideReturn(ctx context.Context, id int64, status, reason string, credit money.Amount, userID int, at time.Time) error

	InsertAnnouncement(ctx context.Context, title, body string, regionID, userID int) (int, error)
	// MarkRead records a read receipt (the first one stays).
	MarkRead(ctx context.Context, announcementID, userID, dealerID int) error
	InsertThread(ctx context.Context, t NewThread) (int64, error)
	// LockThread locks a thread in scope and returns it without messages.
	LockThread(ctx context.Context, scope Scope, id int64) (Thread, error)
	// InsertMessage adds a message to a thread and sets its status.
	InsertMessage(ctx context.Context, threadID int64, dealerID, userID int, body, status string) error

	// ClaimIdempotencyKey inserts the key, or, if the caller already used
	// it (waiting for a concurrent transaction that holds it to finish),
	// returns the stored answer.
	ClaimIdempotencyKey(ctx context.Context, c IdemClaim) (*IdemStored, error)
	// SaveIdempotencyResponse records the answer of a claimed key.
	SaveIdempotencyResponse(ctx context.Context, userID int, key string, status int, body []byte) error
}
