package documents

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
)

// Confirmations renders order confirmations.
type Confirmations struct {
	fonts *FontLoader
	now   func() time.Time
}

// NewConfirmations returns the renderer of order confirmations with the
// fonts of fontPath (SIZERUN_PDF_FONT, see LoadFonts), loaded on first use. now stamps the
// documents; nil means time.Now.
func NewConfirmations(fontPath string, now func() time.Time) *Confirmations {
	if now == nil {
		now = time.Now
	}
	return &Confirmations{fonts: NewFontLoader(fontPath), now: now}
}

// OrderConfirmation writes the confirmation of order o to w in language
// lang ("en", "zh", "ko"), with the fonts of fontPath. It fails, naming
// SIZERUN_PDF_FONT, when a font cannot be read or no font has a letter of
// the order; nothing is written to w then.
func OrderConfirmation(w io.Writer, o ordering.Order, lang, fontPath string) error {
	return NewConfirmations(fontPath, nil).Write(w, o, lang)
}

// Layout, in millimetres and points.
const (
	pageW        = 210.0
	margin       = 15.0
	contentW     = pageW - 2*margin
	bottomLimit  = 297.0 - 20
	rowH         = 5.6
	colourColW   = 44.0
	qtyColW      = 15.0
	priceColW    = 22.0
	valueColW    = 27.0
	minSizeColW  = 7.0
	maxSizeColW  = 16.0
	fontBody     = 9.0
	fontSmall    = 7.5
	fontHeading  = 11.0
	fontTitle    = 15.0
	fontBrand    = 18.0
	headerBottom = 31.0
)

