package aggregation

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// Qty2 is a fabric quantity (metres, kilograms) in exact hundredths; it
// reads numeric columns and prints with two decimals, like money.
type Qty2 int64

// ParseQty2 reads "1234.5" or "1234.50"; more than two decimals or a
// negative value is an error.
func ParseQty2(s string) (Qty2, error) {
	a, err := money.Parse(s)
	if err != nil {
		return 0, err
	}
	if a < 0 {
		return 0, fmt.Errorf("must not be negative")
	}
	return Qty2(a), nil
}

// String writes two decimals: "1234.50".
func (q Qty2) String() string { return money.Amount(q).String() }

// MarshalJSON writes a decimal string.
func (q Qty2) MarshalJSON() ([]byte, error) { return []byte(`"` + q.String() + `"`), nil }

// Scan reads a numeric column.
func (q *Qty2) Scan(src any) error {
	var a money.Amount
	err := a.Scan(src)
	*q = Qty2(a)
	return err
}

// Value writes a numeric parameter.
func (q Qty2) Value() (driver.Value, error) { return q.String(), nil }

// Fabric is a material from a supplier.
type Fabric struct {
	ID         int
	Code       string
	Name       string
	Unit       string
	SupplierID int
	Supplier   string
}

// FabricRow is one line of the fabric forecast: a fabric's requirement in a
// week of need. Week is the Monday (ISO week start) of the week the fabric
// must arrive: the earliest delivery window start of the demand (the
// season's first window for lines without one) minus the fabric's lead time.
// Required = Σ over SKUs of quantity × BOM consumption × (1 + wastage %),
// where quantity is the planned quantity of released production orders plus
// the counted order quantity not yet covered by one; computed in numeric and
// rounded to two decimals at the end.
type FabricRow struct {
	Fabric      string
	Name        string
	Supplier    string
	Unit        string
	Week        time.Time
	RequiredQty Qty2
	Ack         *Ack
}

// Ack is a supplier's acknowledgement of a forecast line.
type Ack struct {
	CommittedQty  Qty2
	CommittedDate time.Time
	Note          string
	RequiredQty   Qty2 // the requirement when it was acknowledged
	By            string
	UpdatedAt     time.Time
}

// AckParams is the body of POST /forecasts/fabric/{fabric}/ack.
type AckParams struct {
	Season        string
	Week          string // YYYY-MM-DD, a Monday
	CommittedQty  string
	CommittedDate string // YYYY-MM-DD
	Note          string
}

// AckInput is a validated acknowledgement to store.
type AckInput struct {
	SeasonID      int
	FabricID      int
	Week          time.Time
	RequiredQty   Qty2
	CommittedQty  Qty2
	CommittedDate time.Time
	Note          string
	UserID        int
}

// FabricNeed is the fabric a production order's style needs.
type FabricNeed struct {
	Style  string
	Fabric string
	Name   string
	Unit   string
	Qty    Qty2
}

// Forecast is a season's fabric forecast as one caller may see it.
type Forecast struct {
	Season string
	Rows   []FabricRow
}

// WeekLayout is how weeks are written: the Monday's date.
const WeekLayout = "2006-01-02"

// Forecast returns the season's fabric forecast: every fabric for head
// office, its own for a supplier, forbidden for dealers.
func (s *Service) Forecast(ctx context.Context, p auth.Principal, season string) (Forecast, error) {
	if err := forecastReader(p); err != nil {
		return Forecast{}, err
	}
	se, err := s.season(ctx, season)
	if err != nil {
		return Forecast{}, err
	}
	rows, err := s.store.Forecast(ctx, se.ID, supplierScope(p), "")
	return Forecast{Season: se.Code, Rows: rows}, err
}

