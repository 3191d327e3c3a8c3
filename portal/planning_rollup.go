package portal

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/web"
)

// planMatrixRow is one style: its colour headers, and the size header row
// and quantity row, which are written in Go because they are most of the
// page (see planRowHTML).
type planMatrixRow struct {
	Style, Name, Category string
	Href                  string // the style's drill-down
	Qty                   int
	Amount                money.Amount
	Colors                []planColorHead
	SizeRow               template.HTML
	QtyRow                template.HTML
}

// planColorHead is a colour group's header over its sizes.
type planColorHead struct {
	Code, Name string
	Span       int
	Qty        int
}

// planScaleRow is the column totals of one size scale.
type planScaleRow struct {
	Scale string
	Qty   int
	Sizes []string
	Qtys  []int
}

// planStatusBox is a status checkbox of the filter.
type planStatusBox struct {
	Code string
	On   bool
}

// planMatrixPage is the rollup matrix's Data.
type planMatrixPage struct {
	Season     string
	Seasons    []planSeasonOption
	Filter     planFilter
	StatusBox  []planStatusBox
	Choices    aggregation.Choices
	Currency   string
	Totals     planTotals
	Rows       []planMatrixRow
	Scales     []planScaleRow
	Empty      int
	XLSXHref   string
	DashHref   string
	ResetHref  string
	Filtered   bool
	Width      int // the widest style's cells
	Page       int
	Pages      []planPageLink // when the matrix takes more than one page
	PrevHref   string
	NextHref   string
	DealerList bool // offer the dealers in a select (not when there are thousands)
}

// planPageLink is a link to one page of the matrix, named by its first and
// last style.
type planPageLink struct {
	N           int
	First, Last string
	Href        string
	Current     bool
}

// planPageBudget is roughly how many bytes of cells a matrix page may hold,
// so that a page stays under 300 KB however big the season and however
// densely it is ordered; see planPaginate.
const planPageBudget = 230_000

// planMaxDealerList is the most dealers the filter offers as a list.
const planMaxDealerList = 300

// planPaginate splits the styles into pages of about planPageBudget bytes:
// a linked cell costs about 90 bytes, an empty one and a size header 10, a
// style's headers 400. A style is never split.
func planPaginate(styles []aggregation.MatrixStyle) [][2]int {
	var pages [][2]int
	start, cost := 0, 0
	for i, st := range styles {
		c := 400
		for _, co := range st.Colors {
			for _, cell := range co.Cells {
				c += 10
				if cell.Qty != 0 {
					c += 90
				}
			}
		}
		if i > start && cost+c > planPageBudget {
			pages = append(pages, [2]int{start, i})
			start, cost = i, 0
		}
		cost += c
	}
	if start < len(styles) || len(pages) == 0 {
		pages = append(pages, [2]int{start, len(styles)})
	}
	return pages
}

