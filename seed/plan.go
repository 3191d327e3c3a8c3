package seed

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sizerun/sizerun/money"
)

// The plan is the whole demo data set built in memory, from data.go and fixed
// random streams, before anything touches the database. It refers to things by
// code; database ids are attached when it is written (load.go).

type season struct {
	def           seasonDef
	idx           int
	opens, cutoff time.Time
	startsOn      time.Time
	windows       []window
	styles        []*style
}

type window struct {
	code, name string
	from, to   time.Time
}

type sizeScale struct {
	def   scaleDef
	sizes []string
}

type category struct {
	def   categoryDef
	scale *sizeScale
	curve []float64 // standard size curve, shares summing to 1
}

type style struct {
	idx         int
	code, name  string
	def         styleDef
	cat         *category
	colors      []string
	colorPull   []float64
	seasons     [nSeasons]bool
	pop         [nSeasons]float64 // relative demand in each season offered
	drop        [nSeasons]int     // delivery window index per season
	moq, cutLot int
	unitCost    money.Amount
	prices      []money.Amount // by priceListDefs index
	created     time.Time
}

type dealer struct {
	idx      int
	def      dealerDef
	region   regionDef
	plIdx    int
	limit    money.Amount
	phone    string
	email    string
	created  time.Time
	fitBias  float64
	affinity []float64 // demand multiplier per category
	lateness int       // typical days paid after the due date (negative: early)
}

type order struct {
	dealer    *dealer
	season    *season
	status    string
	reference string
	byPlanner bool
	lines     []*line
	totalQty  int
	total     money.Amount
	events    []event
	submitted time.Time
	confirmed time.Time
	shipped   time.Time
	number    string
	id        int64
}

type event struct {
	kind, from, to string
	at             time.Time
	byDealer       bool
}

type line struct {
	style  *style
	color  int // index into style.colors
	size   int // index into the scale
	qty    int
	price  money.Amount
	amount money.Amount
	id     int64
}

type invoice struct {
	order    *order
	amount   money.Amount
	issued   time.Time
	due      time.Time
	payments []payment
	number   string
	id       int64
}

func (in *invoice) paid() money.Amount {
	var p money.Amount
	for _, x := range in.payments {
		p += x.amount
	}
	return p
}

type payment struct {
	amount money.Amount
	on     time.Time
	ref    string
}

type rma struct {
	order    *order
	status   string
	reason   string
	decision string
	created  time.Time
	decided  time.Time
	lines    []rmaLine
	credit   money.Amount
	number   string
	id       int64
}

type rmaLine struct {
	line *line
	qty  int
}

type stockRow struct {
	style *style
	color int
	size  int
	qty   int
}

type plan struct {
	seasons  []*season
	scales   []*sizeScale
	cats     []*category
	styles   []*style
	dealers  []*dealer
	orders   []*order // chronological by submission
	invoices []*invoice
	rmas     []*rma
	stock    []stockRow
	asOf     time.Time
}

// rng returns a fixed random stream for one part of the plan, so that
// changing one part does not reshuffle the others.
func rng(part string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(part))
	return rand.New(rand.NewPCG(20270226, h.Sum64()))
}

func lognorm(r *rand.Rand, sigma float64) float64 { return math.Exp(r.NormFloat64() * sigma) }
func uniform(r *rand.Rand, a, b float64) float64  { return a + r.Float64()*(b-a) }

