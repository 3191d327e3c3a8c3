package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/web"
)

// AggregationService is what the aggregation endpoints need;
// *aggregation.Service implements it.
type AggregationService interface {
	Rollup(ctx context.Context, p auth.Principal, params aggregation.RollupParams) (aggregation.Rollup, error)
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
}

// RegisterAggregation adds the rollup, production-order and fabric-forecast
// endpoints (api.md "Aggregation", "Fabric forecast") to the authenticated
// /api/v1 group. Rollups and production orders are for planners and admins;
// forecasts also for suppliers, scoped to their own fabrics.
func RegisterAggregation(g *echo.Group, svc AggregationService) {
	h := aggHandlers{svc: svc}
	head := web.RequireRole(auth.RolePlanner, auth.RoleAdmin)
	fabric := web.RequireRole(auth.RolePlanner, auth.RoleAdmin, auth.RoleSupplier)

	g.GET("/rollups", h.rollup, head)
	g.GET("/rollups.xlsx", h.rollupXLSX, head)
	g.GET("/rollups/drill", h.drill, head)

	g.POST("/production-orders", h.createProduction, head)
	g.GET("/production-orders", h.listProduction, head)
	g.GET("/production-orders/excess", h.excess, head)
	g.GET("/production-orders/:number", h.getProduction, head) // also {number}.csv, .xlsx, .pdf
	g.POST("/production-orders/:number/release", h.release, head)

	g.GET("/forecasts/fabric", h.forecast, fabric)
	g.GET("/forecasts/fabric.csv", h.forecastDocument("csv"), fabric)
	g.GET("/forecasts/fabric.xlsx", h.forecastDocument("xlsx"), fabric)
	g.GET("/forecasts/fabric.pdf", h.forecastDocument("pdf"), fabric)
	g.GET("/forecasts/fabric/:fabric", h.fabricForecast, fabric)
	g.POST("/forecasts/fabric/:fabric/ack", h.acknowledge, fabric)
}

type aggHandlers struct{ svc AggregationService }

func ctxp(c echo.Context) (context.Context, auth.Principal) {
	return c.Request().Context(), web.MustPrincipal(c)
}

func sendDocument(c echo.Context, d aggregation.Document) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+d.Filename+`"`)
	return c.Blob(http.StatusOK, d.ContentType, d.Body)
}

// rollupRow writes its keys in the order of `by`, then the measures.
type rollupRow struct {
	by       []aggregation.Key
	row      aggregation.RollupRow
	currency string
}

func (r rollupRow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range r.by {
		key, _ := json.Marshal(string(k))
		val, _ := json.Marshal(r.row.Keys[i])
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
		b.WriteByte(',')
	}
	cur, _ := json.Marshal(r.currency)
	b.WriteString(`"qty":` + strconv.FormatInt(r.row.Qty, 10) + `,"amount":"` + r.row.Amount.String() + `","currency":`)
	b.Write(cur)
	b.WriteString(`,"orders":` + strconv.Itoa(r.row.Orders) + `,"dealers":` + strconv.Itoa(r.row.Dealers) + `}`)
	return b.Bytes(), nil
}

type totalsJSON struct {
	Qty      int64        `json:"qty"`
	Amount   money.Amount `json:"amount"`
	Currency string       `json:"currency"`
	Orders   int          `json:"orders"`
	Dealers  int          `json:"dealers"`
}

func toTotals(t aggregation.Totals, cur string) totalsJSON {
	return totalsJSON{Qty: t.Qty, Amount: t.Amount, Currency: cur, Orders: t.Orders, Dealers: t.Dealers}
}

type rollupJSON struct {
	Season   string            `json:"season"`
	By       []aggregation.Key `json:"by"`
	Status   []string          `json:"status"`
	Currency string            `json:"currency"`
	Source   string            `json:"source"` // summary or lines
	Rows     []rollupRow       `json:"rows"`
	Totals   totalsJSON        `json:"totals"`
}

func rollupParams(c echo.Context) aggregation.RollupParams {
	return aggregation.RollupParams{Season: c.QueryParam("season"), By: c.QueryParam("by"), Status: c.QueryParam("status"),
		Region: c.QueryParam("region"), Dealer: c.QueryParam("dealer"), Category: c.QueryParam("category")}
}