// rollups shows the rollup matrix: styles down, colour × size across.
func (h *planPages) rollups(c echo.Context) error {
	f := bindPlanFilter(c)
	m, err := h.svc.Matrix(c.Request().Context(), web.MustPrincipal(c), f.params(), f.Empty)
	if err != nil {
		return err
	}
	f.Season = m.Season
	pages := planPaginate(m.Styles)
	f.Page = min(max(f.Page, 1), len(pages))
	unpaged := f
	unpaged.Page = 0
	v := planMatrixPage{Season: m.Season, Seasons: planSeasonOptions(m.Seasons, m.Season), Filter: f, Choices: m.Choices,
		Currency: m.Currency, Totals: toPlanTotals(m.Totals), Empty: m.Empty, Page: f.Page,
		DealerList: len(m.Choices.Dealers) <= planMaxDealerList,
		XLSXHref:   planHref("/rollups.xlsx", unpaged.query()),
		DashHref:   planHref("/planning", url.Values{"season": {m.Season}}),
		ResetHref:  planHref("/rollups", url.Values{"season": {m.Season}}),
		Filtered:   f.Region != "" || f.Dealer != "" || f.Category != "" || len(f.Statuses) > 0}
	for _, s := range aggregation.OrderStatuses {
		on := slices.Contains(m.Query.Statuses, s)
		v.StatusBox = append(v.StatusBox, planStatusBox{Code: s, On: on})
	}
	if len(pages) > 1 {
		for i, pg := range pages {
			q := unpaged
			q.Page = i + 1
			v.Pages = append(v.Pages, planPageLink{N: i + 1, First: m.Styles[pg[0]].Style, Last: m.Styles[pg[1]-1].Style,
				Href: planHref("/rollups", q.query()), Current: i+1 == f.Page})
		}
		if f.Page > 1 {
			v.PrevHref = v.Pages[f.Page-2].Href
		}
		if f.Page < len(pages) {
			v.NextHref = v.Pages[f.Page].Href
		}
	}
	drill := f.query()
	drill.Del("empty")
	base := "/rollups/drill?" + drill.Encode()
	var b strings.Builder
	pg := pages[f.Page-1]
	for _, st := range m.Styles[pg[0]:pg[1]] {
		r := planMatrixRow{Style: st.Style, Name: st.Name, Category: st.Category, Qty: int(st.Qty), Amount: st.Amount,
			Href: base + "&style=" + url.QueryEscape(st.Style)}
		for _, co := range st.Colors {
			r.Colors = append(r.Colors, planColorHead{Code: co.Code, Name: co.Name, Span: len(st.Sizes), Qty: int(co.Qty)})
		}
		r.SizeRow, r.QtyRow = planRowHTML(&b, r.Href, st, m.MaxQty)
		v.Width = max(v.Width, len(st.Colors)*len(st.Sizes))
		v.Rows = append(v.Rows, r)
	}
	for _, sc := range m.Scales {
		row := planScaleRow{Scale: sc.Scale, Qty: int(sc.Qty)}
		for _, z := range sc.Sizes {
			row.Sizes = append(row.Sizes, z.Size)
			row.Qtys = append(row.Qtys, int(z.Qty))
		}
		v.Scales = append(v.Scales, row)
	}
	return h.p.Render(c, http.StatusOK, "rollup", v)
}

// planHeat is a cell's heat bucket, 0 for an empty cell, else 1 to 5 on a
// square-root scale of its share of the largest cell, so that a few big
// cells do not leave the rest pale: the smallest b with qty/max ≤ (b/5)².
func planHeat(qty, maxQty int64) int {
	if qty <= 0 || maxQty <= 0 {
		return 0
	}
	for b := int64(1); b < 5; b++ {
		if qty*25 <= maxQty*b*b {
			return int(b)
		}
	}
	return 5
}

// planRowHTML writes a style's size header cells and quantity cells: for a
// big season they are most of the page, so they are kept minimal (end tags
// of cells are optional in HTML; heat is a class h1–h5). It is safe HTML by
// construction: sizes are escaped, and the links are built from
// url.QueryEscape'd values joined by "&", which need no escaping in a
// quoted attribute ("&style=" is no character reference).
func planRowHTML(b *strings.Builder, styleHref string, st aggregation.MatrixStyle, maxQty int64) (sizes, cells template.HTML) {
	b.Reset()
	for range st.Colors {
		for _, sz := range st.Sizes {
			b.WriteString(`<th>`)
			b.WriteString(template.HTMLEscapeString(sz))
		}
	}
	sizes = template.HTML(b.String())
	b.Reset()
	for _, co := range st.Colors {
		colorHref := styleHref + "&color=" + url.QueryEscape(co.Code) + "&size="
		for _, cell := range co.Cells {
			if cell.Qty == 0 {
				b.WriteString(`<td>`)
				continue
			}
			b.WriteString(`<td class=h`)
			b.WriteString(strconv.Itoa(planHeat(cell.Qty, maxQty)))
			b.WriteString(`><a href="`)
			b.WriteString(colorHref)
			b.WriteString(url.QueryEscape(cell.Size))
			b.WriteString(`">`)
			b.WriteString(groupInt(int(cell.Qty)))
			b.WriteString(`</a>`)
		}
	}
	cells = template.HTML(b.String())
	return sizes, cells
}

