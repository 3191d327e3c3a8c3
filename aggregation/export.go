package aggregation

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

// Document is a file to download.
type Document struct {
	Filename    string
	ContentType string
	Body        []byte
}

// Content types of the exports.
const (
	ContentXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentCSV  = "text/csv; charset=utf-8"
	ContentPDF  = "application/pdf"
)

type cellKind int

const (
	kindText cellKind = iota
	kindQty
	kindMoney // two decimals
)

type column struct {
	Title string
	Width float64
	Kind  cellKind
}

// table is what every export writes: a header and rows of cell texts. Numbers
// are decimal texts, written to Excel as numbers without passing through a
// float.
type table struct {
	Sheet   string
	Columns []column
	Rows    [][]string
	Total   []string // optional bold last row
}

func (t table) xlsx() ([]byte, error) { return workbook(t) }

// workbook writes tables as the sheets of one workbook, in order: a bold
// header row, frozen, number formats by column kind, the optional total row
// in bold.
func workbook(tables ...table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}},
		Border: []excelize.Border{{Type: "bottom", Color: "888888", Style: 1}}})
	if err != nil {
		return nil, err
	}
	styles := map[cellKind][2]int{}
	for kind, fmtID := range map[cellKind]int{kindText: 0, kindQty: 3, kindMoney: 4} { // 3: #,##0  4: #,##0.00
		plain, err := f.NewStyle(&excelize.Style{NumFmt: fmtID})
		if err != nil {
			return nil, err
		}
		bold, err := f.NewStyle(&excelize.Style{NumFmt: fmtID, Font: &excelize.Font{Bold: true},
			Border: []excelize.Border{{Type: "top", Color: "888888", Style: 1}}})
		if err != nil {
			return nil, err
		}
		styles[kind] = [2]int{plain, bold}
	}
	for n, t := range tables {
		if n == 0 {
			err = f.SetSheetName("Sheet1", t.Sheet)
		} else {
			_, err = f.NewSheet(t.Sheet)
		}
		if err != nil {
			return nil, err
		}
		if err := t.writeSheet(f, header, styles); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (t table) writeSheet(f *excelize.File, header int, styles map[cellKind][2]int) error {
	for i, c := range t.Columns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellStr(t.Sheet, col+"1", c.Title); err != nil {
			return err
		}
		if err := f.SetColWidth(t.Sheet, col, col, c.Width); err != nil {
			return err
		}
	}
	last, _ := excelize.ColumnNumberToName(len(t.Columns))
	if err := f.SetCellStyle(t.Sheet, "A1", last+"1", header); err != nil {
		return err
	}
	rows := t.Rows
	if t.Total != nil {
		rows = append(rows[:len(rows):len(rows)], t.Total)
	}
	for r, row := range rows {
		bold := 0
		if t.Total != nil && r == len(rows)-1 {
			bold = 1
		}
		for i, v := range row {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			var err error
			if t.Columns[i].Kind == kindText || v == "" {
				err = f.SetCellStr(t.Sheet, cell, v)
			} else {
				err = f.SetCellDefault(t.Sheet, cell, v)
			}
			if err != nil {
				return err
			}
		}
		if len(row) > 0 {
			for i, c := range t.Columns {
				cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
				if err := f.SetCellStyle(t.Sheet, cell, cell, styles[c.Kind][bold]); err != nil {
					return err
				}
			}
		}
	}
	return f.SetPanes(t.Sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func (t table) csv() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = strings.ToLower(strings.ReplaceAll(c.Title, " ", "_"))
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	if err := w.WriteAll(t.Rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), w.Error()
}

func keyTitle(k Key) string {
	switch k {
	case KeyColor:
		return "Colour"
	}
	return strings.ToUpper(string(k[:1])) + string(k[1:])
}

// rollupTable is a rollup as a table, for the .xlsx export.
func rollupTable(r Rollup) table {
	t := table{Sheet: "Rollup " + r.Season}
	for _, k := range r.Query.By {
		t.Columns = append(t.Columns, column{Title: keyTitle(k), Width: 14})
	}
	t.Columns = append(t.Columns,
		column{Title: "Qty", Width: 12, Kind: kindQty},
		column{Title: "Amount " + r.Currency, Width: 18, Kind: kindMoney},
		column{Title: "Orders", Width: 10, Kind: kindQty},
		column{Title: "Dealers", Width: 10, Kind: kindQty})
	for _, row := range r.Rows {
		cells := append([]string{}, row.Keys...)
		cells = append(cells, strconv.FormatInt(row.Qty, 10), row.Amount.String(),
			strconv.Itoa(row.Orders), strconv.Itoa(row.Dealers))
		t.Rows = append(t.Rows, cells)
	}
	total := make([]string, len(r.Query.By))
	if len(total) > 0 {
		total[0] = "Total"
	}
	t.Total = append(total, strconv.FormatInt(r.Totals.Qty, 10), r.Totals.Amount.String(),
		strconv.Itoa(r.Totals.Orders), strconv.Itoa(r.Totals.Dealers))
	return t
}

// RollupXLSX is GET /rollups.xlsx: the same rollup as an Excel workbook.
func (s *Service) RollupXLSX(ctx context.Context, p auth.Principal, params RollupParams) (Document, error) {
	r, err := s.Rollup(ctx, p, params)
	if err != nil {
		return Document{}, err
	}
	body, err := rollupTable(r).xlsx()
	if err != nil {
		return Document{}, fmt.Errorf("rollup xlsx: %w", err)
	}
	return Document{Filename: "rollup-" + r.Season + ".xlsx", ContentType: ContentXLSX, Body: body}, nil
}

func productionTable(po ProductionOrder) table {
	t := table{Sheet: po.Number, Columns: []column{
		{Title: "Style", Width: 14}, {Title: "Colour", Width: 10}, {Title: "Size", Width: 8},
		{Title: "Demand qty", Width: 12, Kind: kindQty}, {Title: "Stock qty", Width: 12, Kind: kindQty},
		{Title: "Planned qty", Width: 12, Kind: kindQty},
	}}
	for _, l := range po.Lines {
		t.Rows = append(t.Rows, []string{l.Style, l.Color, l.Size,
			strconv.Itoa(l.DemandQty), strconv.Itoa(l.StockQty), strconv.Itoa(l.PlannedQty)})
	}
	t.Total = []string{"Total", "", "", strconv.Itoa(po.Totals.DemandQty), strconv.Itoa(po.Totals.StockQty),
		strconv.Itoa(po.Totals.PlannedQty)}
	return t
}

// ProductionOrderDocument exports a production order as csv, xlsx or pdf
// (for the ERP and the factory).
func (s *Service) ProductionOrderDocument(ctx context.Context, p auth.Principal, number, format string) (Document, error) {
	po, err := s.ProductionOrder(ctx, p, number)
	if err != nil {
		return Document{}, err
	}
	name := "production-order-" + po.Number + "." + format
	switch format {
	case "csv":
		body, err := productionTable(po).csv()
		return Document{Filename: name, ContentType: ContentCSV, Body: body}, err
	case "xlsx":
		body, err := productionTable(po).xlsx()
		return Document{Filename: name, ContentType: ContentXLSX, Body: body}, err
	case "pdf":
		needs, err := s.store.FabricNeeds(ctx, po.Number)
		if err != nil {
			return Document{}, err
		}
		body, err := productionPDF(po, needs, s.fonts, s.opts.Now())
		return Document{Filename: name, ContentType: ContentPDF, Body: body}, err
	}
	return Document{}, apperr.New(apperr.NotFound, "no such export format %q", format)
}

func forecastTable(f Forecast) table {
	t := table{Sheet: "Fabric " + f.Season, Columns: []column{
		{Title: "Fabric", Width: 14}, {Title: "Name", Width: 28}, {Title: "Supplier", Width: 10},
		{Title: "Unit", Width: 6}, {Title: "Week", Width: 12}, {Title: "Required qty", Width: 14, Kind: kindMoney},
		{Title: "Committed qty", Width: 14, Kind: kindMoney}, {Title: "Committed date", Width: 14},
		{Title: "Note", Width: 30},
	}}
	for _, r := range f.Rows {
		row := []string{r.Fabric, r.Name, r.Supplier, r.Unit, r.Week.Format(WeekLayout), r.RequiredQty.String(), "", "", ""}
		if r.Ack != nil {
			row[6], row[7], row[8] = r.Ack.CommittedQty.String(), r.Ack.CommittedDate.Format(WeekLayout), r.Ack.Note
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// ForecastDocument exports the fabric forecast the caller may see as csv,
// xlsx or pdf.
func (s *Service) ForecastDocument(ctx context.Context, p auth.Principal, season, format string) (Document, error) {
	f, err := s.Forecast(ctx, p, season)
	if err != nil {
		return Document{}, err
	}
	name := "fabric-forecast-" + f.Season
	if p.Role == auth.RoleSupplier {
		name += "-" + p.SupplierCode
	}
	name += "." + format
	switch format {
	case "csv":
		body, err := forecastTable(f).csv()
		return Document{Filename: name, ContentType: ContentCSV, Body: body}, err
	case "xlsx":
		body, err := forecastTable(f).xlsx()
		return Document{Filename: name, ContentType: ContentXLSX, Body: body}, err
	case "pdf":
		body, err := forecastPDF(f, p.SupplierCode, s.fonts, s.opts.Now())
		return Document{Filename: name, ContentType: ContentPDF, Body: body}, err
	}
	return Document{}, apperr.New(apperr.NotFound, "no such export format %q", format)
}