func mustTime(s string) time.Time {
	layout := time.RFC3339
	if len(s) == 10 {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// atOffice puts a date at a random time of a Chinese/Korean office day (UTC+8/+9).
func atOffice(r *rand.Rand, d time.Time) time.Time {
	return day(d).Add(time.Duration(1+r.IntN(9))*time.Hour + time.Duration(r.IntN(60))*time.Minute + time.Duration(r.IntN(60))*time.Second)
}

func cents(x float64) money.Amount { return money.Amount(math.Round(x * 100)) }

// bell returns shares of a normal curve over n sizes, summing to 1.
func bell(n int, center, sigma float64) []float64 {
	s := make([]float64, n)
	var sum float64
	for i := range s {
		z := (float64(i) - center) / sigma
		s[i] = math.Exp(-z * z / 2)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
	return s
}

// split divides total into integer parts proportional to shares (largest remainder).
func split(total int, shares []float64) []int {
	out := make([]int, len(shares))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(shares))
	left := total
	for i, s := range shares {
		x := float64(total) * s
		out[i] = int(math.Floor(x))
		left -= out[i]
		rems[i] = rem{i, x - math.Floor(x)}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; k < left; k++ {
		out[rems[k%len(rems)].i]++
	}
	return out
}

func buildPlan() *plan {
	p := &plan{asOf: mustTime(asOf)}
	p.buildReference()
	p.buildStyles()
	p.buildDealers()
	p.buildOrders()
	p.buildReturns()
	p.buildStock()
	return p
}

func (p *plan) buildReference() {
	for i, sd := range seasonDefs {
		s := &season{def: sd, idx: i, opens: mustTime(sd.opens), cutoff: mustTime(sd.cutoff), startsOn: mustTime(sd.startsOn)}
		for _, w := range sd.windows {
			s.windows = append(s.windows, window{w.code, w.name, mustTime(w.from), mustTime(w.to)})
		}
		p.seasons = append(p.seasons, s)
	}
	for _, sd := range scaleDefs {
		p.scales = append(p.scales, &sizeScale{def: sd, sizes: sd.sizes})
	}
	for _, cd := range categoryDefs {
		c := &category{def: cd, scale: p.scale(cd.scale)}
		c.curve = bell(len(c.scale.sizes), cd.curveCenter, cd.curveSigma)
		p.cats = append(p.cats, c)
	}
}

func (p *plan) scale(code string) *sizeScale {
	for _, s := range p.scales {
		if s.def.code == code {
			return s
		}
	}
	panic("unknown size scale " + code)
}

func (p *plan) category(code string) *category {
	for _, c := range p.cats {
		if c.def.code == code {
			return c
		}
	}
	panic("unknown category " + code)
}

func (p *plan) catIndex(c *category) int { return slices.Index(p.cats, c) }

// seasonal is a category's demand factor in a season: knitwear and coats sell
// in autumn, shorts in summer.
func seasonal(c *category, s *season) float64 {
	if s.def.summer {
		return 1 / math.Sqrt(c.def.winter)
	}
	return math.Sqrt(c.def.winter)
}

func (p *plan) buildStyles() {
	r := rng("styles")
	for i, sd := range styleDefs {
		c := p.category(sd.cat)
		st := &style{idx: i, code: fmt.Sprintf("ST%d", 1001+i), name: sd.name, def: sd, cat: c, moq: c.def.moq, cutLot: c.def.cutLot}
		switch sd.tag {
		case 'C':
			st.seasons = [nSeasons]bool{i%5 != 4, true, true, true}
		case 'A':
			st.seasons = [nSeasons]bool{i%3 != 0, false, true, false}
		case 'S':
			st.seasons = [nSeasons]bool{false, true, false, true}
		case 'M':
			st.seasons = [nSeasons]bool{false, false, true, true}
		case 'N':
			st.seasons = [nSeasons]bool{false, false, false, true}
		default:
			panic("bad style tag")
		}
		for si, on := range st.seasons {
			if on {
				st.created = mustTime(seasonDefs[si].createdStyles)
				break
			}
		}
		if sd.list >= 1500 {
			st.moq = 6
		}

		// Colourways: the palette's lead colour and 2-5 others.
		palette := c.def.palette
		if fp, ok := fabricPalettes[sd.fab]; ok {
			palette = fp
		}
		n := 3 + []int{0, 0, 0, 1, 1, 1, 1, 2, 2, 3}[r.IntN(10)]
		n = min(n, len(palette))
		rest := slices.Clone(palette[1:])
		r.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		chosen := append([]string{palette[0]}, rest[:n-1]...)
		slices.SortStableFunc(chosen, func(a, b string) int { return slices.Index(palette, a) - slices.Index(palette, b) })
		st.colors = chosen
		for _, col := range chosen {
			st.colorPull = append(st.colorPull, colorDefs[col].pull*lognorm(r, 0.3))
		}

		list := float64(sd.list)
		st.unitCost = cents(list * uniform(r, 0.22, 0.30))
		for _, pl := range priceListDefs {
			if pl.isList {
				st.prices = append(st.prices, money.Amount(sd.list*100))
				continue
			}
			st.prices = append(st.prices, money.Amount(math.Floor(list*pl.factor*2))*50)
		}

		// Demand: a base appeal, a seasonal factor, a drift between closed
		// seasons and, for SS27, the fashion verdict on carry-overs.
		base := lognorm(r, 0.45)
		var prev float64
		for si, s := range p.seasons {
			if !st.seasons[si] {
				continue
			}
			f := base * seasonal(c, s)
			switch {
			case si < sSS27:
				f *= lognorm(r, 0.15)
			case prev > 0:
				u := r.Float64()
				var trend float64
				switch {
				case u < 0.15:
					trend = uniform(r, 1.8, 2.4) // sells through strongly
				case u < 0.35:
					trend = uniform(r, 1.2, 1.5)
				case u < 0.70:
					trend = uniform(r, 0.9, 1.1)
				case u < 0.85:
					trend = uniform(r, 0.6, 0.8)
				default:
					trend = uniform(r, 0.25, 0.45) // flops
				}
				f *= trend
			default:
				f *= lognorm(r, 0.35) // new style: close to its category
			}
			st.pop[si] = f
			prev = f
			switch {
			case sd.cat == "OUTER" && !s.def.summer:
				st.drop[si] = 1 + r.IntN(2)
			case sd.cat == "OUTER" || sd.cat == "KNIT":
				st.drop[si] = 0
			case sd.cat == "SHORTS" || sd.tag == 'N' && s.def.summer:
				st.drop[si] = 1 + r.IntN(2)
			default:
				st.drop[si] = r.IntN(3)
			}
			s.styles = append(s.styles, st)
		}
		p.styles = append(p.styles, st)
	}
}

func regionOf(code string) regionDef {
	for _, r := range regionDefs {
		if r.code == code {
			return r
		}
	}
	panic("unknown region " + code)
}

func priceListIndex(code string) int {
	for i, pl := range priceListDefs {
		if pl.code == code {
			return i
		}
	}
	panic("unknown price list " + code)
}

func (p *plan) buildDealers() {
	r := rng("dealers")
	for i, dd := range dealerDefs {
		d := &dealer{idx: i, def: dd, region: regionOf(dd.region), plIdx: priceListIndex(dd.priceList)}
		if d.region.locale == "ko" {
			d.phone = fmt.Sprintf("+82 10-%04d-%04d", 2000+r.IntN(8000), r.IntN(10000))
			d.email = "md@" + dd.slug + ".example"
		} else {
			d.phone = fmt.Sprintf("+86 1%d%d %04d %04d", 3+r.IntN(6), r.IntN(10), r.IntN(10000), r.IntN(10000))
			d.email = "purchasing@" + dd.slug + ".example"
		}
		first := strings.IndexByte(dd.seasons, '1')
		if first < 0 {
			d.created = mustTime("2026-10-12T03:20:00Z")
		} else {
			d.created = p.seasons[first].opens.AddDate(0, 0, -30-r.IntN(20)).Add(time.Duration(2+r.IntN(6)) * time.Hour)
		}
		d.fitBias = r.NormFloat64() * 0.15
		for range p.cats {
			d.affinity = append(d.affinity, lognorm(r, 0.35))
		}
		d.lateness = -r.IntN(8)
		if r.IntN(10) == 0 {
			d.lateness = 1 + r.IntN(6)
		}
		if slices.Contains(slowPayers, dd.code) {
			d.lateness = 5 + r.IntN(18)
		}
		p.dealers = append(p.dealers, d)
	}
}

func (p *plan) dealer(code string) *dealer {
	for _, d := range p.dealers {
		if d.def.code == code {
			return d
		}
	}
	panic("unknown dealer " + code)
}

func (p *plan) styleNamed(name string) *style {
	for _, st := range p.styles {
		if st.name == name {
			return st
		}
	}
	panic("unknown style " + name)
}

// pick is one style-colour a dealer orders, with its priority.
type pick struct {
	st    *style
	color int
	w     float64
	key   float64
}

// choose ranks a season's style-colours for a dealer by weighted random
// sampling without replacement (Efraimidis–Spirakis).
func (p *plan) choose(r *rand.Rand, d *dealer, s *season) []pick {
	var picks []pick
	for _, st := range s.styles {
		for ci := range st.colors {
			w := st.pop[s.idx] * st.colorPull[ci] * d.affinity[p.catIndex(st.cat)]
			u := r.Float64()
			// An exponential key gives weighted sampling. Selection uses a
			// damped weight, so that dealers spread over the range, while
			// quantities (fill) follow the full weight.
			picks = append(picks, pick{st, ci, w, -math.Log(1-u) / math.Pow(w, 0.6)})
		}
	}
	sort.SliceStable(picks, func(a, b int) bool { return picks[a].key < picks[b].key })
	return picks
}

// sizeCurve is the dealer's size curve for a category: the category's curve
// shifted by the region's skew and the dealer's own customers.
func sizeCurve(r *rand.Rand, d *dealer, c *category) []float64 {
	curve := bell(len(c.scale.sizes), c.def.curveCenter+d.region.sizeSkew+d.fitBias, c.def.curveSigma)
	var sum float64
	for i := range curve {
		curve[i] *= lognorm(r, 0.12)
		sum += curve[i]
	}
	for i := range curve {
		curve[i] /= sum
	}
	return curve
}

// fill turns picks into order lines for about `pieces` garments. It adds picks
// until k are taken and the order has at least minLines lines, and stops
// before it would exceed maxLines.
func (p *plan) fill(r *rand.Rand, o *order, picks []pick, pieces float64, k, minLines, maxLines int) []pick {
	var wsum float64
	for _, pk := range picks[:min(k, len(picks))] {
		wsum += pk.w
	}
	var used []pick
	for _, pk := range picks {
		if len(used) >= k && len(o.lines) >= minLines {
			break
		}
		q := int(math.Round(pieces*pk.w/wsum/6)) * 6
		q = max(q, pk.st.moq)
		qs := split(q, sizeCurve(r, o.dealer, pk.st.cat))
		var ls []*line
		for si, n := range qs {
			if n > 0 {
				price := pk.st.prices[o.dealer.plIdx]
				ls = append(ls, &line{style: pk.st, color: pk.color, size: si, qty: n, price: price, amount: price.Times(n)})
			}
		}
		if len(o.lines)+len(ls) > maxLines {
			if len(o.lines) >= minLines {
				break
			}
			continue
		}
		o.lines = append(o.lines, ls...)
		used = append(used, pk)
	}
	return used
}

func (o *order) finish() {
	sort.SliceStable(o.lines, func(a, b int) bool {
		x, y := o.lines[a], o.lines[b]
		if x.style != y.style {
			return x.style.idx < y.style.idx
		}
		if x.color != y.color {
			return x.color < y.color
		}
		return x.size < y.size
	})
	o.totalQty, o.total = 0, 0
	for _, l := range o.lines {
		o.totalQty += l.qty
		o.total += l.amount
	}
}

// lastDrop is the latest delivery window of the order's lines.
func (o *order) lastDrop() window {
	w := 0
	for _, l := range o.lines {
		w = max(w, l.style.drop[o.season.idx])
	}
	return o.season.windows[w]
}

func (p *plan) reference(r *rand.Rand, d *dealer, s *season, reorder bool) string {
	switch {
	case d.idx%3 == 2:
		return fmt.Sprintf("PO-%s-%02d%03d", s.def.code, d.idx+1, r.IntN(1000))
	case d.region.locale == "ko" && reorder:
		return s.def.code + " 추가 오더"
	case d.region.locale == "ko":
		return s.def.code + " 1차 오더"
	case reorder:
		return s.def.code + " 补单"
	}
	return s.def.code + " 首批订货"
}

func (p *plan) buildOrders() {
	r := rng("orders")
	for _, s := range p.seasons[:sSS27] {
		span := s.cutoff.Sub(s.opens)
		for _, d := range p.dealers {
			if d.def.seasons[s.idx] != '1' {
				continue
			}
			pieces := 700 * d.def.scale * s.def.volume * math.Pow(d.def.trend, float64(s.idx-sAW26)) * uniform(r, 0.85, 1.15)
			o := &order{dealer: d, season: s, reference: p.reference(r, d, s, false), byPlanner: r.IntN(8) == 0}
			o.submitted = atOffice(r, s.opens.Add(time.Duration(uniform(r, 0.12, 0.7)*float64(span))))
			k := max(5, min(24, int(math.Round(pieces/70))))
			p.fill(r, o, p.choose(r, d, s), pieces, k, 15, 140)
			p.addOrder(o)
			if s.idx >= sSS26 && d.def.scale >= 1.2 && r.IntN(2) == 0 {
				re := &order{dealer: d, season: s, reference: p.reference(r, d, s, true), byPlanner: r.IntN(4) == 0}
				re.submitted = atOffice(r, o.submitted.Add(time.Duration(uniform(r, 0.1, 0.25)*float64(span))))
				if re.submitted.After(s.cutoff.Add(-24 * time.Hour)) {
					re.submitted = atOffice(r, s.cutoff.Add(-48*time.Hour))
				}
				p.fill(r, re, p.choose(r, d, s), pieces*0.2, 2+r.IntN(3), 6, 40)
				p.addOrder(re)
			}
		}
	}
	p.shipAndInvoice(rng("invoices"))
	p.setLimits()
	p.buildSS27(r)

	sort.SliceStable(p.orders, func(a, b int) bool { return p.orders[a].submitted.Before(p.orders[b].submitted) })
}

func (p *plan) addOrder(o *order) {
	o.finish()
	o.status = "submitted"
	o.events = []event{{kind: "submitted", to: "submitted", at: o.submitted, byDealer: !o.byPlanner}}
	p.orders = append(p.orders, o)
}

func (o *order) move(kind, to string, at time.Time) {
	o.events = append(o.events, event{kind: kind, from: o.status, to: to, at: at})
	o.status = to
}

// shipAndInvoice takes the closed seasons' orders through confirmation,
// production and shipment, invoices them and records the payments received
// up to asOf. Fully paid orders are closed.
func (p *plan) shipAndInvoice(r *rand.Rand) {
	var shipped []*order
	for _, o := range p.orders {
		s := o.season
		o.confirmed = atOffice(r, o.submitted.AddDate(0, 0, 1+r.IntN(4)))
		o.move("confirmed", "confirmed", o.confirmed)
		o.move("status", "in_production", atOffice(r, s.cutoff.AddDate(0, 0, 7+r.IntN(14))))
		// shipped complete with the last drop of its lines, and invoiced then
		w := o.lastDrop()
		o.shipped = atOffice(r, w.from.AddDate(0, 0, r.IntN(int(w.to.Sub(w.from).Hours()/24)+1)))
		o.move("shipped", "shipped", o.shipped)
		shipped = append(shipped, o)
	}
	sort.SliceStable(shipped, func(a, b int) bool { return shipped[a].shipped.Before(shipped[b].shipped) })
	for _, o := range shipped {
		d := o.dealer
		in := &invoice{order: o, amount: o.total, issued: day(o.shipped)}
		in.due = in.issued.AddDate(0, 0, d.def.terms)
		p.invoices = append(p.invoices, in)

		overdue := slices.Contains(overdueDealers, d.def.code) && o.season.idx == sAW26
		payOn := in.due.AddDate(0, 0, d.lateness+r.IntN(3))
		switch {
		case overdue && d.def.code == "D039":
			continue // nothing paid
		case overdue:
			// a part payment, the rest overdue
			in.payments = append(in.payments, payment{amount: cents(float64(in.amount) / 100 * 0.4), on: minTime(in.due.AddDate(0, 0, 6), p.asOf)})
			continue
		case !payOn.After(p.asOf):
		case in.due.Before(p.asOf):
			payOn = p.asOf.AddDate(0, 0, -r.IntN(3)) // late payers settle before the books close
		case r.IntN(10) < 3 || d.idx < 3: // the key accounts D001-D003 owe nothing
			payOn = in.issued.AddDate(0, 0, r.IntN(int(p.asOf.Sub(in.issued).Hours()/24)+1)) // early
		default:
			continue // not yet due
		}
		if r.IntN(4) == 0 {
			first := payOn.AddDate(0, 0, -(10 + r.IntN(15)))
			if first.After(in.issued) {
				part := money.Amount(math.Round(float64(in.amount)/2/100000)) * 100000
				if part > 0 && part < in.amount {
					in.payments = append(in.payments, payment{amount: part, on: first})
				}
			}
		}
		in.payments = append(in.payments, payment{amount: in.amount - in.paid(), on: payOn})
	}
	for _, in := range p.invoices {
		for j := range in.payments {
			pm := &in.payments[j]
			pm.ref = fmt.Sprintf("TT-%s-%04d", pm.on.Format("20060102"), r.IntN(10000))
		}
		if in.paid() == in.amount {
			at := atOffice(r, in.payments[len(in.payments)-1].on)
			if !at.After(in.order.shipped) {
				at = in.order.shipped.Add(2 * time.Hour)
			}
			in.order.move("closed", "closed", at)
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// setLimits gives each dealer a credit limit of about 1.8 times its AW26
// order value (or, for dealers new since, its expected season at SS27
// prices), in steps of 50,000 between 200,000 and 2,000,000.
func (p *plan) setLimits() {
	for _, d := range p.dealers {
		var value money.Amount
		for _, o := range p.orders {
			if o.dealer == d && o.season.idx == sAW26 {
				value += o.total
			}
		}
		v := float64(value) / 100
		if v == 0 {
			var sum money.Amount
			for _, st := range p.seasons[sSS27].styles {
				sum += st.prices[d.plIdx]
			}
			v = 700 * d.def.scale * float64(sum) / 100 / float64(len(p.seasons[sSS27].styles))
		}
		limit := math.Ceil(v*1.8/50000) * 50000
		limit = math.Max(200000, math.Min(2000000, limit))
		switch d.def.code {
		case "D001":
			limit = 2000000
		case "D040":
			limit = 50000
		}
		d.limit = money.Amount(limit * 100)
	}
}

// unpaid is what the dealer owes on invoices as of the plan's date.
func (p *plan) unpaid(d *dealer) money.Amount {
	var u money.Amount
	for _, in := range p.invoices {
		if in.order.dealer == d {
			u += in.amount - in.paid()
		}
	}
	return u
}

// buildSS27 places the open season's order book so far: an order per
// participating dealer (big dealers a second one for other styles), all within
// the dealer's credit limit, submitted and some confirmed.
func (p *plan) buildSS27(r *rand.Rand) {
	s := p.seasons[sSS27]
	for _, d := range p.dealers {
		if d.def.seasons[sSS27] != '1' {
			continue
		}
		pieces := 700 * d.def.scale * s.def.volume * d.def.trend * uniform(r, 0.85, 1.15)
		picks := p.choose(r, d, s)
		shares := []float64{1}
		if d.def.scale >= 1.8 {
			shares = []float64{0.65, 0.35}
		}
		// Keep within 85% of the credit limit: drop the least wanted style-colours.
		room := money.Amount(float64(d.limit)*0.85) - p.unpaid(d)
		var first time.Time
		for i, share := range shares {
			o := &order{dealer: d, season: s, reference: p.reference(r, d, s, i > 0), byPlanner: r.IntN(10) == 0}
			if i == 0 {
				o.submitted = atOffice(r, s.opens.AddDate(0, 0, 1+r.IntN(70)))
				first = o.submitted
			} else {
				o.submitted = atOffice(r, first.AddDate(0, 0, 10+r.IntN(30)))
				if !o.submitted.Before(p.asOf) {
					break
				}
			}
			k := max(5, min(11, int(math.Round(pieces*share/95))))
			used := p.fill(r, o, picks, pieces*share, k, 20, 60)
			for len(used) > 0 {
				var total money.Amount
				for _, l := range o.lines {
					total += l.amount
				}
				if total <= room {
					break
				}
				last := used[len(used)-1]
				used = used[:len(used)-1]
				o.lines = slices.DeleteFunc(o.lines, func(l *line) bool { return l.style == last.st && l.color == last.color })
			}
			if len(o.lines) == 0 {
				break
			}
			// the next order is for other style-colours
			picks = slices.DeleteFunc(picks, func(pk pick) bool {
				return slices.ContainsFunc(used, func(u pick) bool { return u.st == pk.st && u.color == pk.color })
			})
			p.addOrder(o)
			room -= o.total
			if o.submitted.Before(mustTime("2026-10-20")) && r.IntN(100) < 50 {
				at := atOffice(r, o.submitted.AddDate(0, 0, 1+r.IntN(5)))
				if at.Before(p.asOf) {
					o.confirmed = at
					o.move("confirmed", "confirmed", at)
				}
			}
		}
	}
}

var rmaReasons = map[string][]string{
	"zh": {
		"左袖缝线开裂，共%d件，附照片。",
		"颜色与确认样不符，明显偏深。",
		"洗标缺失，无法上架销售。",
		"到货尺码与订单不符（订M发成L）。",
		"面料起球严重，顾客退货较多。",
	},
	"ko": {
		"봉제 불량(밑단 올 풀림) %d장 반품 요청드립니다.",
		"색상이 샘플보다 진합니다. 반품 부탁드립니다.",
		"사이즈 라벨 오부착 제품이 섞여 있습니다.",
	},
}

var rejectReasons = []string{
	"Outside the 30-day return window agreed in the dealer contract.",
	"Colour is within the agreed lab-dip tolerance; goods will not be taken back.",
}

func (p *plan) buildReturns() {
	r := rng("returns")
	var eligible []*order
	for _, o := range p.orders {
		if o.season.idx == sSS26 || o.season.idx == sAW26 {
			eligible = append(eligible, o)
		}
	}
	statuses := []string{"approved", "approved", "rejected", "approved", "approved", "rejected", "approved", "requested"}
	perm := r.Perm(len(eligible))
	used := map[*order]bool{}
	for i, st := range statuses {
		o := eligible[perm[i]]
		if st == "requested" {
			// the pending one is recent: the latest AW26 shipment
			o = nil
			for _, e := range eligible {
				if e.season.idx == sAW26 && !used[e] && (o == nil || e.shipped.After(o.shipped)) {
					o = e
				}
			}
		}
		if used[o] {
			continue
		}
		used[o] = true
		x := &rma{order: o, status: st}
		x.created = atOffice(r, o.shipped.AddDate(0, 0, 12+r.IntN(28)))
		if x.created.After(p.asOf) || st == "requested" {
			x.created = atOffice(r, p.asOf.AddDate(0, 0, -2-r.IntN(3)))
		}
		n := 1 + r.IntN(3)
		lines := slices.Clone(o.lines)
		r.Shuffle(len(lines), func(a, b int) { lines[a], lines[b] = lines[b], lines[a] })
		total := 0
		for _, l := range lines[:min(n, len(lines))] {
			q := 1 + r.IntN(min(l.qty, 4))
			x.lines = append(x.lines, rmaLine{l, q})
			total += q
		}
		sort.SliceStable(x.lines, func(a, b int) bool {
			return slices.Index(o.lines, x.lines[a].line) < slices.Index(o.lines, x.lines[b].line)
		})
		reasons := rmaReasons[o.dealer.region.locale]
		reason := reasons[r.IntN(len(reasons))]
		if strings.Contains(reason, "%d") {
			reason = fmt.Sprintf(reason, total)
		}
		x.reason = reason
		switch st {
		case "approved":
			x.decided = atOffice(r, x.created.AddDate(0, 0, 2+r.IntN(5)))
			if x.decided.After(p.asOf) {
				x.decided = atOffice(r, p.asOf)
			}
			x.decision = "Approved: credit note issued for the returned pieces."
			for _, rl := range x.lines {
				x.credit += rl.line.price.Times(rl.qty)
			}
		case "rejected":
			x.decided = atOffice(r, x.created.AddDate(0, 0, 2+r.IntN(5)))
			if x.decided.After(p.asOf) {
				x.decided = atOffice(r, p.asOf)
			}
			x.decision = rejectReasons[r.IntN(len(rejectReasons))]
		}
		p.rmas = append(p.rmas, x)
	}
	sort.SliceStable(p.rmas, func(a, b int) bool { return p.rmas[a].created.Before(p.rmas[b].created) })
}

// buildStock leaves some finished goods of the carry-over styles in the
// warehouse: odd sizes and colours left from AW26.
func (p *plan) buildStock() {
	r := rng("stock")
	for _, st := range p.styles {
		if !st.seasons[sAW26] || !st.seasons[sSS27] {
			continue
		}
		n := len(st.cat.scale.sizes)
		for ci := range st.colors {
			if r.IntN(2) == 0 {
				continue
			}
			for si := 0; si < n; si++ {
				if r.IntN(100) >= 38 {
					continue
				}
				q := 1 + r.IntN(12)
				if si == 0 || si == n-1 {
					q += r.IntN(14) // the ends of the curve are what is left over
				}
				p.stock = append(p.stock, stockRow{st, ci, si, q})
			}
		}
	}
}
