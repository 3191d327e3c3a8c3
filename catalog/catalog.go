// Package catalog owns what dealers browse before they order: seasons and
// their order windows and delivery windows ("drops"), the styles offered in a
// season with their colourways, size scale, prepacks, minimum order, cut lot,
// the caller's price and the stock already on hand. It holds the types, the
// rules (is a season open?) and the Store interface it consumes; the SQL
// lives in catalog/catalogdb.
package catalog

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sizerun/sizerun/money"
)

// Season status as shown to callers.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Season is a selling season with its order window and delivery windows.
type Season struct {
	ID              int              `json:"-"`
	Code            string           `json:"code"`
	Name            string           `json:"name"`
	Status          string           `json:"status"` // open|closed at the time it was read
	OrderOpensAt    time.Time        `json:"order_opens_at"`
	OrderDeadline   time.Time        `json:"order_deadline"` // order cut-off
	StartsOn        Date             `json:"starts_on"`
	Closed          bool             `json:"-"` // closed by head office regardless of dates
	DeliveryWindows []DeliveryWindow `json:"delivery_windows"`
}

// OpenAt reports whether dealers may add, amend or cancel orders at now: the
// season is not closed by head office, its order window has opened and its
// cut-off has not passed.
func (s Season) OpenAt(now time.Time) bool {
	return !s.Closed && !now.Before(s.OrderOpensAt) && now.Before(s.OrderDeadline)
}

// PastCutoff reports whether the season's cut-off has passed at now or head
// office closed it.
func (s Season) PastCutoff(now time.Time) bool {
	return s.Closed || !now.Before(s.OrderDeadline)
}

// WithStatus returns s with Status computed for now.
func (s Season) WithStatus(now time.Time) Season {
	s.Status = StatusClosed
	if s.OpenAt(now) {
		s.Status = StatusOpen
	}
	return s
}

// Window returns the delivery window with the given code.
func (s Season) Window(code string) (DeliveryWindow, bool) {
	for _, w := range s.DeliveryWindows {
		if w.Code == code {
			return w, true
		}
	}
	return DeliveryWindow{}, false
}

// WindowByID returns the delivery window with the given id.
func (s Season) WindowByID(id int) (DeliveryWindow, bool) {
	for _, w := range s.DeliveryWindows {
		if w.ID == id {
			return w, true
		}
	}
	return DeliveryWindow{}, false
}

// DeliveryWindow is a planned delivery ("drop") of a season.
type DeliveryWindow struct {
	ID        int    `json:"-"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	ShipsFrom Date   `json:"ships_from"`
	ShipsTo   Date   `json:"ships_to"`
}

// Category is a product category.
type Category struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Color is a colourway of a style.
type Color struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Prepack is a fixed ratio of sizes sold as one pack.
type Prepack struct {
	Code  string         `json:"code"`
	Name  string         `json:"name,omitempty"`
	Ratio map[string]int `json:"ratio"` // size code → pieces per pack
	// Sizes lists the ratio's sizes in scale order (for display).
	Sizes []string `json:"-"`
}

// PackSize is the number of pieces in one pack.
func (p Prepack) PackSize() int {
	n := 0
	for _, q := range p.Ratio {
		n += q
	}
	return n
}

// Style is a garment design as offered in one season, priced for one caller.
type Style struct {
	ID           int    `json:"-"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Category     string `json:"category"`
	CategoryName string `json:"category_name"`
	// Price is the caller's price (the dealer's price list, or the list
	// price for head office); nil when the style has no price there.
	Price       *money.Amount `json:"price"`
	Currency    string        `json:"currency"`
	Colors      []Color       `json:"colors"`
	Sizes       []string      `json:"sizes"` // in scale order
	SizeScale   string        `json:"size_scale"`
	MinOrderQty int           `json:"min_order_qty"`
	CutLot      int           `json:"cut_lot"`
	Prepacks    []Prepack     `json:"prepacks"`
	// Available is the stock on hand ("available now") per colour and size;
	// only SKUs with stock appear.
	Available map[string]map[string]int `json:"available"`
}

// Stock returns the stock on hand of one colour and size.
func (s Style) Stock(color, size string) int { return s.Available[color][size] }

// Date is a calendar date, written to JSON as "2006-01-02".
type Date struct{ time.Time }

// DateOf returns the date part of t (in t's location) as a Date.
func DateOf(t time.Time) Date {
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// String formats the date as "2006-01-02".
func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalJSON writes "2006-01-02".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "2006-01-02".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("date %q: %w", s, err)
	}
	d.Time = t
	return nil
}
