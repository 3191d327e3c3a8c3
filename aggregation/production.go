package aggregation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

// MaxOverageBP is the largest overage: 100.00 % (the schema's bound).
const MaxOverageBP = 10000

// ParseOverage reads a percentage with at most two decimals ("3", "3.0",
// "2.75") into basis points (hundredths of a percent), exactly.
func ParseOverage(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 3 || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("overage_pct must be a percentage between 0 and 100 with at most two decimals, like \"3.5\"")
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("overage_pct must be a percentage between 0 and 100 with at most two decimals, like \"3.5\"")
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi(frac)
	bp := w*100 + f
	if bp > MaxOverageBP {
		return 0, fmt.Errorf("overage_pct must be at most 100")
	}
	return bp, nil
}

// FormatOverage writes basis points as a percentage with two decimals.
func FormatOverage(bp int) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

// PlannedQty is what the factory makes for one SKU: the demand net of stock
// (never below zero), plus the overage in basis points rounded up to a whole
// garment, rounded up to a multiple of the cut lot. Integers only:
// ceil(n × (10000 + bp) / 10000), then up to the next multiple of cutLot.
func PlannedQty(demand, stock, overageBP, cutLot int) int {
	net := int64(demand) - int64(stock)
	if net <= 0 {
		return 0
	}
	if cutLot < 1 {
		cutLot = 1
	}
	x := (net*(10000+int64(overageBP)) + 9999) / 10000
	lot := int64(cutLot)
	return int(((x + lot - 1) / lot) * lot)
}

// DemandLine is a SKU's uncovered demand and the stock available to net it.
type DemandLine struct {
	SKUID     int
	StyleID   int
	ColorID   int
	SizeID    int
	Style     string
	StyleName string
	Color     string
	ColorName string
	Size      string
	SizePos   int
	Demand    int // counted order quantity not yet covered by a released production order
	Stock     int // stock on hand not yet netted by a released production order
	CutLot    int
}

// Draft is a production order about to be stored.
type Draft struct {
	SeasonID  int
	OverageBP int
	CreatedBy int // 0: unknown user
	Lines     []DraftLine
}

// DraftLine is one SKU of a draft.
type DraftLine struct {
	SKUID, StyleID, ColorID, SizeID int
	DemandQty, StockQty, PlannedQty int
}

// PlanDraft turns demand into draft lines. The stock used is what the
// demand needs (at most the demand), so stock is never netted twice.
func PlanDraft(seasonID, overageBP, userID int, demand []DemandLine) Draft {
	d := Draft{SeasonID: seasonID, OverageBP: overageBP, CreatedBy: userID}
	for _, l := range demand {
		if l.Demand <= 0 {
			continue
		}
		stock := min(max(l.Stock, 0), l.Demand)
		d.Lines = append(d.Lines, DraftLine{SKUID: l.SKUID, StyleID: l.StyleID, ColorID: l.ColorID, SizeID: l.SizeID,
			DemandQty: l.Demand, StockQty: stock, PlannedQty: PlannedQty(l.Demand, stock, overageBP, l.CutLot)})
	}
	return d
}

// ProductionLine is one SKU of a production order.
type ProductionLine struct {
	SKUID      int
	Style      string
	StyleName  string
	Color      string
	ColorName  string
	Size       string
	SizePos    int
	CutLot     int
	DemandQty  int // uncovered demand when drafted
	StockQty   int // stock on hand netted against it
	PlannedQty int // what the factory makes
}

// ProductionTotals sum a production order's lines.
type ProductionTotals struct {
	DemandQty, StockQty, PlannedQty int
}

// ProductionOrder is what the factory is told to make.
type ProductionOrder struct {
	Number     string
	Season     string
	Status     string // draft, released, cancelled
	OverageBP  int
	CreatedAt  time.Time
	ReleasedAt *time.Time
	Lines      []ProductionLine
	LineCount  int // number of lines, also set when listed without them
	Totals     ProductionTotals
}

// ProductionRequest is the body of POST /production-orders.
type ProductionRequest struct {
	Season     string
	Styles     []string // empty: every style with demand
	OveragePct string
}

// OpenLine is a counted order line with demand not yet covered, for Allocate.
type OpenLine struct {
	OrderLineID int64
	OrderID     int64
	DealerID    int
	SKUID       int
	Uncovered   int
}

// CoverLine is what a production order line needs covered.
type CoverLine struct {
	SKUID, DemandQty, StockQty int
}

// Coverage is the part of an order line a release covers.
type Coverage struct {
	OrderLineID int64
	OrderID     int64
	DealerID    int
	SKUID       int
	Qty         int
}

