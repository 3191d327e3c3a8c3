package dealers

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/money"
)

func m(s string) money.Amount { return money.MustParse(s) }

func TestRoundingAndRatio(t *testing.T) {
	tests := []struct {
		r      *big.Rat
		places int
		cents  money.Amount
		ratio  string
	}{
		{big.NewRat(5, 2), 0, 3, "3"},         // 2.5 → 3 (half up)
		{big.NewRat(-5, 2), 0, -3, "-3"},      // −2.5 → −3 (half away from zero)
		{big.NewRat(7, 3), 0, 2, "2"},         // 2.333 → 2
		{big.NewRat(-7, 3), 0, -2, "-2"},      // −2.333 → −2
		{big.NewRat(2, 3), 4, 1, "0.6667"},    // 0.66666… → 0.6667
		{big.NewRat(1, 8), 2, 0, "0.13"},      // 0.125 → 0.13
		{big.NewRat(-1, 8), 2, 0, "-0.13"},    // −0.125 → −0.13
		{big.NewRat(0, 1), 4, 0, "0.0000"},    // zero keeps its decimals
		{big.NewRat(1, 1), 4, 1, "1.0000"},    // one
		{big.NewRat(1, 400), 2, 0, "0.00"},    // 0.0025 → 0.00
		{big.NewRat(1, 200), 2, 0, "0.01"},    // 0.005 → 0.01
		{big.NewRat(123, 1), 1, 123, "123.0"}, // whole numbers
	}
	for _, tt := range tests {
		if got := Ratio(tt.r, tt.places); got != tt.ratio {
			t.Errorf("Ratio(%s, %d) = %q, want %q", tt.r, tt.places, got, tt.ratio)
		}
		if tt.places == 0 {
			if got := roundCents(tt.r); got != tt.cents {
				t.Errorf("roundCents(%s) = %d, want %d", tt.r, got, tt.cents)
			}
		}
	}
}

func TestRankPareto(t *testing.T) {
	// Five dealers with revenue 500 + 300 + 100 + 60 + 40 = 1000.00; a zero
	// and a negative one are left out. Top 20% of 5 = 1 dealer: 500/1000.
	// Cumulative 0.50 A, 0.80 A (≤ 80%), 0.90 B, 0.96 C, 1.00 C.
	got := RankPareto([]ValuedDealer{
		{Code: "D4", Value: m("60.00")}, {Code: "D1", Value: m("500.00")}, {Code: "D9", Value: 0},
		{Code: "D2", Value: m("300.00")}, {Code: "D5", Value: m("40.00")}, {Code: "D3", Value: m("100.00")},
		{Code: "D8", Value: m("-10.00")},
	})
	want := Pareto{TotalValue: m("1000.00"), Dealers: 5, TopCount: 1, TopValue: m("500.00"), TopShare: "0.5000",
		Classes: map[string]int{"A": 2, "B": 1, "C": 2},
		Rows: []ParetoRow{
			{Rank: 1, Dealer: "D1", Value: m("500.00"), Share: "0.5000", Cumulative: "0.5000", Class: "A"},
			{Rank: 2, Dealer: "D2", Value: m("300.00"), Share: "0.3000", Cumulative: "0.8000", Class: "A"},
			{Rank: 3, Dealer: "D3", Value: m("100.00"), Share: "0.1000", Cumulative: "0.9000", Class: "B"},
			{Rank: 4, Dealer: "D4", Value: m("60.00"), Share: "0.0600", Cumulative: "0.9600", Class: "C"},
			{Rank: 5, Dealer: "D5", Value: m("40.00"), Share: "0.0400", Cumulative: "1.0000", Class: "C"},
		}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RankPareto (-want +got):\n%s", diff)
	}

	// Six dealers of 100.00 each, ties ranked by code: top 20% of 6 rounds
	// up to 2 dealers = 200/600 = 0.3333. Cumulative 1/6 … 6/6: A up to
	// 4/6 = 0.6667 (5/6 = 0.8333 > 0.80 is B, 6/6 is C).
	var six []ValuedDealer
	for _, c := range []string{"F", "B", "E", "A", "D", "C"} {
		six = append(six, ValuedDealer{Code: c, Value: m("100.00")})
	}
	p := RankPareto(six)
	if p.TopCount != 2 || p.TopShare != "0.3333" || p.Rows[0].Dealer != "A" || p.Rows[5].Dealer != "F" {
		t.Errorf("six equal dealers: top %d share %s, first %s last %s", p.TopCount, p.TopShare, p.Rows[0].Dealer, p.Rows[5].Dealer)
	}
	if diff := cmp.Diff(map[string]int{"A": 4, "B": 1, "C": 1}, p.Classes); diff != "" {
		t.Errorf("six classes: %s", diff)
	}

	empty := RankPareto(nil)
	if empty.Dealers != 0 || empty.TopShare != "0.0000" || len(empty.Rows) != 0 {
		t.Errorf("empty Pareto %+v", empty)
	}
}

