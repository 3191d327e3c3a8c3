package portal

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/web"
)

// planAck is a supplier's acknowledgement as the page shows it.
type planAck struct {
	Qty, Date, Note, By string
	QtyShown            string // Qty with thousands separators, for display
	UpdatedAt           time.Time
	Changed             bool   // the requirement changed since it was acknowledged
	WasRequired         string // grouped, for display
}

// planAckForm is a row's acknowledgement form, with its values and errors.
type planAckForm struct {
	Qty, Date, Note string
	Errors          map[string]string // field → translated message
}

// planFabricRow is one row of the forecast.
type planFabricRow struct {
	ID                           string // the row's anchor
	Fabric, Name, Supplier, Unit string
	Week                         time.Time
	WeekISO                      string
	Required                     string // plain decimal, the form's default
	RequiredShown                string // grouped, for display
	Ack                          *planAck
	Href                         string
	Action                       string
	Form                         *planAckForm // for the fabric's supplier
}

// planForecastPage is the fabric forecast's Data.
type planForecastPage struct {
	Season     string
	Seasons    []planSeasonOption
	Fabric     string // one fabric's page
	FabricName string
	Supplier   string // head office's supplier filter
	Suppliers  []string
	IsSupplier bool
	Rows       []planFabricRow
	Acked      int
	Notice     string
	Error      string
	AllHref    string
	CSVHref    string
	PDFHref    string
	XLSXHref   string
}

// planPendingAck is a refused acknowledgement to show again in its row.
type planPendingAck struct {
	Fabric, Week string
	Form         planAckForm
}

// forecast shows the season's fabric forecast: every fabric (or one
// supplier's) for head office, its own for a supplier.
func (h *planPages) forecast(c echo.Context) error {
	return h.renderForecast(c, http.StatusOK, strings.TrimSpace(c.QueryParam("season")), "", nil)
}

// fabric shows one fabric's forecast; not found for another supplier's.
func (h *planPages) fabric(c echo.Context) error {
	return h.renderForecast(c, http.StatusOK, strings.TrimSpace(c.QueryParam("season")), c.Param("fabric"), nil)
}

// renderForecast renders the forecast (of one fabric if given). After an
// acknowledgement (?acked=FABRIC&week=…) it confirms it, if the row shows
// it; pending is a refused one to show again in its row.
func (h *planPages) renderForecast(c echo.Context, status int, season, fabric string, pending *planPendingAck) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	se, seasons, err := h.svc.PlanningSeasons(ctx, pr, season)
	if err != nil {
		return err
	}
	var f aggregation.Forecast
	if fabric != "" {
		f, err = h.svc.FabricForecast(ctx, pr, se.Code, fabric)
	} else {
		f, err = h.svc.Forecast(ctx, pr, se.Code)
	}
	if err != nil {
		return err
	}
	sq := url.Values{"season": {se.Code}}
	v := planForecastPage{Season: se.Code, Seasons: planSeasonOptions(seasons, se.Code), IsSupplier: pr.Role == auth.RoleSupplier,
		AllHref: planHref("/forecasts/fabric", sq),
		CSVHref: planHref("/forecasts/fabric.csv", sq), PDFHref: planHref("/forecasts/fabric.pdf", sq),
		XLSXHref: planHref("/forecasts/fabric.xlsx", sq)}
	if fabric != "" {
		v.Fabric = strings.ToUpper(strings.TrimSpace(fabric))
	}
	if !v.IsSupplier {
		v.Supplier = strings.ToUpper(strings.TrimSpace(c.QueryParam("supplier")))
	}
	lang := h.p.Lang(c)
	for _, r := range f.Rows {
		if !slices.Contains(v.Suppliers, r.Supplier) {
			v.Suppliers = append(v.Suppliers, r.Supplier)
		}
		if v.Supplier != "" && r.Supplier != v.Supplier {
			continue
		}
		if v.Fabric != "" {
			v.FabricName = r.Name
		}
		week := r.Week.Format(aggregation.WeekLayout)
		row := planFabricRow{ID: "f-" + r.Fabric + "-" + week, Fabric: r.Fabric, Name: r.Name, Supplier: r.Supplier,
			Unit: r.Unit, Week: r.Week, WeekISO: week, Required: r.RequiredQty.String(),
			RequiredShown: money.Amount(r.RequiredQty).Grouped(),
			Href:          planHref("/forecasts/fabric/"+url.PathEscape(r.Fabric), sq),
			Action:        "/forecasts/fabric/" + url.PathEscape(r.Fabric) + "/ack"}
		if a := r.Ack; a != nil {
			row.Ack = &planAck{Qty: a.CommittedQty.String(), QtyShown: money.Amount(a.CommittedQty).Grouped(),
				Date: a.CommittedDate.Format(aggregation.WeekLayout), Note: a.Note, By: a.By, UpdatedAt: a.UpdatedAt,
				Changed: a.RequiredQty != r.RequiredQty, WasRequired: money.Amount(a.RequiredQty).Grouped()}
			v.Acked++
			if pending == nil && r.Fabric == c.QueryParam("acked") && week == c.QueryParam("week") {
				v.Notice = i18n.T(lang, "planning.forecast.acked", r.Fabric, week)
			}
		}
		if v.IsSupplier {
			form := &planAckForm{Qty: row.Required}
			if row.Ack != nil {
				form.Qty, form.Date, form.Note = row.Ack.Qty, row.Ack.Date, row.Ack.Note
			}
			if pending != nil && pending.Fabric == r.Fabric && pending.Week == week {
				form = &pending.Form
				pending = nil
			}
			row.Form = form
		}
		v.Rows = append(v.Rows, row)
	}
	slices.Sort(v.Suppliers)
	if pending != nil {
		// The week asked for has no requirement (or the form was forged):
		// say so above the table.
		v.Error = planFirstError(pending.Form.Errors, lang)
	}
	return h.p.Render(c, status, "forecast_fabric", v)
}

