package portal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
)

// The order grid: rows are a style's colourways, columns its sizes, cells
// quantities, with prepack entry beside each row. Form fields are named by
// codes, so a posted grid needs no catalogue to be read:
//
//	q:STYLE:COLOR:SIZE   pieces of a SKU
//	p:STYLE:COLOR:PACK   packs of a prepack of a colour
//	w:STYLE              the style's delivery window

// cellKey names one input of a grid: a size (Pack "") or a prepack.
type cellKey struct{ Style, Color, Size, Pack string }

func (k cellKey) field() string {
	if k.Pack != "" {
		return "p:" + k.Style + ":" + k.Color + ":" + k.Pack
	}
	return "q:" + k.Style + ":" + k.Color + ":" + k.Size
}

func windowField(style string) string { return "w:" + style }

// gridForm is a posted grid: the entered values by cell, the requested
// lines (non-empty cells) with the cell each came from, the delivery window
// per style, and the cells whose value is not a whole number.
type gridForm struct {
	Values  map[cellKey]string
	Lines   []ordering.LineRequest
	Cells   []cellKey // Cells[i] is the cell of Lines[i]
	Windows map[string]string
	Bad     map[cellKey]bool
	Styles  []string // styles named by the form, sorted
}

// maxGridFields bounds the cells read from one form.
const maxGridFields = 25000

// bindGrid reads the grid fields of the posted form.
func bindGrid(c echo.Context) (*gridForm, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, err
	}
	f := &gridForm{Values: map[cellKey]string{}, Windows: map[string]string{}, Bad: map[cellKey]bool{}}
	names := make([]string, 0, len(form))
	for name := range form {
		if strings.HasPrefix(name, "q:") || strings.HasPrefix(name, "p:") || strings.HasPrefix(name, "w:") {
			names = append(names, name)
		}
	}
	if len(names) > maxGridFields {
		names = names[:maxGridFields]
	}
	sort.Strings(names)
	styles := map[string]bool{}
	for _, name := range names {
		v := strings.TrimSpace(form.Get(name))
		if w, ok := strings.CutPrefix(name, "w:"); ok {
			f.Windows[w] = v
			styles[w] = true
			continue
		}
		parts := strings.SplitN(name[2:], ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			continue
		}
		k := cellKey{Style: parts[0], Color: parts[1]}
		if name[0] == 'p' {
			k.Pack = parts[2]
		} else {
			k.Size = parts[2]
		}
		styles[k.Style] = true
		f.Values[k] = v
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Bad[k] = true
			continue
		}
		if n == 0 {
			continue
		}
		l := ordering.LineRequest{Style: k.Style, Color: k.Color}
		if k.Pack != "" {
			l.Prepack, l.Packs = k.Pack, n
		} else {
			l.Size, l.Qty = k.Size, n
		}
		f.Lines = append(f.Lines, l)
		f.Cells = append(f.Cells, k)
	}
	for s := range styles {
		f.Styles = append(f.Styles, s)
	}
	sort.Strings(f.Styles)
	return f, nil
}

// withWindows sets each line's delivery window from its style's select.
func (f *gridForm) withWindows() []ordering.LineRequest {
	out := make([]ordering.LineRequest, len(f.Lines))
	for i, l := range f.Lines {
		l.DeliveryWindow = f.Windows[l.Style]
		out[i] = l
	}
	return out
}

// gridCell is one size input (or, read-only, one quantity).
type gridCell struct {
	Name    string
	Label   string // "BLK M"
	Value   string
	Stock   int
	Invalid bool
}

// packCell is one prepack input of a row.
type packCell struct {
	Name    string
	Label   string // "BLK PP1"
	Code    string
	Value   string
	Ratio   string // for grid.js: "1:1,2:2" (size column:pieces per pack)
	Invalid bool
}

