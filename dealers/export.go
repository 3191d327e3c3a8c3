package dealers

import (
	"context"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/auth"
)

// Document is a file to download.
type Document struct {
	Filename    string
	ContentType string
	Body        []byte
}

// ContentXLSX is the content type of Excel workbooks.
const ContentXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type cellKind int

const (
	cellText cellKind = iota
	cellInt
	cellMoney
	cellShare // a ratio shown as a percentage
)

type sheetColumn struct {
	title string
	width float64
	kind  cellKind
}

type sheet struct {
	name    string
	columns []sheetColumn
	rows    [][]string
}

// AnalysisXLSX is GET /analytics/dealers.xlsx: the analysis as a workbook
// with a sheet each for the Pareto ranking, the dealers' RFM, CLV and
// segments, the 16 segments, the drifting dealers and the definitions.
// Headers are frozen; money and shares have number formats. Numbers are
// written from their decimal text, never through a float.
func (s *Service) AnalysisXLSX(ctx context.Context, p auth.Principal, ap AnalysisParams) (Document, error) {
	a, err := s.Analysis(ctx, p, ap)
	if err != nil {
		return Document{}, err
	}
	body, err := analysisWorkbook(a)
	if err != nil {
		return Document{}, fmt.Errorf("analysis xlsx: %w", err)
	}
	return Document{Filename: "dealer-analysis-" + a.Season.Code + ".xlsx", ContentType: ContentXLSX, Body: body}, nil
}

func analysisWorkbook(a Analysis) ([]byte, error) {
	cur := a.Currency
	pareto := sheet{name: "Pareto " + a.Season.Code, columns: []sheetColumn{
		{"Rank", 7, cellInt}, {"Dealer", 10, cellText}, {"Name", 30, cellText}, {"Region", 10, cellText},
		{"Revenue " + cur, 16, cellMoney}, {"Share", 10, cellShare}, {"Cumulative share", 16, cellShare}, {"Class", 7, cellText},
	}}
	for _, r := range a.Pareto.Rows {
		pareto.rows = append(pareto.rows, []string{strconv.Itoa(r.Rank), r.Dealer, r.Name, r.Region, r.Value.String(),
			r.Share, r.Cumulative, r.Class})
	}
	pareto.rows = append(pareto.rows, []string{}, []string{"", "Top 20%", fmt.Sprintf("%d of %d dealers", a.Pareto.TopCount, a.Pareto.Dealers), "",
		a.Pareto.TopValue.String(), a.Pareto.TopShare, "", ""})

	dealers := sheet{name: "Dealers", columns: []sheetColumn{
		{"Dealer", 10, cellText}, {"Name", 30, cellText}, {"Region", 10, cellText}, {"Season revenue " + cur, 18, cellMoney},
		{"Class", 7, cellText}, {"Recency", 9, cellInt}, {"Frequency", 10, cellInt}, {"Monetary " + cur, 16, cellMoney},
		{"R", 4, cellInt}, {"F", 4, cellInt}, {"M", 4, cellInt}, {"RFM", 6, cellText},
		{"CLV historical " + cur, 18, cellMoney}, {"CLV future " + cur, 18, cellMoney}, {"CLV " + cur, 16, cellMoney},
		{"Trend per season " + cur, 18, cellMoney}, {"Regularity", 11, cellShare}, {"Returns rate", 12, cellShare},
		{"Average rating", 14, cellText}, {"Segment", 10, cellText}, {"Segment name", 26, cellText}, {"Policy", 60, cellText},
	}}
	for _, d := range a.Dealers {
		rating := ""
		if d.Satisfaction.AverageRating != nil {
			rating = *d.Satisfaction.AverageRating
		}
		dealers.rows = append(dealers.rows, []string{d.Dealer, d.Name, d.Region, d.Value.String(), d.Class,
			strconv.Itoa(d.RFM.Recency), strconv.Itoa(d.RFM.Frequency), d.RFM.Monetary.String(),
			strconv.Itoa(d.RFM.R), strconv.Itoa(d.RFM.F), strconv.Itoa(d.RFM.M), d.RFM.Score,
			d.CLV.Historical.String(), d.CLV.Future.String(), d.CLV.Total.String(), d.CLV.TrendPerSeason.String(),
			d.Loyalty.Regularity, d.Satisfaction.ReturnsRate, rating, d.Segment.Code, d.Segment.Name, d.Segment.Policy})
	}

	segments := sheet{name: "Segments", columns: []sheetColumn{
		{"Segment", 10, cellText}, {"Name", 26, cellText}, {"Dealers", 9, cellInt}, {"Dealer codes", 40, cellText}, {"Policy", 80, cellText},
	}}
	for _, sc := range a.Segments {
		codes := ""
		for i, c := range sc.Dealers {
			if i > 0 {
				codes += " "
			}
			codes += c
		}
		segments.rows = append(segments.rows, []string{sc.Code, sc.Name, strconv.Itoa(sc.Count), codes, sc.Policy})
	}

	prev := ""
	if a.PreviousSeason != nil {
		prev = " " + a.PreviousSeason.Code
	}
	drifting := sheet{name: "Drifting", columns: []sheetColumn{
		{"Dealer", 10, cellText}, {"Name", 30, cellText}, {"Region", 10, cellText},
		{"Revenue" + prev + " " + cur, 20, cellMoney}, {"Seasons active", 14, cellInt},
	}}
	for _, d := range a.Drifting {
		drifting.rows = append(drifting.rows, []string{d.Dealer, d.Name, d.Region, d.PreviousValue.String(), strconv.Itoa(d.Seasons)})
	}

	defs := sheet{name: "Definitions", columns: []sheetColumn{{"Definition", 140, cellText}}}
	defs.rows = append(defs.rows,
		[]string{fmt.Sprintf("Season %s; discount rate %s per season; horizon %d seasons; handling cost %s %s per order.",
			a.Season.Code, a.DiscountRate, a.Horizon, a.HandlingCost, cur)})
	for _, d := range a.Definitions {
		defs.rows = append(defs.rows, []string{d})
	}
	return writeWorkbook([]sheet{pareto, dealers, segments, drifting, defs})
}

