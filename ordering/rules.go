package ordering

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
)

// Limits of an order.
const (
	MaxLineQty   = 10000  // per requested line (qty, or packs)
	MaxSKUQty    = 100000 // per SKU after summing lines and expanding prepacks
	MaxLines     = 20000  // requested lines per order
	MaxReference = 100    // characters of the dealer's reference
	maxDetails   = 200    // details in one validation error
)

// StyleInfo is the catalogue data of one style offered in a season, priced
// from one price list: what Resolve needs to check and price lines.
type StyleInfo struct {
	ID          int
	Code        string
	Name        string
	MinOrderQty int
	Price       money.Amount
	HasPrice    bool
	Colors      map[string]ColorInfo  // by code
	Sizes       map[string]SizeInfo   // by code
	SKUs        map[SKUKey]int        // SKU id by colour and size
	Prepacks    map[string][]PackItem // the size scale's prepacks by code
}

// ColorInfo is a colourway of a style.
type ColorInfo struct {
	ID   int
	Code string
	Name string
}

// SizeInfo is a size of a style's scale.
type SizeInfo struct {
	ID       int
	Code     string
	Position int
}

// SKUKey identifies a SKU within a style.
type SKUKey struct{ ColorID, SizeID int }

// PackItem is a size and a quantity: one entry of a prepack's ratio, or of
// its expansion.
type PackItem struct {
	Size string
	Qty  int
}

// ExpandPrepack returns the sizes and quantities of packs packs of a
// prepack: each size's ratio times the number of packs.
func ExpandPrepack(ratio []PackItem, packs int) []PackItem {
	out := make([]PackItem, len(ratio))
	for i, it := range ratio {
		out[i] = PackItem{Size: it.Size, Qty: it.Qty * packs}
	}
	return out
}

// ResolveOptions tune Resolve for submissions, amendments and drafts.
type ResolveOptions struct {
	// CheckMinimum enforces the style-colour minimum order quantity
	// (submissions and amendments; drafts are checked when submitted).
	CheckMinimum bool
	// AllowZero skips lines with qty (or packs) 0 instead of refusing them:
	// a cleared cell of the draft grid.
	AllowZero bool
	// Frozen keeps the unit price already frozen on an order's SKUs
	// (amendments); other SKUs get the current price.
	Frozen map[int]money.Amount
	// Windows are the styles' current delivery windows (by style id), used
	// when a line names none.
	Windows map[int]int
}

