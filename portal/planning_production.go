package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/web"
)

// planPOItem is one production order of the list.
type planPOItem struct {
	Number, Status     string
	Overage            string
	CreatedAt          time.Time
	ReleasedAt         time.Time
	Lines              int
	DemandQty, Planned int
}

// planExcessRow is one SKU whose released demand has since gone.
type planExcessRow struct {
	Style, Color, Size                  string
	CancelledQty, ReducedQty, ExcessQty int
	Orders                              []string
}

// planDraftForm is the "draft a production order" form, with its errors
// (translated) by field.
type planDraftForm struct {
	Season  string
	Styles  string
	Overage string
	Key     string
	Errors  map[string]string
	Error   string // a message for the form as a whole
}

// planProductionListPage is the production orders list's Data.
type planProductionListPage struct {
	Season      string
	Seasons     []planSeasonOption
	Items       []planPOItem
	Form        planDraftForm
	Excess      []planExcessRow
	ExcessTotal int
	DashHref    string
	RollupHref  string
	XLSXHref    string
}

// productionList shows the season's production orders, the draft form and
// the demand released for production that has been cancelled since.
func (h *planPages) productionList(c echo.Context) error {
	return h.renderProductionList(c, http.StatusOK, strings.TrimSpace(c.QueryParam("season")), nil)
}

func (h *planPages) renderProductionList(c echo.Context, status int, season string, form *planDraftForm) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	se, seasons, err := h.svc.PlanningSeasons(ctx, pr, season)
	if err != nil {
		return err
	}
	list, err := h.svc.ProductionOrders(ctx, pr, se.Code)
	if err != nil {
		return err
	}
	_, excess, err := h.svc.Excess(ctx, pr, se.Code)
	if err != nil {
		return err
	}
	v := planProductionListPage{Season: se.Code, Seasons: planSeasonOptions(seasons, se.Code),
		DashHref:   planHref("/planning", url.Values{"season": {se.Code}}),
		RollupHref: planHref("/rollups", url.Values{"season": {se.Code}}),
		XLSXHref:   planHref("/production-orders.xlsx", url.Values{"season": {se.Code}})}
	for _, po := range list {
		it := planPOItem{Number: po.Number, Status: po.Status, Overage: aggregation.FormatOverage(po.OverageBP),
			CreatedAt: po.CreatedAt, Lines: po.LineCount, DemandQty: po.Totals.DemandQty, Planned: po.Totals.PlannedQty}
		if po.ReleasedAt != nil {
			it.ReleasedAt = *po.ReleasedAt
		}
		v.Items = append(v.Items, it)
	}
	for _, x := range excess {
		v.Excess = append(v.Excess, planExcessRow{Style: x.Style, Color: x.Color, Size: x.Size, CancelledQty: x.CancelledQty,
			ReducedQty: x.ReducedQty, ExcessQty: x.ExcessQty, Orders: x.Orders})
		v.ExcessTotal += x.ExcessQty
	}
	if form != nil {
		v.Form = *form
	} else {
		v.Form = planDraftForm{Season: se.Code, Overage: "0"}
	}
	v.Form.Key = planIdemKey()
	return h.p.Render(c, status, "production_list", v)
}

// productionListXLSX streams the season's production orders and excess as
// a workbook.
func (h *planPages) productionListXLSX(c echo.Context) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	se, _, err := h.svc.PlanningSeasons(ctx, pr, strings.TrimSpace(c.QueryParam("season")))
	if err != nil {
		return err
	}
	d, err := h.svc.ProductionListXLSX(ctx, pr, se.Code)
	if err != nil {
		return err
	}
	return planSend(c, d)
}

