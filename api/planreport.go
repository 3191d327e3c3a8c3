package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/web"
)

// RegisterPlanReport adds the plan-versus-demand report for planners and
// admins (dealers and suppliers get 403):
//
//	GET /api/v1/reports/plan-vs-demand?season=SS27&growth=1.10&level=sku|style|category|season&base=AW26
//	GET /api/v1/reports/plan-vs-demand.xlsx?... (the same as a workbook)
//
// growth is a decimal factor (default 1.00) or "match"; base defaults to
// the season before. See package planreport for every definition.
func RegisterPlanReport(g *echo.Group, svc *planreport.Service) {
	h := planReportHandlers{svc: svc}
	head := web.RequireRole(auth.RolePlanner, auth.RoleAdmin)
	g.GET("/reports/plan-vs-demand", h.report, head)
	g.GET("/reports/plan-vs-demand.xlsx", h.xlsx, head)
}

type planReportHandlers struct{ svc *planreport.Service }

func planReportParams(c echo.Context) planreport.Params {
	return planreport.Params{Season: c.QueryParam("season"), Base: c.QueryParam("base"),
		Growth: c.QueryParam("growth"), Level: c.QueryParam("level")}
}

func (h planReportHandlers) report(c echo.Context) error {
	ctx, p := ctxp(c)
	r, err := h.svc.Report(ctx, p, planReportParams(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanReportJSON(r))
}

func (h planReportHandlers) xlsx(c echo.Context) error {
	ctx, p := ctxp(c)
	d, err := h.svc.ReportXLSX(ctx, p, planReportParams(c))
	if err != nil {
		return err
	}
	return sendDocument(c, d)
}

type planFiguresJSON struct {
	TargetQty         int          `json:"target_qty"`
	MadeQty           int          `json:"made_qty"`
	StockUsedQty      int          `json:"stock_used_qty"`
	SupplyQty         int          `json:"supply_qty"`
	ExcessQty         int          `json:"excess_qty"`
	RoundingExcessQty int          `json:"rounding_excess_qty"`
	OtherExcessQty    int          `json:"other_excess_qty"`
	ShortageQty       int          `json:"shortage_qty"`
	ExcessCost        money.Amount `json:"excess_cost"`
	ExcessWholesale   money.Amount `json:"excess_wholesale"`
	ShortageCost      money.Amount `json:"shortage_cost"`
	ShortageWholesale money.Amount `json:"shortage_wholesale"`
	Currency          string       `json:"currency"`
}

func toPlanFiguresJSON(f planreport.PlanFigures, cur string) planFiguresJSON {
	return planFiguresJSON{TargetQty: f.Target, MadeQty: f.Made, StockUsedQty: f.StockUsed, SupplyQty: f.Supply,
		ExcessQty: f.Excess, RoundingExcessQty: f.RoundingExcess, OtherExcessQty: f.OtherExcess, ShortageQty: f.Shortage,
		ExcessCost: f.ExcessCost, ExcessWholesale: f.ExcessWholesale, ShortageCost: f.ShortageCost,
		ShortageWholesale: f.ShortageWholesale, Currency: cur}
}

type planRowJSON struct {
	Season          string          `json:"season,omitempty"`
	Style           string          `json:"style,omitempty"`
	StyleName       string          `json:"style_name,omitempty"`
	Color           string          `json:"color,omitempty"`
	Size            string          `json:"size,omitempty"`
	Category        string          `json:"category,omitempty"`
	CategoryName    string          `json:"category_name,omitempty"`
	DemandQty       int             `json:"demand_qty"`
	DemandCost      money.Amount    `json:"demand_cost"`
	DemandWholesale money.Amount    `json:"demand_wholesale"`
	Currency        string          `json:"currency"`
	Sizerun         planFiguresJSON `json:"sizerun"`
	Guessed         planFiguresJSON `json:"guessed"`
}

func toPlanRowJSON(r planreport.Row, cur string) planRowJSON {
	return planRowJSON{Style: r.Style, StyleName: r.StyleName, Color: r.Color, Size: r.Size,
		Category: r.Category, CategoryName: r.CategoryName,
		DemandQty: r.Demand, DemandCost: r.DemandCost, DemandWholesale: r.DemandWholesale, Currency: cur,
		Sizerun: toPlanFiguresJSON(r.Sizerun, cur), Guessed: toPlanFiguresJSON(r.Guessed, cur)}
}

type planSavingJSON struct {
	ExcessQty         int          `json:"excess_qty"`
	ExcessCost        money.Amount `json:"excess_cost"`
	ExcessWholesale   money.Amount `json:"excess_wholesale"`
	ShortageQty       int          `json:"shortage_qty"`
	ShortageCost      money.Amount `json:"shortage_cost"`
	ShortageWholesale money.Amount `json:"shortage_wholesale"`
	Currency          string       `json:"currency"`
}

type planReportJSON struct {
	Season                   string         `json:"season"`
	BaseSeason               *string        `json:"base_season"`
	Growth                   string         `json:"growth"`
	GrowthMatched            *string        `json:"growth_matched"`
	OveragePct               string         `json:"overage_pct"`
	ReleasedProductionOrders int            `json:"released_production_orders"`
	Level                    string         `json:"level"`
	Currency                 string         `json:"currency"`
	Rows                     []planRowJSON  `json:"rows"`
	Totals                   planRowJSON    `json:"totals"`
	Saving                   planSavingJSON `json:"saving"`
}

func toPlanReportJSON(r planreport.Report) planReportJSON {
	cur := r.Currency
	out := planReportJSON{Season: r.Season.Code, Growth: planreport.FormatGrowth(r.Growth),
		OveragePct: aggregation.FormatOverage(r.OverageBP), ReleasedProductionOrders: r.ReleasedOrders,
		Level: string(r.Level), Currency: cur, Rows: make([]planRowJSON, len(r.Rows)),
		Totals: toPlanRowJSON(planreport.Row{Figures: r.Totals}, cur),
		Saving: planSavingJSON{ExcessQty: r.Saving.ExcessUnits, ExcessCost: r.Saving.ExcessCost,
			ExcessWholesale: r.Saving.ExcessWholesale, ShortageQty: r.Saving.ShortageUnits,
			ShortageCost: r.Saving.ShortageCost, ShortageWholesale: r.Saving.ShortageWholesale, Currency: cur}}
	if r.Base.ID != 0 {
		out.BaseSeason = &r.Base.Code
	}
	if r.GrowthMatched > 0 {
		m := planreport.FormatGrowth(r.GrowthMatched)
		out.GrowthMatched = &m
	}
	for i, row := range r.Rows {
		out.Rows[i] = toPlanRowJSON(row, cur)
		if r.Level == planreport.LevelSeason {
			out.Rows[i].Season = r.Season.Code
		}
	}
	return out
}