func planFirstError(errs map[string]string, lang string) string {
	for _, k := range []string{"week", "season", "committed_qty", "committed_date", "note"} {
		if m := errs[k]; m != "" {
			return m
		}
	}
	return i18n.T(lang, "planning.forecast.err.invalid")
}

// planAckFields maps the service's fields to the form's and their messages.
var planAckFields = map[string]string{
	"committed_qty":  "planning.forecast.err.qty",
	"committed_date": "planning.forecast.err.date",
	"note":           "planning.forecast.err.note",
	"week":           "planning.forecast.err.week",
	"season":         "planning.forecast.err.season",
}

// acknowledge records the supplier's commitment for one week of a fabric,
// then goes back to the forecast; a refusal shows the form again in its row
// with the reasons next to the fields.
func (h *planPages) acknowledge(c echo.Context) error {
	fabric := c.Param("fabric")
	a := aggregation.AckParams{Season: strings.TrimSpace(c.FormValue("season")), Week: strings.TrimSpace(c.FormValue("week")),
		CommittedQty: strings.TrimSpace(c.FormValue("committed_qty")), CommittedDate: strings.TrimSpace(c.FormValue("committed_date")),
		Note: c.FormValue("note")}
	onFabric := c.FormValue("from") == "fabric"
	row, err := h.svc.Acknowledge(c.Request().Context(), web.MustPrincipal(c), fabric, a)
	if err == nil {
		week := row.Week.Format(aggregation.WeekLayout)
		path := "/forecasts/fabric"
		if onFabric {
			path += "/" + url.PathEscape(row.Fabric)
		}
		return planSeeOther(c, path, url.Values{"season": {a.Season}, "acked": {row.Fabric}, "week": {week}},
			"f-"+row.Fabric+"-"+week)
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Validation {
		return err
	}
	lang := h.p.Lang(c)
	pending := &planPendingAck{Fabric: strings.ToUpper(strings.TrimSpace(fabric)), Week: a.Week,
		Form: planAckForm{Qty: a.CommittedQty, Date: a.CommittedDate, Note: a.Note, Errors: map[string]string{}}}
	for _, d := range e.Details {
		if key, ok := planAckFields[d.Field]; ok && pending.Form.Errors[d.Field] == "" {
			pending.Form.Errors[d.Field] = i18n.T(lang, key)
		}
	}
	if len(pending.Form.Errors) == 0 {
		pending.Form.Errors["week"] = i18n.T(lang, "planning.forecast.err.invalid")
	}
	target := ""
	if onFabric {
		target = fabric
	}
	return h.renderForecast(c, http.StatusUnprocessableEntity, a.Season, target, pending)
}

// forecastDocument streams the forecast the caller may see as csv, pdf or xlsx.
func (h *planPages) forecastDocument(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, pr := c.Request().Context(), web.MustPrincipal(c)
		se, _, err := h.svc.PlanningSeasons(ctx, pr, strings.TrimSpace(c.QueryParam("season")))
		if err != nil {
			return err
		}
		d, err := h.svc.ForecastDocument(ctx, pr, se.Code, format)
		if err != nil {
			return err
		}
		return planSend(c, d)
	}
}