// planStyleList splits the styles field: codes separated by commas, spaces
// or new lines; repeated style fields (a multi-select) are added.
func planStyleList(field string, more []string) []string {
	var out []string
	for _, s := range append(strings.FieldsFunc(field, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '，'
	}), more...) {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

var planStyleNotOffered = regexp.MustCompile(`^style "(.+)" is not offered in this season$`)

// draftProduction drafts a production order from the form and shows it;
// a refusal shows the form again with the reason next to the field.
func (h *planPages) draftProduction(c echo.Context) error {
	form := planDraftForm{Season: strings.TrimSpace(c.FormValue("season")), Styles: strings.TrimSpace(c.FormValue("styles")),
		Overage: strings.TrimSpace(c.FormValue("overage_pct")), Key: c.FormValue("idem"), Errors: map[string]string{}}
	params, _ := c.FormParams()
	styles := planStyleList(form.Styles, params["style"])
	po, err := h.svc.CreateProductionOrder(c.Request().Context(), web.MustPrincipal(c),
		aggregation.ProductionRequest{Season: form.Season, Styles: styles, OveragePct: form.Overage}, form.Key)
	if err == nil {
		return planSeeOther(c, "/production-orders/"+url.PathEscape(po.Number), url.Values{"drafted": {"1"}}, "")
	}
	e, ok := apperr.As(err)
	if !ok || (e.Code != apperr.Validation && e.Code != apperr.IdempotencyReused) {
		return err
	}
	lang := h.p.Lang(c)
	if e.Code == apperr.IdempotencyReused {
		form.Error = i18n.T(lang, "planning.po.err.resent")
	}
	for _, d := range e.Details {
		switch {
		case d.Field == "overage_pct":
			form.Errors["overage_pct"] = i18n.T(lang, "planning.po.err.overage")
		case d.Field == "season":
			form.Errors["season"] = i18n.T(lang, "planning.po.err.season")
		case d.Field == "styles":
			form.Errors["styles"] = i18n.T(lang, "planning.po.err.no_demand")
		case strings.HasPrefix(d.Field, "styles["):
			code := ""
			if m := planStyleNotOffered.FindStringSubmatch(d.Message); m != nil {
				code = m[1]
			}
			msg := i18n.T(lang, "planning.po.err.style_unknown", code)
			if prev := form.Errors["styles"]; prev != "" {
				msg = prev + " " + msg
			}
			form.Errors["styles"] = msg
		}
	}
	if len(form.Errors) == 0 && form.Error == "" {
		form.Error = i18n.T(lang, "planning.po.err.invalid")
	}
	return h.renderProductionList(c, apperr.Status(e.Code), form.Season, &form)
}

// planPOMeasure is one measure row (demand, stock or planned) of a colour.
type planPOMeasure struct {
	Key   string // i18n key of the measure
	Class string
	Cells []string // per size; "" where the SKU is not in the order
	Total int
}

// planPOColor is one colour of a style's grid.
type planPOColor struct {
	Code, Name string
	Measures   []planPOMeasure
}

// planPOStyle is one style's colour × size grid.
type planPOStyle struct {
	Style, Name string
	CutLot      int
	Sizes       []string
	Colors      []planPOColor
	Totals      []planPOMeasure // per size, over the colours
}

// planProductionPage is a production order's Data.
type planProductionPage struct {
	aggregation.ProductionOrder
	Overage    string
	Released   time.Time
	Styles     []planPOStyle
	Notice     string
	Error      string
	IsDraft    bool
	ListHref   string
	PDFHref    string
	XLSXHref   string
	CSVHref    string
	ReleaseURL string
}

// productionOrder shows a production order, or streams its export when the
// number ends in .pdf, .xlsx or .csv.
func (h *planPages) productionOrder(c echo.Context) error {
	number := c.Param("number")
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	for _, format := range []string{"pdf", "xlsx", "csv"} {
		if n, ok := strings.CutSuffix(number, "."+format); ok {
			d, err := h.svc.ProductionOrderDocument(ctx, pr, n, format)
			if err != nil {
				return err
			}
			return planSend(c, d)
		}
	}
	po, err := h.svc.ProductionOrder(ctx, pr, number)
	if err != nil {
		return err
	}
	notice := ""
	switch {
	case c.QueryParam("drafted") == "1" && po.Status == "draft":
		notice = h.p.T(c, "planning.po.drafted", po.Number)
	case c.QueryParam("released") == "1" && po.Status == "released":
		notice = h.p.T(c, "planning.po.released_notice", po.Number)
	}
	return h.renderProductionOrder(c, http.StatusOK, po, notice, "")
}

func (h *planPages) renderProductionOrder(c echo.Context, status int, po aggregation.ProductionOrder, notice, errMsg string) error {
	n := url.PathEscape(po.Number)
	v := planProductionPage{ProductionOrder: po, Overage: aggregation.FormatOverage(po.OverageBP), Notice: notice,
		Error: errMsg, IsDraft: po.Status == "draft",
		ListHref: planHref("/production-orders", url.Values{"season": {po.Season}}),
		PDFHref:  "/production-orders/" + n + ".pdf", XLSXHref: "/production-orders/" + n + ".xlsx",
		CSVHref: "/production-orders/" + n + ".csv", ReleaseURL: "/production-orders/" + n + "/release"}
	if po.ReleasedAt != nil {
		v.Released = *po.ReleasedAt
	}
	v.Styles = planPOGrids(po.Lines)
	return h.p.Render(c, status, "production_order", v)
}

// planPOGrids arranges a production order's lines (ordered by style, colour,
// size position) as a colour × size grid per style, with demand, stock and
// planned quantities and their totals.
func planPOGrids(lines []aggregation.ProductionLine) []planPOStyle {
	var out []planPOStyle
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j].Style == lines[i].Style {
			j++
		}
		group := lines[i:j]
		st := planPOStyle{Style: group[0].Style, Name: group[0].StyleName, CutLot: group[0].CutLot}
		pos := map[string]int{}
		for _, l := range group {
			if _, ok := pos[l.Size]; !ok {
				pos[l.Size] = l.SizePos
				st.Sizes = append(st.Sizes, l.Size)
			}
		}
		slices.SortStableFunc(st.Sizes, func(a, b string) int { return pos[a] - pos[b] })
		col := map[string]int{}
		for k, s := range st.Sizes {
			col[s] = k
		}
		measures := func() []planPOMeasure {
			return []planPOMeasure{
				{Key: "planning.po.demand", Class: "m-demand", Cells: make([]string, len(st.Sizes))},
				{Key: "planning.po.stock", Class: "m-stock", Cells: make([]string, len(st.Sizes))},
				{Key: "planning.po.planned", Class: "m-planned", Cells: make([]string, len(st.Sizes))},
			}
		}
		st.Totals = measures()
		sums := make([][3]int, len(st.Sizes))
		for _, l := range group {
			if n := len(st.Colors); n == 0 || st.Colors[n-1].Code != l.Color {
				st.Colors = append(st.Colors, planPOColor{Code: l.Color, Name: l.ColorName, Measures: measures()})
			}
			m := st.Colors[len(st.Colors)-1].Measures
			k := col[l.Size]
			for x, q := range [3]int{l.DemandQty, l.StockQty, l.PlannedQty} {
				m[x].Cells[k] = groupInt(q)
				m[x].Total += q
				sums[k][x] += q
				st.Totals[x].Total += q
			}
		}
		for k := range st.Sizes {
			for x := range 3 {
				st.Totals[x].Cells[k] = groupInt(sums[k][x])
			}
		}
		out = append(out, st)
		i = j
	}
	return out
}

// release releases a draft. A stale draft (its demand or stock was covered
// or cancelled meanwhile) or one no longer a draft is shown on the page with
// the reason, translated.
func (h *planPages) release(c echo.Context) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	number := c.Param("number")
	po, err := h.svc.Release(ctx, pr, number)
	if err == nil {
		return planSeeOther(c, "/production-orders/"+url.PathEscape(po.Number), url.Values{"released": {"1"}}, "")
	}
	var key string
	switch apperr.CodeOf(err) {
	case apperr.Conflict:
		key = "planning.po.err.stale"
	case apperr.InvalidState:
		key = "planning.po.err.not_draft"
	default:
		return err
	}
	current, gerr := h.svc.ProductionOrder(ctx, pr, number)
	if gerr != nil {
		return gerr
	}
	return h.renderProductionOrder(c, apperr.Status(apperr.CodeOf(err)), current, "", h.p.T(c, key, number))
}