// Resolve checks requested lines against the season and its styles and
// returns the order lines: prepacks expanded, lines for one SKU summed,
// priced, each style in one delivery window, sorted by style, colour and
// size. Problems come back as details naming the line ("lines[3].size", or
// the line's Label) and why; lines is nil then.
func Resolve(season catalog.Season, styles map[string]StyleInfo, reqs []LineRequest, o ResolveOptions) ([]Line, []apperr.Detail) {
	v := newValidator(reqs)
	type styleColor struct{ style, color int }
	var (
		bySKU      = map[int]*Line{}
		firstOfSKU = map[int]int{}
		skuOrder   []int
		window     = map[int]int{} // style id → window id named by a line
		colorSum   = map[styleColor]int{}
		colorFirst = map[styleColor]int{}
		colorOrder []styleColor
		styleOf    = map[int]StyleInfo{}
	)
	if len(reqs) == 0 && !o.AllowZero {
		v.addField(-1, "lines", "an order needs at least one line")
	}
	if len(reqs) > MaxLines {
		v.addField(-1, "lines", fmt.Sprintf("an order may have at most %d lines", MaxLines))
		return nil, v.details()
	}
	for i, r := range reqs {
		code := normCode(r.Style)
		if code == "" {
			v.add(i, "style", "style is required")
			continue
		}
		si, ok := styles[code]
		if !ok {
			v.add(i, "style", fmt.Sprintf("style %s is not offered in season %s", code, season.Code))
			continue
		}
		if !si.HasPrice {
			v.add(i, "style", fmt.Sprintf("style %s has no price in your price list", code))
			continue
		}
		styleOf[si.ID] = si
		colorCode := normCode(r.Color)
		if colorCode == "" {
			v.add(i, "color", "color is required")
			continue
		}
		color, ok := si.Colors[colorCode]
		if !ok {
			v.add(i, "color", fmt.Sprintf("color %s is not offered for style %s", colorCode, code))
			continue
		}
		if wc := normCode(r.DeliveryWindow); wc != "" {
			w, ok := season.Window(wc)
			switch {
			case !ok:
				v.add(i, "delivery_window", fmt.Sprintf("delivery window %s is not one of season %s's (%s)", wc, season.Code, windowCodes(season)))
				continue
			case window[si.ID] != 0 && window[si.ID] != w.ID:
				prev, _ := season.WindowByID(window[si.ID])
				v.add(i, "delivery_window", fmt.Sprintf("style %s already ships in delivery window %s in this order; a style ships in one window", code, prev.Code))
				continue
			}
			window[si.ID] = w.ID
		}

		var items []PackItem
		if pp := normCode(r.Prepack); pp != "" {
			ratio, ok := si.Prepacks[pp]
			switch {
			case strings.TrimSpace(r.Size) != "" || r.Qty != 0:
				v.add(i, "prepack", "give either size and qty or prepack and packs, not both")
				continue
			case !ok:
				v.add(i, "prepack", fmt.Sprintf("prepack %s is not offered for style %s", pp, code))
				continue
			case r.Packs == 0 && o.AllowZero:
				continue
			case r.Packs <= 0:
				v.add(i, "packs", "packs must be a positive whole number")
				continue
			case r.Packs > MaxLineQty:
				v.add(i, "packs", fmt.Sprintf("packs must be at most %d", MaxLineQty))
				continue
			}
			items = ExpandPrepack(ratio, r.Packs)
		} else {
			size := normCode(r.Size)
			switch {
			case r.Packs != 0:
				v.add(i, "prepack", "packs needs a prepack")
				continue
			case size == "":
				v.add(i, "size", "size is required (or a prepack and packs)")
				continue
			}
			if _, ok := si.Sizes[size]; !ok {
				v.add(i, "size", fmt.Sprintf("size %s is not offered for style %s", size, code))
				continue
			}
			switch {
			case r.Qty == 0 && o.AllowZero:
				continue
			case r.Qty <= 0:
				v.add(i, "qty", "qty must be a positive whole number")
				continue
			case r.Qty > MaxLineQty:
				v.add(i, "qty", fmt.Sprintf("qty must be at most %d", MaxLineQty))
				continue
			}
			items = []PackItem{{Size: size, Qty: r.Qty}}
		}
		for _, it := range items {
			sz := si.Sizes[it.Size]
			sku, ok := si.SKUs[SKUKey{color.ID, sz.ID}]
			if !ok {
				v.add(i, "size", fmt.Sprintf("size %s is not made in color %s of style %s", it.Size, colorCode, code))
				continue
			}
			l := bySKU[sku]
			if l == nil {
				l = &Line{SKUID: sku, StyleID: si.ID, ColorID: color.ID, SizeID: sz.ID, SizePosition: sz.Position,
					Style: si.Code, StyleName: si.Name, Color: color.Code, ColorName: color.Name, Size: sz.Code}
				bySKU[sku] = l
				firstOfSKU[sku] = i
				skuOrder = append(skuOrder, sku)
			}
			l.Qty += it.Qty
			k := styleColor{si.ID, color.ID}
			if _, seen := colorFirst[k]; !seen {
				colorFirst[k] = i
				colorOrder = append(colorOrder, k)
			}
			colorSum[k] += it.Qty
		}
	}
	for _, sku := range skuOrder {
		if l := bySKU[sku]; l.Qty > MaxSKUQty {
			v.add(firstOfSKU[sku], "qty", fmt.Sprintf("%s %s %s: %d pieces in all, at most %d per SKU", l.Style, l.Color, l.Size, l.Qty, MaxSKUQty))
		}
	}
	if o.CheckMinimum {
		for _, k := range colorOrder {
			si := styleOf[k.style]
			if n := colorSum[k]; n < si.MinOrderQty {
				l := bySKU[firstSKUOf(skuOrder, bySKU, k.style, k.color)]
				v.add(colorFirst[k], "qty", fmt.Sprintf("style %s color %s: %d pieces ordered, the minimum per color is %d", si.Code, l.Color, n, si.MinOrderQty))
			}
		}
	}
	if d := v.details(); len(d) > 0 {
		return nil, d
	}

	lines := make([]Line, 0, len(skuOrder))
	for _, sku := range skuOrder {
		l := *bySKU[sku]
		si := styleOf[l.StyleID]
		price := si.Price
		if fp, ok := o.Frozen[sku]; ok {
			price = fp
		}
		l.UnitPrice, l.Amount = price, price.Times(l.Qty)
		wid := window[l.StyleID]
		if wid == 0 {
			wid = o.Windows[l.StyleID]
		}
		if _, ok := season.WindowByID(wid); !ok && len(season.DeliveryWindows) > 0 {
			wid = season.DeliveryWindows[0].ID
		}
		if w, ok := season.WindowByID(wid); ok {
			l.DeliveryWindowID, l.DeliveryWindow, l.DeliveryWindowName = w.ID, w.Code, w.Name
		}
		lines = append(lines, l)
	}
	SortLines(lines)
	return lines, nil
}