// Allocate decides, at release, which order lines a production order covers:
// for each SKU its drafted demand, first come first served over open (which
// the caller orders oldest first). If any SKU no longer has the drafted
// demand uncovered, or its stock was netted meanwhile, the draft is stale:
// a conflict (another release covered that demand, or orders were
// cancelled), and nothing is covered; the planner drafts again.
func Allocate(lines []CoverLine, open []OpenLine, available map[int]int) ([]Coverage, error) {
	bySKU := map[int][]OpenLine{}
	for _, o := range open {
		if o.Uncovered > 0 {
			bySKU[o.SKUID] = append(bySKU[o.SKUID], o)
		}
	}
	var details []apperr.Detail
	var out []Coverage
	for i, l := range lines {
		if l.DemandQty <= 0 {
			continue
		}
		have := 0
		for _, o := range bySKU[l.SKUID] {
			have += o.Uncovered
		}
		if have < l.DemandQty {
			details = append(details, apperr.Detail{Field: fmt.Sprintf("lines[%d]", i),
				Message: fmt.Sprintf("drafted for %d, only %d still uncovered", l.DemandQty, have)})
			continue
		}
		if available[l.SKUID] < l.StockQty {
			details = append(details, apperr.Detail{Field: fmt.Sprintf("lines[%d]", i),
				Message: fmt.Sprintf("netted %d from stock, only %d still available", l.StockQty, available[l.SKUID])})
			continue
		}
		need := l.DemandQty
		for _, o := range bySKU[l.SKUID] {
			if need == 0 {
				break
			}
			q := min(need, o.Uncovered)
			out = append(out, Coverage{OrderLineID: o.OrderLineID, OrderID: o.OrderID, DealerID: o.DealerID, SKUID: o.SKUID, Qty: q})
			need -= q
		}
	}
	if len(details) > 0 {
		return nil, &apperr.Error{Code: apperr.Conflict,
			Message: "the draft is stale: demand or stock it planned for was covered by another release or cancelled since; draft a new production order",
			Details: details}
	}
	return out, nil
}

// CreateProductionOrder drafts a production order from the uncovered demand
// of the season (or of the given styles). validation_failed for unknown
// styles, a bad overage or no uncovered demand; not_found for an unknown
// season; idempotency_key_reused for a key reused with another body.
func (s *Service) CreateProductionOrder(ctx context.Context, p auth.Principal, req ProductionRequest, idemKey string) (ProductionOrder, error) {
	if err := headOffice(p); err != nil {
		return ProductionOrder{}, err
	}
	var details []apperr.Detail
	bp, err := ParseOverage(req.OveragePct)
	if err != nil {
		details = append(details, apperr.Detail{Field: "overage_pct", Message: err.Error()})
	}
	styles := make([]string, 0, len(req.Styles))
	for i, st := range req.Styles {
		st = strings.ToUpper(strings.TrimSpace(st))
		if st == "" {
			details = append(details, apperr.Detail{Field: fmt.Sprintf("styles[%d]", i), Message: "style code is empty"})
			continue
		}
		if !slices.Contains(styles, st) {
			styles = append(styles, st)
		}
	}
	if strings.TrimSpace(req.Season) == "" {
		details = append(details, apperr.Detail{Field: "season", Message: "season is required"})
	}
	if len(details) > 0 {
		return ProductionOrder{}, apperr.Invalid(details[0].Message, details...)
	}
	se, err := s.season(ctx, req.Season)
	if err != nil {
		return ProductionOrder{}, err
	}
	demand, err := s.store.Demand(ctx, se.ID, styles)
	if err != nil {
		return ProductionOrder{}, err
	}
	draft := PlanDraft(se.ID, bp, p.UserID, demand)
	if len(draft.Lines) == 0 {
		return ProductionOrder{}, apperr.Field("styles", "there is no uncovered demand to produce for")
	}
	var key *IdempotencyKey
	if idemKey != "" {
		sorted := slices.Clone(styles)
		slices.Sort(sorted)
		h := sha256.Sum256([]byte(fmt.Sprintf("production-order\x00%s\x00%s\x00%d", se.Code, strings.Join(sorted, ","), bp)))
		key = &IdempotencyKey{UserID: p.UserID, Key: idemKey, RequestHash: hex.EncodeToString(h[:])}
	}
	number, err := s.store.CreateProductionOrder(ctx, draft, key)
	if err != nil {
		return ProductionOrder{}, err
	}
	return s.store.ProductionOrder(ctx, number)
}

// ProductionOrder returns one production order; not_found if unknown.
func (s *Service) ProductionOrder(ctx context.Context, p auth.Principal, number string) (ProductionOrder, error) {
	if err := headOffice(p); err != nil {
		return ProductionOrder{}, err
	}
	return s.store.ProductionOrder(ctx, number)
}

// ProductionOrders lists production orders, of one season if given.
func (s *Service) ProductionOrders(ctx context.Context, p auth.Principal, season string) ([]ProductionOrder, error) {
	if err := headOffice(p); err != nil {
		return nil, err
	}
	id := 0
	if season != "" {
		se, err := s.store.Season(ctx, season)
		if err != nil {
			return nil, err
		}
		id = se.ID
	}
	return s.store.ProductionOrders(ctx, id)
}

// Release releases a draft: invalid_state unless it is a draft, conflict
// when it is stale (see Allocate).
func (s *Service) Release(ctx context.Context, p auth.Principal, number string) (ProductionOrder, error) {
	if err := headOffice(p); err != nil {
		return ProductionOrder{}, err
	}
	if err := s.store.Release(ctx, number, p.UserID); err != nil {
		return ProductionOrder{}, err
	}
	return s.store.ProductionOrder(ctx, number)
}

// ExcessRow is demand a released production order covered that has since
// gone: from cancelled orders, or order lines reduced below their coverage.
type ExcessRow struct {
	Style        string
	Color        string
	Size         string
	SizePos      int
	CancelledQty int
	ReducedQty   int
	ExcessQty    int
	Orders       []string // the orders concerned
}

// Excess lists the season's excess per SKU.
func (s *Service) Excess(ctx context.Context, p auth.Principal, season string) (string, []ExcessRow, error) {
	if err := headOffice(p); err != nil {
		return "", nil, err
	}
	se, err := s.season(ctx, season)
	if err != nil {
		return "", nil, err
	}
	rows, err := s.store.Excess(ctx, se.ID)
	return se.Code, rows, err
}
