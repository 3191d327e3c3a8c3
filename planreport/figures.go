package planreport

import (
	"sort"

	"github.com/sizerun/sizerun/money"
)

// PlanFigures are one plan's figures against demand (see the package doc).
type PlanFigures struct {
	// Target is what the plan was for: for Sizerun the demand its released
	// production orders covered, for the guessed plan the guess.
	Target int
	// Made is what the factory makes: released planned quantity, or the
	// guessed plan's production quantity.
	Made      int
	StockUsed int
	Supply    int // Made + StockUsed

	Excess         int
	RoundingExcess int // explained by cut-lot rounding and overage: min(Excess, Supply − Target)
	OtherExcess    int // Excess − RoundingExcess
	Shortage       int

	ExcessCost        money.Amount
	ExcessWholesale   money.Amount
	ShortageCost      money.Amount
	ShortageWholesale money.Amount
}

func (f *PlanFigures) add(o PlanFigures) {
	f.Target += o.Target
	f.Made += o.Made
	f.StockUsed += o.StockUsed
	f.Supply += o.Supply
	f.Excess += o.Excess
	f.RoundingExcess += o.RoundingExcess
	f.OtherExcess += o.OtherExcess
	f.Shortage += o.Shortage
	f.ExcessCost += o.ExcessCost
	f.ExcessWholesale += o.ExcessWholesale
	f.ShortageCost += o.ShortageCost
	f.ShortageWholesale += o.ShortageWholesale
}

// planFigures measures one SKU's plan against its demand.
func planFigures(target, made, stockUsed, demand int, cost, wholesale money.Amount) PlanFigures {
	f := PlanFigures{Target: target, Made: made, StockUsed: stockUsed, Supply: made + stockUsed}
	f.Excess = max(0, f.Supply-demand)
	f.Shortage = max(0, demand-f.Supply)
	f.RoundingExcess = min(f.Excess, max(0, f.Supply-target))
	f.OtherExcess = f.Excess - f.RoundingExcess
	f.ExcessCost, f.ExcessWholesale = cost.Times(f.Excess), wholesale.Times(f.Excess)
	f.ShortageCost, f.ShortageWholesale = cost.Times(f.Shortage), wholesale.Times(f.Shortage)
	return f
}

// Figures are the demand and both plans' figures of a SKU or a rollup.
type Figures struct {
	Demand          int
	DemandCost      money.Amount
	DemandWholesale money.Amount
	Sizerun         PlanFigures
	Guessed         PlanFigures
}

func (f *Figures) add(o Figures) {
	f.Demand += o.Demand
	f.DemandCost += o.DemandCost
	f.DemandWholesale += o.DemandWholesale
	f.Sizerun.add(o.Sizerun)
	f.Guessed.add(o.Guessed)
}

// Row is one row of the report; the keys not of its level are empty.
type Row struct {
	Style        string
	StyleName    string
	Category     string
	CategoryName string
	Color        string
	ColorName    string
	Size         string
	SizePos      int
	Figures
}

// Saving is what Sizerun's plan avoids compared with the guessed plan:
// guessed minus Sizerun, so negative where Sizerun did worse.
type Saving struct {
	ExcessUnits       int
	ExcessCost        money.Amount // excess value avoided, at cost
	ExcessWholesale   money.Amount
	ShortageUnits     int
	ShortageCost      money.Amount
	ShortageWholesale money.Amount // lost sales avoided, at wholesale
}

// SavingOf compares the two plans' figures.
func SavingOf(f Figures) Saving {
	return Saving{
		ExcessUnits:       f.Guessed.Excess - f.Sizerun.Excess,
		ExcessCost:        f.Guessed.ExcessCost - f.Sizerun.ExcessCost,
		ExcessWholesale:   f.Guessed.ExcessWholesale - f.Sizerun.ExcessWholesale,
		ShortageUnits:     f.Guessed.Shortage - f.Sizerun.Shortage,
		ShortageCost:      f.Guessed.ShortageCost - f.Sizerun.ShortageCost,
		ShortageWholesale: f.Guessed.ShortageWholesale - f.Sizerun.ShortageWholesale,
	}
}