// gridRow is one colourway.
type gridRow struct {
	Color     string
	ColorName string
	Cells     []gridCell
	Packs     []packCell
	Qty       int
	Amount    money.Amount
	Errors    []string
	ErrID     string
}

// windowOption is one delivery window in a style's select.
type windowOption struct {
	Code, Name string
	From, To   catalog.Date
	Selected   bool
}

// prepackInfo describes a prepack for the legend: "PP1 = S1 M2 L2 XL1".
type prepackInfo struct {
	Code, Name, Ratio string
	Pieces            int
}

// styleGrid is one style's grid with its totals.
type styleGrid struct {
	Code, Name   string
	Category     string
	MinOrderQty  int
	Sizes        []string
	Prepacks     []prepackInfo
	Price        money.Amount
	PriceCents   int64
	HasPrice     bool
	Currency     string
	Rows         []gridRow
	ColQty       []int
	Qty          int
	Amount       money.Amount
	Windows      []windowOption
	WindowField  string
	WindowError  string
	Errors       []string
	Editable     bool
	ID           string // element id prefix
	Span         int    // columns of the table
	HasStock     bool
	colorIndex   map[string]int
	sizeIndex    map[string]int
	prepackIndex map[string]int
}

// gridSpec is what a grid is built from.
type gridSpec struct {
	Style    catalog.Style
	Price    *money.Amount // nil: the style's catalogue price
	Currency string
	Windows  []catalog.DeliveryWindow
	Window   string // the selected window code
	Values   map[cellKey]string
	Editable bool
	ID       string
}

func newStyleGrid(s gridSpec) *styleGrid {
	st := s.Style
	g := &styleGrid{
		Code: st.Code, Name: st.Name, Category: st.CategoryName, MinOrderQty: st.MinOrderQty,
		Sizes: st.Sizes, Currency: s.Currency, Editable: s.Editable, ID: s.ID,
		WindowField: windowField(st.Code),
		colorIndex:  map[string]int{}, sizeIndex: map[string]int{}, prepackIndex: map[string]int{},
	}
	if g.Currency == "" {
		g.Currency = st.Currency
	}
	switch {
	case s.Price != nil:
		g.Price, g.HasPrice = *s.Price, true
	case st.Price != nil:
		g.Price, g.HasPrice = *st.Price, true
	}
	g.PriceCents = int64(g.Price)
	for i, sz := range st.Sizes {
		g.sizeIndex[sz] = i
	}
	for i, pp := range st.Prepacks {
		g.prepackIndex[pp.Code] = i
		g.Prepacks = append(g.Prepacks, prepackOf(pp))
	}
	for _, w := range s.Windows {
		g.Windows = append(g.Windows, windowOption{Code: w.Code, Name: w.Name, From: w.ShipsFrom, To: w.ShipsTo, Selected: w.Code == s.Window})
	}
	if len(g.Windows) > 0 && s.Window == "" {
		g.Windows[0].Selected = true
	}
	g.ColQty = make([]int, len(st.Sizes))
	g.Span = 1 + len(st.Sizes) + 2
	if g.Editable {
		g.Span += len(st.Prepacks)
	}
	for ri, col := range st.Colors {
		g.colorIndex[col.Code] = ri
		row := gridRow{Color: col.Code, ColorName: col.Name, ErrID: fmt.Sprintf("%s-r%d-err", s.ID, ri)}
		for ci, sz := range st.Sizes {
			k := cellKey{Style: st.Code, Color: col.Code, Size: sz}
			cell := gridCell{Name: k.field(), Label: col.Code + " " + sz, Value: s.Values[k], Stock: st.Stock(col.Code, sz)}
			if cell.Stock > 0 {
				g.HasStock = true
			}
			if n, err := strconv.Atoi(cell.Value); err == nil && n > 0 {
				row.Qty += n
				g.ColQty[ci] += n
			}
			row.Cells = append(row.Cells, cell)
		}
		for _, pp := range st.Prepacks {
			k := cellKey{Style: st.Code, Color: col.Code, Pack: pp.Code}
			pc := packCell{Name: k.field(), Label: col.Code + " " + pp.Code, Code: pp.Code, Value: s.Values[k]}
			var ratio []string
			for _, sz := range pp.Sizes {
				if ci, ok := g.sizeIndex[sz]; ok {
					ratio = append(ratio, fmt.Sprintf("%d:%d", ci, pp.Ratio[sz]))
				}
			}
			pc.Ratio = strings.Join(ratio, ",")
			if n, err := strconv.Atoi(pc.Value); err == nil && n > 0 {
				for _, sz := range pp.Sizes {
					if ci, ok := g.sizeIndex[sz]; ok {
						row.Qty += n * pp.Ratio[sz]
						g.ColQty[ci] += n * pp.Ratio[sz]
					}
				}
			}
			row.Packs = append(row.Packs, pc)
		}
		row.Amount = g.Price.Times(row.Qty)
		g.Qty += row.Qty
		g.Amount += row.Amount
		g.Rows = append(g.Rows, row)
	}
	return g
}

