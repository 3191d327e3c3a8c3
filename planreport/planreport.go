// Package planreport compares a season's production plan with its demand:
// what Sizerun released to production (plus the stock it netted) against what
// dealers ordered, per SKU and rolled up by style, category and season, as
// excess (made but not ordered) and shortage (ordered but not made), in units
// and at cost and wholesale value. Beside it, the plan head office would have
// guessed without order data (last season's quantities × a growth factor,
// spread by last season's colour mix and the category's size curve, put
// through the same production rule) is compared with the same demand, and the
// difference is the saving.
//
// Definitions (per SKU; rollups are sums of SKU figures, so one SKU's excess
// never hides another's shortage):
//
//   - Demand: quantity on order lines of counted orders (CountedStatuses:
//     cancelled, held and draft orders do not count), less approved returns
//     of those lines.
//   - Sizerun: made = Σ planned_qty of the season's released production
//     orders; stock used = Σ stock_qty they netted; supply = made + stock
//     used; target = Σ demand_qty they covered (the demand at release).
//   - Excess = max(0, supply − demand); shortage = max(0, demand − supply).
//   - Rounding/overage excess = min(excess, supply − target): the part that
//     cut-lot rounding and the overage explain (planned − (demand at release −
//     stock), summed). Other excess = the rest: for Sizerun, demand covered
//     at release that went away since (orders cancelled after release,
//     approved returns); for the guessed plan, the guess itself being above
//     demand.
//   - Values: units × styles.unit_cost (cost) and × the style's price on the
//     list price list (price_lists.is_list; wholesale). A style without a
//     list price is valued at 0 wholesale.
//
// The guessed plan is defined in guess.go. The package holds the types, the
// pure computations and the Store they need; plandb implements the Store.
package planreport

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// CountedStatuses are the order states whose lines are demand: everything
// head office accepted to make and ship, before or after release.
var CountedStatuses = []string{"submitted", "confirmed", "in_production", "shipped", "closed"}

// Level is the grain of a report's rows.
type Level string

// The levels, finest first.
const (
	LevelSKU      Level = "sku"
	LevelStyle    Level = "style"
	LevelCategory Level = "category"
	LevelSeason   Level = "season"
)

// Levels lists the levels, finest first.
var Levels = []Level{LevelSKU, LevelStyle, LevelCategory, LevelSeason}

// DefaultLevel is the level when none is asked for.
const DefaultLevel = LevelStyle

// DefaultGrowth is the growth factor when none is given: the same as last season.
const DefaultGrowth = "1.00"

// GrowthMatch asks for the growth factor at which the guessed plan's total
// (before stock, overage and rounding) equals the season's demand, so that
// the comparison shows only where the guess puts its units.
const GrowthMatch = "match"

// Season is a selling season.
type Season struct {
	ID       int
	Code     string
	Name     string
	StartsOn time.Time
	Closed   bool
}

// SKU is one SKU of the season (a SKU of a style offered in it, or one with
// demand or released production in it) with what the store measured.
type SKU struct {
	SKUID        int
	Style        string
	StyleName    string
	Category     string
	CategoryName string
	Color        string
	ColorName    string
	Size         string
	SizePos      int
	InSeason     bool // the style is offered in the season (only those get a guess)
	CutLot       int
	UnitCost     money.Amount
	Wholesale    money.Amount // list price; 0 when the style has none
	CurveShare   int          // the category's standard share of this size, in 1/100000 (0: none)

	Demand    int // counted order quantity less approved returns
	Released  int // Σ planned_qty of released production orders of the season
	StockUsed int // Σ stock_qty netted by them
	Covered   int // Σ demand_qty they covered (demand at release)
	// StockAvail is the stock on hand the season could use: on hand less
	// what released production orders of other seasons netted. The guessed
	// plan nets it as Sizerun's production orders do.
	StockAvail int
}

// BaseStyle is a style offered in the base season, with its category.
type BaseStyle struct {
	Style    string
	Category string
}

// BaseQty is the base season's demand (same definition as Demand) of one
// style-colour.
type BaseQty struct {
	Style string
	Color string
	Qty   int
}

