package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/web"
)

// RegisterDealers adds the dealer-relationship endpoints to the
// authenticated /api/v1 group:
//
//	GET   /dealers?region=&status=&q=          dealers with exposure (a dealer: only itself)
//	GET   /dealers/{code}                      the dealer record
//	PATCH /dealers/{code}                      credit_limit, payment_terms_days, credit_policy, status + reason (head office)
//	POST  /dealers/{code}/notes                {"body"} → 201 (head office)
//	POST  /dealers/holds/sweep                 apply the overdue-hold rule now (head office)
//	POST  /orders/{number}/ship                {"shipped_on"?} → the order and its invoice (head office)
//	GET   /invoices?dealer=&status=            invoices in scope
//	GET   /invoices/{number}                   with payments
//	POST  /invoices/{number}/payments          {"amount", "paid_on", "reference"} → 201 the invoice (head office)
//	GET   /returns?status=&dealer=             returns in scope
//	POST  /returns                             {"order", "reason", "lines"} → 201
//	GET   /returns/{number}
//	POST  /returns/{number}/approve            {"reason"?} (head office)
//	POST  /returns/{number}/reject             {"reason"} (head office)
//	GET   /analytics/dealers?season=&discount_rate=&horizon=   (head office)
//	GET   /analytics/dealers.xlsx?…            the same as a workbook
//	GET   /announcements                       a dealer's with read flags; head office's with counts
//	POST  /announcements                       {"title", "body", "region"?} → 201 (head office)
//	POST  /announcements/{id}/read             read receipt (dealers)
//	GET   /feedback?status=&dealer=            feedback threads in scope
//	POST  /feedback                            {"topic", "style"?, "subject", "rating"?, "body"} → 201 (dealers)
//	GET   /feedback/{id}                       with messages
//	POST  /feedback/{id}/messages              {"body"} → 201 the thread
//
// The POSTs that create something (shipments with their invoice, notes,
// payments, returns, announcements, feedback threads and messages) honour
// an Idempotency-Key header. Every
// rule and scope lives in dealers.Service: another dealer's object is
// not_found, a head-office action by a dealer forbidden, suppliers forbidden.
func RegisterDealers(g *echo.Group, svc *dealers.Service) {
	h := dealerHandlers{svc: svc}
	g.GET("/dealers", h.list)
	g.POST("/dealers/holds/sweep", h.sweep)
	g.GET("/dealers/:code", h.get)
	g.PATCH("/dealers/:code", h.update)
	g.POST("/dealers/:code/notes", h.addNote)
	g.POST("/orders/:number/ship", h.ship)
	g.GET("/invoices", h.invoices)
	g.GET("/invoices/:number", h.invoice)
	g.POST("/invoices/:number/payments", h.pay)
	g.GET("/returns", h.returns)
	g.POST("/returns", h.requestReturn)
	g.GET("/returns/:number", h.getReturn)
	g.POST("/returns/:number/approve", h.approve)
	g.POST("/returns/:number/reject", h.reject)
	g.GET("/analytics/dealers", h.analysis)
	g.GET("/analytics/dealers.xlsx", h.analysisXLSX)
	g.GET("/announcements", h.announcements)
	g.POST("/announcements", h.publish)
	g.POST("/announcements/:id/read", h.markRead)
	g.GET("/feedback", h.threads)
	g.POST("/feedback", h.startThread)
	g.GET("/feedback/:id", h.thread)
	g.POST("/feedback/:id/messages", h.reply)
}

type dealerHandlers struct{ svc *dealers.Service }

// dealerBindOptional decodes a JSON body when there is one.
func dealerBindOptional(c echo.Context, v any) error {
	if c.Request().ContentLength == 0 {
		return nil
	}
	return BindJSON(c, v)
}

// dealerIDParam reads a numeric path parameter; anything else is not found.
func dealerIDParam(c echo.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "%s %s not found", what, c.Param("id"))
	}
	return id, nil
}

func (h dealerHandlers) list(c echo.Context) error {
	f := dealers.ListFilter{Region: c.QueryParam("region"), Status: c.QueryParam("status"), Q: c.QueryParam("q")}
	ds, err := h.svc.List(c.Request().Context(), web.MustPrincipal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[dealers.Summary]{Items: ds})
}

