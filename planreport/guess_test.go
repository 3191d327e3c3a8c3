package planreport

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/money"
)

func TestPlanReportParseGrowth(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		bad  bool
	}{
		{"1", 10000, false}, {"1.1", 11000, false}, {"1.10", 11000, false}, {" 1.10 ", 11000, false},
		{"0.95", 9500, false}, {"1.2345", 12345, false}, {"10", 100000, false}, {"0.0001", 1, false},
		{"01.5", 15000, false},
		{"10.0001", 0, true}, {"11", 0, true}, {"0", 0, true}, {"0.0000", 0, true}, {"-1", 0, true},
		{"1.23456", 0, true}, {"abc", 0, true}, {"", 0, true}, {"1.", 0, true}, {".5", 0, true},
		{"1e2", 0, true}, {"1,5", 0, true}, {"１", 0, true}, {"100", 0, true}, {"1.1.1", 0, true},
	} {
		got, err := ParseGrowth(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseGrowth(%q) = %d, %v; want %d, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestPlanReportFormatGrowth(t *testing.T) {
	for g, want := range map[int]string{11000: "1.10", 10000: "1.00", 12345: "1.2345", 7063: "0.7063",
		12300: "1.23", 100000: "10.00", 5: "0.0005", 12340: "1.234"} {
		if got := FormatGrowth(g); got != want {
			t.Errorf("FormatGrowth(%d) = %q, want %q", g, got, want)
		}
	}
}

func TestPlanReportSpread(t *testing.T) {
	for _, c := range []struct {
		name    string
		total   int
		weights []int64
		want    []int
	}{
		{"exact shares", 100, []int64{120, 40}, []int{75, 25}},
		// 37.5 and 12.5: one unit left, the tie goes to the lower index.
		{"tie to the first", 50, []int64{3, 1}, []int{38, 12}},
		// 18.75, 37.5, 18.75: floors 18+37+18 = 73, two left for .75 and .75.
		{"size curve", 75, []int64{25000, 50000, 25000}, []int{19, 37, 19}},
		// 6.25, 12.5, 6.25: one left, for the largest remainder .5.
		{"largest remainder wins", 25, []int64{25000, 50000, 25000}, []int{6, 13, 6}},
		// 7.6, 11.4, 19: one left, for .6.
		{"bottoms curve", 38, []int64{20000, 30000, 50000}, []int{8, 11, 19}},
		{"all zero: equal", 5, []int64{0, 0, 0}, []int{2, 2, 1}},
		{"zero weight gets nothing", 3, []int64{1, 0, 1}, []int{2, 0, 1}},
		{"negative weight is zero", 4, []int64{-5, 1, 1}, []int{0, 2, 2}},
		{"nothing to spread", 0, []int64{1, 2}, []int{0, 0}},
		{"negative total", -3, []int64{1, 2}, []int{0, 0}},
		{"no weights", 7, nil, []int{}},
		{"large", 1000000, []int64{1, 1, 1}, []int{333334, 333333, 333333}},
		{"large weights", 999, []int64{4_000_000_000, 3_000_000_000, 3_000_000_000}, []int{399, 300, 300}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, Spread(c.total, c.weights)); diff != "" {
				t.Errorf("Spread(%d, %v) (-want +got):\n%s", c.total, c.weights, diff)
			}
		})
	}
}

// Every part is the floor or the ceiling of its exact share, and the parts
// sum to the total.
func TestPlanReportSpreadProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		n := 1 + r.IntN(8)
		w := make([]int64, n)
		var sum int64
		for j := range w {
			if r.IntN(4) > 0 {
				w[j] = r.Int64N(100000)
			}
			sum += w[j]
		}
		total := r.IntN(5000)
		got := Spread(total, w)
		s := 0
		for j, x := range got {
			s += x
			if sum == 0 {
				continue
			}
			lo := int64(total) * w[j] / sum
			if int64(x) < lo || int64(x) > lo+1 {
				t.Fatalf("Spread(%d, %v) = %v: part %d not the floor or ceiling of its share", total, w, got, j)
			}
		}
		if s != total {
			t.Fatalf("Spread(%d, %v) = %v sums to %d", total, w, got, s)
		}
	}
}

// skus builds in-season SKUs of a style: colours × sizes, with a curve.
func skus(style, category string, colors []string, sizes []string, curve []int) []SKU {
	var out []SKU
	for _, c := range colors {
		for i, s := range sizes {
			k := SKU{Style: style, Category: category, Color: c, Size: s, SizePos: i + 1, InSeason: true, CutLot: 1}
			if curve != nil {
				k.CurveShare = curve[i]
			}
			out = append(out, k)
		}
	}
	return out
}

