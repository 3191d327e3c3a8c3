// Package overview owns the read models of the portal's home pages: what a
// dealer, a planner, a supplier and an administrator see first after signing
// in. Every read is scoped by the caller: a dealer sees only its own dealer's
// orders, a supplier only its own fabrics.
package overview

import (
	"context"
	"time"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Season states, as shown on the home pages.
const (
	StateUpcoming = "upcoming" // ordering has not opened yet
	StateOpen     = "open"     // dealers may order
	StateCutoff   = "cutoff"   // past the order cut-off, not yet closed
	StateClosed   = "closed"   // closed by head office
)

// CountedStatuses are the order states the season totals count: everything a
// dealer has committed to and head office has not refused (no drafts, no
// orders held for approval, no cancelled ones).
var CountedStatuses = []string{"submitted", "confirmed", "in_production", "shipped", "closed"}

// Season is a selling season with its order window.
type Season struct {
	Code     string
	Name     string
	StartsOn time.Time
	OpensAt  time.Time
	CutoffAt time.Time
	Closed   bool
	State    string // one of the State constants, set by the service
	DaysLeft int    // whole days until the cut-off while open (0 on the last day)
}

// Dealer is the signed-in dealer.
type Dealer struct {
	Code   string
	Name   string
	OnHold bool
}

// Order is one line of a dealer's order list.
type Order struct {
	Number   string
	Season   string
	Status   string
	Qty      int
	Amount   money.Amount
	Currency string
	Date     time.Time // submitted, or created for drafts
}

// CurrencyAmount is an amount of money in one currency.
type CurrencyAmount struct {
	Currency string
	Amount   money.Amount
}

// SeasonTotals sums the counted orders of a season. Amounts are per currency,
// since dealers on different price lists pay in different currencies.
type SeasonTotals struct {
	Season
	Orders  int
	Dealers int
	Qty     int
	Amounts []CurrencyAmount
}

// Fabric is one of a supplier's fabrics.
type Fabric struct {
	Code          string
	Name          string
	Unit          string // m or kg
	LeadTimeWeeks int
}

// Supplier is the signed-in supplier.
type Supplier struct {
	Code string
	Name string
}

// User is a row of the administrator's user list.
type User struct {
	Email        string
	Name         string
	Role         auth.Role
	DealerCode   string
	DealerName   string
	SupplierCode string
	SupplierName string
	Locale       string
	Active       bool
}

// DealerHome is a dealer's home page.
type DealerHome struct {
	Dealer  Dealer
	Seasons []Season // seasons open for ordering, or opening soon
	Orders  []Order  // the dealer's most recent orders
}

// PlannerHome is a planner's home page.
type PlannerHome struct {
	Seasons  []SeasonTotals // the seasons not yet closed and the last closed one, newest first
	Current  *SeasonTotals  // the newest season whose ordering has opened
	Previous *SeasonTotals  // the season before Current
	// Changes of Current against Previous in percent; nil when there is nothing to compare.
	OrdersChange, DealersChange, QtyChange *int
}

// SupplierHome is a supplier's home page.
type SupplierHome struct {
	Supplier Supplier
	Fabrics  []Fabric
}

// AdminHome is an administrator's home page.
type AdminHome struct {
	Users     []User
	Truncated bool // more users exist than UserLimit
}

// Home is the home page of the caller's role; exactly one field is set.
type Home struct {
	Dealer   *DealerHome
	Planner  *PlannerHome
	Supplier *SupplierHome
	Admin    *AdminHome
}

// Limits of the lists on the home pages.
const (
	RecentOrderLimit = 10
	UserLimit        = 500
)

// Store is what the service needs from the database.
type Store interface {
	// Dealer returns the dealer; apperr.NotFound if there is none.
	Dealer(ctx context.Context, dealerID int) (Dealer, error)
	// OrderableSeasons returns the seasons not closed whose cut-off is after now, by cut-off.
	OrderableSeasons(ctx context.Context, now time.Time) ([]Season, error)
	// RecentOrders returns the dealer's newest orders, newest first.
	RecentOrders(ctx context.Context, dealerID, limit int) ([]Order, error)
	// SeasonTotals returns the totals of orders in the given statuses for the
	// seasons not closed and the newest closed one, newest first.
	SeasonTotals(ctx context.Context, statuses []string) ([]SeasonTotals, error)
	// Supplier returns the supplier; apperr.NotFound if there is none.
	Supplier(ctx context.Context, supplierID int) (Supplier, error)
	// SupplierFabrics returns the supplier's fabrics by code.
	SupplierFabrics(ctx context.Context, supplierID int) ([]Fabric, error)
	// Users returns up to limit users, by role and email.
	Users(ctx context.Context, limit int) ([]User, error)
}

// Service builds the home pages.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the service; now may be nil for the wall clock.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Home returns the home page of p's role. Returns apperr.Forbidden for a
// principal without a role, and apperr.NotFound if p's dealer or supplier no
// longer exists.
func (s *Service) Home(ctx context.Context, p auth.Principal) (Home, error) {
	switch p.Role {
	case auth.RoleDealer:
		h, err := s.DealerHome(ctx, p)
		return Home{Dealer: &h}, err
	case auth.RolePlanner:
		h, err := s.PlannerHome(ctx, p)
		return Home{Planner: &h}, err
	case auth.RoleSupplier:
		h, err := s.SupplierHome(ctx, p)
		return Home{Supplier: &h}, err
	case auth.RoleAdmin:
		h, err := s.AdminHome(ctx, p)
		return Home{Admin: &h}, err
	}
	return Home{}, apperr.New(apperr.Forbidden, "unknown role")
}

// DealerHome returns the open seasons and the recent orders of p's dealer.
// Returns apperr.Forbidden unless p is a dealer.
func (s *Service) DealerHome(ctx context.Context, p auth.Principal) (DealerHome, error) {
	if p.Role != auth.RoleDealer || p.DealerID <= 0 {
		return DealerHome{}, apperr.New(apperr.Forbidden, "only dealers have a dealer home page")
	}
	d, err := s.store.Dealer(ctx, p.DealerID)
	if err != nil {
		return DealerHome{}, err
	}
	now := s.now()
	seasons, err := s.store.OrderableSeasons(ctx, now)
	if err != nil {
		return DealerHome{}, err
	}
	for i := range seasons {
		seasons[i].classify(now)
	}
	orders, err := s.store.RecentOrders(ctx, p.DealerID, RecentOrderLimit)
	if err != nil {
		return DealerHome{}, err
	}
	return DealerHome{Dealer: d, Seasons: seasons, Orders: orders}, nil
}

// PlannerHome returns the season totals. Returns apperr.Forbidden unless p
// is a planner or an administrator.
func (s *Service) PlannerHome(ctx context.Context, p auth.Principal) (PlannerHome, error) {
	if !p.IsHeadOffice() {
		return PlannerHome{}, apperr.New(apperr.Forbidden, "only head office sees season totals")
	}
	totals, err := s.store.SeasonTotals(ctx, CountedStatuses)
	if err != nil {
		return PlannerHome{}, err
	}
	now := s.now()
	h := PlannerHome{Seasons: totals}
	for i := range h.Seasons {
		h.Seasons[i].classify(now)
	}
	for i := range h.Seasons {
		if h.Seasons[i].State == StateUpcoming {
			continue
		}
		h.Current = &h.Seasons[i]
		if i+1 < len(h.Seasons) {
			h.Previous = &h.Seasons[i+1]
		}
		break
	}
	if h.Current != nil && h.Previous != nil {
		h.OrdersChange = Change(h.Current.Orders, h.Previous.Orders)
		h.DealersChange = Change(h.Current.Dealers, h.Previous.Dealers)
		h.QtyChange = Change(h.Current.Qty, h.Previous.Qty)
	}
	return h, nil
}

// SupplierHome returns p's supplier and its fabrics. Returns
// apperr.Forbidden unless p is a supplier.
func (s *Service) SupplierHome(ctx context.Context, p auth.Principal) (SupplierHome, error) {
	if p.Role != auth.RoleSupplier || p.SupplierID <= 0 {
		return SupplierHome{}, apperr.New(apperr.Forbidden, "only suppliers have a supplier home page")
	}
	sup, err := s.store.Supplier(ctx, p.SupplierID)
	if err != nil {
		return SupplierHome{}, err
	}
	fabrics, err := s.store.SupplierFabrics(ctx, p.SupplierID)
	if err != nil {
		return SupplierHome{}, err
	}
	return SupplierHome{Supplier: sup, Fabrics: fabrics}, nil
}

// AdminHome returns the users. Returns apperr.Forbidden unless p is an
// administrator.
func (s *Service) AdminHome(ctx context.Context, p auth.Principal) (AdminHome, error) {
	if p.Role != auth.RoleAdmin {
		return AdminHome{}, apperr.New(apperr.Forbidden, "only administrators see the users")
	}
	users, err := s.store.Users(ctx, UserLimit+1)
	if err != nil {
		return AdminHome{}, err
	}
	h := AdminHome{Users: users}
	if len(users) > UserLimit {
		h.Users, h.Truncated = users[:UserLimit], true
	}
	return h, nil
}

// classify sets State and DaysLeft as of now.
func (s *Season) classify(now time.Time) {
	s.State, s.DaysLeft = SeasonState(*s, now)
}

// SeasonState returns the state of a season at now and, while it is open,
// the whole days left until the cut-off (0 during the last 24 hours).
func SeasonState(s Season, now time.Time) (string, int) {
	switch {
	case s.Closed:
		return StateClosed, 0
	case now.Before(s.OpensAt):
		return StateUpcoming, 0
	case !now.Before(s.CutoffAt):
		return StateCutoff, 0
	}
	return StateOpen, int(s.CutoffAt.Sub(now) / (24 * time.Hour))
}

// Change is the change from prev to cur in whole percent, rounded half away
// from zero; nil when prev is 0.
func Change(cur, prev int) *int {
	if prev == 0 {
		return nil
	}
	d := (cur - prev) * 100
	pct := d / prev
	if r := d % prev; 2*abs(r) >= abs(prev) {
		if (d < 0) != (prev < 0) {
			pct--
		} else {
			pct++
		}
	}
	return &pct
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