// Write writes the confirmation of o to w in lang: A4; a header with the
// brand, the title and the order number on every page; the dealer, season,
// status, dates and reference; per delivery window and style a colour ×
// size grid with row and column totals, quantities and values; then the
// order's totals in its currency.
func (c *Confirmations) Write(w io.Writer, o ordering.Order, lang string) error {
	fonts, err := c.fonts.Fonts()
	if err != nil {
		return err
	}
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	now := c.now().UTC()
	// The footer says "page 1 of N": when a first rendering takes more
	// than one page, render again knowing N.
	d := &confirmation{pdf: fonts.NewDoc(), o: o, lang: lang, now: now, pages: 1}
	d.render()
	if n := d.pdf.PageNo(); n > 1 && d.pdf.Err() == nil {
		d = &confirmation{pdf: fonts.NewDoc(), o: o, lang: lang, now: now, pages: n}
		d.render()
	}
	pdf := d.pdf
	if err := pdf.Err(); err != nil {
		return fmt.Errorf("order confirmation %s: %w", o.Number, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("order confirmation %s: %w", o.Number, err)
	}
	_, err = buf.WriteTo(w)
	return err
}

type confirmation struct {
	pdf   *Doc
	o     ordering.Order
	lang  string
	now   time.Time
	pages int // the document's number of pages
}

func (d *confirmation) t(key string, args ...any) string { return i18n.T(d.lang, key, args...) }

func (d *confirmation) render() {
	pdf := d.pdf
	title := d.t("imports.pdf.title")
	pdf.SetTitle(title+" "+d.o.Number, true)
	pdf.SetSubject(d.o.Dealer+" "+d.o.DealerName, true)
	pdf.SetAuthor("Sizerun", true)
	pdf.SetCreator("Sizerun", true)
	pdf.SetCreationDate(d.now)
	pdf.SetMargins(margin, headerBottom+4, margin)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetHeaderFunc(d.header)
	pdf.SetFooterFunc(d.footer)
	pdf.AddPage()
	d.facts()
	d.lines()
	d.totals()
}

func (d *confirmation) font(size float64) { d.pdf.TextSize(size) }

// header draws the brand, the title and the order number.
func (d *confirmation) header() {
	pdf := d.pdf
	pdf.SetFillColor(20, 35, 58)
	pdf.Rect(margin, 12, 7, 7, "F")
	pdf.SetFillColor(127, 176, 255)
	pdf.Rect(margin+2.2, 14.2, 2.6, 2.6, "F")
	pdf.SetTextColor(20, 35, 58)
	pdf.SetFont("Helvetica", "B", fontBrand)
	pdf.SetXY(margin+9, 11.5)
	pdf.CellFormat(60, 8, "Sizerun", "", 0, "L", false, 0, "") // Helvetica: Latin only
	d.font(fontTitle)
	pdf.SetXY(margin, 11)
	pdf.Cell(contentW, 8, d.t("imports.pdf.title"), "", 0, "R", false)
	d.font(fontBody)
	pdf.SetTextColor(90, 100, 115)
	pdf.SetXY(margin, 19.5)
	pdf.Cell(contentW, 5, d.o.Number, "", 0, "R", false)
	pdf.SetXY(margin+9, 19.5)
	pdf.Cell(90, 5, d.t("imports.pdf.tagline"), "", 0, "L", false)
	pdf.SetDrawColor(20, 35, 58)
	pdf.SetLineWidth(0.5)
	pdf.Line(margin, 27, pageW-margin, 27)
	pdf.SetLineWidth(0.2)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetY(headerBottom + 2)
}

func (d *confirmation) footer() {
	pdf := d.pdf
	pdf.SetY(-13)
	d.font(fontSmall)
	pdf.SetTextColor(110, 110, 110)
	left := "Sizerun · " + d.o.Number + " · " + d.t("imports.pdf.generated", d.now.Format("2006-01-02 15:04 UTC"))
	pdf.Cell(contentW*3/4, 5, d.fit(left, contentW*3/4), "", 0, "L", false)
	pdf.Cell(contentW/4, 5, d.t("imports.pdf.page", pdf.PageNo(), d.pages), "", 0, "R", false)
	pdf.SetTextColor(0, 0, 0)
}

// facts draws the order's dealer, season, status, dates and reference in
// two columns.
func (d *confirmation) facts() {
	pdf := d.pdf
	o := d.o
	dash := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return s
	}
	left := [][2]string{
		{d.t("imports.pdf.dealer"), o.Dealer + "  " + o.DealerName},
		{d.t("imports.pdf.season"), strings.TrimSpace(o.Season + "  " + o.SeasonName)},
		{d.t("imports.pdf.reference"), dash(o.Reference)},
		{d.t("imports.pdf.currency"), o.Currency},
	}
	right := [][2]string{
		{d.t("imports.pdf.order"), o.Number},
		{d.t("imports.pdf.status"), d.t("status." + string(o.Status))},
		{d.t("imports.pdf.created"), stamp(o.CreatedAt)},
	}
	if o.SubmittedAt != nil {
		right = append(right, [2]string{d.t("imports.pdf.submitted"), stamp(*o.SubmittedAt)})
	}
	if o.ConfirmedAt != nil {
		right = append(right, [2]string{d.t("imports.pdf.confirmed"), stamp(*o.ConfirmedAt)})
	}
	if o.CancelledAt != nil {
		right = append(right, [2]string{d.t("imports.pdf.cancelled"), stamp(*o.CancelledAt)})
	}
	n := max(len(left), len(right))
	top := pdf.GetY()
	h := float64(n)*rowH + 4
	pdf.SetFillColor(246, 248, 251)
	pdf.SetDrawColor(226, 230, 236)
	pdf.Rect(margin, top, contentW, h, "FD")
	colW := contentW / 2
	labelW := 24.0
	for i := 0; i < n; i++ {
		y := top + 2 + float64(i)*rowH
		for j, col := range [][][2]string{left, right} {
			if i >= len(col) {
				continue
			}
			x := margin + 3 + float64(j)*colW
			pdf.SetXY(x, y)
			d.font(fontSmall)
			pdf.SetTextColor(100, 112, 132)
			pdf.Cell(labelW, rowH, d.fit(col[i][0], labelW-1), "", 0, "L", false)
			d.font(fontBody)
			pdf.SetTextColor(23, 33, 47)
			w := colW - labelW - 6
			pdf.Cell(w, rowH, d.fit(col[i][1], w), "", 0, "L", false)
		}
	}
	pdf.SetTextColor(0, 0, 0)
	pdf.SetY(top + h + 5)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// styleGroup is one style's lines in one delivery window.
type styleGroup struct {
	code, name string
	colours    []colourRow
	sizes      []sizeCol
	qty        int
	amount     money.Amount
}

type colourRow struct {
	code, name string
	qty        map[string]int
	total      int
	amount     money.Amount
	price      money.Amount
	mixed      bool // the row's lines have different unit prices
}

type sizeCol struct {
	code string
	pos  int
}

type windowGroup struct {
	code, name string
	window     *windowInfo
	styles     []*styleGroup
	qty        int
	amount     money.Amount
}

type windowInfo struct{ from, to string }

// groups arranges the order's lines by delivery window (in shipping order,
// lines without one last), style, colour and size.
func (d *confirmation) groups() []*windowGroup {
	var out []*windowGroup
	byWindow := map[string]*windowGroup{}
	for _, w := range d.o.DeliveryWindows {
		g := &windowGroup{code: w.Code, name: w.Name, window: &windowInfo{from: day(w.ShipsFrom), to: day(w.ShipsTo)}}
		byWindow[w.Code] = g
		out = append(out, g)
	}
	styles := map[[2]string]*styleGroup{}
	for _, l := range d.o.Lines {
		g := byWindow[l.DeliveryWindow]
		if g == nil {
			g = &windowGroup{code: l.DeliveryWindow, name: l.DeliveryWindowName}
			byWindow[l.DeliveryWindow] = g
			out = append(out, g)
		}
		s := styles[[2]string{l.DeliveryWindow, l.Style}]
		if s == nil {
			s = &styleGroup{code: l.Style, name: l.StyleName}
			styles[[2]string{l.DeliveryWindow, l.Style}] = s
			g.styles = append(g.styles, s)
		}
		var row *colourRow
		for i := range s.colours {
			if s.colours[i].code == l.Color {
				row = &s.colours[i]
			}
		}
		if row == nil {
			s.colours = append(s.colours, colourRow{code: l.Color, name: l.ColorName, qty: map[string]int{}, price: l.UnitPrice})
			row = &s.colours[len(s.colours)-1]
		}
		if row.price != l.UnitPrice {
			row.mixed = true
		}
		row.qty[l.Size] += l.Qty
		row.total += l.Qty
		row.amount += l.Amount
		known := false
		for _, sz := range s.sizes {
			known = known || sz.code == l.Size
		}
		if !known {
			s.sizes = append(s.sizes, sizeCol{code: l.Size, pos: l.SizePosition})
		}
		s.qty += l.Qty
		s.amount += l.Amount
		g.qty += l.Qty
		g.amount += l.Amount
	}
	var kept []*windowGroup
	for _, g := range out {
		if len(g.styles) == 0 {
			continue
		}
		for _, s := range g.styles {
			sort.SliceStable(s.sizes, func(i, j int) bool { return s.sizes[i].pos < s.sizes[j].pos })
		}
		kept = append(kept, g)
	}
	// Lines without a window go last.
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].code != "" && kept[j].code == "" })
	return kept
}

