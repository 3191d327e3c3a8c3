package aggregation

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
)

// pdfDoc wraps fpdf with a font per script: Helvetica (WinAnsi) for Latin
// text and, when the font file could be read, the UTF-8 TrueType font for CJK
// text (DroidSansFallbackFull has CJK glyphs but no Latin ones), switching
// fonts within a cell. Without the font file, CJK text prints as "?".
type pdfDoc struct {
	*fpdf.Fpdf
	cjk   bool                // the CJK font is loaded
	size  float64             // current font size in points
	latin func(string) string // UTF-8 → WinAnsi
}

// fontLoader reads the PDF font file once; nil bytes when it cannot.
func fontLoader(path string) func() []byte {
	return sync.OnceValue(func() []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		return b
	})
}

func newPDF(font []byte, title string, now time.Time, footer string) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, latin: f.UnicodeTranslatorFromDescriptor("")}
	if len(font) > 0 {
		f.AddUTF8FontFromBytes("cjk", "", font)
		if f.Ok() {
			d.cjk = true
		} else {
			f.ClearError()
		}
	}
	f.SetTitle(title, true)
	f.SetCreator("Sizerun", true)
	f.SetAutoPageBreak(true, 15)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-12)
		d.font(8)
		f.SetTextColor(110, 110, 110)
		d.cell(0, 5, fmt.Sprintf("%s · %s · page %d/{nb}", footer, now.UTC().Format("2006-01-02 15:04 UTC"), f.PageNo()), "", "C", false)
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	return d
}

func (d *pdfDoc) font(size float64) {
	d.size = size
	d.SetFont("Helvetica", "", size)
}

// isCJK reports whether r needs the CJK font: Hangul, CJK symbols and
// punctuation, kana, ideographs, compatibility and full-width forms.
func isCJK(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x11FF, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7AF,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFFEF, r >= 0x20000:
		return true
	}
	return false
}

type textRun struct {
	text string
	cjk  bool
}

// runs splits s into runs of one font, already encoded for it.
func (d *pdfDoc) runs(s string) []textRun {
	var out []textRun
	var cur []rune
	curCJK := false
	flush := func() {
		if len(cur) == 0 {
			return
		}
		t := string(cur)
		if !curCJK {
			t = d.latin(t)
		}
		out = append(out, textRun{text: t, cjk: curCJK})
		cur = cur[:0]
	}
	for _, r := range s {
		c := isCJK(r) && d.cjk
		if !c && r >= 0x80 && r != '.' && d.latin(string(r)) == "." {
			r = '?' // no glyph in either font
		}
		if c != curCJK {
			flush()
			curCJK = c
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

func (d *pdfDoc) useFont(cjk bool) {
	if cjk {
		d.SetFont("cjk", "", d.size)
	} else {
		d.SetFont("Helvetica", "", d.size)
	}
}

func (d *pdfDoc) width(rs []textRun) float64 {
	w := 0.0
	for _, r := range rs {
		d.useFont(r.cjk)
		w += d.GetStringWidth(r.text)
	}
	d.useFont(false)
	return w
}

// fit shortens s with "…" until it is at most w wide.
func (d *pdfDoc) fit(s string, w float64) []textRun {
	rs := d.runs(s)
	if d.width(rs) <= w {
		return rs
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if rs = d.runs(string(r) + "…"); d.width(rs) <= w {
			break
		}
	}
	return rs
}

// cell writes one cell like fpdf's CellFormat (w 0: to the right margin),
// shortening the text with "…" to fit; fill draws the header shade.
func (d *pdfDoc) cell(w, h float64, s, border, align string, fill bool) {
	x, y := d.GetXY()
	if w == 0 {
		pw, _ := d.GetPageSize()
		_, _, right, _ := d.GetMargins()
		w = pw - right - x
	}
	m := d.GetCellMargin()
	rs := d.fit(s, w-2*m)
	d.CellFormat(w, h, "", border, 0, "", fill, 0, "")
	tw := d.width(rs)
	tx := x + m
	switch align {
	case "R":
		tx = x + w - m - tw
	case "C":
		tx = x + (w-tw)/2
	}
	_, unit := d.GetFontSize()
	for _, r := range rs {
		d.useFont(r.cjk)
		d.Text(tx, y+0.5*h+0.3*unit, r.text)
		tx += d.GetStringWidth(r.text)
	}
	d.useFont(false)
}

// ensure starts a new page unless h millimetres fit below the cursor.
func (d *pdfDoc) ensure(h float64) {
	_, ph := d.GetPageSize()
	_, _, _, bottom := d.GetMargins()
	if d.GetY()+h > ph-bottom-5 {
		d.AddPage()
	}
}

func (d *pdfDoc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
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
// fabric the style needs.
func productionPDF(po ProductionOrder, needs []FabricNeed, font []byte, now time.Time) ([]byte, error) {
	d := newPDF(font, "Production order "+po.Number, now, "Production order "+po.Number)
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

// forecastPDF prints a fabric forecast (a supplier's own, or all of it).
func forecastPDF(f Forecast, supplier string, font []byte, now time.Time) ([]byte, error) {
	title := "Fabric forecast " + f.Season
	if supplier != "" {
		title += " · supplier " + supplier
	}
	d := newPDF(font, title, now, title)
	d.font(16)
	d.cell(0, 9, title, "", "L", false)
	d.Ln(11)
	d.font(9)
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
			d.font(9)
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