func (h dealerHandlers) get(c echo.Context) error {
	r, err := h.svc.Get(c.Request().Context(), web.MustPrincipal(c), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h dealerHandlers) update(c echo.Context) error {
	var req dealers.UpdateRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	r, err := h.svc.Update(c.Request().Context(), web.MustPrincipal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// dealerIdemKey is the request's Idempotency-Key header.
func dealerIdemKey(c echo.Context) string { return c.Request().Header.Get("Idempotency-Key") }

func (h dealerHandlers) addNote(c echo.Context) error {
	var req dealers.NoteRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	n, err := h.svc.AddNote(c.Request().Context(), web.MustPrincipal(c), c.Param("code"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}

func (h dealerHandlers) sweep(c echo.Context) error {
	res, err := h.svc.SweepHolds(c.Request().Context(), web.MustPrincipal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (h dealerHandlers) ship(c echo.Context) error {
	var req dealers.ShipRequest
	if err := dealerBindOptional(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	s, err := h.svc.Ship(c.Request().Context(), web.MustPrincipal(c), c.Param("number"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h dealerHandlers) invoices(c echo.Context) error {
	f := dealers.InvoiceFilter{Dealer: c.QueryParam("dealer"), Status: c.QueryParam("status")}
	is, err := h.svc.Invoices(c.Request().Context(), web.MustPrincipal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[dealers.Invoice]{Items: is})
}

func (h dealerHandlers) invoice(c echo.Context) error {
	in, err := h.svc.Invoice(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, in)
}

func (h dealerHandlers) pay(c echo.Context) error {
	var req dealers.PaymentRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	in, err := h.svc.RecordPayment(c.Request().Context(), web.MustPrincipal(c), c.Param("number"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, in)
}

func (h dealerHandlers) returns(c echo.Context) error {
	f := dealers.ReturnFilter{Status: c.QueryParam("status"), Dealer: c.QueryParam("dealer")}
	rs, err := h.svc.Returns(c.Request().Context(), web.MustPrincipal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[dealers.Return]{Items: rs})
}

func (h dealerHandlers) requestReturn(c echo.Context) error {
	var req dealers.ReturnRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	r, err := h.svc.RequestReturn(c.Request().Context(), web.MustPrincipal(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (h dealerHandlers) getReturn(c echo.Context) error {
	r, err := h.svc.Return(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h dealerHandlers) approve(c echo.Context) error {
	var req dealers.DecisionRequest
	if err := dealerBindOptional(c, &req); err != nil {
		return err
	}
	r, err := h.svc.Approve(c.Request().Context(), web.MustPrincipal(c), c.Param("number"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h dealerHandlers) reject(c echo.Context) error {
	var req dealers.DecisionRequest
	if err := dealerBindOptional(c, &req); err != nil {
		return err
	}
	r, err := h.svc.Reject(c.Request().Context(), web.MustPrincipal(c), c.Param("number"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func dealerAnalysisParams(c echo.Context) dealers.AnalysisParams {
	return dealers.AnalysisParams{Season: c.QueryParam("season"), DiscountRate: c.QueryParam("discount_rate"),
		Horizon: c.QueryParam("horizon")}
}

func (h dealerHandlers) analysis(c echo.Context) error {
	a, err := h.svc.Analysis(c.Request().Context(), web.MustPrincipal(c), dealerAnalysisParams(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (h dealerHandlers) analysisXLSX(c echo.Context) error {
	doc, err := h.svc.AnalysisXLSX(c.Request().Context(), web.MustPrincipal(c), dealerAnalysisParams(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", doc.Filename))
	return c.Blob(http.StatusOK, doc.ContentType, doc.Body)
}

func (h dealerHandlers) announcements(c echo.Context) error {
	as, err := h.svc.Announcements(c.Request().Context(), web.MustPrincipal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[dealers.Announcement]{Items: as})
}

func (h dealerHandlers) publish(c echo.Context) error {
	var req dealers.AnnouncementRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	a, err := h.svc.Publish(c.Request().Context(), web.MustPrincipal(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

func (h dealerHandlers) markRead(c echo.Context) error {
	id, err := dealerIDParam(c, "announcement")
	if err != nil {
		return err
	}
	a, err := h.svc.MarkRead(c.Request().Context(), web.MustPrincipal(c), int(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (h dealerHandlers) threads(c echo.Context) error {
	f := dealers.ThreadFilter{Dealer: c.QueryParam("dealer"), Status: c.QueryParam("status")}
	ts, err := h.svc.Threads(c.Request().Context(), web.MustPrincipal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[dealers.Thread]{Items: ts})
}

func (h dealerHandlers) startThread(c echo.Context) error {
	var req dealers.ThreadRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	t, err := h.svc.StartThread(c.Request().Context(), web.MustPrincipal(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (h dealerHandlers) thread(c echo.Context) error {
	id, err := dealerIDParam(c, "feedback thread")
	if err != nil {
		return err
	}
	t, err := h.svc.Thread(c.Request().Context(), web.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

func (h dealerHandlers) reply(c echo.Context) error {
	id, err := dealerIDParam(c, "feedback thread")
	if err != nil {
		return err
	}
	var req dealers.MessageRequest
	if err := BindJSON(c, &req); err != nil {
		return err
	}
	req.Key = dealerIdemKey(c)
	t, err := h.svc.Reply(c.Request().Context(), web.MustPrincipal(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}
