package aggregation

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/sizerun/sizerun/documents"
)

// pdfDoc is an A4 document that writes each character in the first font of
// the set that has it (Latin, Chinese and Korean; see documents.FontSet).
type pdfDoc struct {
	*documents.Doc
	title string
}

// newPDF starts a document with fonts, a footer and a first
// page. The error, when a font cannot be read, names SIZERUN_PDF_FONT.
func newPDF(fonts *documents.FontLoader, title string, now time.Time, footer string) (*pdfDoc, error) {
	doc, err := fonts.NewDoc()
	if err != nil {
		return nil, err
	}
	d := &pdfDoc{Doc: doc, title: title}
	d.SetTitle(title, true)
	d.SetCreator("Sizerun", true)
	d.SetAutoPageBreak(true, 15)
	d.AliasNbPages("{nb}")
	d.SetFooterFunc(func() {
		d.SetY(-12)
		d.font(8)
		d.SetTextColor(110, 110, 110)
		d.cell(0, 5, fmt.Sprintf("%s · %s · page %d/{nb}", footer, now.UTC().Format("2006-01-02 15:04 UTC"), d.PageNo()), "", "C", false)
		d.SetTextColor(0, 0, 0)
	})
	d.AddPage()
	return d, nil
}

// font sets the size of the text that follows, in points.
func (d *pdfDoc) font(size float64) { d.TextSize(size) }

// cell writes one cell like fpdf's CellFormat (w 0: to the right margin),
// shortening the text with "…" to fit; fill draws the current fill colour.
func (d *pdfDoc) cell(w, h float64, s, border, align string, fill bool) {
	if w == 0 {
		pw, _ := d.GetPageSize()
		_, _, right, _ := d.GetMargins()
		w = pw - right - d.GetX()
	}
	d.Cell(w, h, d.Fit(s, w-2*d.GetCellMargin()), border, 0, align, fill)
}

// ensure starts a new page unless h millimetres fit below the cursor. A
// block taller than a page only needs its start (40 mm) to fit: it goes on
// over the next pages anyway.
func (d *pdfDoc) ensure(h float64) {
	_, ph := d.GetPageSize()
	_, top, _, bottom := d.GetMargins()
	limit := ph - bottom - 5
	if h > limit-top {
		h = 40
	}
	if d.GetY()+h > limit {
		d.AddPage()
	}
}

// bytes returns the document, or the first problem met writing it: a font
// fpdf could not read, or a letter no font has (naming SIZERUN_PDF_FONT).
func (d *pdfDoc) bytes() ([]byte, error) {
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", d.title, err)
	}
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("%s: pdf: %w", d.title, err)
	}
	return buf.Bytes(), nil
}

type styleSection struct {
	code, name string
	cutLot     int
	colors     []string          // in order of first appearance (lines are sorted)
	colorNames map[string]string // code → name
	sizes      []string          // by position
	sizePos    map[string]int
	planned    map[[2]string]int // (colour, size) → planned
	demand     int
	stock      int
	total      int
}

func sections(po ProductionOrder) []*styleSection {
	var out []*styleSection
	byCode := map[string]*styleSection{}
	for _, l := range po.Lines {
		s := byCode[l.Style]
		if s == nil {
			s = &styleSection{code: l.Style, name: l.StyleName, cutLot: l.CutLot, colorNames: map[string]string{},
				sizePos: map[string]int{}, planned: map[[2]string]int{}}
			byCode[l.Style] = s
			out = append(out, s)
		}
		if !slices.Contains(s.colors, l.Color) {
			s.colors = append(s.colors, l.Color)
			s.colorNames[l.Color] = l.ColorName
		}
		if _, ok := s.sizePos[l.Size]; !ok {
			s.sizePos[l.Size] = l.SizePos
			s.sizes = append(s.sizes, l.Size)
		}
		s.planned[[2]string{l.Color, l.Size}] += l.PlannedQty
		s.demand += l.DemandQty
		s.stock += l.StockQty
		s.total += l.PlannedQty
	}
	for _, s := range out {
		slices.SortStableFunc(s.sizes, func(a, b string) int { return s.sizePos[a] - s.sizePos[b] })
	}
	return out
}

