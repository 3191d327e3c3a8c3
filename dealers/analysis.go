package dealers

import (
	"math/big"
	"sort"
	"strings"

	"github.com/sizerun/sizerun/money"
)

// The dealer value analysis (product.md "Dealer value analysis"). Every
// figure is computed here, in pure functions, from per-season facts:
//
//   - Revenue uᵢ of a dealer in season i: the value of its orders of that
//     season in the accepted states (submitted, confirmed, in production,
//     shipped, closed; for past seasons that is what was shipped), less the
//     credit notes of approved returns on those orders.
//   - Cost to serve vᵢ: the production cost of the goods it kept (Σ
//     styles.unit_cost × (ordered − returned qty)) plus a handling cost per
//     order (the setting order_handling_cost).
//   - Margin mᵢ = uᵢ − vᵢ.
//
// Pareto ranks dealers by revenue in the analysed season; RFM and CLV look
// at every season up to and including it; segmentation combines them.
// Money is exact: integer cents, and math/big.Rat where discounting
// divides, rounded half away from zero to the cent only at the end.

// SeasonRef is a season of the analysis, in chronological order.
type SeasonRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// SeasonFacts is what a dealer did in one season.
type SeasonFacts struct {
	Orders    int          // orders in the accepted states
	Gross     money.Amount // Σ their totals
	Credits   money.Amount // credit notes of approved returns on them
	GoodsCost money.Amount // Σ unit cost × (qty − approved returned qty)
}

// Revenue is uᵢ: gross order value less credit notes.
func (f SeasonFacts) Revenue() money.Amount { return f.Gross - f.Credits }

// Margin is uᵢ − vᵢ with vᵢ = goods cost + handling × orders.
func (f SeasonFacts) Margin(handling money.Amount) money.Amount {
	return f.Revenue() - f.GoodsCost - handling.Times(f.Orders)
}

// DealerFacts is a dealer's history: Seasons[i] belongs to the input's
// Seasons[i]. Ratings are the feedback ratings (1–5) the dealer gave.
type DealerFacts struct {
	Code      string
	Name      string
	Region    string
	Currency  string
	Seasons   []SeasonFacts
	RatingSum int
	Ratings   int
}

// AnalysisInput is everything the analysis reads.
type AnalysisInput struct {
	Seasons      []SeasonRef
	Dealers      []DealerFacts
	HandlingCost money.Amount
}

// Thresholds of the segmentation and classes.
var (
	ClassALimit        = big.NewRat(80, 100) // cumulative share up to 80%: A
	ClassBLimit        = big.NewRat(95, 100) // up to 95%: B; the rest C
	TopShareOf         = big.NewRat(20, 100) // the top 20% of dealers
	LoyalRegularity    = big.NewRat(3, 4)    // ordered in ≥ 75% of the seasons since the first
	LoyalMinSeasons    = 2
	HappyMaxReturnRate = big.NewRat(5, 100) // credited ≤ 5% of gross value
	HappyMinRating     = big.NewRat(7, 2)   // average feedback rating ≥ 3.5 (when rated)
)

// roundCents rounds a rational number of cents half away from zero.
func roundCents(r *big.Rat) money.Amount {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return money.Amount(q.Int64())
}

// Ratio formats r with the given decimals, rounded half away from zero:
// Ratio(2/3, 4) = "0.6667".
func Ratio(r *big.Rat, places int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	v := roundCents(new(big.Rat).Mul(r, new(big.Rat).SetInt(scale)))
	neg := v < 0
	if neg {
		v = -v
	}
	s := big.NewInt(int64(v)).String()
	for len(s) <= places {
		s = "0" + s
	}
	out := s[:len(s)-places]
	if places > 0 {
		out += "." + s[len(s)-places:]
	}
	if neg {
		out = "-" + out
	}
	return out
}

func ratOf(a money.Amount) *big.Rat { return new(big.Rat).SetInt64(int64(a)) }

// ParetoRow is one dealer in the Pareto ranking.
type ParetoRow struct {
	Rank       int          `json:"rank"`
	Dealer     string       `json:"dealer"`
	Name       string       `json:"name"`
	Region     string       `json:"region"`
	Value      money.Amount `json:"value"`
	Share      string       `json:"share"`
	Cumulative string       `json:"cumulative_share"`
	Class      string       `json:"class"`
}

