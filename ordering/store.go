package ordering

import (
	"context"
	"time"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
)

// Scope limits what a caller sees: one dealer's orders, or (DealerID 0)
// every dealer's.
type Scope struct{ DealerID int }

// OrderQuery selects orders for a list, newest first.
type OrderQuery struct {
	Season   string   // season code; "" for all
	Dealer   string   // dealer code; "" for all
	Statuses []Status // empty: every state but draft
	BeforeID int64    // cursor: only orders with a smaller id; 0 for the first page
	Limit    int
}

// Queries are the reads the service needs, inside or outside a transaction.
type Queries interface {
	// Dealer returns a dealer by code; apperr.NotFound if there is none.
	Dealer(ctx context.Context, code string) (Dealer, error)
	// DealerByID returns a dealer; apperr.NotFound if there is none.
	DealerByID(ctx context.Context, id int) (Dealer, error)
	// Season returns a season with its delivery windows; apperr.NotFound.
	Season(ctx context.Context, code string) (catalog.Season, error)
	// Order returns an order in scope with its lines, delivery windows and
	// history; apperr.NotFound if there is none in scope.
	Order(ctx context.Context, scope Scope, number string) (Order, error)
	// OrderHead is Order without lines, delivery windows or history.
	OrderHead(ctx context.Context, scope Scope, number string) (Order, error)
	// OrderByID is Order by id, unscoped.
	OrderByID(ctx context.Context, id int64) (Order, error)
	// Orders returns orders in scope without lines or history.
	Orders(ctx context.Context, scope Scope, q OrderQuery) ([]Order, error)
	// DraftNumber returns the number of the dealer's draft for a season.
	DraftNumber(ctx context.Context, dealerID, seasonID int) (string, bool, error)
}

// Store is what the service needs from the database.
type Store interface {
	Queries
	// InTx runs fn in one READ COMMITTED transaction, committing when fn
	// returns nil and rolling back otherwise. fn may be run again after a
	// deadlock, so it must not keep state from a previous run.
	InTx(ctx context.Context, fn func(Tx) error) error
}

// IdemKey is an Idempotency-Key with the request it came with.
type IdemKey struct {
	UserID   int
	Key      string
	DealerID int
	Hash     string // sha256 of the canonical request
}

// StoredResponse is the first response given for an Idempotency-Key.
type StoredResponse struct {
	Hash   string
	Status int
	Body   []byte
}

// NewOrder is an order row to insert.
type NewOrder struct {
	Season      string // season code, for the order number
	DealerID    int
	SeasonID    int
	Status      Status
	Reference   string
	Currency    string
	TotalQty    int
	TotalAmount money.Amount
	CreatedBy   int // user id; 0 for none
	// Lines and Event, if given, are written with the order, in the same
	// statement (the event's OrderID and DealerID are the new order's).
	Lines []Line
	Event *NewEvent
}

// InsertedOrder is what the database set on an inserted order row. Its
// CreatedAt is the transaction's now(), which is also the created_at of
// every event recorded in the same transaction.
type InsertedOrder struct {
	ID          int64
	Number      string // SO-<season>-<sequence, at least 6 digits>
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt *time.Time
	// CreatedByEmail is the email of NewOrder.CreatedBy ("" for none), as
	// an event of that user shows it.
	CreatedByEmail string
}

// OrderUpdate changes an order's state and reference. The store recomputes
// the totals from the lines, increments the version, sets updated_at, and
// the timestamp of the new state when Stamp says so.
type OrderUpdate struct {
	Status    Status
	Reference string
	Stamp     Status // "" or submitted/held/confirmed/cancelled: set that state's timestamp to now
}

// NewEvent is an order event to record.
type NewEvent struct {
	OrderID  int64
	DealerID int
	UserID   int // 0 for automatic changes
	Kind     string
	From, To Status
	Detail   EventDetail
}

// Tx is the service's view of one transaction.
type Tx interface {
	Queries
	// FindIdempotencyKey returns the response stored for a user's key, or
	// nil when the key is new.
	FindIdempotencyKey(ctx context.Context, userID int, key string) (*StoredResponse, error)
	// RecordIdempotencyKey stores a new key with its response, after the
	// work; false (nothing stored) when a concurrent request with the same
	// key stored it first: the work must then be rolled back.
	RecordIdempotencyKey(ctx context.Context, k IdemKey, status int, body []byte) (bool, error)
	// LockDealer locks the dealer row (FOR NO KEY UPDATE) and returns the
	// dealer; apperr.NotFound. Every order-changing transaction locks its
	// dealer first, so credit checks of one dealer run one at a time.
	LockDealer(ctx context.Context, id int) (Dealer, error)
	// LockOrder locks an order in scope (FOR UPDATE) and returns it without
	// lines; apperr.NotFound.
	LockOrder(ctx context.Context, scope Scope, number string) (Order, error)
	// LockDraft locks the dealer's draft for a season, if there is one.
	LockDraft(ctx context.Context, dealerID, seasonID int) (Order, bool, error)
	// Lines returns an order's lines, sorted as SortLines does.
	Lines(ctx context.Context, orderID int64) ([]Line, error)
	// StyleInfos returns the styles with the given codes that the season
	// offers, priced from the price list, in one round of queries; their
	// Prepacks at least when prepacks is true (the lines to resolve use
	// one; a store may return them anyway).
	StyleInfos(ctx context.Context, seasonID, priceListID int, codes []string, prepacks bool) (map[string]StyleInfo, error)
	// Exposure is the dealer's credit exposure: the value of its orders in
	// ExposureStatuses (but the order excludeOrderID) plus its unpaid
	// invoices, less the credit notes of its approved returns.
	Exposure(ctx context.Context, dealerID int, excludeOrderID int64) (money.Amount, error)
	// InsertOrder inserts an order row, numbered from the order number
	// sequence, with its lines and event if o has them, in one statement,
	// and returns what the database set (id, number, version, timestamps,
	// the creator's email), so that the caller can return the order it
	// wrote without reading it back.
	InsertOrder(ctx context.Context, o NewOrder) (InsertedOrder, error)
	// PutLines inserts lines of an order, or updates the SKUs it already has.
	PutLines(ctx context.Context, orderID int64, dealerID int, lines []Line) error
	// DeleteLines removes an order's lines for the given SKUs.
	DeleteLines(ctx context.Context, orderID int64, skuIDs []int) error
	// UpdateOrder applies u to an order (see OrderUpdate).
	UpdateOrder(ctx context.Context, orderID int64, u OrderUpdate) error
	// InsertEvent records an order event.
	InsertEvent(ctx context.Context, e NewEvent) error
}
