package planreport

import (
	"context"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// ReportXLSX is the report as an Excel workbook: a sheet of rows at the
// report's level with a total row, and a summary sheet with the parameters,
// both plans' totals and the saving. Errors as Report.
func (s *Service) ReportXLSX(ctx context.Context, p auth.Principal, q Params) (aggregation.Document, error) {
	r, err := s.Report(ctx, p, q)
	if err != nil {
		return aggregation.Document{}, err
	}
	body, err := r.XLSX()
	if err != nil {
		return aggregation.Document{}, fmt.Errorf("plan report xlsx: %w", err)
	}
	return aggregation.Document{Filename: fmt.Sprintf("plan-vs-demand-%s-%s.xlsx", r.Season.Code, r.Level),
		ContentType: aggregation.ContentXLSX, Body: body}, nil
}

type xcol struct {
	title string
	width float64
	kind  int // 0 text, 1 qty, 2 money
	get   func(Row) string
}

func qtyCol(title string, f func(Row) int) xcol {
	return xcol{title, 11, 1, func(r Row) string { return strconv.Itoa(f(r)) }}
}

func moneyCol(title string, f func(Row) money.Amount) xcol {
	return xcol{title, 14, 2, func(r Row) string { return f(r).String() }}
}

func (r Report) columns() []xcol {
	var cols []xcol
	text := func(title string, w float64, f func(Row) string) { cols = append(cols, xcol{title, w, 0, f}) }
	switch r.Level {
	case LevelSKU:
		text("Style", 12, func(x Row) string { return x.Style })
		text("Colour", 9, func(x Row) string { return x.Color })
		text("Size", 7, func(x Row) string { return x.Size })
		text("Category", 11, func(x Row) string { return x.Category })
	case LevelStyle:
		text("Style", 12, func(x Row) string { return x.Style })
		text("Name", 26, func(x Row) string { return x.StyleName })
		text("Category", 11, func(x Row) string { return x.Category })
	case LevelCategory:
		text("Category", 11, func(x Row) string { return x.Category })
		text("Name", 20, func(x Row) string { return x.CategoryName })
	case LevelSeason:
		text("Season", 10, func(Row) string { return r.Season.Code })
	}
	cur := " " + r.Currency
	return append(cols,
		qtyCol("Demand", func(x Row) int { return x.Demand }),
		moneyCol("Demand wholesale"+cur, func(x Row) money.Amount { return x.DemandWholesale }),
		qtyCol("Sizerun released", func(x Row) int { return x.Sizerun.Made }),
		qtyCol("Sizerun stock used", func(x Row) int { return x.Sizerun.StockUsed }),
		qtyCol("Sizerun excess", func(x Row) int { return x.Sizerun.Excess }),
		qtyCol("of which rounding/overage", func(x Row) int { return x.Sizerun.RoundingExcess }),
		qtyCol("of which other cause", func(x Row) int { return x.Sizerun.OtherExcess }),
		qtyCol("Sizerun shortage", func(x Row) int { return x.Sizerun.Shortage }),
		moneyCol("Sizerun excess at cost"+cur, func(x Row) money.Amount { return x.Sizerun.ExcessCost }),
		moneyCol("Sizerun excess wholesale"+cur, func(x Row) money.Amount { return x.Sizerun.ExcessWholesale }),
		moneyCol("Sizerun shortage wholesale"+cur, func(x Row) money.Amount { return x.Sizerun.ShortageWholesale }),
		qtyCol("Guessed qty", func(x Row) int { return x.Guessed.Target }),
		qtyCol("Guessed made", func(x Row) int { return x.Guessed.Made }),
		qtyCol("Guessed stock used", func(x Row) int { return x.Guessed.StockUsed }),
		qtyCol("Guessed excess", func(x Row) int { return x.Guessed.Excess }),
		qtyCol("Guessed shortage", func(x Row) int { return x.Guessed.Shortage }),
		moneyCol("Guessed excess at cost"+cur, func(x Row) money.Amount { return x.Guessed.ExcessCost }),
		moneyCol("Guessed excess wholesale"+cur, func(x Row) money.Amount { return x.Guessed.ExcessWholesale }),
		moneyCol("Guessed shortage wholesale"+cur, func(x Row) money.Amount { return x.Guessed.ShortageWholesale }),
	)
}

// XLSX writes the report as a workbook.
func (r Report) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Plan vs demand"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}}})
	if err != nil {
		return nil, err
	}
	var plain, bold [3]int
	for kind, numFmt := range []int{0, 3, 4} { // 3: #,##0  4: #,##0.00
		if plain[kind], err = f.NewStyle(&excelize.Style{NumFmt: numFmt}); err != nil {
			return nil, err
		}
		if bold[kind], err = f.NewStyle(&excelize.Style{NumFmt: numFmt, Font: &excelize.Font{Bold: true}}); err != nil {
			return nil, err
		}
	}
	cols := r.columns()
	put := func(sh string, col, row int, kind int, v string, style int) error {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		var err error
		if kind == 0 {
			err = f.SetCellStr(sh, cell, v)
		} else {
			err = f.SetCellDefault(sh, cell, v) // a decimal text, stored as a number without a float
		}
		if err != nil {
			return err
		}
		return f.SetCellStyle(sh, cell, cell, style)
	}
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, name, name, c.width); err != nil {
			return nil, err
		}
		if err := put(sheet, i+1, 1, 0, c.title, header); err != nil {
			return nil, err
		}
	}
	rows := r.Rows
	if r.Level != LevelSeason {
		rows = append(rows[:len(rows):len(rows)], Row{Figures: r.Totals})
	}
	for ri, row := range rows {
		total := r.Level != LevelSeason && ri == len(rows)-1
		for ci, c := range cols {
			v, style := c.get(row), plain[c.kind]
			if total {
				style = bold[c.kind]
				if c.kind == 0 {
					v = ""
					if ci == 0 {
						v = "Total"
					}
				}
			}
			if err := put(sheet, ci+1, ri+2, c.kind, v, style); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}

	sum := "Summary"
	if _, err := f.NewSheet(sum); err != nil {
		return nil, err
	}
	base := "none"
	if r.Base.ID != 0 {
		base = r.Base.Code
	}
	lines := [][3]string{
		{"Season", r.Season.Code, ""},
		{"Guessed plan: base season", base, ""},
		{"Guessed plan: growth factor", FormatGrowth(r.Growth), ""},
		{"Guessed plan: overage %", aggregation.FormatOverage(r.OverageBP), ""},
		{"Released production orders", strconv.Itoa(r.ReleasedOrders), "1"},
		{"Demand units", strconv.Itoa(r.Totals.Demand), "1"},
		{"Sizerun excess units", strconv.Itoa(r.Totals.Sizerun.Excess), "1"},
		{"Sizerun excess from rounding/overage", strconv.Itoa(r.Totals.Sizerun.RoundingExcess), "1"},
		{"Sizerun excess from other causes", strconv.Itoa(r.Totals.Sizerun.OtherExcess), "1"},
		{"Sizerun shortage units", strconv.Itoa(r.Totals.Sizerun.Shortage), "1"},
		{"Guessed excess units", strconv.Itoa(r.Totals.Guessed.Excess), "1"},
		{"Guessed shortage units", strconv.Itoa(r.Totals.Guessed.Shortage), "1"},
		{"Excess units avoided", strconv.Itoa(r.Saving.ExcessUnits), "1"},
		{"Excess value avoided at cost " + r.Currency, r.Saving.ExcessCost.String(), "2"},
		{"Excess value avoided wholesale " + r.Currency, r.Saving.ExcessWholesale.String(), "2"},
		{"Shortage units avoided", strconv.Itoa(r.Saving.ShortageUnits), "1"},
		{"Lost sales avoided wholesale " + r.Currency, r.Saving.ShortageWholesale.String(), "2"},
	}
	if err := f.SetColWidth(sum, "A", "A", 40); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sum, "B", "B", 16); err != nil {
		return nil, err
	}
	for i, l := range lines {
		if err := put(sum, 1, i+1, 0, l[0], plain[0]); err != nil {
			return nil, err
		}
		kind, _ := strconv.Atoi(l[2])
		if err := put(sum, 2, i+1, kind, l[1], plain[kind]); err != nil {
			return nil, err
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
