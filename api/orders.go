package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// RegisterOrders adds the order endpoints (api.md "Orders") to the
// authenticated /api/v1 group:
//
//	POST /orders                      submit (Idempotency-Key honoured) → 201
//	GET  /orders?season=&status=&dealer=&cursor=&limit=
//	GET  /orders/{number}             the order, with ETag: "<version>"
//	PUT  /orders/{number}             replace the lines; If-Match: <version> required
//	POST /orders/{number}/cancel      → the cancelled order
//	POST /orders/confirm              {"numbers": [...]}, head office only
//	GET  /drafts/{season}             the caller's draft (dealers)
//	PUT  /drafts/{season}/styles/{style}  {"lines": [...], "delivery_window": "D1"}
//	POST /drafts/{season}/submit      {"reference": "..."} → 201 the submitted order
//
// Every rule and every scope lives in ordering.Service.
func RegisterOrders(g *echo.Group, svc *ordering.Service) {
	h := orderHandlers{svc: svc}
	g.POST("/orders", h.submit)
	g.GET("/orders", h.list)
	g.POST("/orders/confirm", h.confirm)
	g.GET("/orders/:number", h.get)
	g.PUT("/orders/:number", h.replace)
	g.POST("/orders/:number/cancel", h.cancel)
	g.GET("/drafts/:season", h.draft)
	g.PUT("/drafts/:season/styles/:style", h.saveDraft)
	g.POST("/drafts/:season/submit", h.submitDraft)
}

type orderHandlers struct{ svc *ordering.Service }

// orderSummary is an order in a list: without lines, windows and history.
type orderSummary struct {
	*ordering.Order
	Lines           []ordering.Line          `json:"lines,omitempty"`
	DeliveryWindows []catalog.DeliveryWindow `json:"delivery_windows,omitempty"`
	History         []ordering.Event         `json:"history,omitempty"`
}

func summaries(os []ordering.Order) []orderSummary {
	out := make([]orderSummary, len(os))
	for i := range os {
		out[i] = orderSummary{Order: &os[i]}
	}
	return out
}

// renderOrder writes an order with its version as the ETag.
func renderOrder(c echo.Context, status int, o ordering.Order) error {
	c.Response().Header().Set("ETag", strconv.Quote(strconv.Itoa(o.Version)))
	return c.JSON(status, o)
}

func (h orderHandlers) submit(c echo.Context) error {
	var req ordering.SubmitRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	o, body, created, err := h.svc.SubmitRecorded(c.Request().Context(), web.MustPrincipal(c), req, c.Request().Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if !created {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	if body == nil {
		return renderOrder(c, http.StatusCreated, o)
	}
	// The JSON recorded with the Idempotency-Key: encoded once, and the
	// same bytes for every repeat.
	c.Response().Header().Set("ETag", strconv.Quote(strconv.Itoa(o.Version)))
	return c.JSONBlob(http.StatusCreated, body)
}

func (h orderHandlers) list(c echo.Context) error {
	f := ordering.ListFilter{Season: c.QueryParam("season"), Status: c.QueryParam("status"),
		Dealer: c.QueryParam("dealer"), Cursor: c.QueryParam("cursor")}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return apperr.Field("limit", "limit must be a whole number")
		}
		f.Limit = n
	}
	page, err := h.svc.List(c.Request().Context(), web.MustPrincipal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[orderSummary]{Items: summaries(page.Items), NextCursor: page.NextCursor})
}

func (h orderHandlers) get(c echo.Context) error {
	o, err := h.svc.Get(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	return renderOrder(c, http.StatusOK, o)
}

type replaceRequest struct {
	Lines []ordering.LineRequest `json:"lines"`
}

// ifMatch reads the order version from If-Match: 3, "3" or W/"3".
func ifMatch(c echo.Context) (int, error) {
	v := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if v == "" {
		return 0, apperr.Field("If-Match", "the If-Match header with the order's version is required")
	}
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, apperr.Field("If-Match", `If-Match must be the order's version, e.g. "3"`)
	}
	return n, nil
}

func (h orderHandlers) replace(c echo.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var req replaceRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	o, err := h.svc.Replace(c.Request().Context(), web.MustPrincipal(c), c.Param("number"), version, req.Lines)
	if err != nil {
		return err
	}
	return renderOrder(c, http.StatusOK, o)
}

func (h orderHandlers) cancel(c echo.Context) error {
	o, err := h.svc.Cancel(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	return renderOrder(c, http.StatusOK, o)
}

type confirmRequest struct {
	Numbers []string `json:"numbers"`
}

func (h orderHandlers) confirm(c echo.Context) error {
	var req confirmRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	os, err := h.svc.Confirm(c.Request().Context(), web.MustPrincipal(c), req.Numbers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[orderSummary]{Items: summaries(os)})
}

func (h orderHandlers) draft(c echo.Context) error {
	o, err := h.svc.Draft(c.Request().Context(), web.MustPrincipal(c), c.Param("season"))
	if err != nil {
		return err
	}
	return renderOrder(c, http.StatusOK, o)
}

type draftLinesRequest struct {
	Lines          []ordering.LineRequest `json:"lines"`
	DeliveryWindow string                 `json:"delivery_window"`
}

func (h orderHandlers) saveDraft(c echo.Context) error {
	var req draftLinesRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	o, err := h.svc.SaveDraftLines(c.Request().Context(), web.MustPrincipal(c), c.Param("season"), c.Param("style"), req.Lines, req.DeliveryWindow)
	if err != nil {
		return err
	}
	return renderOrder(c, http.StatusOK, o)
}

type submitDraftRequest struct {
	Reference string `json:"reference"`
}

func (h orderHandlers) submitDraft(c echo.Context) error {
	var req submitDraftRequest
	if c.Request().ContentLength != 0 {
		if err := BindJSON(c, &req); err != nil {
			return err
		}
	}
	o, err := h.svc.SubmitDraft(c.Request().Context(), web.MustPrincipal(c), c.Param("season"), req.Reference)
	if err != nil {
		return err
	}
	return renderOrder(c, http.StatusCreated, o)
}
