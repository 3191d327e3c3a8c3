package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/web"
)

// prPages serves the plan-versus-demand report: Sizerun's released plan and
// the plan head office would have guessed, side by side against demand.
type prPages struct {
	p   *Portal
	svc *planreport.Service
}

// RegisterPlanReport adds the plan-versus-demand pages for planners and
// admins. Call it after Register:
//
//	GET /reports/plan-vs-demand       ?season=&base=&growth=&level= (the report)
//	GET /reports/plan-vs-demand.xlsx  the same as a workbook
func (p *Portal) RegisterPlanReport(svc *planreport.Service) {
	h := &prPages{p: p, svc: svc}
	office := p.Pages(auth.RolePlanner, auth.RoleAdmin)
	office.GET("/reports/plan-vs-demand", h.page)
	office.GET("/reports/plan-vs-demand.xlsx", h.xlsx)
}

// prOption is one option of a select.
type prOption struct {
	Value, Label string
	Selected     bool
}

// prForm is the report's GET form as sent.
type prForm struct {
	Season, Base, Growth, Level string
	Errors                      map[string]string // field → message
}

// prRow is a table row: its label cells and figures.
type prRow struct {
	Code, Name, Color, Size, Category string
	planreport.Figures
}

// prPage is the page's Data.
type prPage struct {
	Form       prForm
	Seasons    []prOption
	Bases      []prOption
	Levels     []prOption
	HasReport  bool
	Season     string
	SeasonName string
	Base       string // "" without a base season
	Growth     string
	Matched    bool
	MatchedG   string // growth at which the guess totals the demand; "" if none
	MatchHref  string
	Overage    string
	Released   int
	Currency   string
	Level      string
	Totals     planreport.Figures
	Saving     planreport.Saving
	Rows       []prRow
	Chart      template.HTML
	XLSXHref   string
}

