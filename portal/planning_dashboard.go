package portal

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/web"
)

// planTotals are a season's totals as the page shows them.
type planTotals struct {
	Qty, Orders, Dealers int
	Amount               money.Amount
}

func toPlanTotals(t aggregation.Totals) planTotals {
	return planTotals{Qty: int(t.Qty), Orders: t.Orders, Dealers: t.Dealers, Amount: t.Amount}
}

type planCategoryRow struct {
	Code, Name         string
	Styles, Qty        int
	Dealers, PrevQty   int
	Amount, PrevAmount money.Amount
	Share              string
	Change             *int
	Href               string // the matrix of the category
}

type planStyleRow struct {
	Rank                 int
	Style, Name          string
	Category             string
	Qty, Orders, Dealers int
	Amount               money.Amount
	Share                string
	Href                 string // the style in the matrix
}

type planGapRow struct {
	Dealer, Name, Region string
	OnHold, Draft        bool
	PrevQty              int
	PrevAmount           money.Amount
}

type planHeldRow struct {
	Number, Dealer, Name string
	Qty                  int
	Amount, CreditLimit  money.Amount
	Currency             string
	SubmittedAt          time.Time
}

type planCurveView struct {
	Category, Name, Scale string
	Qty                   int
	Chart                 template.HTML
}

// planDashboardPage is the dashboard's Data.
type planDashboardPage struct {
	Season                aggregation.SeasonInfo
	Previous              *aggregation.SeasonInfo
	Seasons               []planSeasonOption
	Currency              string
	Totals                planTotals
	Prev                  planTotals
	QtyChange             *int
	AmtChange             *int
	OrdChange             *int
	DlrChange             *int
	Categories            []planCategoryRow
	Top                   []planStyleRow
	Missing               []planGapRow
	Held                  []planHeldRow
	MissingAll            int // dealers without orders, listed or not
	MoreMissing, MoreHeld int // not listed: the export has them

	Curves     []planCurveView
	RollupHref string
	XLSXHref   string

	Plan *planVsDemandCard // nil: no plan figures wired
}

// planVsDemandCard is the season's plan versus demand on the dashboard:
// Sizerun's released plan beside the guessed plan, from the report.
type planVsDemandCard struct {
	Href string // the full report
	// Note is the message key shown instead of the figures ("" when the
	// figures are shown): no release yet, or the report failed.
	Note     string
	Currency string
	Base     string // the guessed plan's base season ("" without one)
	Growth   string
	Demand   int
	Sizerun  planreport.PlanFigures
	Guessed  planreport.PlanFigures
	Saving   planreport.Saving
}

// planVsDemand computes the card for season. A failing report does not fail
// the dashboard: the card says the figures are not available.
func (h *planPages) planVsDemand(c echo.Context, season string) *planVsDemandCard {
	if h.figures == nil {
		return nil
	}
	card := &planVsDemandCard{Href: planHref("/reports/plan-vs-demand", url.Values{"season": {season}})}
	r, err := h.figures.Report(c.Request().Context(), web.MustPrincipal(c),
		planreport.Params{Season: season, Level: string(planreport.LevelSeason)})
	if err != nil {
		h.p.log.Warn("plan versus demand on the dashboard", "season", season, "err", err)
		card.Note = "planning.dash.plan.unavailable"
		return card
	}
	if !r.HasRelease() {
		card.Note = "planning.dash.plan.no_release"
		return card
	}
	card.Currency, card.Growth = r.Currency, planreport.FormatGrowth(r.Growth)
	if r.Base.ID != 0 {
		card.Base = r.Base.Code
	}
	card.Demand, card.Sizerun, card.Guessed, card.Saving = r.Totals.Demand, r.Totals.Sizerun, r.Totals.Guessed, r.Saving
	return card
}

// Neg reports whether a saving is negative (Sizerun did worse), for styling.
func (planVsDemandCard) Neg(a money.Amount) bool { return a < 0 }

