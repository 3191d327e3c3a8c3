package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/web"
)

// dlAnalyticsPage is the value analysis page's Data.
type dlAnalyticsPage struct {
	Seasons  []dealers.SeasonRef
	Params   dealers.AnalysisParams
	Analysis *dealers.Analysis
	Chart    *dlParetoChart
	Grid     []dlSegmentRow // the 16 segments as a 4 × 4 grid
	Export   string         // the .xlsx link with the same parameters
	Error    *dlFormError
}

// dlSegmentRow is one row of the segment grid: a combination of historical
// and potential value, with its four loyalty × satisfaction cells.
type dlSegmentRow struct {
	Value, Potential string // "H" or "L"
	Cells            []dealers.SegmentCount
}

func (h *dealerPages) analytics(c echo.Context) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	seasons, err := h.svc.Seasons(ctx, pr)
	if err != nil {
		return err
	}
	ap := dealers.AnalysisParams{Season: c.QueryParam("season"), DiscountRate: c.QueryParam("discount_rate"),
		Horizon: c.QueryParam("horizon")}
	if ap.Season == "" {
		ap.Season = dlDefaultSeason(seasons)
	}
	d := dlAnalyticsPage{Seasons: seasons, Params: ap}
	if ap.Season == "" {
		return h.p.Render(c, http.StatusOK, "analytics", d)
	}
	a, err := h.svc.Analysis(ctx, pr, ap)
	if err != nil {
		if d.Error = h.dealerFormError(c, "analysis", err); d.Error == nil {
			return err
		}
		return h.p.Render(c, http.StatusUnprocessableEntity, "analytics", d)
	}
	d.Analysis = &a
	d.Chart = dlNewParetoChart(a.Pareto)
	d.Grid = dlSegmentGrid(a.Segments)
	q := url.Values{"season": {a.Season.Code}}
	if ap.DiscountRate != "" {
		q.Set("discount_rate", ap.DiscountRate)
	}
	if ap.Horizon != "" {
		q.Set("horizon", ap.Horizon)
	}
	d.Export = "/analytics/dealers.xlsx?" + q.Encode()
	return h.p.Render(c, http.StatusOK, "analytics", d)
}

// dlDefaultSeason is the latest season but one (the last complete one when
// the newest is still being ordered), or the only one.
func dlDefaultSeason(ss []dealers.SeasonRef) string {
	switch len(ss) {
	case 0:
		return ""
	case 1:
		return ss[0].Code
	}
	return ss[len(ss)-2].Code
}

func (h *dealerPages) analyticsXLSX(c echo.Context) error {
	ap := dealers.AnalysisParams{Season: c.QueryParam("season"), DiscountRate: c.QueryParam("discount_rate"),
		Horizon: c.QueryParam("horizon")}
	doc, err := h.svc.AnalysisXLSX(c.Request().Context(), web.MustPrincipal(c), ap)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", doc.Filename))
	return c.Blob(http.StatusOK, doc.ContentType, doc.Body)
}

// dlSegmentGrid arranges the 16 segments (HHHH … LLLL) as rows of historical
// × potential value and columns of loyalty × satisfaction.
func dlSegmentGrid(ss []dealers.SegmentCount) []dlSegmentRow {
	by := map[string]dealers.SegmentCount{}
	for _, s := range ss {
		by[s.Key] = s
	}
	var rows []dlSegmentRow
	for _, vp := range []string{"HH", "HL", "LH", "LL"} {
		r := dlSegmentRow{Value: vp[:1], Potential: vp[1:]}
		for _, ls := range []string{"HH", "HL", "LH", "LL"} {
			r.Cells = append(r.Cells, by[vp+ls])
		}
		rows = append(rows, r)
	}
	return rows
}

