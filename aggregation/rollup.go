package aggregation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Key is a rollup dimension.
type Key string

// The rollup dimensions, in api.md's order.
const (
	KeyStyle    Key = "style"
	KeyColor    Key = "color"
	KeySize     Key = "size"
	KeyDealer   Key = "dealer"
	KeyRegion   Key = "region"
	KeyCategory Key = "category" // a filter only, not a grouping key
)

// Keys lists the grouping keys.
var Keys = []Key{KeyStyle, KeyColor, KeySize, KeyDealer, KeyRegion}

// DefaultBy is the grouping when none is asked for.
var DefaultBy = []Key{KeyStyle, KeyColor, KeySize}

// OrderStatuses are the statuses an order can have.
var OrderStatuses = []string{"draft", "submitted", "held", "confirmed", "in_production", "shipped", "closed", "cancelled"}

// CountedStatuses are the statuses a rollup counts by default (product.md):
// the demand head office produces for. SQL's rollup_counted() must agree.
var CountedStatuses = []string{"submitted", "confirmed", "in_production"}

// RollupParams are a rollup request's raw parameters: comma lists as sent.
type RollupParams struct {
	Season   string
	By       string // default style,color,size
	Status   string // default submitted,confirmed,in_production
	Region   string
	Dealer   string
	Category string
}

// Source picks how a rollup is computed.
type Source int

// Sources: Auto uses the summary whenever it can answer.
const (
	SourceAuto Source = iota
	SourceLines
)

// RollupQuery is a validated rollup request.
type RollupQuery struct {
	By         []Key
	Statuses   []string
	Regions    []string
	Dealers    []string
	Categories []string
	Source     Source
}

// summaryCanAnswer reports whether the summary holds this rollup: the SKU
// grain (any order of style, color, size), the counted statuses, no filter.
func (q RollupQuery) summaryCanAnswer() bool {
	if q.Source != SourceAuto || len(q.By) != 3 || len(q.Regions)+len(q.Dealers)+len(q.Categories) > 0 {
		return false
	}
	for _, k := range DefaultBy {
		if !slices.Contains(q.By, k) {
			return false
		}
	}
	return sameSet(q.Statuses, CountedStatuses)
}

// Has reports whether the query groups by k.
func (q RollupQuery) Has(k Key) bool { return slices.Contains(q.By, k) }

// RollupRow is one group: its key values (codes, in By order) and measures.
type RollupRow struct {
	Keys    []string
	Qty     int64
	Amount  money.Amount
	Orders  int // distinct orders
	Dealers int // distinct dealers
}

// Totals are a rollup's grand totals; orders and dealers are distinct counts
// over everything rolled up, not sums of the rows.
type Totals struct {
	Qty     int64
	Amount  money.Amount
	Orders  int
	Dealers int
}

// Rollup is the answer to a rollup request.
type Rollup struct {
	Season      string
	Currency    string
	Query       RollupQuery
	Rows        []RollupRow
	Totals      Totals
	FromSummary bool
}

// ParseRollup validates raw parameters. Unknown keys or statuses are
// validation errors naming the parameter.
func ParseRollup(p RollupParams) (RollupQuery, error) {
	var q RollupQuery
	var details []apperr.Detail
	if strings.TrimSpace(p.Season) == "" {
		details = append(details, apperr.Detail{Field: "season", Message: "season is required"})
	}
	by, err := parseBy(p.By)
	if err != nil {
		details = append(details, *err)
	}
	q.By = by
	st, err := parseStatuses(p.Status)
	if err != nil {
		details = append(details, *err)
	}
	q.Statuses = st
	q.Regions = splitList(p.Region)
	q.Dealers = splitList(p.Dealer)
	q.Categories = splitList(p.Category)
	if len(details) > 0 {
		return q, apperr.Invalid(details[0].Message, details...)
	}
	return q, nil
}

func parseBy(s string) ([]Key, *apperr.Detail) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(DefaultBy), nil
	}
	var by []Key
	for _, part := range strings.Split(s, ",") {
		k := Key(strings.ToLower(strings.TrimSpace(part)))
		if !slices.Contains(Keys, k) {
			return nil, &apperr.Detail{Field: "by", Message: fmt.Sprintf("unknown rollup key %q; use any of style, color, size, dealer, region", part)}
		}
		if slices.Contains(by, k) {
			return nil, &apperr.Detail{Field: "by", Message: fmt.Sprintf("rollup key %q is given twice", part)}
		}
		by = append(by, k)
	}
	return by, nil
}

