package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/planreport"
)

// Planning is what the planners' and suppliers' pages need from the
// aggregation service; *aggregation.Service implements it. Every method
// checks the caller's role and scope.
type Planning interface {
	PlanningSeasons(ctx context.Context, p auth.Principal, code string) (aggregation.SeasonInfo, []aggregation.SeasonInfo, error)
	Dashboard(ctx context.Context, p auth.Principal, season string) (aggregation.Dashboard, error)
	Matrix(ctx context.Context, p auth.Principal, params aggregation.RollupParams, includeEmpty bool) (aggregation.Matrix, error)
	RollupXLSX(ctx context.Context, p auth.Principal, params aggregation.RollupParams) (aggregation.Document, error)
	Drill(ctx context.Context, p auth.Principal, params aggregation.DrillParams) (aggregation.Drill, error)
	CreateProductionOrder(ctx context.Context, p auth.Principal, req aggregation.ProductionRequest, idemKey string) (aggregation.ProductionOrder, error)
	ProductionOrder(ctx context.Context, p auth.Principal, number string) (aggregation.ProductionOrder, error)
	ProductionOrders(ctx context.Context, p auth.Principal, season string) ([]aggregation.ProductionOrder, error)
	Release(ctx context.Context, p auth.Principal, number string) (aggregation.ProductionOrder, error)
	Excess(ctx context.Context, p auth.Principal, season string) (string, []aggregation.ExcessRow, error)
	ProductionOrderDocument(ctx context.Context, p auth.Principal, number, format string) (aggregation.Document, error)
	Forecast(ctx context.Context, p auth.Principal, season string) (aggregation.Forecast, error)
	FabricForecast(ctx context.Context, p auth.Principal, season, fabric string) (aggregation.Forecast, error)
	Acknowledge(ctx context.Context, p auth.Principal, fabric string, a aggregation.AckParams) (aggregation.FabricRow, error)
	ForecastDocument(ctx context.Context, p auth.Principal, season, format string) (aggregation.Document, error)
	DashboardXLSX(ctx context.Context, p auth.Principal, season string) (aggregation.Document, error)
	DrillXLSX(ctx context.Context, p auth.Principal, params aggregation.DrillParams) (aggregation.Document, error)
	ProductionListXLSX(ctx context.Context, p auth.Principal, season string) (aggregation.Document, error)
}

var _ Planning = (*aggregation.Service)(nil)

// PlanFigures is what the season dashboard needs from the plan-versus-demand
// report: the season's figures of Sizerun's plan and the guessed plan;
// *planreport.Service implements it.
type PlanFigures interface {
	Report(ctx context.Context, p auth.Principal, q planreport.Params) (planreport.Report, error)
}

var _ PlanFigures = (*planreport.Service)(nil)

// planPages serves the season dashboard, the rollup matrix and its
// drill-down, production orders and the fabric forecast. Handlers bind the
// query or form, call the service and render; the view models only arrange
// what the service computed.
type planPages struct {
	p       *Portal
	svc     Planning
	figures PlanFigures // nil: the dashboard has no plan-versus-demand card
}