// dlParetoChart is the Pareto chart drawn as SVG on the server: a bar per
// dealer (its value), the cumulative share as a line, and the 80% mark.
// Coordinates are whole SVG units computed with integer arithmetic.
type dlParetoChart struct {
	Width, Height          int
	Left, Right, Top, Base int // the plot area
	Bars                   []dlChartBar
	Line                   string // polyline points of the cumulative share
	Dots                   []dlChartDot
	Y80                    int
	LabelLeft, LabelRight  int           // x of the left and right axis labels
	MarkX, MarkY           int           // where "80%" is written
	YTicks                 []dlChartTick // left axis: value
	PTicks                 []dlChartTick // right axis: cumulative share
	Label                  string
}

type dlChartBar struct {
	X, Y, W, H int
	Class      string // A, B or C
	Title      string
}

type dlChartDot struct{ X, Y int }

type dlChartTick struct {
	Y     int
	Label string
}

func dlNewParetoChart(p dealers.Pareto) *dlParetoChart {
	if len(p.Rows) == 0 || p.TotalValue <= 0 {
		return nil
	}
	ch := &dlParetoChart{Width: 960, Height: 320, Left: 72, Right: 912, Top: 16, Base: 284}
	plotW, plotH := ch.Right-ch.Left, ch.Base-ch.Top
	n := len(p.Rows)
	top := p.Rows[0].Value
	step := max(1, plotW/n)
	gap := step / 5
	var points []string
	var cum money.Amount
	for i, r := range p.Rows {
		x := ch.Left + i*step
		hgt := int(int64(plotH) * int64(r.Value) / int64(top))
		ch.Bars = append(ch.Bars, dlChartBar{X: x + gap/2, Y: ch.Base - hgt, W: dlMax1(step - gap), H: hgt, Class: r.Class,
			Title: fmt.Sprintf("#%d %s %s · %s · %s", r.Rank, r.Dealer, r.Name, r.Value.Grouped(), dlPercent(r.Cumulative))})
		cum += r.Value
		y := ch.Base - int(int64(plotH)*int64(cum)/int64(p.TotalValue))
		cx := x + step/2
		points = append(points, strconv.Itoa(cx)+","+strconv.Itoa(y))
		ch.Dots = append(ch.Dots, dlChartDot{X: cx, Y: y})
	}
	ch.Line = strings.Join(append([]string{strconv.Itoa(ch.Left) + "," + strconv.Itoa(ch.Base)}, points...), " ")
	ch.Y80 = ch.Base - plotH*80/100
	ch.LabelLeft, ch.LabelRight = ch.Left-8, ch.Right+8
	ch.MarkX, ch.MarkY = ch.Right-4, ch.Y80-6
	for i := 0; i <= 4; i++ {
		y := ch.Base - plotH*i/4
		ch.YTicks = append(ch.YTicks, dlChartTick{Y: y, Label: dlShortAmount(money.Amount(int64(top) * int64(i) / 4))})
		ch.PTicks = append(ch.PTicks, dlChartTick{Y: y, Label: strconv.Itoa(25*i) + "%"})
	}
	return ch
}

func dlMax1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// dlPercent turns a share "0.8235" into "82.35%".
func dlPercent(share string) string {
	whole, frac, _ := strings.Cut(share, ".")
	frac += "0000"
	w := dlAtoi(whole)*100 + dlAtoi(frac[:2])
	return fmt.Sprintf("%d.%s%%", w, frac[2:4])
}

// dlShortAmount writes an axis label: 1,234,567.89 → "1.2M", 12,345 → "12k".
func dlShortAmount(a money.Amount) string {
	units := int64(a) / 100
	switch {
	case units >= 10_000_000:
		return fmt.Sprintf("%dM", units/1_000_000)
	case units >= 1_000_000:
		return fmt.Sprintf("%d.%dM", units/1_000_000, units%1_000_000/100_000)
	case units >= 10_000:
		return fmt.Sprintf("%dk", units/1_000)
	}
	return strconv.FormatInt(units, 10)
}

// Pct shows a share ("0.8235") as a percentage ("82.35%").
func (dlAnalyticsPage) Pct(share string) string { return dlPercent(share) }

// Columns are the loyalty × satisfaction keys of the segment grid's columns.
func (dlAnalyticsPage) Columns() []string { return []string{"HH", "HL", "LH", "LL"} }