func (h aggHandlers) rollup(c echo.Context) error {
	ctx, p := ctxp(c)
	r, err := h.svc.Rollup(ctx, p, rollupParams(c))
	if err != nil {
		return err
	}
	out := rollupJSON{Season: r.Season, By: r.Query.By, Status: r.Query.Statuses, Currency: r.Currency, Source: "lines",
		Rows: make([]rollupRow, len(r.Rows)), Totals: toTotals(r.Totals, r.Currency)}
	if r.FromSummary {
		out.Source = "summary"
	}
	for i, row := range r.Rows {
		out.Rows[i] = rollupRow{by: r.Query.By, row: row, currency: r.Currency}
	}
	return c.JSON(http.StatusOK, out)
}

func (h aggHandlers) rollupXLSX(c echo.Context) error {
	ctx, p := ctxp(c)
	d, err := h.svc.RollupXLSX(ctx, p, rollupParams(c))
	if err != nil {
		return err
	}
	return sendDocument(c, d)
}

type drillDealerJSON struct {
	Dealer   string       `json:"dealer"`
	Name     string       `json:"name"`
	Region   string       `json:"region"`
	Qty      int64        `json:"qty"`
	Amount   money.Amount `json:"amount"`
	Currency string       `json:"currency"`
	Orders   int          `json:"orders"`
}

type drillOrderJSON struct {
	Number      string       `json:"number"`
	Dealer      string       `json:"dealer"`
	Status      string       `json:"status"`
	Qty         int64        `json:"qty"`
	Amount      money.Amount `json:"amount"`
	Currency    string       `json:"currency"`
	SubmittedAt *string      `json:"submitted_at"`
}

type drillJSON struct {
	Season   string            `json:"season"`
	Style    string            `json:"style,omitempty"`
	Color    string            `json:"color,omitempty"`
	Size     string            `json:"size,omitempty"`
	Status   []string          `json:"status"`
	Currency string            `json:"currency"`
	Dealers  []drillDealerJSON `json:"dealers"`
	Orders   []drillOrderJSON  `json:"orders"`
	Totals   totalsJSON        `json:"totals"`
}

func rfc3339(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func (h aggHandlers) drill(c echo.Context) error {
	ctx, p := ctxp(c)
	d, err := h.svc.Drill(ctx, p, aggregation.DrillParams{Season: c.QueryParam("season"), Style: c.QueryParam("style"),
		Color: c.QueryParam("color"), Size: c.QueryParam("size"), Status: c.QueryParam("status"),
		Region: c.QueryParam("region"), Dealer: c.QueryParam("dealer"), Category: c.QueryParam("category")})
	if err != nil {
		return err
	}
	out := drillJSON{Season: d.Season, Style: d.Query.Style, Color: d.Query.Color, Size: d.Query.Size, Status: d.Query.Statuses,
		Currency: d.Currency, Dealers: []drillDealerJSON{}, Orders: []drillOrderJSON{}, Totals: toTotals(d.Totals, d.Currency)}
	for _, x := range d.Dealers {
		out.Dealers = append(out.Dealers, drillDealerJSON{Dealer: x.Dealer, Name: x.Name, Region: x.Region, Qty: x.Qty,
			Amount: x.Amount, Currency: d.Currency, Orders: x.Orders})
	}
	for _, o := range d.Orders {
		out.Orders = append(out.Orders, drillOrderJSON{Number: o.Number, Dealer: o.Dealer, Status: o.Status, Qty: o.Qty,
			Amount: o.Amount, Currency: d.Currency, SubmittedAt: rfc3339(o.SubmittedAt)})
	}
	return c.JSON(http.StatusOK, out)
}

type productionLineJSON struct {
	Style      string `json:"style"`
	Color      string `json:"color"`
	Size       string `json:"size"`
	DemandQty  int    `json:"demand_qty"`
	StockQty   int    `json:"stock_qty"`
	PlannedQty int    `json:"planned_qty"`
}

type productionTotalsJSON struct {
	DemandQty  int `json:"demand_qty"`
	StockQty   int `json:"stock_qty"`
	PlannedQty int `json:"planned_qty"`
}

type productionJSON struct {
	Number     string               `json:"number"`
	Season     string               `json:"season"`
	Status     string               `json:"status"`
	OveragePct string               `json:"overage_pct"`
	CreatedAt  string               `json:"created_at"`
	ReleasedAt *string              `json:"released_at"`
	Lines      []productionLineJSON `json:"lines,omitempty"`
	Totals     productionTotalsJSON `json:"totals"`
}

func toProductionJSON(po aggregation.ProductionOrder, withLines bool) productionJSON {
	out := productionJSON{Number: po.Number, Season: po.Season, Status: po.Status, OveragePct: aggregation.FormatOverage(po.OverageBP),
		CreatedAt: po.CreatedAt.UTC().Format(time.RFC3339), ReleasedAt: rfc3339(po.ReleasedAt),
		Totals: productionTotalsJSON{DemandQty: po.Totals.DemandQty, StockQty: po.Totals.StockQty, PlannedQty: po.Totals.PlannedQty}}
	if withLines {
		out.Lines = []productionLineJSON{}
		for _, l := range po.Lines {
			out.Lines = append(out.Lines, productionLineJSON{Style: l.Style, Color: l.Color, Size: l.Size,
				DemandQty: l.DemandQty, StockQty: l.StockQty, PlannedQty: l.PlannedQty})
		}
	}
	return out
}

// decimalText reads a JSON string or number as its decimal text (no float).
func decimalText(raw json.RawMessage, field string) (string, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", apperr.Field(field, "%s must be a decimal string", field)
		}
		return v, nil
	}
	return s, nil
}