// day formats a catalogue date; "" when unset.
func day(v catalog.Date) string {
	if v.IsZero() {
		return ""
	}
	return v.String()
}

func (d *confirmation) lines() {
	groups := d.groups()
	if len(groups) == 0 {
		d.font(fontBody)
		d.pdf.Cell(contentW, 8, d.t("imports.pdf.empty"), "", 1, "L", false)
		return
	}
	for _, g := range groups {
		d.windowHeading(g)
		for _, s := range g.styles {
			d.styleTable(s)
		}
		d.windowTotal(g)
	}
}

// ensure starts a new page unless h millimetres fit on this one.
func (d *confirmation) ensure(h float64) bool {
	if d.pdf.GetY()+h > bottomLimit {
		d.pdf.AddPage()
		return true
	}
	return false
}

func (d *confirmation) windowHeading(g *windowGroup) {
	pdf := d.pdf
	d.ensure(8 + 4*rowH)
	title := d.t("imports.pdf.window_none")
	if g.code != "" {
		title = d.t("imports.pdf.window", g.code)
		if g.name != "" {
			title += " · " + g.name
		}
	}
	pdf.SetFillColor(232, 239, 252)
	pdf.SetTextColor(29, 51, 84)
	d.font(fontHeading)
	pdf.Cell(contentW, 7.5, "  "+title, "", 0, "L", true)
	if g.window != nil && g.window.from != "" {
		d.font(fontSmall)
		pdf.SetX(margin)
		pdf.Cell(contentW-2, 7.5, d.t("imports.pdf.ships", g.window.from, g.window.to), "", 0, "R", false)
	}
	pdf.Ln(9.5)
	pdf.SetTextColor(0, 0, 0)
}