func parseStatuses(s string) ([]string, *apperr.Detail) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(CountedStatuses), nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		st := strings.ToLower(strings.TrimSpace(part))
		if !slices.Contains(OrderStatuses, st) {
			return nil, &apperr.Detail{Field: "status", Message: fmt.Sprintf("unknown order status %q; use any of %s", part, strings.Join(OrderStatuses, ", "))}
		}
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if v := strings.ToUpper(strings.TrimSpace(part)); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Rollup answers GET /rollups for head office: forbidden for others,
// validation_failed for bad parameters or unknown codes, not_found for an
// unknown season.
func (s *Service) Rollup(ctx context.Context, p auth.Principal, params RollupParams) (Rollup, error) {
	if err := headOffice(p); err != nil {
		return Rollup{}, err
	}
	q, err := ParseRollup(params)
	if err != nil {
		return Rollup{}, err
	}
	return s.RollupQuery(ctx, params.Season, q)
}

// RollupQuery runs a validated query (the benchmark forces its source).
func (s *Service) RollupQuery(ctx context.Context, season string, q RollupQuery) (Rollup, error) {
	se, err := s.season(ctx, season)
	if err != nil {
		return Rollup{}, err
	}
	if err := s.checkCodes(ctx, q); err != nil {
		return Rollup{}, err
	}
	cur, err := s.store.Currency(ctx)
	if err != nil {
		return Rollup{}, err
	}
	r := Rollup{Season: se.Code, Currency: cur, Query: q}
	if q.summaryCanAnswer() {
		r.FromSummary = true
		r.Rows, r.Totals, err = s.store.RollupSummary(ctx, se.ID, q.By)
	} else {
		r.Rows, r.Totals, err = s.store.RollupLines(ctx, se.ID, q)
	}
	return r, err
}

func (s *Service) checkCodes(ctx context.Context, q RollupQuery) error {
	var details []apperr.Detail
	for _, f := range []struct {
		kind  Key
		codes []string
	}{{KeyRegion, q.Regions}, {KeyDealer, q.Dealers}, {KeyCategory, q.Categories}} {
		if len(f.codes) == 0 {
			continue
		}
		unknown, err := s.store.UnknownCodes(ctx, f.kind, f.codes)
		if err != nil {
			return err
		}
		for _, c := range unknown {
			details = append(details, apperr.Detail{Field: string(f.kind), Message: fmt.Sprintf("unknown %s %q", f.kind, c)})
		}
	}
	if len(details) > 0 {
		return apperr.Invalid(details[0].Message, details...)
	}
	return nil
}

// DrillParams select one rollup cell: a style, optionally a colour and a
// size, with the rollup's status and filters.
type DrillParams struct {
	Season   string
	Style    string
	Color    string
	Size     string
	Status   string
	Region   string
	Dealer   string
	Category string
}

// DrillQuery is a validated drill-down.
type DrillQuery struct {
	Style, Color, Size string
	RollupQuery
}

// DrillDealer is one dealer behind a cell.
type DrillDealer struct {
	Dealer string
	Name   string
	Region string
	Qty    int64
	Amount money.Amount
	Orders int
}

// DrillOrder is one order behind a cell, with its quantity in the cell.
type DrillOrder struct {
	Number      string
	Dealer      string
	Status      string
	Qty         int64
	Amount      money.Amount
	SubmittedAt *time.Time
}

// Drill is the drill-down of one rollup cell.
type Drill struct {
	Season   string
	Currency string
	Query    DrillQuery
	Dealers  []DrillDealer
	Orders   []DrillOrder
	Totals   Totals
}

// Drill answers GET /rollups/drill: the dealers and orders behind a cell.
func (s *Service) Drill(ctx context.Context, p auth.Principal, params DrillParams) (Drill, error) {
	if err := headOffice(p); err != nil {
		return Drill{}, err
	}
	rq, err := ParseRollup(RollupParams{Season: params.Season, Status: params.Status,
		Region: params.Region, Dealer: params.Dealer, Category: params.Category})
	if err != nil {
		return Drill{}, err
	}
	q := DrillQuery{Style: strings.ToUpper(strings.TrimSpace(params.Style)),
		Color: strings.ToUpper(strings.TrimSpace(params.Color)),
		Size:  strings.ToUpper(strings.TrimSpace(params.Size)), RollupQuery: rq}
	if q.Style == "" && q.Color == "" && q.Size == "" {
		return Drill{}, apperr.Field("style", "name the cell: style, and optionally color and size")
	}
	se, err := s.season(ctx, params.Season)
	if err != nil {
		return Drill{}, err
	}
	if err := s.checkCodes(ctx, rq); err != nil {
		return Drill{}, err
	}
	cur, err := s.store.Currency(ctx)
	if err != nil {
		return Drill{}, err
	}
	d, err := s.store.Drill(ctx, se.ID, q)
	if err != nil {
		return Drill{}, err
	}
	d.Season, d.Currency, d.Query = se.Code, cur, q
	return d, nil
}