// Pareto is the 80/20 view of one season: dealers with revenue in it,
// ranked by revenue (ties by code), each one's share and cumulative share,
// and ABC classes: A while the cumulative share is at most 80%, B up to
// 95%, C the rest. TopShare is the share of the top 20% of those dealers
// (rounded up to whole dealers, at least one).
type Pareto struct {
	TotalValue money.Amount   `json:"total_value"`
	Dealers    int            `json:"dealers"`
	TopCount   int            `json:"top_count"`
	TopValue   money.Amount   `json:"top_value"`
	TopShare   string         `json:"top_share"`
	Classes    map[string]int `json:"classes"`
	Rows       []ParetoRow    `json:"rows"`
}

// ValuedDealer is a dealer with a value to rank.
type ValuedDealer struct {
	Code, Name, Region string
	Value              money.Amount
}

// RankPareto computes the Pareto view of the dealers with a positive value.
func RankPareto(in []ValuedDealer) Pareto {
	var ds []ValuedDealer
	var total money.Amount
	for _, d := range in {
		if d.Value > 0 {
			ds = append(ds, d)
			total += d.Value
		}
	}
	sort.SliceStable(ds, func(a, b int) bool {
		if ds[a].Value != ds[b].Value {
			return ds[a].Value > ds[b].Value
		}
		return ds[a].Code < ds[b].Code
	})
	p := Pareto{TotalValue: total, Dealers: len(ds), Classes: map[string]int{"A": 0, "B": 0, "C": 0}, Rows: []ParetoRow{}, TopShare: "0.0000"}
	if len(ds) == 0 {
		return p
	}
	// ceil(20% × n) = ceil(n / 5)
	p.TopCount = (len(ds) + 4) / 5
	var cum money.Amount
	for i, d := range ds {
		cum += d.Value
		share := new(big.Rat).SetFrac64(int64(d.Value), int64(total))
		cumShare := new(big.Rat).SetFrac64(int64(cum), int64(total))
		class := "C"
		switch {
		case cumShare.Cmp(ClassALimit) <= 0:
			class = "A"
		case cumShare.Cmp(ClassBLimit) <= 0:
			class = "B"
		}
		p.Classes[class]++
		if i < p.TopCount {
			p.TopValue += d.Value
		}
		p.Rows = append(p.Rows, ParetoRow{Rank: i + 1, Dealer: d.Code, Name: d.Name, Region: d.Region, Value: d.Value,
			Share: Ratio(share, 4), Cumulative: Ratio(cumShare, 4), Class: class})
	}
	p.TopShare = Ratio(new(big.Rat).SetFrac64(int64(p.TopValue), int64(total)), 4)
	return p
}

// Quintile scores a value 1–5 among n: 1 + ⌊5 × (number of values strictly
// worse) / n⌋, so that equal values score the same and the best fifth
// scores 5.
func Quintile(worse, n int) int {
	if n <= 0 {
		return 1
	}
	return 1 + 5*worse/n
}

// RFM is the recency, frequency, monetary baseline of a dealer as of the
// analysed season, each scored 1–5 (Quintile) among the analysed dealers.
type RFM struct {
	Recency   int          `json:"recency"`   // seasons since the last season with an order (0: ordered this season)
	Frequency int          `json:"frequency"` // seasons with orders
	Monetary  money.Amount `json:"monetary"`  // Σ revenue
	R         int          `json:"r"`
	F         int          `json:"f"`
	M         int          `json:"m"`
	Score     string       `json:"score"` // "RFM", e.g. "545"
}

// ScoreRFM fills in the R, F and M scores of a population: a recency is
// better when smaller, frequency and monetary when larger.
func ScoreRFM(rs []RFM) {
	n := len(rs)
	for i := range rs {
		var wr, wf, wm int
		for j := range rs {
			if rs[j].Recency > rs[i].Recency {
				wr++
			}
			if rs[j].Frequency < rs[i].Frequency {
				wf++
			}
			if rs[j].Monetary < rs[i].Monetary {
				wm++
			}
		}
		rs[i].R, rs[i].F, rs[i].M = Quintile(wr, n), Quintile(wf, n), Quintile(wm, n)
		rs[i].Score = string(rune('0'+rs[i].R)) + string(rune('0'+rs[i].F)) + string(rune('0'+rs[i].M))
	}
}