// markCell marks a cell invalid and puts msg beside its row. It reports
// whether the cell is in this grid.
func (g *styleGrid) markCell(k cellKey, msg string) bool {
	ri, ok := g.colorIndex[k.Color]
	if !ok || k.Style != g.Code {
		return false
	}
	row := &g.Rows[ri]
	if k.Pack != "" {
		if pi, ok := g.prepackIndex[k.Pack]; ok {
			row.Packs[pi].Invalid = true
		}
	} else if ci, ok := g.sizeIndex[k.Size]; ok {
		row.Cells[ci].Invalid = true
	}
	row.addError(msg)
	return true
}

// markRow puts msg beside a colour's row.
func (g *styleGrid) markRow(color, msg string) bool {
	ri, ok := g.colorIndex[color]
	if !ok {
		return false
	}
	g.Rows[ri].addError(msg)
	return true
}

func (r *gridRow) addError(msg string) {
	for _, e := range r.Errors {
		if e == msg {
			return
		}
	}
	r.Errors = append(r.Errors, msg)
}

func (g *styleGrid) addError(msg string) {
	for _, e := range g.Errors {
		if e == msg {
			return
		}
	}
	g.Errors = append(g.Errors, msg)
}

// placeGridErrors puts the problems of a posted grid next to the cells,
// rows and window selects they concern: not-a-number cells, and the
// service's details about lines[i] (the line of form.Cells[i]). What finds
// no place is returned.
func placeGridErrors(lang string, grids []*styleGrid, form *gridForm, details []apperr.Detail) []string {
	byStyle := map[string]*styleGrid{}
	for _, g := range grids {
		byStyle[g.Code] = g
	}
	var rest []string
	bad := make([]cellKey, 0, len(form.Bad))
	for k := range form.Bad {
		bad = append(bad, k)
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].field() < bad[j].field() })
	for _, k := range bad {
		msg := i18n.T(lang, "orders.err.not_number")
		if g := byStyle[k.Style]; g == nil || !g.markCell(k, msg) {
			rest = append(rest, k.Style+" "+k.Color+" "+k.Size+k.Pack+": "+msg)
		}
	}
	for _, d := range details {
		msg := trMessage(lang, d.Message)
		if i, col, ok := lineIndex(d.Field); ok && i >= 0 && i < len(form.Cells) {
			k := form.Cells[i]
			g := byStyle[k.Style]
			if g == nil {
				rest = append(rest, msg)
				continue
			}
			switch col {
			case "delivery_window":
				g.WindowError = msg
			case "style":
				g.addError(msg)
			default:
				if !g.markCell(k, msg) {
					g.addError(msg)
				}
			}
			continue
		}
		if d.Field == "style" && len(grids) == 1 {
			grids[0].addError(msg)
			continue
		}
		rest = append(rest, msg)
	}
	return rest
}