func prHref(path string, q url.Values) string {
	for k, v := range q {
		if len(v) == 0 || v[0] == "" {
			q.Del(k)
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (h *prPages) page(c echo.Context) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	lang := h.p.Lang(c)
	seasons, err := h.svc.Seasons(ctx, pr)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	f := prForm{Season: strings.TrimSpace(q.Get("season")), Base: strings.TrimSpace(q.Get("base")),
		Growth: strings.TrimSpace(q.Get("growth")), Level: strings.TrimSpace(q.Get("level")), Errors: map[string]string{}}
	if f.Season == "" {
		f.Season = prDefaultSeason(seasons)
	}
	if f.Growth == "" {
		f.Growth = planreport.DefaultGrowth
	}
	if f.Level == "" {
		f.Level = string(planreport.DefaultLevel)
	}
	v := prPage{Form: f}
	v.Seasons = make([]prOption, len(seasons))
	v.Bases = []prOption{{Value: "", Label: i18n.T(lang, "planreport.base_previous"), Selected: f.Base == ""}}
	for i, s := range seasons {
		v.Seasons[i] = prOption{Value: s.Code, Label: s.Code + " · " + s.Name, Selected: strings.EqualFold(s.Code, f.Season)}
		v.Bases = append(v.Bases, prOption{Value: s.Code, Label: s.Code + " · " + s.Name, Selected: strings.EqualFold(s.Code, f.Base)})
	}
	for _, l := range planreport.Levels {
		v.Levels = append(v.Levels, prOption{Value: string(l), Label: i18n.T(lang, "planreport.level."+string(l)),
			Selected: strings.EqualFold(string(l), f.Level)})
	}
	if f.Season == "" { // no season at all
		return h.p.Render(c, http.StatusOK, "planreport", v)
	}
	r, err := h.svc.Report(ctx, pr, planreport.Params{Season: f.Season, Base: f.Base, Growth: f.Growth, Level: f.Level})
	if e, ok := apperr.As(err); ok && e.Code == apperr.Validation {
		for _, d := range e.Details {
			v.Form.Errors[d.Field] = prFieldMessage(lang, d.Field)
		}
		return h.p.Render(c, http.StatusUnprocessableEntity, "planreport", v)
	}
	if err != nil {
		return err
	}
	query := func(growth string) url.Values {
		return url.Values{"season": {r.Season.Code}, "base": {f.Base}, "growth": {growth}, "level": {string(r.Level)}}
	}
	v.HasReport = true
	v.Season, v.SeasonName, v.Growth, v.Matched = r.Season.Code, r.Season.Name, planreport.FormatGrowth(r.Growth), r.Matched
	if r.Base.ID != 0 {
		v.Base = r.Base.Code
	}
	if r.GrowthMatched > 0 {
		v.MatchedG = planreport.FormatGrowth(r.GrowthMatched)
		v.MatchHref = prHref("/reports/plan-vs-demand", query(planreport.GrowthMatch))
	}
	v.Overage = aggregation.FormatOverage(r.OverageBP)
	v.Released, v.Currency, v.Level = r.ReleasedOrders, r.Currency, string(r.Level)
	v.Totals, v.Saving = r.Totals, r.Saving
	growth := f.Growth
	if r.Matched {
		growth = planreport.GrowthMatch
	}
	v.XLSXHref = prHref("/reports/plan-vs-demand.xlsx", query(growth))
	for _, row := range r.Rows {
		pr := prRow{Figures: row.Figures, Category: row.Category}
		switch r.Level {
		case planreport.LevelSKU:
			pr.Code, pr.Name, pr.Color, pr.Size = row.Style, row.StyleName, row.Color, row.Size
		case planreport.LevelStyle:
			pr.Code, pr.Name = row.Style, row.StyleName
		case planreport.LevelCategory:
			pr.Code, pr.Name = row.Category, row.CategoryName
		case planreport.LevelSeason:
			pr.Code, pr.Name = r.Season.Code, r.Season.Name
		}
		v.Rows = append(v.Rows, pr)
	}
	v.Chart = prChartSVG(lang, r.Categories())
	return h.p.Render(c, http.StatusOK, "planreport", v)
}

func (h *prPages) xlsx(c echo.Context) error {
	q := c.QueryParams()
	d, err := h.svc.ReportXLSX(c.Request().Context(), web.MustPrincipal(c), planreport.Params{Season: q.Get("season"),
		Base: q.Get("base"), Growth: q.Get("growth"), Level: q.Get("level")})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+d.Filename+`"`)
	return c.Blob(http.StatusOK, d.ContentType, d.Body)
}

// prDefaultSeason is the latest season still open, else the latest one.
func prDefaultSeason(ss []planreport.Season) string {
	for _, s := range ss {
		if !s.Closed {
			return s.Code
		}
	}
	if len(ss) > 0 {
		return ss[0].Code
	}
	return ""
}

// prFieldMessage is the translated message of a refused form field.
func prFieldMessage(lang, field string) string {
	key := "planreport.error." + field
	if !i18n.Has(i18n.Default, key) {
		key = "planreport.error.other"
	}
	return i18n.T(lang, key)
}

// Chart geometry, in SVG user units.
const (
	prLeft   = 84  // room for the category labels
	prValue  = 48  // room for the value labels on either side
	prWidth  = 760 // whole chart
	prTop    = 40  // legend and axis caption
	prBar    = 11  // one bar's height
	prGroup  = 30  // one category: two bars and a gap
	prBottom = 8
)

// The chart's colours: excess warm, shortage cool; Sizerun dark, guessed light.
const (
	prSizerunExcess   = "#c2571a"
	prGuessedExcess   = "#f0b48a"
	prSizerunShortage = "#2a5d9f"
	prGuessedShortage = "#9cbde6"
)

// prChartSVG draws, per category, a diverging bar chart of both plans:
// excess to the right of the axis and shortage to the left, Sizerun's bar
// above the guessed plan's. It is an accessible image (a title, and a
// description listing every value); text is escaped and every number is an
// integer computed here.
func prChartSVG(lang string, cats []planreport.Row) template.HTML {
	if len(cats) == 0 {
		return ""
	}
	maxEx, maxSh := 1, 0
	for _, c := range cats {
		maxEx = max(maxEx, c.Sizerun.Excess, c.Guessed.Excess)
		maxSh = max(maxSh, c.Sizerun.Shortage, c.Guessed.Shortage)
	}
	plot := prWidth - prLeft - 2*prValue
	// The axis sits where shortage and excess share the plot in proportion
	// to their largest values.
	axis := prLeft + prValue + plot*maxSh/(maxSh+maxEx)
	scale := func(n int) int { return n * plot / (maxSh + maxEx) }
	height := prTop + len(cats)*prGroup + prBottom
	esc := template.HTMLEscapeString

	var desc []string
	for _, c := range cats {
		desc = append(desc, i18n.T(lang, "planreport.chart.desc", c.Category, c.Sizerun.Excess, c.Sizerun.Shortage,
			c.Guessed.Excess, c.Guessed.Shortage))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="planreport-chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="prc-t prc-d" font-size="11">`,
		prWidth, height, prWidth, height)
	fmt.Fprintf(&b, `<title id="prc-t">%s</title><desc id="prc-d">%s</desc>`,
		esc(i18n.T(lang, "planreport.chart.title")), esc(strings.Join(desc, "; ")))
	// Legend.
	x := prLeft
	for _, l := range []struct{ color, key string }{
		{prSizerunExcess, "planreport.chart.sizerun_excess"}, {prGuessedExcess, "planreport.chart.guessed_excess"},
		{prSizerunShortage, "planreport.chart.sizerun_shortage"}, {prGuessedShortage, "planreport.chart.guessed_shortage"},
	} {
		fmt.Fprintf(&b, `<rect x="%d" y="6" width="10" height="10" fill="%s"/><text x="%d" y="15" fill="#333">%s</text>`,
			x, l.color, x+14, esc(i18n.T(lang, l.key)))
		x += 150
	}
	if maxSh > 0 {
		fmt.Fprintf(&b, `<text x="%d" y="32" text-anchor="end" fill="#666">← %s</text>`, axis-4, esc(i18n.T(lang, "planreport.chart.shortage")))
	}
	fmt.Fprintf(&b, `<text x="%d" y="32" fill="#666">%s →</text>`, axis+4, esc(i18n.T(lang, "planreport.chart.excess")))
	for i, c := range cats {
		y := prTop + i*prGroup
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#222">%s</text>`, prLeft-8, y+prBar+4, esc(c.Category))
		for j, bar := range []struct {
			excess, shortage int
			exColor, shColor string
		}{
			{c.Sizerun.Excess, c.Sizerun.Shortage, prSizerunExcess, prSizerunShortage},
			{c.Guessed.Excess, c.Guessed.Shortage, prGuessedExcess, prGuessedShortage},
		} {
			by := y + j*(prBar+1)
			if bar.excess > 0 {
				w := max(1, scale(bar.excess))
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, axis, by, w, prBar, bar.exColor)
				fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#333" font-size="9">%s</text>`, axis+w+3, by+prBar-2, groupInt(bar.excess))
			}
			if bar.shortage > 0 {
				w := max(1, scale(bar.shortage))
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, axis-w, by, w, prBar, bar.shColor)
				fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#333" font-size="9" text-anchor="end">%s</text>`, axis-w-3, by+prBar-2, groupInt(bar.shortage))
			}
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#444" stroke-width="1"/>`, axis, axis, prTop-4, height-prBottom)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Neg reports whether a saving is negative (Sizerun did worse), for styling.
func (prPage) Neg(n int) bool { return n < 0 }

// NegMoney reports whether a money saving is negative.
func (prPage) NegMoney(a money.Amount) bool { return a < 0 }
