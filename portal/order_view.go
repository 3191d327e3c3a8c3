package portal

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
)

// windowGroup is the lines of one delivery window, as one grid per style.
type windowGroup struct {
	Code, Name string
	From, To   catalog.Date
	Grids      []*styleGrid
	Qty        int
	Amount     money.Amount
}

// linesGrid is a read-only grid of one style's lines: its colours down,
// the sizes it has lines in across, with amounts at the lines' prices.
func linesGrid(lines []ordering.Line, currency, id string) *styleGrid {
	first := lines[0]
	st := catalog.Style{Code: first.Style, Name: first.StyleName, Currency: currency}
	pos := map[string]int{}
	seenColor := map[string]bool{}
	values := map[cellKey]string{}
	for _, l := range lines {
		if _, ok := pos[l.Size]; !ok {
			pos[l.Size] = l.SizePosition
			st.Sizes = append(st.Sizes, l.Size)
		}
		if !seenColor[l.Color] {
			seenColor[l.Color] = true
			st.Colors = append(st.Colors, catalog.Color{Code: l.Color, Name: l.ColorName})
		}
		values[cellKey{Style: l.Style, Color: l.Color, Size: l.Size}] = strconv.Itoa(l.Qty)
	}
	sort.SliceStable(st.Sizes, func(i, j int) bool { return pos[st.Sizes[i]] < pos[st.Sizes[j]] })
	price := first.UnitPrice
	g := newStyleGrid(gridSpec{Style: st, Price: &price, Currency: currency, Values: values, ID: id})
	// Amounts at the prices frozen on each line, which may differ by SKU.
	g.Amount = 0
	for i := range g.Rows {
		g.Rows[i].Amount = 0
	}
	for _, l := range lines {
		ri := g.colorIndex[l.Color]
		g.Rows[ri].Amount += l.Amount
		g.Amount += l.Amount
	}
	return g
}

// groupLines returns an order's lines by delivery window (in shipping
// order; lines without a window last) and style.
func groupLines(o ordering.Order) []windowGroup {
	var groups []windowGroup
	index := map[string]int{}
	for _, w := range o.DeliveryWindows {
		index[w.Code] = len(groups)
		groups = append(groups, windowGroup{Code: w.Code, Name: w.Name, From: w.ShipsFrom, To: w.ShipsTo})
	}
	byWindow := map[string][]ordering.Line{}
	for _, l := range o.Lines {
		if _, ok := index[l.DeliveryWindow]; !ok {
			index[l.DeliveryWindow] = len(groups)
			groups = append(groups, windowGroup{Code: l.DeliveryWindow, Name: l.DeliveryWindowName})
		}
		byWindow[l.DeliveryWindow] = append(byWindow[l.DeliveryWindow], l)
	}
	n := 0
	var out []windowGroup
	for _, g := range groups {
		lines := byWindow[g.Code]
		if len(lines) == 0 {
			continue
		}
		for start := 0; start < len(lines); {
			end := start
			for end < len(lines) && lines[end].Style == lines[start].Style {
				end++
			}
			sg := linesGrid(lines[start:end], o.Currency, fmt.Sprintf("s%d", n))
			n++
			g.Grids = append(g.Grids, sg)
			g.Qty += sg.Qty
			g.Amount += sg.Amount
			start = end
		}
		out = append(out, g)
	}
	return out
}

// eventView is one entry of an order's history.
type eventView struct {
	At        time.Time
	Kind      string
	From, To  string
	User      string
	Lines     int
	Qty       int
	Amount    *money.Amount
	Reference *ordering.Change
	Changes   []lineChangeView
	More      int
	Credit    *ordering.CreditFigures
}

type lineChangeView struct {
	Kind   string // added, removed, changed
	SKU    string // "ST1001 BLK M"
	From   int
	To     int
	Window *ordering.Change
}

// maxChangesShown bounds the line changes listed per event, so that the page
// of a big order stays light.
const maxChangesShown = 30

// historyOf returns an order's history, newest first.
func historyOf(events []ordering.Event) []eventView {
	out := make([]eventView, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		v := eventView{At: e.At, Kind: e.Kind, From: string(e.From), To: string(e.To), User: e.User,
			Lines: e.Detail.Lines, Qty: e.Detail.TotalQty, Amount: e.Detail.TotalAmount,
			Reference: e.Detail.Reference, Credit: e.Detail.Credit}
		add := func(kind string, cs []ordering.LineChange) {
			for _, c := range cs {
				if len(v.Changes) == maxChangesShown {
					v.More++
					continue
				}
				v.Changes = append(v.Changes, lineChangeView{Kind: kind, SKU: c.Style + " " + c.Color + " " + c.Size,
					From: c.From, To: c.To, Window: c.Window})
			}
		}
		add("added", e.Detail.Added)
		add("changed", e.Detail.Changed)
		add("removed", e.Detail.Removed)
		out = append(out, v)
	}
	return out
}