// styleTable draws the colour × size grid of one style, its header
// repeated on a new page.
func (d *confirmation) styleTable(s *styleGroup) {
	pdf := d.pdf
	sizeW := (contentW - colourColW - qtyColW - priceColW - valueColW) / float64(max(len(s.sizes), 1))
	sizeW = min(max(sizeW, minSizeColW), maxSizeColW)
	tableW := colourColW + sizeW*float64(len(s.sizes)) + qtyColW + priceColW + valueColW
	colourW := colourColW
	if tableW > contentW { // very long size scales: the colour column gives way
		colourW -= tableW - contentW
		tableW = contentW
	}
	colourW += contentW - tableW // and the table fills the width
	sizeFont := fontBody
	if sizeW < 10 {
		sizeFont = fontSmall
	}

	d.ensure(7 + rowH*float64(min(len(s.colours), 4)+2))
	title := func(cont bool) {
		d.font(fontHeading - 1)
		pdf.SetTextColor(23, 33, 47)
		name := s.code + "  " + s.name
		if cont {
			name += "  " + d.t("imports.pdf.continued")
		}
		pdf.Cell(contentW, 6.5, d.fit(name, contentW), "", 1, "L", false)
		pdf.SetFillColor(238, 241, 245)
		pdf.SetDrawColor(207, 214, 223)
		pdf.SetTextColor(58, 70, 86)
		d.font(fontSmall)
		pdf.Cell(colourW, rowH, " "+d.t("imports.pdf.color"), "1", 0, "L", true)
		d.font(sizeFont)
		for _, sz := range s.sizes {
			pdf.Cell(sizeW, rowH, d.fit(sz.code, sizeW-0.5), "1", 0, "C", true)
		}
		d.font(fontSmall)
		pdf.Cell(qtyColW, rowH, d.t("imports.pdf.qty"), "1", 0, "C", true)
		pdf.Cell(priceColW, rowH, d.t("imports.pdf.unit_price"), "1", 0, "C", true)
		pdf.Cell(valueColW, rowH, d.t("imports.pdf.value"), "1", 1, "C", true)
		pdf.SetTextColor(0, 0, 0)
	}
	title(false)
	sizeTotals := map[string]int{}
	for _, r := range s.colours {
		if d.ensure(rowH * 2) {
			title(true)
		}
		d.font(fontBody)
		pdf.Cell(colourW, rowH, d.fit(" "+r.code+"  "+r.name, colourW-0.5), "1", 0, "L", false)
		d.font(sizeFont)
		for _, sz := range s.sizes {
			q := r.qty[sz.code]
			sizeTotals[sz.code] += q
			txt := ""
			if q != 0 {
				txt = groupInt(q)
			}
			pdf.Cell(sizeW, rowH, txt, "1", 0, "R", false)
		}
		d.font(fontBody)
		pdf.Cell(qtyColW, rowH, groupInt(r.total), "1", 0, "R", false)
		price := r.price.Grouped()
		if r.mixed {
			price = d.t("imports.pdf.varies")
		}
		pdf.Cell(priceColW, rowH, price, "1", 0, "R", false)
		pdf.Cell(valueColW, rowH, r.amount.Grouped(), "1", 1, "R", false)
	}
	if d.ensure(rowH) {
		title(true)
	}
	pdf.SetFillColor(246, 248, 251)
	d.font(fontBody)
	pdf.Cell(colourW, rowH, " "+d.t("imports.pdf.total"), "1", 0, "L", true)
	d.font(sizeFont)
	for _, sz := range s.sizes {
		pdf.Cell(sizeW, rowH, groupInt(sizeTotals[sz.code]), "1", 0, "R", true)
	}
	d.font(fontBody)
	pdf.Cell(qtyColW, rowH, groupInt(s.qty), "1", 0, "R", true)
	pdf.Cell(priceColW, rowH, "", "1", 0, "R", true)
	pdf.Cell(valueColW, rowH, s.amount.Grouped(), "1", 1, "R", true)
	pdf.Ln(3.5)
}