type productionRequestJSON struct {
	Season     string          `json:"season"`
	Styles     []string        `json:"styles"`
	OveragePct json.RawMessage `json:"overage_pct"`
}

func (h aggHandlers) createProduction(c echo.Context) error {
	var req productionRequestJSON
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	ov, err := decimalText(req.OveragePct, "overage_pct")
	if err != nil {
		return err
	}
	ctx, p := ctxp(c)
	po, err := h.svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: req.Season, Styles: req.Styles, OveragePct: ov},
		strings.TrimSpace(c.Request().Header.Get("Idempotency-Key")))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toProductionJSON(po, true))
}

func (h aggHandlers) listProduction(c echo.Context) error {
	ctx, p := ctxp(c)
	list, err := h.svc.ProductionOrders(ctx, p, c.QueryParam("season"))
	if err != nil {
		return err
	}
	out := List[productionJSON]{Items: []productionJSON{}}
	for _, po := range list {
		out.Items = append(out.Items, toProductionJSON(po, false))
	}
	return c.JSON(http.StatusOK, out)
}

func (h aggHandlers) getProduction(c echo.Context) error {
	ctx, p := ctxp(c)
	number := c.Param("number")
	for _, format := range []string{"csv", "xlsx", "pdf"} {
		if n, ok := strings.CutSuffix(number, "."+format); ok {
			d, err := h.svc.ProductionOrderDocument(ctx, p, n, format)
			if err != nil {
				return err
			}
			return sendDocument(c, d)
		}
	}
	po, err := h.svc.ProductionOrder(ctx, p, number)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProductionJSON(po, true))
}

func (h aggHandlers) release(c echo.Context) error {
	ctx, p := ctxp(c)
	po, err := h.svc.Release(ctx, p, c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProductionJSON(po, true))
}

type excessRowJSON struct {
	Style        string   `json:"style"`
	Color        string   `json:"color"`
	Size         string   `json:"size"`
	CancelledQty int      `json:"cancelled_qty"`
	ReducedQty   int      `json:"reduced_qty"`
	ExcessQty    int      `json:"excess_qty"`
	Orders       []string `json:"orders"`
}