// Data is everything a report needs, read from one snapshot.
type Data struct {
	Currency string
	SKUs     []SKU // ordered by style, colour, size position
	// BaseStyles and BaseQty describe the base season (empty without one).
	BaseStyles []BaseStyle
	BaseQty    []BaseQty
	// ReleasedOrders counts the season's released production orders;
	// OverageBP is the overage of the latest one (0 when none), which the
	// guessed plan applies too.
	ReleasedOrders int
	OverageBP      int
}

// Store is what the report needs from the database.
type Store interface {
	// Seasons lists every season, the latest (by start date) first.
	Seasons(ctx context.Context) ([]Season, error)
	// Load reads the season's SKUs with their figures and the base season's
	// history (baseID 0: none), all from one snapshot.
	Load(ctx context.Context, seasonID, baseID int) (Data, error)
}

// Params are a report request's raw parameters.
type Params struct {
	Season string
	Base   string // base season of the guessed plan; empty: the season before
	Growth string // decimal ("1.10") or "match"; empty: DefaultGrowth
	Level  string // sku, style, category, season; empty: DefaultLevel
}

// Service computes plan-versus-demand reports.
type Service struct {
	store Store
}

// NewService returns the service on store.
func NewService(store Store) *Service { return &Service{store: store} }

// Seasons lists the seasons for a season selector, the latest first;
// forbidden for anyone but planners and admins.
func (s *Service) Seasons(ctx context.Context, p auth.Principal) ([]Season, error) {
	if !p.IsHeadOffice() {
		return nil, apperr.New(apperr.Forbidden, "only head office may see plan reports")
	}
	return s.store.Seasons(ctx)
}

// Report computes the report. forbidden for anyone but planners and admins;
// validation_failed naming season, base, growth or level; not_found for an
// unknown season.
func (s *Service) Report(ctx context.Context, p auth.Principal, q Params) (Report, error) {
	if !p.IsHeadOffice() {
		return Report{}, apperr.New(apperr.Forbidden, "only head office may see plan reports")
	}
	var details []apperr.Detail
	season := strings.ToUpper(strings.TrimSpace(q.Season))
	if season == "" {
		details = append(details, apperr.Detail{Field: "season", Message: "season is required"})
	}
	growthText := strings.ToLower(strings.TrimSpace(q.Growth))
	if growthText == "" {
		growthText = DefaultGrowth
	}
	growth := -1 // match
	if growthText != GrowthMatch {
		g, err := ParseGrowth(growthText)
		if err != nil {
			details = append(details, apperr.Detail{Field: "growth", Message: err.Error()})
		}
		growth = g
	}
	level, err := ParseLevel(q.Level)
	if err != nil {
		details = append(details, apperr.Detail{Field: "level", Message: err.Error()})
	}
	if len(details) > 0 {
		return Report{}, apperr.Invalid(details[0].Message, details...)
	}
	seasons, err := s.store.Seasons(ctx)
	if err != nil {
		return Report{}, err
	}
	se, ok := findSeason(seasons, season)
	if !ok {
		return Report{}, apperr.New(apperr.NotFound, "season %q does not exist", season)
	}
	var base Season
	if code := strings.ToUpper(strings.TrimSpace(q.Base)); code != "" {
		b, ok := findSeason(seasons, code)
		switch {
		case !ok:
			return Report{}, apperr.Field("base", "season %q does not exist", code)
		case b.ID == se.ID:
			return Report{}, apperr.Field("base", "the base season must be another season than %s", se.Code)
		}
		base = b
	} else {
		base = previousSeason(seasons, se)
	}
	data, err := s.store.Load(ctx, se.ID, base.ID)
	if err != nil {
		return Report{}, err
	}
	r := Compute(data, growth)
	r.Season, r.Base, r.Level = se, base, level
	r.Rows = r.RowsAt(level)
	return r, nil
}

// ParseLevel reads a level; empty is DefaultLevel.
func ParseLevel(s string) (Level, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return DefaultLevel, nil
	}
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("level must be one of sku, style, category, season")
}

func findSeason(ss []Season, code string) (Season, bool) {
	for _, s := range ss {
		if s.Code == code {
			return s, true
		}
	}
	return Season{}, false
}

// previousSeason is the latest season starting before se (zero when none).
func previousSeason(ss []Season, se Season) Season {
	var best Season
	for _, s := range ss {
		if s.StartsOn.Before(se.StartsOn) && (best.ID == 0 || s.StartsOn.After(best.StartsOn)) {
			best = s
		}
	}
	return best
}