func (d *confirmation) windowTotal(g *windowGroup) {
	pdf := d.pdf
	d.ensure(rowH + 4)
	label := d.t("imports.pdf.window_total_none")
	if g.code != "" {
		label = d.t("imports.pdf.window_total", g.code)
	}
	d.font(fontBody)
	pdf.SetTextColor(29, 51, 84)
	pdf.Cell(contentW-qtyColW-priceColW-valueColW, rowH, label, "", 0, "R", false)
	pdf.Cell(qtyColW, rowH, groupInt(g.qty), "", 0, "R", false)
	pdf.Cell(priceColW, rowH, "", "", 0, "R", false)
	pdf.Cell(valueColW, rowH, g.amount.Grouped(), "", 1, "R", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(4)
}

// totals draws the order's totals with its currency.
func (d *confirmation) totals() {
	pdf := d.pdf
	o := d.o
	styles := map[string]bool{}
	for _, l := range o.Lines {
		styles[l.Style] = true
	}
	d.ensure(4*rowH + 14)
	top := pdf.GetY() + 2
	boxW := 92.0
	x := pageW - margin - boxW
	pdf.SetDrawColor(20, 35, 58)
	pdf.SetLineWidth(0.4)
	pdf.Line(x, top, pageW-margin, top)
	pdf.SetLineWidth(0.2)
	pdf.SetXY(x, top+1.5)
	d.font(fontHeading)
	pdf.Cell(boxW, 7, d.t("imports.pdf.order_total"), "", 2, "L", false)
	rows := [][2]string{
		{d.t("imports.pdf.styles"), groupInt(len(styles))},
		{d.t("imports.pdf.skus"), groupInt(len(o.Lines))},
		{d.t("imports.pdf.total_qty"), groupInt(o.TotalQty)},
	}
	d.font(fontBody)
	for _, r := range rows {
		pdf.SetX(x)
		pdf.Cell(boxW/2, rowH, r[0], "", 0, "L", false)
		pdf.Cell(boxW/2, rowH, r[1], "", 1, "R", false)
	}
	pdf.SetX(x)
	d.font(fontHeading)
	pdf.SetFillColor(232, 239, 252)
	pdf.Cell(boxW/2, 8, " "+d.t("imports.pdf.total_value"), "", 0, "L", true)
	pdf.Cell(boxW/2, 8, o.TotalAmount.Grouped()+" "+o.Currency+" ", "", 1, "R", true)
	d.font(fontSmall)
	pdf.SetTextColor(100, 112, 132)
	pdf.Ln(2)
	pdf.SetX(margin)
	pdf.Cell(contentW, 4, d.fit(d.t("imports.pdf.note", o.Currency), contentW), "", 1, "L", false)
	pdf.SetTextColor(0, 0, 0)
}

func (d *confirmation) fit(s string, w float64) string { return d.pdf.Fit(s, w) }

// groupInt formats an integer with thousands separators: 12345 → "12,345".
func groupInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
