package aggregation

import (
	"context"
	"slices"
	"time"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// DashboardStatuses are the order statuses the season dashboard counts:
// everything dealers committed to and head office has not refused, so that
// an open season compares with a shipped and closed one. Drafts, orders held
// for credit approval (listed on their own) and cancelled orders are out.
var DashboardStatuses = []string{"submitted", "confirmed", "in_production", "shipped", "closed"}

// TopStyles is how many styles the dashboard ranks.
const TopStyles = 10

// SeasonInfo is a season with its order window, for season selectors.
type SeasonInfo struct {
	ID       int
	Code     string
	Name     string
	StartsOn time.Time
	OpensAt  time.Time
	CutoffAt time.Time
	Closed   bool
}

// Open reports whether dealers may order at now.
func (s SeasonInfo) Open(now time.Time) bool {
	return !s.Closed && !now.Before(s.OpensAt) && now.Before(s.CutoffAt)
}

// PickSeason chooses the season a planner page shows: the one named by code,
// else the latest season (by start date) that is open for ordering at now,
// else the latest whose ordering has opened, else the latest. seasons are
// ordered latest first. ok is false when code names no season, or there are
// none.
func PickSeason(seasons []SeasonInfo, code string, now time.Time) (SeasonInfo, bool) {
	if code != "" {
		i := slices.IndexFunc(seasons, func(s SeasonInfo) bool { return s.Code == code })
		if i < 0 {
			return SeasonInfo{}, false
		}
		return seasons[i], true
	}
	if len(seasons) == 0 {
		return SeasonInfo{}, false
	}
	for _, s := range seasons {
		if s.Open(now) {
			return s, true
		}
	}
	for _, s := range seasons {
		if !now.Before(s.OpensAt) {
			return s, true
		}
	}
	return seasons[0], true
}

// previousSeason returns the season that started last before s.
func previousSeason(seasons []SeasonInfo, s SeasonInfo) *SeasonInfo {
	var prev *SeasonInfo
	for i := range seasons {
		c := seasons[i]
		if c.StartsOn.Before(s.StartsOn) && (prev == nil || c.StartsOn.After(prev.StartsOn)) {
			prev = &seasons[i]
		}
	}
	return prev
}

// PercentChange is the change from prev to cur in whole percent, rounded half
// away from zero; nil when prev is zero (nothing to compare with).
func PercentChange(cur, prev int64) *int {
	if prev == 0 {
		return nil
	}
	num, den := (cur-prev)*100, prev
	if den < 0 {
		num, den = -num, -den
	}
	var v int64
	if num >= 0 {
		v = (2*num + den) / (2 * den)
	} else {
		v = -((-2*num + den) / (2 * den))
	}
	n := int(v)
	return &n
}

// ShareBP is part of whole in basis points (hundredths of a percent),
// rounded half up; 0 when whole is 0.
func ShareBP(part, whole int64) int {
	if whole <= 0 {
		return 0
	}
	return int((part*20000 + whole) / (2 * whole))
}

// CategoryFigures are a category's figures in a season and the one before.
type CategoryFigures struct {
	Category   string
	Name       string
	Styles     int // distinct styles ordered
	Qty        int64
	Amount     money.Amount
	Dealers    int
	ShareBP    int // of the season's quantity
	PrevQty    int64
	PrevAmount money.Amount
	QtyChange  *int
}

// StyleFigures are a style's figures in a season.
type StyleFigures struct {
	Rank     int
	Style    string
	Name     string
	Category string
	Qty      int64
	Amount   money.Amount
	Orders   int
	Dealers  int
	ShareBP  int // of the season's quantity
}

// DealerGap is a dealer that has not ordered in the season yet: no order
// other than a draft or a cancelled one.
type DealerGap struct {
	Dealer     string
	Name       string
	Region     string
	OnHold     bool
	Draft      bool // has a draft in the season
	PrevQty    int64
	PrevAmount money.Amount // what it ordered in the season before
}

// HeldOrder is an order held for credit approval.
type HeldOrder struct {
	Number      string
	Dealer      string
	Name        string
	Qty         int64
	Amount      money.Amount
	Currency    string
	CreditLimit money.Amount
	SubmittedAt *time.Time
}

// SizeShare is one size of a size curve.
type SizeShare struct {
	Size        string
	Qty         int64
	ShareBP     int  // of the curve's quantity this season
	StandardBP  int  // the category's standard curve (size_curves)
	HasStandard bool // the category has a standard share for this size
}

// SizeCurve is the size curve of a category on one size scale: this season's
// share of each size against the category's standard curve.
type SizeCurve struct {
	Category string
	Name     string
	Scale    string
	Qty      int64
	Sizes    []SizeShare
}

// DashboardFigures are what the store computes for the dashboard, from one
// snapshot.
type DashboardFigures struct {
	Totals     Totals
	PrevTotals Totals
	Categories []CategoryFigures
	TopStyles  []StyleFigures
	Missing    []DealerGap
	Held       []HeldOrder
	Curves     []SizeCurve
}

// Dashboard is the planner's season dashboard.
type Dashboard struct {
	Season   SeasonInfo
	Previous *SeasonInfo // nil for the first season
	Seasons  []SeasonInfo
	Currency string
	Statuses []string
	DashboardFigures
	QtyChange, AmountChange, OrdersChange, DealersChange *int
}

// PlanningSeasons returns every season (latest first) and the one a planner
// or supplier page shows for code (see PickSeason): forbidden for dealers,
// not_found for an unknown code.
func (s *Service) PlanningSeasons(ctx context.Context, p auth.Principal, code string) (SeasonInfo, []SeasonInfo, error) {
	if err := forecastReader(p); err != nil {
		return SeasonInfo{}, nil, err
	}
	return s.pickSeason(ctx, code)
}

func (s *Service) pickSeason(ctx context.Context, code string) (SeasonInfo, []SeasonInfo, error) {
	seasons, err := s.store.Seasons(ctx)
	if err != nil {
		return SeasonInfo{}, nil, err
	}
	se, ok := PickSeason(seasons, code, s.opts.Now())
	if !ok {
		if code == "" {
			return SeasonInfo{}, seasons, errNoSeason
		}
		return SeasonInfo{}, seasons, errUnknownSeason(code)
	}
	return se, seasons, nil
}

// Dashboard returns the season dashboard of season (default: see
// PickSeason): totals against the season before with changes in percent,
// figures by category, the top styles, dealers that have not ordered yet,
// orders held for credit, and a size curve per category. Forbidden for all
// but head office; not_found for an unknown season.
func (s *Service) Dashboard(ctx context.Context, p auth.Principal, season string) (Dashboard, error) {
	if err := headOffice(p); err != nil {
		return Dashboard{}, err
	}
	se, seasons, err := s.pickSeason(ctx, season)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Season: se, Previous: previousSeason(seasons, se), Seasons: seasons,
		Statuses: slices.Clone(DashboardStatuses)}
	prevID := 0
	if d.Previous != nil {
		prevID = d.Previous.ID
	}
	if d.Currency, err = s.store.Currency(ctx); err != nil {
		return Dashboard{}, err
	}
	if d.DashboardFigures, err = s.store.Dashboard(ctx, se.ID, prevID, d.Statuses, TopStyles); err != nil {
		return Dashboard{}, err
	}
	t, pt := d.Totals, d.PrevTotals
	if d.Previous != nil {
		d.QtyChange = PercentChange(t.Qty, pt.Qty)
		d.AmountChange = PercentChange(int64(t.Amount), int64(pt.Amount))
		d.OrdersChange = PercentChange(int64(t.Orders), int64(pt.Orders))
		d.DealersChange = PercentChange(int64(t.Dealers), int64(pt.Dealers))
	}
	for i := range d.Categories {
		c := &d.Categories[i]
		c.ShareBP = ShareBP(c.Qty, t.Qty)
		if d.Previous != nil {
			c.QtyChange = PercentChange(c.Qty, c.PrevQty)
		}
	}
	for i := range d.TopStyles {
		d.TopStyles[i].Rank = i + 1
		d.TopStyles[i].ShareBP = ShareBP(d.TopStyles[i].Qty, t.Qty)
	}
	for i := range d.Curves {
		c := &d.Curves[i]
		c.Qty = 0
		for _, z := range c.Sizes {
			c.Qty += z.Qty
		}
		for j := range c.Sizes {
			c.Sizes[j].ShareBP = ShareBP(c.Sizes[j].Qty, c.Qty)
		}
	}
	return d, nil
}
