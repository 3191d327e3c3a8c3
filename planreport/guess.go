package planreport

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sizerun/sizerun/aggregation"
)

// The guessed plan: what head office would have planned without order data.
// Integers only, growth in ten-thousandths (1.10 → 11000):
//
//  1. Style quantity T. A style offered in the base season: its base demand
//     L, T = round(L × growth). A style not offered in the base season
//     (new): its category's average over the styles offered in the base
//     season, T = round(ΣL_cat × growth / n_cat); with no such style in the
//     category, the average over all base styles; with no base season, 0.
//     round is half up: round(a/b) = ⌊(2a + b) / 2b⌋.
//  2. Colours (the style's colours with SKUs, by colour code). A new style,
//     or one whose current colours sold nothing in the base season: equal
//     split. Otherwise each colour with base demand q_c weighs q_c × (n − k)
//     and each of the k colours without base demand ("new colours") weighs
//     Q = Σq_c, so that a new colour gets exactly 1/n of T and the others
//     share the rest by last season's mix.
//  3. Sizes: each colour's quantity over its SKUs by the category's standard
//     size curve (size_curves, in 1/100000); equal split when the curve gives
//     its sizes no weight.
//     Steps 2 and 3 distribute integers by largest remainder (Spread): floor
//     of each exact share, then one more unit to the largest remainders,
//     ties to the earlier colour code or smaller size.
//  4. Production, per SKU, by the same rule as Sizerun's production orders
//     (aggregation.PlannedQty): the guess net of the stock available to the
//     season, plus the overage of the season's latest released production
//     order, rounded up to the style's cut lot. Rounding per SKU, as the
//     factory is told per SKU; the stock the guess nets counts as its
//     supply, as it does for Sizerun.

// GrowthScale is the denominator of a growth factor.
const GrowthScale = 10000

// MaxGrowth is the largest growth factor accepted: 10.0000.
const MaxGrowth = 10 * GrowthScale