func firstSKUOf(order []int, by map[int]*Line, style, color int) int {
	for _, sku := range order {
		if l := by[sku]; l.StyleID == style && l.ColorID == color {
			return sku
		}
	}
	return 0
}

// SortLines orders lines by style code, colour code and size position, the
// order in which orders are shown and stored.
func SortLines(lines []Line) {
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.Style != b.Style {
			return a.Style < b.Style
		}
		if a.Color != b.Color {
			return a.Color < b.Color
		}
		return a.SizePosition < b.SizePosition
	})
}

// Totals returns the total quantity and value of lines.
func Totals(lines []Line) (qty int, amount money.Amount) {
	for _, l := range lines {
		qty += l.Qty
		amount += l.Amount
	}
	return qty, amount
}

// DiffLines compares an order's lines before and after a change, by SKU.
func DiffLines(before, after []Line) (added, removed, changed []LineChange) {
	old := make(map[int]Line, len(before))
	for _, l := range before {
		old[l.SKUID] = l
	}
	seen := make(map[int]bool, len(after))
	for _, l := range after {
		seen[l.SKUID] = true
		o, ok := old[l.SKUID]
		switch {
		case !ok:
			added = append(added, LineChange{Style: l.Style, Color: l.Color, Size: l.Size, To: l.Qty})
		case o.Qty != l.Qty || o.DeliveryWindowID != l.DeliveryWindowID:
			c := LineChange{Style: l.Style, Color: l.Color, Size: l.Size, From: o.Qty, To: l.Qty}
			if o.DeliveryWindowID != l.DeliveryWindowID {
				c.Window = &Change{From: o.DeliveryWindow, To: l.DeliveryWindow}
			}
			changed = append(changed, c)
		}
	}
	for _, l := range before {
		if !seen[l.SKUID] {
			removed = append(removed, LineChange{Style: l.Style, Color: l.Color, Size: l.Size, From: l.Qty})
		}
	}
	return added, removed, changed
}

func normCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func windowCodes(s catalog.Season) string {
	if len(s.DeliveryWindows) == 0 {
		return "none"
	}
	codes := make([]string, len(s.DeliveryWindows))
	for i, w := range s.DeliveryWindows {
		codes[i] = w.Code
	}
	return strings.Join(codes, ", ")
}

// validator collects details about requested lines.
type validator struct {
	reqs []LineRequest
	list []apperr.Detail
	idx  []int
	bad  map[int]bool
}

func newValidator(reqs []LineRequest) *validator {
	return &validator{reqs: reqs, bad: map[int]bool{}}
}

// add records a problem with column col of line i.
func (v *validator) add(i int, col, msg string) {
	field := fmt.Sprintf("lines[%d].%s", i, col)
	if l := v.reqs[i].Label; l != "" {
		field = l + "." + col
	}
	v.addField(i, field, msg)
}

func (v *validator) addField(i int, field, msg string) {
	v.list = append(v.list, apperr.Detail{Field: field, Message: msg})
	v.idx = append(v.idx, i)
	v.bad[i] = true
}

// details returns the problems by line, at most maxDetails of them.
func (v *validator) details() []apperr.Detail {
	if len(v.list) == 0 {
		return nil
	}
	ix := make([]int, len(v.list))
	for i := range ix {
		ix[i] = i
	}
	sort.SliceStable(ix, func(a, b int) bool { return v.idx[ix[a]] < v.idx[ix[b]] })
	out := make([]apperr.Detail, 0, min(len(ix), maxDetails+1))
	for n, i := range ix {
		if n == maxDetails {
			out = append(out, apperr.Detail{Field: "lines", Message: fmt.Sprintf("and %d more problems", len(ix)-maxDetails)})
			break
		}
		out = append(out, v.list[i])
	}
	return out
}

// invalidLines is the validation error for details about lines.
func invalidLines(details []apperr.Detail) error {
	lines := map[string]bool{}
	for _, d := range details {
		key, _, _ := strings.Cut(d.Field, ".")
		lines[key] = true
	}
	msg := "1 line is invalid"
	if n := len(lines); n != 1 {
		msg = fmt.Sprintf("%d lines are invalid", n)
	}
	if len(lines) == 1 && len(details) == 1 && !strings.Contains(details[0].Field, "[") && !strings.Contains(details[0].Field, ".") {
		msg = details[0].Message
	}
	return apperr.Invalid(msg, details...)
}
