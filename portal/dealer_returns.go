package portal

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/web"
)

// dlReturnsPage is the returns list's Data.
type dlReturnsPage struct {
	Returns []dealers.Return
	Status  string
	Dealer  bool
	Office  bool
	Notice  string
	Error   *dlFormError
}

func (h *dealerPages) returns(c echo.Context) error {
	pr := web.MustPrincipal(c)
	d := dlReturnsPage{Status: c.QueryParam("status"), Dealer: pr.Role == auth.RoleDealer, Office: pr.IsHeadOffice(),
		Notice: dlDoneNotice(c, h.p)}
	status := http.StatusOK
	var err error
	if d.Returns, err = h.svc.Returns(c.Request().Context(), pr, dealers.ReturnFilter{Status: d.Status}); err != nil {
		if d.Error = h.dealerFormError(c, "filter", err); d.Error == nil {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	return h.p.Render(c, status, "returns", d)
}

// dlReturnFormPage is the return request form's Data: first the shipped
// orders to choose from, then the chosen order's lines.
type dlReturnFormPage struct {
	Orders []dealers.OrderSummary
	Order  *dealers.OrderSummary
	Lines  []dlReturnFormLine
	Reason string
	Error  *dlFormError
}

type dlReturnFormLine struct {
	dealers.Returnable
	Key   string // the qty input's name
	Value string // what was entered
	Error string
}

func dlLineKey(style, color, size string) string { return "qty:" + style + "|" + color + "|" + size }

func (h *dealerPages) returnForm(c echo.Context) error {
	return h.renderReturnForm(c, http.StatusOK, c.QueryParam("order"), nil, nil)
}

func (h *dealerPages) renderReturnForm(c echo.Context, status int, number string, form url.Values, ferr *dlFormError) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	d := dlReturnFormPage{Error: ferr, Reason: form.Get("reason")}
	var err error
	if d.Orders, err = h.svc.ReturnableOrders(ctx, pr); err != nil {
		return err
	}
	if number = strings.TrimSpace(number); number != "" {
		o, lines, err := h.svc.ReturnableLines(ctx, pr, number)
		if apperr.Is(err, apperr.InvalidState) {
			d.Error = h.dealerFormError(c, "return", err)
			status = http.StatusConflict
		} else if err != nil {
			return err
		} else {
			d.Order = &o
			for _, l := range lines {
				k := dlLineKey(l.Style, l.Color, l.Size)
				d.Lines = append(d.Lines, dlReturnFormLine{Returnable: l, Key: k, Value: form.Get(k), Error: ferr.Field(k)})
			}
		}
	}
	return h.p.Render(c, status, "returns_new", d)
}

func (h *dealerPages) requestReturn(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return apperr.Field("body", "the form could not be read")
	}
	number := strings.TrimSpace(form.Get("order"))
	req := dealers.ReturnRequest{Order: number, Reason: form.Get("reason")}
	var keys []string
	for k := range form {
		if strings.HasPrefix(k, "qty:") && strings.TrimSpace(form.Get(k)) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > dealers.MaxReturnLines {
		keys = keys[:dealers.MaxReturnLines+1] // the service names the limit
	}
	for _, k := range keys {
		parts := strings.Split(strings.TrimPrefix(k, "qty:"), "|")
		if len(parts) != 3 {
			continue
		}
		v := strings.TrimSpace(form.Get(k))
		qty, err := strconv.Atoi(v)
		if err != nil || qty < 0 {
			qty = -1
		}
		if qty == 0 {
			continue
		}
		req.Lines = append(req.Lines, dealers.ReturnLineRequest{Style: parts[0], Color: parts[1], Size: parts[2], Qty: qty})
	}
	r, err := h.svc.RequestReturn(c.Request().Context(), web.MustPrincipal(c), req)
	if err != nil {
		ferr := h.dealerFormError(c, "return", err)
		if ferr == nil {
			return err
		}
		// Name the SKU rows of the form instead of lines[i].
		for field, msg := range ferr.Fields {
			if m := dlIndexRE.FindStringSubmatch(field); m != nil {
				if i := dlAtoi(m[1]); i < len(req.Lines) {
					l := req.Lines[i]
					ferr.Fields[dlLineKey(l.Style, l.Color, l.Size)] = msg
				}
			}
		}
		status := http.StatusUnprocessableEntity
		if apperr.Is(err, apperr.InvalidState) {
			status = http.StatusConflict
		}
		return h.renderReturnForm(c, status, number, form, ferr)
	}
	return dlSeeOther(c, "/returns/"+url.PathEscape(r.Number), url.Values{"done": {"requested"}, "ref": {r.Number}})
}

// dlReturnPage is a return's Data.
type dlReturnPage struct {
	dealers.Return
	Office bool
	Notice string
	Error  *dlFormError
	Form   url.Values
}

func (h *dealerPages) returnDetail(c echo.Context) error {
	return h.renderReturn(c, http.StatusOK, nil, nil)
}

func (h *dealerPages) renderReturn(c echo.Context, status int, ferr *dlFormError, form url.Values) error {
	pr := web.MustPrincipal(c)
	r, err := h.svc.Return(c.Request().Context(), pr, c.Param("number"))
	if err != nil {
		return err
	}
	d := dlReturnPage{Return: r, Office: pr.IsHeadOffice(), Error: ferr, Form: form}
	if ferr == nil {
		d.Notice = dlDoneNotice(c, h.p)
	}
	return h.p.Render(c, status, "returns_detail", d)
}

func (h *dealerPages) decide(c echo.Context, approve bool) error {
	pr := web.MustPrincipal(c)
	number := c.Param("number")
	req := dealers.DecisionRequest{Reason: c.FormValue("reason")}
	var err error
	form, done := "reject", "rejected"
	if approve {
		form, done = "approve", "approved"
		_, err = h.svc.Approve(c.Request().Context(), pr, number, req)
	} else {
		_, err = h.svc.Reject(c.Request().Context(), pr, number, req)
	}
	if err != nil {
		ferr := h.dealerFormError(c, form, err)
		if ferr == nil {
			return err
		}
		f, _ := c.FormParams()
		status := http.StatusUnprocessableEntity
		if apperr.Is(err, apperr.InvalidState) {
			status = http.StatusConflict
		}
		return h.renderReturn(c, status, ferr, f)
	}
	return dlSeeOther(c, "/returns/"+url.PathEscape(number), url.Values{"done": {done}, "ref": {number}})
}

func (h *dealerPages) approve(c echo.Context) error { return h.decide(c, true) }
func (h *dealerPages) reject(c echo.Context) error  { return h.decide(c, false) }