// rollupsXLSX streams the rollup of the matrix's filter as a workbook, the
// same as GET /api/v1/rollups.xlsx.
func (h *planPages) rollupsXLSX(c echo.Context) error {
	f := bindPlanFilter(c)
	params := f.params()
	params.By = strings.TrimSpace(c.QueryParam("by"))
	if params.Season == "" {
		se, _, err := h.svc.PlanningSeasons(c.Request().Context(), web.MustPrincipal(c), "")
		if err != nil {
			return err
		}
		params.Season = se.Code
	}
	d, err := h.svc.RollupXLSX(c.Request().Context(), web.MustPrincipal(c), params)
	if err != nil {
		return err
	}
	return planSend(c, d)
}

type planDrillDealer struct {
	Dealer, Name, Region string
	Qty, Orders          int
	Amount               money.Amount
}

type planDrillOrder struct {
	Number, Dealer, Status string
	Qty                    int
	Amount                 money.Amount
	SubmittedAt            time.Time
}

// planDrillPage is the drill-down's Data.
type planDrillPage struct {
	Season, Style, Color, Size string
	Statuses                   []string
	Filter                     planFilter
	Currency                   string
	Totals                     planTotals
	Dealers                    []planDrillDealer
	Orders                     []planDrillOrder
	BackHref                   string
	XLSXHref                   string
}

// drill lists the dealers and orders behind a cell of the matrix.
func (h *planPages) drill(c echo.Context) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	f, params, err := h.drillParams(c)
	if err != nil {
		return err
	}
	d, err := h.svc.Drill(ctx, pr, params)
	if err != nil {
		return err
	}
	v := planDrillPage{Season: d.Season, Style: d.Query.Style, Color: d.Query.Color, Size: d.Query.Size,
		Statuses: d.Query.Statuses, Filter: f, Currency: d.Currency, Totals: toPlanTotals(d.Totals)}
	back := planHref("/rollups", f.query())
	if v.Style != "" {
		back += "#s-" + v.Style
	}
	v.BackHref = back
	xq := f.query()
	xq.Del("empty")
	xq.Del("page")
	for k, val := range map[string]string{"style": v.Style, "color": v.Color, "size": v.Size} {
		if val != "" {
			xq.Set(k, val)
		}
	}
	v.XLSXHref = planHref("/rollups/drill.xlsx", xq)
	for _, x := range d.Dealers {
		v.Dealers = append(v.Dealers, planDrillDealer{Dealer: x.Dealer, Name: x.Name, Region: x.Region, Qty: int(x.Qty),
			Orders: x.Orders, Amount: x.Amount})
	}
	for _, o := range d.Orders {
		r := planDrillOrder{Number: o.Number, Dealer: o.Dealer, Status: o.Status, Qty: int(o.Qty), Amount: o.Amount}
		if o.SubmittedAt != nil {
			r.SubmittedAt = *o.SubmittedAt
		}
		v.Orders = append(v.Orders, r)
	}
	return h.p.Render(c, http.StatusOK, "rollup_drill", v)
}

// drillXLSX streams a cell's dealers and orders as a workbook.
func (h *planPages) drillXLSX(c echo.Context) error {
	_, params, err := h.drillParams(c)
	if err != nil {
		return err
	}
	d, err := h.svc.DrillXLSX(c.Request().Context(), web.MustPrincipal(c), params)
	if err != nil {
		return err
	}
	return planSend(c, d)
}

// drillParams reads a drill-down's cell and filter, the season defaulting
// to the one the planner pages show.
func (h *planPages) drillParams(c echo.Context) (planFilter, aggregation.DrillParams, error) {
	f := bindPlanFilter(c)
	if f.Season == "" {
		se, _, err := h.svc.PlanningSeasons(c.Request().Context(), web.MustPrincipal(c), "")
		if err != nil {
			return f, aggregation.DrillParams{}, err
		}
		f.Season = se.Code
	}
	p := f.params()
	return f, aggregation.DrillParams{Season: p.Season, Style: c.QueryParam("style"), Color: c.QueryParam("color"),
		Size: c.QueryParam("size"), Status: p.Status, Region: p.Region, Dealer: p.Dealer, Category: p.Category}, nil
}