func (h aggHandlers) excess(c echo.Context) error {
	ctx, p := ctxp(c)
	season, rows, err := h.svc.Excess(ctx, p, c.QueryParam("season"))
	if err != nil {
		return err
	}
	type out struct {
		Season string          `json:"season"`
		Rows   []excessRowJSON `json:"rows"`
		Totals struct {
			ExcessQty int `json:"excess_qty"`
		} `json:"totals"`
	}
	o := out{Season: season, Rows: []excessRowJSON{}}
	for _, r := range rows {
		orders := r.Orders
		if orders == nil {
			orders = []string{}
		}
		o.Rows = append(o.Rows, excessRowJSON{Style: r.Style, Color: r.Color, Size: r.Size, CancelledQty: r.CancelledQty,
			ReducedQty: r.ReducedQty, ExcessQty: r.ExcessQty, Orders: orders})
		o.Totals.ExcessQty += r.ExcessQty
	}
	return c.JSON(http.StatusOK, o)
}

type ackJSON struct {
	CommittedQty  aggregation.Qty2 `json:"committed_qty"`
	CommittedDate string           `json:"committed_date"`
	Note          string           `json:"note"`
	RequiredQty   aggregation.Qty2 `json:"required_qty"`
	By            string           `json:"by"`
	UpdatedAt     string           `json:"updated_at"`
}

type fabricRowJSON struct {
	Fabric      string           `json:"fabric"`
	Name        string           `json:"name"`
	Supplier    string           `json:"supplier"`
	Unit        string           `json:"unit"`
	RequiredQty aggregation.Qty2 `json:"required_qty"`
	Week        string           `json:"week"`
	Ack         *ackJSON         `json:"ack,omitempty"`
}

type forecastJSON struct {
	Season string          `json:"season"`
	Rows   []fabricRowJSON `json:"rows"`
}

func toFabricRow(r aggregation.FabricRow) fabricRowJSON {
	out := fabricRowJSON{Fabric: r.Fabric, Name: r.Name, Supplier: r.Supplier, Unit: r.Unit, RequiredQty: r.RequiredQty,
		Week: r.Week.Format(aggregation.WeekLayout)}
	if a := r.Ack; a != nil {
		out.Ack = &ackJSON{CommittedQty: a.CommittedQty, CommittedDate: a.CommittedDate.Format(aggregation.WeekLayout),
			Note: a.Note, RequiredQty: a.RequiredQty, By: a.By, UpdatedAt: a.UpdatedAt.UTC().Format(time.RFC3339)}
	}
	return out
}

func toForecastJSON(f aggregation.Forecast) forecastJSON {
	out := forecastJSON{Season: f.Season, Rows: []fabricRowJSON{}}
	for _, r := range f.Rows {
		out.Rows = append(out.Rows, toFabricRow(r))
	}
	return out
}

func (h aggHandlers) forecast(c echo.Context) error {
	ctx, p := ctxp(c)
	f, err := h.svc.Forecast(ctx, p, c.QueryParam("season"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toForecastJSON(f))
}

func (h aggHandlers) forecastDocument(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := ctxp(c)
		d, err := h.svc.ForecastDocument(ctx, p, c.QueryParam("season"), format)
		if err != nil {
			return err
		}
		return sendDocument(c, d)
	}
}

func (h aggHandlers) fabricForecast(c echo.Context) error {
	ctx, p := ctxp(c)
	f, err := h.svc.FabricForecast(ctx, p, c.QueryParam("season"), c.Param("fabric"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toForecastJSON(f))
}

type ackRequestJSON struct {
	Season        string          `json:"season"`
	Week          string          `json:"week"`
	CommittedQty  json.RawMessage `json:"committed_qty"`
	CommittedDate string          `json:"committed_date"`
	Note          string          `json:"note"`
}

func (h aggHandlers) acknowledge(c echo.Context) error {
	var req ackRequestJSON
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	qty, err := decimalText(req.CommittedQty, "committed_qty")
	if err != nil {
		return err
	}
	ctx, p := ctxp(c)
	row, err := h.svc.Acknowledge(ctx, p, c.Param("fabric"), aggregation.AckParams{Season: req.Season, Week: req.Week,
		CommittedQty: qty, CommittedDate: req.CommittedDate, Note: req.Note})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Season string `json:"season"`
		fabricRowJSON
	}{Season: req.Season, fabricRowJSON: toFabricRow(row)})
}