// LeastSquares fits y = a + b·x to the points (x, ys[x]), x = 0, 1, …,
// exactly. One point gives the flat line through it; none gives 0.
func LeastSquares(ys []money.Amount) (a, b *big.Rat) {
	n := int64(len(ys))
	if n == 0 {
		return new(big.Rat), new(big.Rat)
	}
	var sy int64
	for _, y := range ys {
		sy += int64(y)
	}
	ybar := new(big.Rat).SetFrac64(sy, n)
	if n == 1 {
		return ybar, new(big.Rat)
	}
	xbar := new(big.Rat).SetFrac64(n-1, 2)
	sxy, sxx := new(big.Rat), new(big.Rat)
	for x, y := range ys {
		dx := new(big.Rat).Sub(new(big.Rat).SetInt64(int64(x)), xbar)
		dy := new(big.Rat).Sub(ratOf(y), ybar)
		sxy.Add(sxy, new(big.Rat).Mul(dx, dy))
		sxx.Add(sxx, new(big.Rat).Mul(dx, dx))
	}
	b = new(big.Rat).Quo(sxy, sxx)
	a = new(big.Rat).Sub(ybar, new(big.Rat).Mul(b, xbar))
	return a, b
}

// CLV is a dealer's customer lifetime value as of the analysed season.
type CLV struct {
	// Historical = Σ over the seasons from the dealer's first to the
	// analysed one of mᵢ / (1 + c)^i, i the age of the season (0 for the
	// analysed season, 1 for the one before, …).
	Historical money.Amount `json:"historical"`
	// Future = Σ_{k=1..horizon} max(0, m̂ₖ) / (1 + c)^k, m̂ₖ the least-squares
	// trend of the margins projected k seasons ahead.
	Future         money.Amount `json:"future"`
	Total          money.Amount `json:"total"`            // Historical + Future
	TrendPerSeason money.Amount `json:"trend_per_season"` // the fitted slope
	Periods        int          `json:"periods"`          // seasons in the history
}

// ComputeCLV computes the CLV from the margins of consecutive seasons,
// oldest first, ending with the analysed season; rate is c, horizon the
// number of future seasons. Each part is rounded to the cent at the end.
func ComputeCLV(margins []money.Amount, rate *big.Rat, horizon int) CLV {
	n := len(margins)
	out := CLV{Periods: n}
	if n == 0 {
		return out
	}
	one := big.NewRat(1, 1)
	growth := new(big.Rat).Add(one, rate) // 1 + c
	hist := new(big.Rat)
	disc := big.NewRat(1, 1) // (1 + c)^age
	for age := 0; age < n; age++ {
		m := ratOf(margins[n-1-age])
		hist.Add(hist, new(big.Rat).Quo(m, disc))
		disc.Mul(disc, growth)
	}
	a, b := LeastSquares(margins)
	future := new(big.Rat)
	disc = big.NewRat(1, 1)
	for k := 1; k <= horizon; k++ {
		disc.Mul(disc, growth)
		x := new(big.Rat).SetInt64(int64(n - 1 + k))
		y := new(big.Rat).Add(a, new(big.Rat).Mul(b, x))
		if y.Sign() > 0 {
			future.Add(future, new(big.Rat).Quo(y, disc))
		}
	}
	out.Historical, out.Future = roundCents(hist), roundCents(future)
	out.Total = out.Historical + out.Future
	out.TrendPerSeason = roundCents(b)
	return out
}

// Loyalty is how regularly a dealer orders: the share of the seasons since
// its first order in which it ordered. High: at least LoyalMinSeasons
// seasons and a regularity of at least LoyalRegularity.
type Loyalty struct {
	SeasonsActive   int    `json:"seasons_active"`
	SeasonsPossible int    `json:"seasons_possible"`
	Regularity      string `json:"regularity"`
	High            bool   `json:"high"`
}

// NewLoyalty computes loyalty from the active and possible seasons.
func NewLoyalty(active, possible int) Loyalty {
	l := Loyalty{SeasonsActive: active, SeasonsPossible: possible, Regularity: "0.0000"}
	if possible > 0 {
		r := big.NewRat(int64(active), int64(possible))
		l.Regularity = Ratio(r, 4)
		l.High = active >= LoyalMinSeasons && r.Cmp(LoyalRegularity) >= 0
	}
	return l
}

// Satisfaction reads a dealer's satisfaction from what it sends back and
// what it says: the returns rate (credited ÷ gross value over its history)
// and its feedback ratings. High: a returns rate of at most
// HappyMaxReturnRate and, if it rated anything, an average of at least
// HappyMinRating.
type Satisfaction struct {
	ReturnsRate   string  `json:"returns_rate"`
	Index         string  `json:"index"` // 1 − returns rate
	AverageRating *string `json:"average_rating"`
	Ratings       int     `json:"ratings"`
	High          bool    `json:"high"`
}