// ParseGrowth reads a growth factor with at most four decimals ("1", "1.1",
// "0.95", "1.2345") into ten-thousandths, exactly. It must be above 0 and
// at most 10.
func ParseGrowth(s string) (int, error) {
	bad := fmt.Errorf("growth must be a decimal factor above 0 and at most 10 with at most four decimals, like \"1.10\"")
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 2 || (hasFrac && (frac == "" || len(frac) > 4)) {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	frac += strings.Repeat("0", 4-len(frac))
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi(frac)
	g := w*GrowthScale + f
	if g <= 0 || g > MaxGrowth {
		return 0, bad
	}
	return g, nil
}

// FormatGrowth writes ten-thousandths with two to four decimals: 11000 →
// "1.10", 7063 → "0.7063".
func FormatGrowth(g int) string {
	s := fmt.Sprintf("%d.%04d", g/GrowthScale, g%GrowthScale)
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 3 {
		s = s[:len(s)-1]
	}
	return s
}

// roundDiv is a/b rounded half up, for a ≥ 0 and b > 0.
func roundDiv(a, b int64) int64 { return (2*a + b) / (2 * b) }

// Spread distributes total over weights by largest remainder: each part is
// ⌊total × w / Σw⌋, and the units left go one each to the largest
// remainders, ties to the lower index. Negative weights count as 0; when all
// are 0 the split is equal. A zero weight never gets a unit while another
// weight is positive. The parts sum to total (0 for total ≤ 0).
func Spread(total int, weights []int64) []int {
	out := make([]int, len(weights))
	if total <= 0 || len(weights) == 0 {
		return out
	}
	w := make([]int64, len(weights))
	var sum int64
	for i, x := range weights {
		w[i] = max(x, 0)
		sum += w[i]
	}
	if sum == 0 {
		for i := range w {
			w[i] = 1
		}
		sum = int64(len(w))
	}
	rem := make([]int64, len(w))
	order := make([]int, len(w))
	left := total
	for i, x := range w {
		q := int64(total) * x
		out[i] = int(q / sum)
		rem[i] = q % sum
		left -= out[i]
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
	for k := 0; k < left; k++ {
		out[order[k]]++
	}
	return out
}

// history is the base season, indexed.
type history struct {
	offered  map[string]bool           // style → offered in the base season
	styleQty map[string]int64          // style → base demand
	colorQty map[string]map[string]int // style → colour → base demand
	catSum   map[string]int64          // category → Σ base demand of its offered styles
	catN     map[string]int64          // category → number of offered styles
	allSum   int64
	allN     int64
}

func newHistory(styles []BaseStyle, qty []BaseQty) history {
	h := history{offered: map[string]bool{}, styleQty: map[string]int64{}, colorQty: map[string]map[string]int{},
		catSum: map[string]int64{}, catN: map[string]int64{}}
	for _, q := range qty {
		h.styleQty[q.Style] += int64(q.Qty)
		if h.colorQty[q.Style] == nil {
			h.colorQty[q.Style] = map[string]int{}
		}
		h.colorQty[q.Style][q.Color] += q.Qty
	}
	for _, s := range styles {
		if h.offered[s.Style] {
			continue
		}
		h.offered[s.Style] = true
		h.catSum[s.Category] += h.styleQty[s.Style]
		h.catN[s.Category]++
		h.allSum += h.styleQty[s.Style]
		h.allN++
	}
	return h
}

// styleTarget is step 1: the style's guessed quantity at growth g.
func (h history) styleTarget(style, category string, g int) int {
	if h.offered[style] {
		return int(roundDiv(h.styleQty[style]*int64(g), GrowthScale))
	}
	sum, n := h.catSum[category], h.catN[category]
	if n == 0 {
		sum, n = h.allSum, h.allN
	}
	if n == 0 {
		return 0
	}
	return int(roundDiv(sum*int64(g), n*GrowthScale))
}

// Guess returns the guessed quantity of every SKU (parallel to skus; 0 for
// SKUs of styles not offered in the season) at growth g, steps 1–3 above.
func Guess(skus []SKU, styles []BaseStyle, qty []BaseQty, g int) []int {
	h := newHistory(styles, qty)
	out := make([]int, len(skus))
	// Group the in-season SKUs by style, then colour, keeping code order.
	type colorGroup struct {
		color string
		skus  []int // indexes into skus
	}
	type styleGroup struct {
		style, category string
		colors          []*colorGroup
	}
	var order []*styleGroup
	byStyle := map[string]*styleGroup{}
	for i, k := range skus {
		if !k.InSeason {
			continue
		}
		sg := byStyle[k.Style]
		if sg == nil {
			sg = &styleGroup{style: k.Style, category: k.Category}
			byStyle[k.Style] = sg
			order = append(order, sg)
		}
		var cg *colorGroup
		for _, c := range sg.colors {
			if c.color == k.Color {
				cg = c
			}
		}
		if cg == nil {
			cg = &colorGroup{color: k.Color}
			sg.colors = append(sg.colors, cg)
		}
		cg.skus = append(cg.skus, i)
	}
	for _, sg := range order {
		sort.SliceStable(sg.colors, func(a, b int) bool { return sg.colors[a].color < sg.colors[b].color })
		t := h.styleTarget(sg.style, sg.category, g)
		n := int64(len(sg.colors))
		weights := make([]int64, n)
		var q, k int64
		if h.offered[sg.style] {
			for _, c := range sg.colors {
				x := int64(h.colorQty[sg.style][c.color])
				q += x
				if x == 0 {
					k++
				}
			}
		}
		if q > 0 {
			for i, c := range sg.colors {
				if x := int64(h.colorQty[sg.style][c.color]); x > 0 {
					weights[i] = x * (n - k)
				} else {
					weights[i] = q
				}
			}
		} // else all 0: equal split
		for ci, qty := range Spread(t, weights) {
			c := sg.colors[ci]
			sort.SliceStable(c.skus, func(a, b int) bool { return skus[c.skus[a]].SizePos < skus[c.skus[b]].SizePos })
			sw := make([]int64, len(c.skus))
			for i, idx := range c.skus {
				sw[i] = int64(skus[idx].CurveShare)
			}
			for i, x := range Spread(qty, sw) {
				out[c.skus[i]] = x
			}
		}
	}
	return out
}

// GuessedProduction is step 4 for one SKU: the stock the guess nets and
// what it has the factory make.
func GuessedProduction(guess, stockAvail, overageBP, cutLot int) (stockUsed, made int) {
	stockUsed = min(max(stockAvail, 0), max(guess, 0))
	return stockUsed, aggregation.PlannedQty(guess, stockUsed, overageBP, cutLot)
}

// MatchedGrowth is the growth factor (ten-thousandths, rounded half up) at
// which the guessed style quantities at growth 1 scale to demand; 0 when
// the guess at growth 1 is 0.
func MatchedGrowth(skus []SKU, styles []BaseStyle, qty []BaseQty, demand int) int {
	var g1 int64
	for _, x := range Guess(skus, styles, qty, GrowthScale) {
		g1 += int64(x)
	}
	if g1 == 0 {
		return 0
	}
	return int(roundDiv(int64(demand)*GrowthScale, g1))
}