// planListLimit is how many dealers without orders, and held orders, the
// dashboard lists; the workbook has them all.
const planListLimit = 100

// dashboard shows the season dashboard.
func (h *planPages) dashboard(c echo.Context) error {
	d, err := h.svc.Dashboard(c.Request().Context(), web.MustPrincipal(c), strings.TrimSpace(c.QueryParam("season")))
	if err != nil {
		return err
	}
	lang := h.p.Lang(c)
	v := planDashboardPage{Season: d.Season, Previous: d.Previous, Seasons: planSeasonOptions(d.Seasons, d.Season.Code),
		Currency: d.Currency, Totals: toPlanTotals(d.Totals), Prev: toPlanTotals(d.PrevTotals),
		QtyChange: d.QtyChange, AmtChange: d.AmountChange, OrdChange: d.OrdersChange, DlrChange: d.DealersChange,
		RollupHref: planHref("/rollups", url.Values{"season": {d.Season.Code}}),
		XLSXHref:   planHref("/planning.xlsx", url.Values{"season": {d.Season.Code}})}
	for _, c := range d.Categories {
		v.Categories = append(v.Categories, planCategoryRow{Code: c.Category, Name: c.Name, Styles: c.Styles, Qty: int(c.Qty),
			Dealers: c.Dealers, PrevQty: int(c.PrevQty), Amount: c.Amount, PrevAmount: c.PrevAmount,
			Share: planPercent(c.ShareBP), Change: c.QtyChange,
			Href: planHref("/rollups", url.Values{"season": {d.Season.Code}, "category": {c.Category}})})
	}
	for _, s := range d.TopStyles {
		v.Top = append(v.Top, planStyleRow{Rank: s.Rank, Style: s.Style, Name: s.Name, Category: s.Category, Qty: int(s.Qty),
			Orders: s.Orders, Dealers: s.Dealers, Amount: s.Amount, Share: planPercent(s.ShareBP),
			Href: planHref("/rollups/drill", url.Values{"season": {d.Season.Code}, "style": {s.Style}})})
	}
	v.MissingAll = len(d.Missing)
	if n := len(d.Missing); n > planListLimit {
		v.MoreMissing, d.Missing = n-planListLimit, d.Missing[:planListLimit]
	}
	if n := len(d.Held); n > planListLimit {
		v.MoreHeld, d.Held = n-planListLimit, d.Held[:planListLimit]
	}
	for _, g := range d.Missing {
		v.Missing = append(v.Missing, planGapRow{Dealer: g.Dealer, Name: g.Name, Region: g.Region, OnHold: g.OnHold,
			Draft: g.Draft, PrevQty: int(g.PrevQty), PrevAmount: g.PrevAmount})
	}
	for _, o := range d.Held {
		r := planHeldRow{Number: o.Number, Dealer: o.Dealer, Name: o.Name, Qty: int(o.Qty), Amount: o.Amount,
			CreditLimit: o.CreditLimit, Currency: o.Currency}
		if o.SubmittedAt != nil {
			r.SubmittedAt = *o.SubmittedAt
		}
		v.Held = append(v.Held, r)
	}
	for i, cv := range d.Curves {
		v.Curves = append(v.Curves, planCurveView{Category: cv.Category, Name: cv.Name, Scale: cv.Scale, Qty: int(cv.Qty),
			Chart: planSizeCurveSVG(lang, cv, i)})
	}
	v.Plan = h.planVsDemand(c, d.Season.Code)
	return h.p.Render(c, http.StatusOK, "planning_dashboard", v)
}

// dashboardXLSX streams the dashboard's tables as a workbook.
func (h *planPages) dashboardXLSX(c echo.Context) error {
	d, err := h.svc.DashboardXLSX(c.Request().Context(), web.MustPrincipal(c), strings.TrimSpace(c.QueryParam("season")))
	if err != nil {
		return err
	}
	return planSend(c, d)
}