func writeWorkbook(sheets []sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}},
		Border: []excelize.Border{{Type: "bottom", Color: "888888", Style: 1}}})
	if err != nil {
		return nil, err
	}
	styles := map[cellKind]int{}
	for kind, numFmt := range map[cellKind]int{cellText: 0, cellInt: 3, cellMoney: 4, cellShare: 10} { // #,##0 / #,##0.00 / 0.00%
		st, err := f.NewStyle(&excelize.Style{NumFmt: numFmt})
		if err != nil {
			return nil, err
		}
		styles[kind] = st
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return nil, err
		}
		for c, col := range sh.columns {
			name, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetCellStr(sh.name, name+"1", col.title); err != nil {
				return nil, err
			}
			if err := f.SetColWidth(sh.name, name, name, col.width); err != nil {
				return nil, err
			}
			if len(sh.rows) > 0 {
				if err := f.SetCellStyle(sh.name, name+"2", fmt.Sprintf("%s%d", name, len(sh.rows)+1), styles[col.kind]); err != nil {
					return nil, err
				}
			}
		}
		last, _ := excelize.ColumnNumberToName(len(sh.columns))
		if err := f.SetCellStyle(sh.name, "A1", last+"1", header); err != nil {
			return nil, err
		}
		for r, row := range sh.rows {
			for c, v := range row {
				if c >= len(sh.columns) {
					break
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
				if sh.columns[c].kind == cellText || v == "" || !isNumber(v) {
					err = f.SetCellStr(sh.name, cell, v)
				} else {
					err = f.SetCellDefault(sh.name, cell, v)
				}
				if err != nil {
					return nil, err
				}
			}
		}
		if err := f.SetPanes(sh.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isNumber reports whether s is a plain decimal ("-12.50", "3").
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	dot := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return s != ""
}