// FabricForecast returns one fabric's forecast rows; not_found for an
// unknown fabric or, for a supplier, another supplier's fabric.
func (s *Service) FabricForecast(ctx context.Context, p auth.Principal, season, fabric string) (Forecast, error) {
	if err := forecastReader(p); err != nil {
		return Forecast{}, err
	}
	f, err := s.visibleFabric(ctx, p, fabric)
	if err != nil {
		return Forecast{}, err
	}
	se, err := s.season(ctx, season)
	if err != nil {
		return Forecast{}, err
	}
	rows, err := s.store.Forecast(ctx, se.ID, supplierScope(p), f.Code)
	return Forecast{Season: se.Code, Rows: rows}, err
}

func supplierScope(p auth.Principal) int {
	if p.Role == auth.RoleSupplier {
		return p.SupplierID
	}
	return 0
}

func (s *Service) visibleFabric(ctx context.Context, p auth.Principal, code string) (Fabric, error) {
	f, err := s.store.Fabric(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return Fabric{}, err
	}
	if p.Role == auth.RoleSupplier && f.SupplierID != p.SupplierID {
		return Fabric{}, apperr.New(apperr.NotFound, "fabric not found")
	}
	return f, nil
}

// Acknowledge records the fabric's supplier's commitment for one week of
// the forecast (replacing an earlier one) and returns the row. Only the
// supplier of the fabric may: forbidden for other roles, not_found for
// another supplier's fabric, validation_failed for bad fields or a week
// without requirement.
func (s *Service) Acknowledge(ctx context.Context, p auth.Principal, fabric string, a AckParams) (FabricRow, error) {
	if p.Role != auth.RoleSupplier {
		return FabricRow{}, apperr.New(apperr.Forbidden, "only the fabric's supplier may acknowledge its forecast")
	}
	f, err := s.visibleFabric(ctx, p, fabric)
	if err != nil {
		return FabricRow{}, err
	}
	in := AckInput{FabricID: f.ID, UserID: p.UserID, Note: strings.TrimSpace(a.Note)}
	var details []apperr.Detail
	bad := func(field, format string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(a.Season) == "" {
		bad("season", "season is required")
	}
	if w, err := time.Parse(WeekLayout, strings.TrimSpace(a.Week)); err != nil {
		bad("week", "week must be the Monday of the week of need, as YYYY-MM-DD")
	} else if w.Weekday() != time.Monday {
		bad("week", "week %s is not a Monday; weeks are written as their Monday", a.Week)
	} else {
		in.Week = w
	}
	if q, err := ParseQty2(a.CommittedQty); err != nil {
		bad("committed_qty", "committed_qty must be a quantity with at most two decimals, like \"1200.50\"")
	} else {
		in.CommittedQty = q
	}
	if d, err := time.Parse(WeekLayout, strings.TrimSpace(a.CommittedDate)); err != nil {
		bad("committed_date", "committed_date must be a date as YYYY-MM-DD")
	} else {
		in.CommittedDate = d
	}
	if utf8.RuneCountInString(in.Note) > 1000 {
		bad("note", "note must be at most 1000 characters")
	}
	if len(details) > 0 {
		return FabricRow{}, apperr.Invalid(details[0].Message, details...)
	}
	se, err := s.season(ctx, a.Season)
	if err != nil {
		return FabricRow{}, err
	}
	in.SeasonID = se.ID
	rows, err := s.store.Forecast(ctx, se.ID, supplierScope(p), f.Code)
	if err != nil {
		return FabricRow{}, err
	}
	var row *FabricRow
	for i := range rows {
		if rows[i].Week.Equal(in.Week) {
			row = &rows[i]
		}
	}
	if row == nil {
		return FabricRow{}, apperr.Field("week", "fabric %s has no requirement in the week of %s in season %s", f.Code, a.Week, se.Code)
	}
	in.RequiredQty = row.RequiredQty
	if err := s.store.SaveAck(ctx, in); err != nil {
		return FabricRow{}, err
	}
	rows, err = s.store.Forecast(ctx, se.ID, supplierScope(p), f.Code)
	if err != nil {
		return FabricRow{}, err
	}
	for _, r := range rows {
		if r.Week.Equal(in.Week) {
			return r, nil
		}
	}
	return FabricRow{}, apperr.New(apperr.Conflict, "the forecast changed while acknowledging; try again")
}
