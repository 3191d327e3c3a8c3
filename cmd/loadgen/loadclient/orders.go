package loadclient

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Line is one requested line of an order (api.md POST /orders).
type Line struct {
	Style string `json:"style"`
	Color string `json:"color"`
	Size  string `json:"size"`
	Qty   int    `json:"qty"`
}

// Order is the body of POST /orders; the dealer comes from the token.
type Order struct {
	Season    string `json:"season"`
	Reference string `json:"reference"`
	Lines     []Line `json:"lines"`
}

// Body is the order as JSON.
func (o Order) Body() []byte {
	b, err := json.Marshal(o)
	if err != nil {
		panic(err) // plain strings and ints cannot fail to encode
	}
	return b
}

// TotalQty is the sum of the line quantities.
func (o Order) TotalQty() int {
	n := 0
	for _, l := range o.Lines {
		n += l.Qty
	}
	return n
}

// Orderable keeps the styles a dealer can order (priced, with colours and
// sizes), sorted by code, so that every process derives the same orders
// from the same catalogue.
func Orderable(styles []Style) []Style {
	var out []Style
	for _, s := range styles {
		if s.Price != nil && len(s.Colors) > 0 && len(s.Sizes) > 0 {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Style) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// OrderFor is order j of virtual dealer vu in a run with the given seed:
// the same arguments always give the same order, so the HTTP run and the
// SQL baseline write the same orders. Lines are whole style-colours (each
// size of the style, or as many as still fit), chosen with a skew towards
// the first styles as bestsellers are; each style-colour reaches the
// style's minimum order quantity. styles must come from Orderable.
func OrderFor(seed uint64, vu, j int, styles []Style, season, reference string, lines int) Order {
	rng := rand.New(rand.NewPCG(seed, uint64(vu)<<32|uint64(uint32(j))))
	o := Order{Season: season, Reference: reference, Lines: make([]Line, 0, lines)}
	used := map[string]bool{}
	for tries := 0; len(o.Lines) < lines && tries < 100*lines; tries++ {
		st := styles[int(float64(len(styles))*math.Pow(rng.Float64(), 1.6))]
		col := st.Colors[rng.IntN(len(st.Colors))].Code
		if used[st.Code+"/"+col] {
			continue
		}
		used[st.Code+"/"+col] = true
		sizes := st.Sizes
		if room := lines - len(o.Lines); len(sizes) > room {
			off := rng.IntN(len(sizes) - room + 1)
			sizes = sizes[off : off+room]
		}
		min := max(st.MinOrderQty, 1)
		per := (min + len(sizes) - 1) / len(sizes)
		for _, sz := range sizes {
			o.Lines = append(o.Lines, Line{Style: st.Code, Color: col, Size: sz, Qty: per + rng.IntN(3)})
		}
	}
	return o
}

// Key is a fresh Idempotency-Key for order j of virtual dealer vu.
func Key(prefix string, vu, j int) string { return fmt.Sprintf("%s-%d-%d", prefix, vu, j) }