func TestQuintile(t *testing.T) {
	// 1 + ⌊5 × worse / n⌋.
	var got []int
	for w := 0; w < 10; w++ {
		got = append(got, Quintile(w, 10))
	}
	if diff := cmp.Diff([]int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, got); diff != "" {
		t.Errorf("n=10: %s", diff)
	}
	// n=3: 1 + 0, 1 + ⌊5/3⌋ = 2, 1 + ⌊10/3⌋ = 4.
	if a, b, c := Quintile(0, 3), Quintile(1, 3), Quintile(2, 3); a != 1 || b != 2 || c != 4 {
		t.Errorf("n=3: %d %d %d", a, b, c)
	}
	if Quintile(0, 1) != 1 || Quintile(0, 0) != 1 {
		t.Error("n=1 or 0")
	}
}

func TestScoreRFM(t *testing.T) {
	// Five dealers (n = 5, score = 1 + ⌊5 × worse / 5⌋ = 1 + worse):
	//   D1 recency 0, frequency 4, monetary 1000
	//   D2 recency 0, frequency 2, monetary 500
	//   D3 recency 1, frequency 3, monetary 800
	//   D4 recency 2, frequency 1, monetary 100
	//   D5 recency 0, frequency 4, monetary 1000
	// R: recency 0 has 2 worse (D3, D4) → 3; recency 1 has 1 worse → 2; 2 → 1.
	// F: 4 has 3 worse → 4; 3 has 2 → 3; 2 has 1 → 2; 1 → 1.
	// M: 1000 has 3 worse → 4; 800 → 3; 500 → 2; 100 → 1.
	rs := []RFM{
		{Recency: 0, Frequency: 4, Monetary: m("1000.00")},
		{Recency: 0, Frequency: 2, Monetary: m("500.00")},
		{Recency: 1, Frequency: 3, Monetary: m("800.00")},
		{Recency: 2, Frequency: 1, Monetary: m("100.00")},
		{Recency: 0, Frequency: 4, Monetary: m("1000.00")},
	}
	ScoreRFM(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.Score)
	}
	if diff := cmp.Diff([]string{"344", "322", "233", "111", "344"}, got); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
}

func TestLeastSquares(t *testing.T) {
	tests := []struct {
		name string
		ys   []money.Amount
		a, b *big.Rat
	}{
		// x̄ = 1, ȳ = 200000; b = ((−1)(−100000) + 0 + (1)(100000)) / 2 = 100000; a = 200000 − 100000.
		{"rising", []money.Amount{100000, 200000, 300000}, big.NewRat(100000, 1), big.NewRat(100000, 1)},
		// x̄ = 1, ȳ = 50; Σdx·dy = (−1)(−50) + 0 + (1)(0) = 50; Σdx² = 2 → b = 25; a = 50 − 25.
		{"bumpy", []money.Amount{0, 100, 50}, big.NewRat(25, 1), big.NewRat(25, 1)},
		// x̄ = 0.5, ȳ = 1; b = ((−½)(−1) + (½)(1)) / ½ = 2; a = 1 − 2 × ½ = 0.
		{"two points", []money.Amount{0, 2}, big.NewRat(0, 1), big.NewRat(2, 1)},
		// x̄ = 1, ȳ = 1/3: Σdx·dy = (−1)(−⅓) + (1)(−⅓) = 0 → b = 0, a = ⅓.
		{"flat thirds", []money.Amount{0, 1, 0}, big.NewRat(1, 3), big.NewRat(0, 1)},
		{"one point", []money.Amount{5}, big.NewRat(5, 1), big.NewRat(0, 1)},
		{"none", nil, big.NewRat(0, 1), big.NewRat(0, 1)},
	}
	for _, tt := range tests {
		a, b := LeastSquares(tt.ys)
		if a.Cmp(tt.a) != 0 || b.Cmp(tt.b) != 0 {
			t.Errorf("%s: a = %s, b = %s; want %s, %s", tt.name, a, b, tt.a, tt.b)
		}
	}
}