// NewSatisfaction computes satisfaction from credits, gross value and ratings.
func NewSatisfaction(credits, gross money.Amount, ratingSum, ratings int) Satisfaction {
	rate := new(big.Rat)
	if gross > 0 {
		rate.SetFrac64(int64(credits), int64(gross))
	}
	s := Satisfaction{ReturnsRate: Ratio(rate, 4), Index: Ratio(new(big.Rat).Sub(big.NewRat(1, 1), rate), 4), Ratings: ratings}
	s.High = rate.Cmp(HappyMaxReturnRate) <= 0
	if ratings > 0 {
		avg := big.NewRat(int64(ratingSum), int64(ratings))
		v := Ratio(avg, 2)
		s.AverageRating = &v
		s.High = s.High && avg.Cmp(HappyMinRating) >= 0
	}
	return s
}

// median returns the median of vs (the mean of the middle two for an even
// count) as a rational; 0 for none.
func median(vs []money.Amount) *big.Rat {
	if len(vs) == 0 {
		return new(big.Rat)
	}
	s := append([]money.Amount(nil), vs...)
	sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
	n := len(s)
	if n%2 == 1 {
		return ratOf(s[n/2])
	}
	return new(big.Rat).SetFrac64(int64(s[n/2-1])+int64(s[n/2]), 2)
}

// highValue reports whether v is high among values whose median is med:
// positive and at least the median.
func highValue(v money.Amount, med *big.Rat) bool { return v > 0 && ratOf(v).Cmp(med) >= 0 }

// Segment is one of the 16 segments: high (H) or low (L) in historical
// value, potential value, loyalty and satisfaction, in that order.
type Segment struct {
	Code   string `json:"code"` // "H-L-H-H"
	Key    string `json:"key"`  // "HLHH", for message keys
	Name   string `json:"name"`
	Policy string `json:"policy"`
}

// SegmentCode builds the segment key and code of four dimensions.
func SegmentCode(hist, potential, loyal, happy bool) (key, code string) {
	hl := func(b bool) string {
		if b {
			return "H"
		}
		return "L"
	}
	parts := []string{hl(hist), hl(potential), hl(loyal), hl(happy)}
	return strings.Join(parts, ""), strings.Join(parts, "-")
}

// Segments are the 16 segments with a name and a suggested policy each, in
// order from HHHH to LLLL.
var Segments = []Segment{
	{Key: "HHHH", Name: "Core partners", Policy: "Protect: a named key-account manager, priority allocation of scarce styles, early previews of new lines and an upward credit review each year."},
	{Key: "HHHL", Name: "Valuable but unhappy", Policy: "Fix what goes wrong first: review their returns and feedback with them, follow up quality issues, visit this season."},
	{Key: "HHLH", Name: "Big, irregular buyers", Policy: "Make ordering regular: pre-season planning calls, reminders before each cut-off, a standing assortment proposal."},
	{Key: "HHLL", Name: "At-risk key accounts", Policy: "Management attention now: resolve open complaints and agree a plan for the coming seasons before they drift away."},
	{Key: "HLHH", Name: "Loyal mainstays", Policy: "Maintain efficiently: keep service and terms, cross-sell categories they do not buy yet."},
	{Key: "HLHL", Name: "Loyal but dissatisfied", Policy: "Address complaints and returns causes; no extra credit until satisfaction recovers."},
	{Key: "HLLH", Name: "Fading stars", Policy: "Win back: find out why orders fell, offer a tailored assortment and early-order incentives."},
	{Key: "HLLL", Name: "Declining and unhappy", Policy: "Review the relationship: collect receivables, cap credit exposure, decide whether to invest or let go."},
	{Key: "LHHH", Name: "Rising stars", Policy: "Invest: raise the credit limit step by step, training and marketing support, invite to previews."},
	{Key: "LHHL", Name: "Growing but unhappy", Policy: "Fix service and quality issues before scaling up the relationship."},
	{Key: "LHLH", Name: "Promising newcomers", Policy: "Nurture: onboarding, assortment advice and reminders to order every season."},
	{Key: "LHLL", Name: "Uncertain prospects", Policy: "Monitor: a small credit line, check satisfaction after each delivery."},
	{Key: "LLHH", Name: "Small and loyal", Policy: "Serve at low cost: online ordering, prepacks, standard terms."},
	{Key: "LLHL", Name: "Small and dissatisfied", Policy: "Low-cost fixes: answer feedback quickly, watch the returns rate."},
	{Key: "LLLH", Name: "Occasional buyers", Policy: "Low touch: announcements and catalogue only; encourage a first regular season."},
	{Key: "LLLL", Name: "Marginal accounts", Policy: "Minimal service: prepayment or cash terms; consider ending the relationship."},
}