// Report is a plan-versus-demand report.
type Report struct {
	Season Season
	Base   Season // the guessed plan's base season (zero: none)
	Growth int    // growth factor used, in ten-thousandths
	// GrowthMatched is the growth factor at which the guess would total the
	// season's demand (0: no history to scale).
	GrowthMatched int
	// Matched reports that Growth was GrowthMatched because "match" was asked.
	Matched        bool
	OverageBP      int // overage the guessed plan applies
	ReleasedOrders int // released production orders of the season
	Currency       string
	Level          Level

	Rows   []Row // at Level
	Totals Figures
	Saving Saving

	skus []Row // every SKU with a figure, for other levels
}

// HasRelease reports whether any production order of the season was
// released; without one, Sizerun's plan has made nothing yet.
func (r Report) HasRelease() bool { return r.ReleasedOrders > 0 }

// Compute computes the report's figures from data at growth g in
// ten-thousandths (g < 0: the matched growth). Rows are left to RowsAt.
func Compute(data Data, g int) Report {
	demand := 0
	for _, k := range data.SKUs {
		demand += k.Demand
	}
	r := Report{Currency: data.Currency, OverageBP: data.OverageBP, ReleasedOrders: data.ReleasedOrders}
	r.GrowthMatched = MatchedGrowth(data.SKUs, data.BaseStyles, data.BaseQty, demand)
	if g < 0 {
		g, r.Matched = r.GrowthMatched, true
		if g == 0 {
			g = GrowthScale
		}
	}
	r.Growth = g
	guess := Guess(data.SKUs, data.BaseStyles, data.BaseQty, g)
	for i, k := range data.SKUs {
		f := Figures{Demand: k.Demand, DemandCost: k.UnitCost.Times(k.Demand), DemandWholesale: k.Wholesale.Times(k.Demand)}
		f.Sizerun = planFigures(k.Covered, k.Released, k.StockUsed, k.Demand, k.UnitCost, k.Wholesale)
		used, made := GuessedProduction(guess[i], k.StockAvail, data.OverageBP, k.CutLot)
		f.Guessed = planFigures(guess[i], made, used, k.Demand, k.UnitCost, k.Wholesale)
		if f.Demand == 0 && f.Sizerun.Supply == 0 && f.Sizerun.Target == 0 && f.Guessed.Target == 0 && f.Guessed.Supply == 0 {
			continue
		}
		r.Totals.add(f)
		r.skus = append(r.skus, Row{Style: k.Style, StyleName: k.StyleName, Category: k.Category, CategoryName: k.CategoryName,
			Color: k.Color, ColorName: k.ColorName, Size: k.Size, SizePos: k.SizePos, Figures: f})
	}
	sort.SliceStable(r.skus, func(a, b int) bool {
		x, y := r.skus[a], r.skus[b]
		if x.Style != y.Style {
			return x.Style < y.Style
		}
		if x.Color != y.Color {
			return x.Color < y.Color
		}
		return x.SizePos < y.SizePos
	})
	r.Saving = SavingOf(r.Totals)
	return r
}

// RowsAt rolls the SKU rows up to level, ordered by code. The season level
// is one row holding the totals.
func (r Report) RowsAt(level Level) []Row {
	switch level {
	case LevelSKU:
		return append([]Row(nil), r.skus...)
	case LevelSeason:
		return []Row{{Figures: r.Totals}}
	}
	var out []Row
	index := map[string]int{}
	for _, k := range r.skus {
		key, row := k.Category, Row{Category: k.Category, CategoryName: k.CategoryName}
		if level == LevelStyle {
			key, row = k.Style, Row{Style: k.Style, StyleName: k.StyleName, Category: k.Category, CategoryName: k.CategoryName}
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, row)
		}
		out[i].add(k.Figures)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if level == LevelStyle {
			return out[a].Style < out[b].Style
		}
		return out[a].Category < out[b].Category
	})
	return out
}

// Categories are the rows by category, whatever the report's level (for
// the chart).
func (r Report) Categories() []Row { return r.RowsAt(LevelCategory) }