func TestComputeCLV(t *testing.T) {
	tests := []struct {
		name    string
		margins []string
		rate    *big.Rat
		horizon int
		want    CLV
	}{
		{
			// Historical (ages 0, 1, 2): 3000 + 2000/1.1 + 1000/1.21
			//   = 3000 + 1818.1818… + 826.4462… = 5644.6280… → 5644.63.
			// Trend: a = 1000, b = 1000 per season; ahead x = 3: 4000, x = 4: 5000.
			// Future: 4000/1.1 + 5000/1.21 = 3636.3636… + 4132.2314… = 7768.5950… → 7768.60.
			name: "rising", margins: []string{"1000.00", "2000.00", "3000.00"}, rate: big.NewRat(1, 10), horizon: 2,
			want: CLV{Historical: m("5644.63"), Future: m("7768.60"), Total: m("13413.23"), TrendPerSeason: m("1000.00"), Periods: 3},
		},
		{
			// c = 0: historical = 3000 + 1000 = 4000. Trend: x̄ = ½, ȳ = 2000, b = −2000,
			// a = 3000; ahead 3000 − 2000 × 2 = −1000, −3000, −5000: all below 0, so the
			// future is 0.
			name: "falling", margins: []string{"3000.00", "1000.00"}, rate: new(big.Rat), horizon: 3,
			want: CLV{Historical: m("4000.00"), Future: 0, Total: m("4000.00"), TrendPerSeason: m("-2000.00"), Periods: 2},
		},
		{
			// One season: flat trend; future = 500/1.25 + 500/1.5625 = 400 + 320 = 720.
			name: "new dealer", margins: []string{"500.00"}, rate: big.NewRat(1, 4), horizon: 2,
			want: CLV{Historical: m("500.00"), Future: m("720.00"), Total: m("1220.00"), TrendPerSeason: 0, Periods: 1},
		},
		{
			// Historical: −100 + 300/1.1 = −100 + 272.7272… = 172.73. Trend through
			// (0, 300), (1, −100): x̄ = ½, ȳ = 100, b = ((−½)(200) + (½)(−200)) / ½ = −400,
			// a = 100 + 200 = 300; ahead x = 2: 300 − 800 = −500 → 0.
			name: "loss this season", margins: []string{"300.00", "-100.00"}, rate: big.NewRat(1, 10), horizon: 1,
			want: CLV{Historical: m("172.73"), Future: 0, Total: m("172.73"), TrendPerSeason: m("-400.00"), Periods: 2},
		},
		{name: "no history", margins: nil, rate: big.NewRat(1, 10), horizon: 4, want: CLV{}},
	}
	for _, tt := range tests {
		var ms []money.Amount
		for _, s := range tt.margins {
			ms = append(ms, m(s))
		}
		if diff := cmp.Diff(tt.want, ComputeCLV(ms, tt.rate, tt.horizon)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestLoyaltyAndSatisfaction(t *testing.T) {
	loyalty := []struct {
		active, possible int
		regularity       string
		high             bool
	}{
		{3, 4, "0.7500", true},  // 75% and 3 seasons
		{4, 4, "1.0000", true},  // every season
		{1, 1, "1.0000", false}, // a single season is not loyalty yet
		{2, 4, "0.5000", false}, // every other season
		{0, 0, "0.0000", false},
	}
	for _, tt := range loyalty {
		l := NewLoyalty(tt.active, tt.possible)
		if l.Regularity != tt.regularity || l.High != tt.high {
			t.Errorf("NewLoyalty(%d, %d) = %+v", tt.active, tt.possible, l)
		}
	}
	four := "4.00"
	three := "3.00"
	satisfaction := []struct {
		name               string
		credits, gross     string
		ratingSum, ratings int
		rate, index        string
		avg                *string
		high               bool
	}{
		{"5% returns, rated 4", "50.00", "1000.00", 8, 2, "0.0500", "0.9500", &four, true},
		{"6% returns", "60.00", "1000.00", 0, 0, "0.0600", "0.9400", nil, false},
		{"no returns, rated 3", "0.00", "1000.00", 3, 1, "0.0000", "1.0000", &three, false},
		{"nothing at all", "0.00", "0.00", 0, 0, "0.0000", "1.0000", nil, true},
	}
	for _, tt := range satisfaction {
		s := NewSatisfaction(m(tt.credits), m(tt.gross), tt.ratingSum, tt.ratings)
		want := Satisfaction{ReturnsRate: tt.rate, Index: tt.index, AverageRating: tt.avg, Ratings: tt.ratings, High: tt.high}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSegmentsAreSixteen(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range []bool{true, false} {
		for _, p := range []bool{true, false} {
			for _, l := range []bool{true, false} {
				for _, s := range []bool{true, false} {
					key, code := SegmentCode(h, p, l, s)
					seg := SegmentByKey(key)
					if seg.Name == "" || seg.Policy == "" || seg.Code != code || len(code) != 7 {
						t.Errorf("segment %s: %+v", code, seg)
					}
					seen[key] = true
				}
			}
		}
	}
	if len(seen) != 16 || len(Segments) != 16 {
		t.Errorf("%d segments reachable, %d defined", len(seen), len(Segments))
	}
}

// TestAnalyze checks every figure of a small analysis, computed by hand.
//
// Seasons S1, S2, S3; analysed S3 (t = 2); handling 10.00 per order; c = 0.10; horizon 1.
//
//	A: S1 1 order gross 1000 cost 500; S2 1 order 1200 cost 600; S3 1 order 1400 cost 700.
//	   margins 490, 590, 690. Revenue S3 1400; monetary 3600; recency 0; frequency 3.
//	   hist = 690 + 590/1.1 + 490/1.21 = 690 + 536.3636 + 404.9587 = 1631.3223 → 1631.32
//	   trend a = 490, b = 100 → x = 3: 790 / 1.1 = 718.1818 → 718.18; total 2349.50
//	B: S2 1 order gross 500, credits 100, cost 200; nothing in S3 (drifting).
//	   margins (from S2) 190, 0. Revenue S3 0; monetary 400; recency 1; frequency 1.
//	   hist = 0 + 190/1.1 = 172.7273 → 172.73; trend b = −190, a = 190 → x = 2: −190 → 0.
//	   returns rate 100/500 = 0.2000 → low satisfaction.
//	C: S3 2 orders gross 300 cost 100: margin 300 − 100 − 20 = 180; hist 180.00;
//	   future 180/1.1 = 163.6364 → 163.64; total 343.64.
//	D: no orders: not analysed.
//
// Pareto S3: A 1400, C 300, total 1700; top 20% of 2 = 1 dealer: 1400/1700 = 0.8235.
// Cumulative: A 0.8235 (> 0.80: class B), C 1.0000 (class C).
// RFM (n = 3): R: recency 0 has 1 worse → 1 + ⌊5/3⌋ = 2; recency 1 → 1.
//
//	F: A 3 has 2 worse → 1 + ⌊10/3⌋ = 4; B, C → 1.
//	M: A 3600 has 2 worse → 4; B 400 has 1 worse → 2; C → 1.
//	A "244", B "112", C "211".
//
// Medians: historical {172.73, 180.00, 1631.32} → 180.00: A H, C H (equal), B L.
// Future {0, 163.64, 718.18} → 163.64: A H, C H, B L.
// Loyalty: A 3/3 H; B 1/2 L; C 1/1 L (one season). Satisfaction: A H, B L, C H.
// Segments: A H-H-H-H, B L-L-L-L, C H-H-L-H.
func TestAnalyze(t *testing.T) {
	in := AnalysisInput{
		Seasons:      []SeasonRef{{Code: "S1"}, {Code: "S2"}, {Code: "S3"}},
		HandlingCost: m("10.00"),
		Dealers: []DealerFacts{
			{Code: "A", Currency: "CNY", Seasons: []SeasonFacts{
				{Orders: 1, Gross: m("1000.00"), GoodsCost: m("500.00")},
				{Orders: 1, Gross: m("1200.00"), GoodsCost: m("600.00")},
				{Orders: 1, Gross: m("1400.00"), GoodsCost: m("700.00")}}},
			{Code: "B", Currency: "CNY", Seasons: []SeasonFacts{
				{}, {Orders: 1, Gross: m("500.00"), Credits: m("100.00"), GoodsCost: m("200.00")}, {}}},
			{Code: "C", Currency: "CNY", Seasons: []SeasonFacts{
				{}, {}, {Orders: 2, Gross: m("300.00"), GoodsCost: m("100.00")}}},
			{Code: "D", Currency: "CNY", Seasons: []SeasonFacts{{}, {}, {}}},
		},
	}
	a := Analyze(in, 2, big.NewRat(1, 10), 1)
	if a.Season.Code != "S3" || a.PreviousSeason == nil || a.PreviousSeason.Code != "S2" || a.DiscountRate != "0.1000" || a.Currency != "CNY" {
		t.Errorf("head: %+v %+v %s %s", a.Season, a.PreviousSeason, a.DiscountRate, a.Currency)
	}
	wantPareto := Pareto{TotalValue: m("1700.00"), Dealers: 2, TopCount: 1, TopValue: m("1400.00"), TopShare: "0.8235",
		Classes: map[string]int{"A": 0, "B": 1, "C": 1},
		Rows: []ParetoRow{
			{Rank: 1, Dealer: "A", Value: m("1400.00"), Share: "0.8235", Cumulative: "0.8235", Class: "B"},
			{Rank: 2, Dealer: "C", Value: m("300.00"), Share: "0.1765", Cumulative: "1.0000", Class: "C"},
		}}
	if diff := cmp.Diff(wantPareto, a.Pareto); diff != "" {
		t.Errorf("Pareto (-want +got):\n%s", diff)
	}
	type fig struct {
		Dealer, Class, RFM, Segment string
		Value, Monetary             money.Amount
		Recency, Frequency          int
		Hist, Future, Total         money.Amount
	}
	var got []fig
	for _, d := range a.Dealers {
		got = append(got, fig{d.Dealer, d.Class, d.RFM.Score, d.Segment.Code, d.Value, d.RFM.Monetary,
			d.RFM.Recency, d.RFM.Frequency, d.CLV.Historical, d.CLV.Future, d.CLV.Total})
	}
	want := []fig{
		{"A", "B", "244", "H-H-H-H", m("1400.00"), m("3600.00"), 0, 3, m("1631.32"), m("718.18"), m("2349.50")},
		{"B", "", "112", "L-L-L-L", 0, m("400.00"), 1, 1, m("172.73"), 0, m("172.73")},
		{"C", "C", "211", "H-H-L-H", m("300.00"), m("300.00"), 0, 1, m("180.00"), m("163.64"), m("343.64")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dealers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Drifter{{Dealer: "B", PreviousValue: m("400.00"), Seasons: 1}}, a.Drifting); diff != "" {
		t.Errorf("drifting (-want +got):\n%s", diff)
	}
	if len(a.Segments) != 16 {
		t.Fatalf("%d segments", len(a.Segments))
	}
	counts := map[string]int{}
	total := 0
	for _, s := range a.Segments {
		counts[s.Code] = s.Count
		total += s.Count
	}
	if total != 3 || counts["H-H-H-H"] != 1 || counts["L-L-L-L"] != 1 || counts["H-H-L-H"] != 1 {
		t.Errorf("segment counts %v", counts)
	}
	if b := a.Dealers[1].Satisfaction; b.ReturnsRate != "0.2000" || b.High {
		t.Errorf("B satisfaction %+v", b)
	}

	// The first season has no previous season and no drifters.
	first := Analyze(in, 0, big.NewRat(1, 10), 1)
	if first.PreviousSeason != nil || len(first.Drifting) != 0 || len(first.Dealers) != 1 {
		t.Errorf("S1: previous %v, drifting %v, dealers %d", first.PreviousSeason, first.Drifting, len(first.Dealers))
	}
}