// RegisterPlanning adds the planners' and suppliers' pages. Call it after
// Register:
//
//	GET  /planning                          season dashboard (planner, admin)
//	GET  /rollups                           rollup matrix with filters (planner, admin)
//	GET  /rollups.xlsx                      the same rollup as a workbook
//	GET  /rollups/drill                     dealers and orders behind a cell
//	GET  /production-orders                 list, draft form, excess (planner, admin)
//	GET  /planning.xlsx, /rollups/drill.xlsx, /production-orders.xlsx: those pages' tables
//	POST /production-orders                 draft a production order
//	GET  /production-orders/:number         review a production order (also .pdf, .xlsx, .csv)
//	POST /production-orders/:number/release release a draft
//	GET  /forecasts/fabric                  fabric forecast (planner, admin, supplier: own fabrics)
//	GET  /forecasts/fabric.csv, .pdf, .xlsx downloads
//	GET  /forecasts/fabric/:fabric          one fabric's forecast (404 for another supplier's)
//	POST /forecasts/fabric/:fabric/ack      acknowledge a week (the fabric's supplier)
//
// With figures (optional), the dashboard shows the season's plan versus
// demand: Sizerun's excess and shortage beside the guessed plan's.
func (p *Portal) RegisterPlanning(svc Planning, figures ...PlanFigures) {
	h := &planPages{p: p, svc: svc}
	if len(figures) > 0 {
		h.figures = figures[0]
	}
	office := p.Pages(auth.RolePlanner, auth.RoleAdmin)
	readers := p.Pages(auth.RolePlanner, auth.RoleAdmin, auth.RoleSupplier)
	supplier := p.Pages(auth.RoleSupplier)

	office.GET("/planning", h.dashboard)
	office.GET("/planning.xlsx", h.dashboardXLSX)
	office.GET("/rollups", h.rollups)
	office.GET("/rollups.xlsx", h.rollupsXLSX)
	office.GET("/rollups/drill", h.drill)
	office.GET("/rollups/drill.xlsx", h.drillXLSX)

	office.GET("/production-orders", h.productionList)
	office.GET("/production-orders.xlsx", h.productionListXLSX)
	office.POST("/production-orders", h.draftProduction)
	office.GET("/production-orders/:number", h.productionOrder)
	office.POST("/production-orders/:number/release", h.release)

	readers.GET("/forecasts/fabric", h.forecast)
	for _, f := range []string{"csv", "pdf", "xlsx"} {
		readers.GET("/forecasts/fabric."+f, h.forecastDocument(f))
	}
	readers.GET("/forecasts/fabric/:fabric", h.fabric)
	supplier.POST("/forecasts/fabric/:fabric/ack", h.acknowledge)
}

// planSeasonOption is one season of a season selector.
type planSeasonOption struct {
	Code, Name string
	Selected   bool
}

func planSeasonOptions(seasons []aggregation.SeasonInfo, current string) []planSeasonOption {
	out := make([]planSeasonOption, len(seasons))
	for i, s := range seasons {
		out[i] = planSeasonOption{Code: s.Code, Name: s.Name, Selected: s.Code == current}
	}
	return out
}

// planFilter is the rollup matrix's filter, as the GET form sends it.
type planFilter struct {
	Season   string
	Statuses []string // empty: the counted statuses
	Region   string
	Dealer   string
	Category string
	Empty    bool // list styles without orders too
	Page     int  // the matrix page, from 1
}

// bindPlanFilter reads the filter from the query: status may be repeated
// (checkboxes) or a comma list.
func bindPlanFilter(c echo.Context) planFilter {
	q := c.QueryParams()
	f := planFilter{Season: strings.TrimSpace(q.Get("season")), Region: strings.TrimSpace(q.Get("region")),
		Dealer: strings.TrimSpace(q.Get("dealer")), Category: strings.TrimSpace(q.Get("category")),
		Empty: q.Get("empty") == "1"}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		f.Page = n
	}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(f.Statuses, s) {
				f.Statuses = append(f.Statuses, s)
			}
		}
	}
	return f
}

func (f planFilter) params() aggregation.RollupParams {
	return aggregation.RollupParams{Season: f.Season, Status: strings.Join(f.Statuses, ","),
		Region: f.Region, Dealer: f.Dealer, Category: f.Category}
}

// query is the filter as a canonical query string, without empty values,
// for links that keep it (the export, the drill-down, back to the matrix).
func (f planFilter) query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("season", f.Season)
	set("status", strings.Join(f.Statuses, ","))
	set("region", f.Region)
	set("dealer", f.Dealer)
	set("category", f.Category)
	if f.Empty {
		v.Set("empty", "1")
	}
	if f.Page > 1 {
		v.Set("page", strconv.Itoa(f.Page))
	}
	return v
}

// planHref is path with the query, if any.
func planHref(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// planPercent writes basis points as a percentage with one decimal: 3456 → "34.6%".
func planPercent(bp int) string {
	t := (bp + 5) / 10 // tenths of a percent, rounded half up
	return fmt.Sprintf("%d.%d%%", t/10, t%10)
}

// planIdemKey is a fresh idempotency key for a form, so that a form sent
// twice creates one production order.
func planIdemKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// planSend answers with a document to download.
func planSend(c echo.Context, d aggregation.Document) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+d.Filename+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, d.ContentType, d.Body)
}

// planSeeOther answers a POST with 303 See Other.
func planSeeOther(c echo.Context, path string, q url.Values, fragment string) error {
	target := planHref(path, q)
	if fragment != "" {
		target += "#" + fragment
	}
	return c.Redirect(http.StatusSeeOther, target)
}