// SegmentByKey returns the segment with the key ("HLHH").
func SegmentByKey(key string) Segment {
	for _, s := range Segments {
		if s.Key == key {
			s.Code = strings.Join(strings.Split(s.Key, ""), "-")
			return s
		}
	}
	return Segment{Key: key}
}

// DealerValue is one analysed dealer: every dealer with an order in any
// season up to the analysed one.
type DealerValue struct {
	Dealer        string       `json:"dealer"`
	Name          string       `json:"name"`
	Region        string       `json:"region"`
	Value         money.Amount `json:"season_value"` // revenue in the analysed season
	Class         string       `json:"abc_class"`    // "" without revenue in the season
	RFM           RFM          `json:"rfm"`
	CLV           CLV          `json:"clv"`
	Loyalty       Loyalty      `json:"loyalty"`
	Satisfaction  Satisfaction `json:"satisfaction"`
	HighValue     bool         `json:"high_historical_value"`
	HighPotential bool         `json:"high_potential_value"`
	Segment       Segment      `json:"segment"`
}

// SegmentCount is a segment with the dealers in it.
type SegmentCount struct {
	Segment
	Count   int      `json:"count"`
	Dealers []string `json:"dealers"`
}

// Drifter is a dealer who ordered in the previous season but not in the
// analysed one.
type Drifter struct {
	Dealer        string       `json:"dealer"`
	Name          string       `json:"name"`
	Region        string       `json:"region"`
	PreviousValue money.Amount `json:"previous_value"`
	Seasons       int          `json:"seasons_active"`
}

// Analysis is the dealer value analysis of one season.
type Analysis struct {
	Season         SeasonRef      `json:"season"`
	PreviousSeason *SeasonRef     `json:"previous_season"`
	DiscountRate   string         `json:"discount_rate"`
	Horizon        int            `json:"horizon"`
	Currency       string         `json:"currency"`
	HandlingCost   money.Amount   `json:"handling_cost_per_order"`
	Pareto         Pareto         `json:"pareto"`
	Dealers        []DealerValue  `json:"dealers"`
	Segments       []SegmentCount `json:"segments"`
	Drifting       []Drifter      `json:"drifting"`
	Definitions    []string       `json:"definitions"`
}

// Definitions say in words how each figure is computed (shown with the
// analysis and in the export).
var Definitions = []string{
	"Revenue u of a season: value of the dealer's orders of the season that were accepted (submitted, confirmed, in production, shipped, closed) less credit notes of approved returns on them.",
	"Cost to serve v: production cost of the goods kept (style unit cost × ordered less returned quantity) plus the handling cost per order.",
	"Margin m = u − v.",
	"Pareto: dealers ranked by revenue in the season; share of the top 20% of dealers (rounded up); ABC: A while the cumulative share is ≤ 80%, B ≤ 95%, C the rest.",
	"RFM: recency = seasons since the last season with an order, frequency = seasons with orders, monetary = total revenue; each scored 1–5 by quintile (1 + ⌊5 × dealers strictly worse ÷ dealers⌋).",
	"CLV historical = Σ m_i / (1 + c)^i over the seasons since the dealer's first order, i = 0 for the analysed season, 1 for the one before, …",
	"CLV future = Σ_{k=1..horizon} max(0, trend_k) / (1 + c)^k, trend = least-squares line through the seasonal margins.",
	"Segments: historical value (CLV historical) and potential value (CLV future) are high when positive and at least the median; loyalty is high with orders in ≥ 75% of the seasons since the first and at least 2 seasons; satisfaction is high with a returns rate ≤ 5% and, if rated, an average feedback rating ≥ 3.5.",
}