func concat(parts ...[]SKU) []SKU {
	var out []SKU
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var (
	sml        = []string{"S", "M", "L"}
	topsCurve  = []int{25000, 50000, 25000}
	bottomCurv = []int{20000, 30000, 50000}
)

func TestPlanReportGuess(t *testing.T) {
	base := []BaseStyle{{"STA", "TOPS"}, {"STB", "BOTTOMS"}, {"STZ", "BOTTOMS"}, {"STX", "SHIRT"}}
	qty := []BaseQty{{"STA", "BLK", 60}, {"STA", "WHT", 20}, {"STB", "BLK", 30}, {"STB", "WHT", 10},
		{"STZ", "BLK", 10}, {"STX", "BLK", 0}}
	for _, c := range []struct {
		name   string
		skus   []SKU
		styles []BaseStyle
		qty    []BaseQty
		growth int
		want   []int
	}{
		{
			// T = 80 × 1.25 = 100; colours 60:20 → 75, 25; sizes 25/50/25 %:
			// 75 → 18.75, 37.5, 18.75 → 19, 37, 19; 25 → 6.25, 12.5, 6.25 → 6, 13, 6.
			name: "carry-over: last season's mix and the curve", growth: 12500, styles: base, qty: qty,
			skus: skus("STA", "TOPS", []string{"BLK", "WHT"}, sml, topsCurve),
			want: []int{19, 37, 19, 6, 13, 6},
		},
		{
			// T = 40 × 1.25 = 50; 30:10 → 37.5, 12.5 → 38, 12 (tie to BLK);
			// 38 by 20/30/50 % → 7.6, 11.4, 19 → 8, 11, 19; 12 → 2.4, 3.6, 6 → 2, 4, 6.
			name: "carry-over: ties go to the first colour", growth: 12500, styles: base, qty: qty,
			skus: skus("STB", "BOTTOMS", []string{"BLK", "WHT"}, sml, bottomCurv),
			want: []int{8, 11, 19, 2, 4, 6},
		},
		{
			// New style in BOTTOMS: (40 + 10) / 2 styles = 25 × 1.00 = 25, equal
			// colours 13, 12 (tie to BLK); 13 → 2.6, 3.9, 6.5 → 3, 4, 6;
			// 12 → 2.4, 3.6, 6 → 2, 4, 6.
			name: "new style: its category's average", growth: 10000, styles: base, qty: qty,
			skus: skus("STC", "BOTTOMS", []string{"BLK", "WHT"}, sml, bottomCurv),
			want: []int{3, 4, 6, 2, 4, 6},
		},
		{
			// Category average rounds half up: 50 / 2 × 1.1 = 27.5 → 28 → 14, 14.
			name: "category average rounds half up", growth: 11000, styles: base, qty: qty,
			skus: skus("STC", "BOTTOMS", []string{"BLK", "WHT"}, []string{"M"}, nil),
			want: []int{14, 14},
		},
		{
			// DRESS has no base style: the average over all four base styles,
			// (80 + 40 + 10 + 0) / 4 = 32.5 → 33 at growth 1; sizes equal
			// (no curve): 11, 11, 11.
			name: "new category: the average over all styles", growth: 10000, styles: base, qty: qty,
			skus: skus("STD", "DRESS", []string{"RED"}, sml, nil),
			want: []int{11, 11, 11},
		},
		{
			// 40 × 1.5 = 60; BLK 30, WHT 10 sold, RED is new (n = 3, k = 1):
			// weights 30×2, 10×2, 40 → 60:20:40 → 30, 10, 20: RED gets 1/3.
			name: "new colour: an equal share", growth: 15000, styles: base, qty: qty,
			skus: skus("STB", "BOTTOMS", []string{"BLK", "RED", "WHT"}, []string{"M"}, nil),
			want: []int{30, 20, 10},
		},
		{
			name: "offered last season, sold nothing: nothing", growth: 20000, styles: base, qty: qty,
			skus: skus("STX", "SHIRT", []string{"BLK"}, sml, nil),
			want: []int{0, 0, 0},
		},
		{
			name: "no base season: nothing", growth: 10000,
			skus: skus("STA", "TOPS", []string{"BLK"}, sml, topsCurve),
			want: []int{0, 0, 0},
		},
		{
			// A style sold last season whose current colours all sold nothing
			// (its colour BLK is gone): equal split. 10 × 1 over GRN, YEL.
			name: "only new colours: equal split", growth: 10000, styles: base, qty: qty,
			skus: skus("STZ", "BOTTOMS", []string{"GRN", "YEL"}, []string{"M"}, nil),
			want: []int{5, 5},
		},
		{
			// Sizes the curve gives no share get nothing: 12 over S, M by 1:3, XL 0.
			name: "a size outside the curve", growth: 10000, styles: []BaseStyle{{"STQ", "TOPS"}}, qty: []BaseQty{{"STQ", "BLK", 12}},
			skus: skus("STQ", "TOPS", []string{"BLK"}, []string{"S", "M", "XL"}, []int{25000, 75000, 0}),
			want: []int{3, 9, 0},
		},
		{
			name: "not in the season: no guess", growth: 10000, styles: base, qty: qty,
			skus: func() []SKU {
				k := skus("STA", "TOPS", []string{"BLK"}, []string{"M"}, nil)
				k[0].InSeason = false
				return k
			}(),
			want: []int{0},
		},
		{
			// Several styles at once keep their SKUs' order, interleaved input included.
			name: "several styles", growth: 10000, styles: base, qty: qty,
			skus: concat(skus("STB", "BOTTOMS", []string{"WHT"}, []string{"M"}, nil), skus("STA", "TOPS", []string{"BLK"}, []string{"M"}, nil),
				skus("STB", "BOTTOMS", []string{"BLK"}, []string{"M"}, nil)),
			want: []int{10, 80, 30},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, Guess(c.skus, c.styles, c.qty, c.growth)); diff != "" {
				t.Errorf("Guess (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanReportGuessedProduction(t *testing.T) {
	for _, c := range []struct {
		guess, stock, overage, lot int
		used, made                 int
	}{
		{19, 10, 1000, 6, 10, 12}, // net 9, +10 % = 9.9 → 10, lot 6 → 12
		{37, 0, 1000, 6, 0, 42},   // 40.7 → 41 → 42
		{6, 3, 1000, 4, 3, 4},     // net 3 → 3.3 → 4 → 4
		{5, 10, 0, 6, 5, 0},       // stock covers the guess
		{0, 5, 1000, 1, 0, 0},     // nothing guessed, no stock used
		{12, 0, 0, 5, 0, 15},      // cut lot only
		{8, -2, 0, 1, 0, 8},       // negative stock counts as none
	} {
		used, made := GuessedProduction(c.guess, c.stock, c.overage, c.lot)
		if used != c.used || made != c.made {
			t.Errorf("GuessedProduction(%d, %d, %d, %d) = %d, %d; want %d, %d", c.guess, c.stock, c.overage, c.lot, used, made, c.used, c.made)
		}
	}
}

func TestPlanReportPlanFigures(t *testing.T) {
	cost, list := money.MustParse("40.00"), money.MustParse("100.00")
	for _, c := range []struct {
		name                        string
		target, made, stock, demand int
		want                        PlanFigures
	}{
		{"rounding only", 36, 42, 0, 36, PlanFigures{Target: 36, Made: 42, Supply: 42, Excess: 6, RoundingExcess: 6,
			ExcessCost: 24000, ExcessWholesale: 60000}},
		{"cancelled after release", 7, 12, 0, 0, PlanFigures{Target: 7, Made: 12, Supply: 12, Excess: 12, RoundingExcess: 5,
			OtherExcess: 7, ExcessCost: 48000, ExcessWholesale: 120000}},
		// Later demand eats the rounding first: 12 made for 10, demand 11 → excess 1, all rounding.
		{"later demand", 10, 12, 0, 11, PlanFigures{Target: 10, Made: 12, Supply: 12, Excess: 1, RoundingExcess: 1,
			ExcessCost: 4000, ExcessWholesale: 10000}},
		{"shortage", 0, 0, 0, 6, PlanFigures{Shortage: 6, ShortageCost: 24000, ShortageWholesale: 60000}},
		{"stock counts as supply", 10, 0, 10, 10, PlanFigures{Target: 10, StockUsed: 10, Supply: 10}},
		{"guess above demand", 19, 12, 10, 10, PlanFigures{Target: 19, Made: 12, StockUsed: 10, Supply: 22, Excess: 12,
			RoundingExcess: 3, OtherExcess: 9, ExcessCost: 48000, ExcessWholesale: 120000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := planFigures(c.target, c.made, c.stock, c.demand, cost, list)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("planFigures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanReportMatchedGrowth(t *testing.T) {
	k := skus("STA", "TOPS", []string{"BLK"}, []string{"M"}, nil)
	base := []BaseStyle{{"STA", "TOPS"}}
	// Guess at growth 1 is 80; demand 113 → 1.4125; demand 0 → 0.
	for demand, want := range map[int]int{113: 14125, 0: 0, 1: 125} {
		if got := MatchedGrowth(k, base, []BaseQty{{"STA", "BLK", 80}}, demand); got != want {
			t.Errorf("MatchedGrowth(demand %d) = %d, want %d", demand, got, want)
		}
	}
	if got := MatchedGrowth(k, nil, nil, 50); got != 0 {
		t.Errorf("MatchedGrowth without history = %d, want 0", got)
	}
}