// productionPDF prints a production order for the factory: a section per
// style with its colour × size grid of planned quantities, totals, and the
// fabric the style needs, with fonts (SIZERUN_PDF_FONT).
func productionPDF(po ProductionOrder, needs []FabricNeed, fonts *documents.FontLoader, now time.Time) ([]byte, error) {
	d, err := newPDF(fonts, "Production order "+po.Number, now, "Production order "+po.Number)
	if err != nil {
		return nil, err
	}
	d.font(16)
	d.cell(0, 9, "Production order "+po.Number, "", "L", false)
	d.Ln(9)
	d.font(10)
	released := "not released (draft)"
	if po.ReleasedAt != nil {
		released = "released " + po.ReleasedAt.UTC().Format("2006-01-02")
	}
	d.cell(0, 5, fmt.Sprintf("Season %s · status %s · %s · overage %s %% · created %s", po.Season, po.Status, released,
		FormatOverage(po.OverageBP), po.CreatedAt.UTC().Format("2006-01-02")), "", "L", false)
	d.Ln(5)
	d.cell(0, 5, fmt.Sprintf("Totals: demand %d · from stock %d · to produce %d pieces in %d styles", po.Totals.DemandQty,
		po.Totals.StockQty, po.Totals.PlannedQty, len(sections(po))), "", "L", false)
	d.Ln(9)

	needsBy := map[string][]FabricNeed{}
	for _, n := range needs {
		needsBy[n.Style] = append(needsBy[n.Style], n)
	}
	pw, _ := d.GetPageSize()
	left, _, right, _ := d.GetMargins()
	width := pw - left - right
	for _, s := range sections(po) {
		rows := len(s.colors) + 2 + len(needsBy[s.code]) + 1
		d.ensure(float64(rows)*6 + 20)
		d.font(12)
		d.SetFillColor(221, 228, 238)
		d.cell(0, 7, fmt.Sprintf("%s  %s", s.code, s.name), "", "L", true)
		d.Ln(7)
		d.font(9)
		d.cell(0, 5, fmt.Sprintf("Cut lot %d · demand %d · from stock %d · to produce %d", s.cutLot, s.demand, s.stock, s.total), "", "L", false)
		d.Ln(6)

		colorW := 45.0
		sizeW := min(18.0, (width-colorW-20)/float64(max(len(s.sizes), 1)))
		d.SetFillColor(240, 240, 240)
		d.cell(colorW, 6, "Colour", "1", "L", true)
		for _, sz := range s.sizes {
			d.cell(sizeW, 6, sz, "1", "C", true)
		}
		d.cell(20, 6, "Total", "1", "R", true)
		d.Ln(6)
		colTotals := make([]int, len(s.sizes))
		for _, c := range s.colors {
			label := c
			if n := s.colorNames[c]; n != "" && n != c {
				label = c + " " + n
			}
			d.cell(colorW, 6, label, "1", "L", false)
			rowTotal := 0
			for i, sz := range s.sizes {
				q, ok := s.planned[[2]string{c, sz}]
				txt := ""
				if ok {
					txt = strconv.Itoa(q)
				}
				d.cell(sizeW, 6, txt, "1", "R", false)
				rowTotal += q
				colTotals[i] += q
			}
			d.cell(20, 6, strconv.Itoa(rowTotal), "1", "R", false)
			d.Ln(6)
		}
		d.cell(colorW, 6, "Total", "1", "L", true)
		for _, t := range colTotals {
			d.cell(sizeW, 6, strconv.Itoa(t), "1", "R", true)
		}
		d.cell(20, 6, strconv.Itoa(s.total), "1", "R", true)
		d.Ln(8)

		if ns := needsBy[s.code]; len(ns) > 0 {
			d.cell(0, 5, "Fabric needs (incl. wastage)", "", "L", false)
			d.Ln(5)
			for _, n := range ns {
				d.cell(30, 5, n.Fabric, "B", "L", false)
				d.cell(80, 5, n.Name, "B", "L", false)
				d.cell(30, 5, n.Qty.String(), "B", "R", false)
				d.cell(10, 5, n.Unit, "B", "L", false)
				d.Ln(5)
			}
		}
		d.Ln(5)
	}
	if len(po.Lines) == 0 {
		d.cell(0, 6, "This production order has no lines.", "", "L", false)
	}
	return d.bytes()
}

// forecastPDF prints a fabric forecast (a supplier's own, or all of it),
// with fonts (SIZERUN_PDF_FONT).
func forecastPDF(f Forecast, supplier string, fonts *documents.FontLoader, now time.Time) ([]byte, error) {
	title := "Fabric forecast " + f.Season
	if supplier != "" {
		title += " · supplier " + supplier
	}
	d, err := newPDF(fonts, title, now, title)
	if err != nil {
		return nil, err
	}
	d.font(16)
	d.cell(0, 9, title, "", "L", false)
	d.Ln(11)
	// 8 pt: DejaVuSans is wider than Helvetica was at 9 pt; dates and
	// "Supplier" fit their columns again.
	d.font(8)
	cols := []struct {
		title string
		w     float64
		align string
	}{{"Fabric", 24, "L"}, {"Name", 60, "L"}, {"Supplier", 14, "L"}, {"Week", 20, "L"},
		{"Required", 26, "R"}, {"Committed", 26, "R"}, {"By date", 20, "L"}}
	header := func() {
		d.SetFillColor(240, 240, 240)
		for _, c := range cols {
			d.cell(c.w, 6, c.title, "1", c.align, true)
		}
		d.Ln(6)
	}
	header()
	for _, r := range f.Rows {
		if d.GetY() > 270 {
			d.AddPage()
			d.font(8)
			header()
		}
		committed, by := "", ""
		if r.Ack != nil {
			committed, by = r.Ack.CommittedQty.String()+" "+r.Unit, r.Ack.CommittedDate.Format(WeekLayout)
		}
		vals := []string{r.Fabric, r.Name, r.Supplier, r.Week.Format(WeekLayout), r.RequiredQty.String() + " " + r.Unit, committed, by}
		for i, c := range cols {
			d.cell(c.w, 6, vals[i], "1", c.align, false)
		}
		d.Ln(6)
	}
	if len(f.Rows) == 0 {
		d.cell(0, 6, "No fabric requirements yet.", "", "L", false)
	}
	return d.bytes()
}