// Analyze computes the analysis of the season at index t of in.Seasons,
// with discount rate c and the horizon in seasons.
func Analyze(in AnalysisInput, t int, rate *big.Rat, horizon int) Analysis {
	out := Analysis{Season: in.Seasons[t], DiscountRate: Ratio(rate, 4), Horizon: horizon, HandlingCost: in.HandlingCost,
		Dealers: []DealerValue{}, Drifting: []Drifter{}, Definitions: Definitions}
	if t > 0 {
		prev := in.Seasons[t-1]
		out.PreviousSeason = &prev
	}
	currencies := map[string]int{}
	var valued []ValuedDealer
	var hist, future []money.Amount
	for _, d := range in.Dealers {
		first, last, active := -1, -1, 0
		var monetary, credits, gross money.Amount
		for i := 0; i <= t && i < len(d.Seasons); i++ {
			f := d.Seasons[i]
			if f.Orders == 0 {
				continue
			}
			if first < 0 {
				first = i
			}
			last = i
			active++
			monetary += f.Revenue()
			credits += f.Credits
			gross += f.Gross
		}
		if first < 0 {
			continue
		}
		currencies[d.Currency]++
		margins := make([]money.Amount, 0, t-first+1)
		for i := first; i <= t; i++ {
			var f SeasonFacts
			if i < len(d.Seasons) {
				f = d.Seasons[i]
			}
			margins = append(margins, f.Margin(in.HandlingCost))
		}
		var value money.Amount
		if t < len(d.Seasons) {
			value = d.Seasons[t].Revenue()
		}
		dv := DealerValue{Dealer: d.Code, Name: d.Name, Region: d.Region, Value: value,
			RFM:          RFM{Recency: t - last, Frequency: active, Monetary: monetary},
			CLV:          ComputeCLV(margins, rate, horizon),
			Loyalty:      NewLoyalty(active, t-first+1),
			Satisfaction: NewSatisfaction(credits, gross, d.RatingSum, d.Ratings),
		}
		out.Dealers = append(out.Dealers, dv)
		valued = append(valued, ValuedDealer{Code: d.Code, Name: d.Name, Region: d.Region, Value: value})
		hist = append(hist, dv.CLV.Historical)
		future = append(future, dv.CLV.Future)
		if t > 0 && t-1 < len(d.Seasons) && d.Seasons[t-1].Orders > 0 && (t >= len(d.Seasons) || d.Seasons[t].Orders == 0) {
			out.Drifting = append(out.Drifting, Drifter{Dealer: d.Code, Name: d.Name, Region: d.Region,
				PreviousValue: d.Seasons[t-1].Revenue(), Seasons: active})
		}
	}
	out.Currency = mainCurrency(currencies)
	out.Pareto = RankPareto(valued)
	class := map[string]string{}
	for _, r := range out.Pareto.Rows {
		class[r.Dealer] = r.Class
	}
	rfm := make([]RFM, len(out.Dealers))
	for i, d := range out.Dealers {
		rfm[i] = d.RFM
	}
	ScoreRFM(rfm)
	medHist, medFuture := median(hist), median(future)
	counts := map[string]*SegmentCount{}
	for _, s := range Segments {
		counts[s.Key] = &SegmentCount{Segment: SegmentByKey(s.Key), Dealers: []string{}}
	}
	for i := range out.Dealers {
		d := &out.Dealers[i]
		d.RFM = rfm[i]
		d.Class = class[d.Dealer]
		d.HighValue = highValue(d.CLV.Historical, medHist)
		d.HighPotential = highValue(d.CLV.Future, medFuture)
		key, _ := SegmentCode(d.HighValue, d.HighPotential, d.Loyalty.High, d.Satisfaction.High)
		d.Segment = SegmentByKey(key)
		c := counts[key]
		c.Count++
		c.Dealers = append(c.Dealers, d.Dealer)
	}
	for _, s := range Segments {
		out.Segments = append(out.Segments, *counts[s.Key])
	}
	sort.SliceStable(out.Drifting, func(a, b int) bool {
		if out.Drifting[a].PreviousValue != out.Drifting[b].PreviousValue {
			return out.Drifting[a].PreviousValue > out.Drifting[b].PreviousValue
		}
		return out.Drifting[a].Dealer < out.Drifting[b].Dealer
	})
	return out
}

// mainCurrency is the currency most dealers buy in (amounts of dealers in
// other currencies are added as they are; the analysis assumes one).
func mainCurrency(c map[string]int) string {
	best, n := "", -1
	for k, v := range c {
		if v > n || (v == n && k < best) {
			best, n = k, v
		}
	}
	return best
}
