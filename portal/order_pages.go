package portal

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// orderPage is the Data of an order's page and of the draft's review page.
type orderPage struct {
	Order      ordering.Order
	Status     string
	Draft      bool // the dealer's review page
	Groups     []windowGroup
	History    []eventView
	Season     catalog.Season
	HasSeason  bool
	PastCutoff bool
	CanAmend   bool
	CanCancel  bool
	CanConfirm bool
	HeadOffice bool
	IsDealer   bool
	Styles     int
	Reference  string
	Notice     *notice
	Error      *formError
}

// doneNotices are the success messages an order page shows after a
// redirect (?done=…).
var doneNotices = map[string]string{
	"submitted": "orders.done.submitted",
	"held":      "orders.done.held",
	"created":   "orders.done.created",
	"amended":   "orders.done.amended",
	"cancelled": "orders.done.cancelled",
	"confirmed": "orders.done.confirmed",
}

func (h *orderPages) orderPage(c echo.Context, o ordering.Order) orderPage {
	pr := web.MustPrincipal(c)
	d := orderPage{Order: o, Status: string(o.Status), Groups: groupLines(o), History: historyOf(o.History),
		HeadOffice: pr.IsHeadOffice(), IsDealer: pr.Role == auth.RoleDealer, Reference: o.Reference}
	for _, g := range d.Groups {
		d.Styles += len(g.Grids)
	}
	if se, err := h.cat.Season(c.Request().Context(), pr, o.Season); err == nil {
		d.Season, d.HasSeason = se, true
		d.PastCutoff = se.PastCutoff(time.Now())
	}
	d.CanAmend = o.Status.Amendable() && d.HasSeason && !d.PastCutoff
	d.CanCancel = o.Status.Cancellable() && (o.Status == ordering.StatusDraft || (d.HasSeason && !d.PastCutoff))
	d.CanConfirm = d.HeadOffice && (o.Status == ordering.StatusSubmitted || o.Status == ordering.StatusHeld)
	return d
}

// detail shows an order: header, lines by delivery window and style,
// totals, history and the actions its state allows.
func (h *orderPages) detail(c echo.Context) error {
	o, err := h.ord.Get(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	d := h.orderPage(c, o)
	if key, ok := doneNotices[c.QueryParam("done")]; ok {
		d.Notice = h.note(c, key, o.Number)
	}
	return h.p.Render(c, http.StatusOK, "order", d)
}

// renderDetailError shows an order's page with a refusal at the top.
func (h *orderPages) renderDetailError(c echo.Context, number string, cause error) error {
	o, err := h.ord.Get(c.Request().Context(), web.MustPrincipal(c), number)
	if err != nil {
		return err
	}
	d := h.orderPage(c, o)
	d.Error = newFormError(h.p.Lang(c), cause, o.Currency)
	return h.p.Render(c, d.Error.Status, "order", d)
}

// cancel cancels an order.
func (h *orderPages) cancel(c echo.Context) error {
	number := c.Param("number")
	o, err := h.ord.Cancel(c.Request().Context(), web.MustPrincipal(c), number)
	if err != nil {
		if !rendersInPlace(err) {
			return err
		}
		return h.renderDetailError(c, number, err)
	}
	return redirect(c, "/orders/"+escape(o.Number), url.Values{"done": {"cancelled"}})
}

// draft shows the dealer's draft for a season, ready to submit.
func (h *orderPages) draft(c echo.Context) error {
	var n *notice
	if s := c.QueryParam("saved"); s != "" {
		n = h.note(c, "orders.grid.saved", s)
	} else if s := c.QueryParam("removed"); s != "" {
		n = h.note(c, "orders.draft.removed", s)
	}
	return h.renderDraft(c, http.StatusOK, n, nil, "")
}

func (h *orderPages) renderDraft(c echo.Context, status int, n *notice, cause error, reference string) error {
	ctx := c.Request().Context()
	pr := web.MustPrincipal(c)
	o, err := h.ord.Draft(ctx, pr, c.Param("season"))
	if err != nil {
		return err
	}
	d := h.orderPage(c, o)
	d.Draft, d.Notice, d.History = true, n, nil
	if cause != nil {
		d.Reference = reference
		lang := h.p.Lang(c)
		d.Error = newFormError(lang, cause, o.Currency)
		grids := map[string]*styleGrid{}
		for _, g := range d.Groups {
			for _, sg := range g.Grids {
				grids[sg.Code] = sg
			}
		}
		for _, det := range detailsOf(cause) {
			msg := trMessage(lang, det.Message)
			if style, color, _, _, ok := labelField(det.Field); ok {
				if g := grids[style]; g != nil && g.markRow(color, msg) {
					continue
				}
			}
			d.Error.Items = append(d.Error.Items, msg)
		}
	}
	return h.p.Render(c, status, "order", d)
}

// submitDraft submits the dealer's draft with its reference.
func (h *orderPages) submitDraft(c echo.Context) error {
	reference := c.FormValue("reference")
	o, err := h.ord.SubmitDraft(c.Request().Context(), web.MustPrincipal(c), c.Param("season"), reference)
	if err != nil {
		// Not found is "you have no draft"; an unknown season is not found
		// again when the page is rendered, and shows the error page.
		if !rendersInPlace(err) && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return h.renderDraft(c, apperr.Status(apperr.CodeOf(err)), nil, err, reference)
	}
	done := "submitted"
	if o.Status == ordering.StatusHeld {
		done = "held"
	}
	return redirect(c, "/orders/"+escape(o.Number), url.Values{"done": {done}})
}

// removeStyle removes one style from the dealer's draft.
func (h *orderPages) removeStyle(c echo.Context) error {
	style := strings.TrimSpace(c.FormValue("style"))
	season := c.Param("season")
	_, err := h.ord.SaveDraftLines(c.Request().Context(), web.MustPrincipal(c), season, style, nil, "")
	if err != nil {
		if !rendersInPlace(err) {
			return err
		}
		return h.renderDraft(c, apperr.Status(apperr.CodeOf(err)), nil, err, "")
	}
	return redirect(c, "/orders/draft/"+escape(season), url.Values{"removed": {style}})
}

// listItem is one order of the list.
type listItem struct {
	ordering.Order
	StatusName  string
	Confirmable bool
}

// listPage is the orders list's Data.
type listPage struct {
	Items      []listItem
	Seasons    []catalog.Season
	Statuses   []string
	Season     string
	Status     string
	Dealer     string
	Cursor     string
	NextHref   string
	FirstHref  string
	HeadOffice bool
	IsDealer   bool
	CanConfirm bool
	Drafts     []*draftSummary
	Back       string
	Notice     *notice
	Error      *formError
}

// list shows the orders in the caller's scope, filtered, a page at a time.
func (h *orderPages) list(c echo.Context) error {
	var n *notice
	if s := c.QueryParam("confirmed"); s != "" {
		if k, err := strconv.Atoi(s); err == nil && k > 0 {
			n = h.note(c, "orders.list.confirmed", k)
		}
	}
	return h.renderList(c, http.StatusOK, c.Request().URL.Query(), n, nil)
}

func (h *orderPages) renderList(c echo.Context, status int, q url.Values, n *notice, cause error) error {
	ctx := c.Request().Context()
	pr := web.MustPrincipal(c)
	lang := h.p.Lang(c)
	d := listPage{Season: strings.TrimSpace(q.Get("season")), Status: strings.TrimSpace(q.Get("status")),
		Cursor: q.Get("cursor"), HeadOffice: pr.IsHeadOffice(), IsDealer: pr.Role == auth.RoleDealer, Notice: n}
	if d.HeadOffice {
		d.Dealer = strings.TrimSpace(q.Get("dealer"))
	}
	for _, s := range ordering.Statuses {
		d.Statuses = append(d.Statuses, string(s))
	}
	seasons, err := h.cat.Seasons(ctx, pr)
	if err != nil {
		return err
	}
	d.Seasons = seasons
	filter := url.Values{}
	for k, v := range map[string]string{"season": d.Season, "status": d.Status, "dealer": d.Dealer} {
		if v != "" {
			filter.Set(k, v)
		}
	}
	d.FirstHref = "/orders"
	if len(filter) > 0 {
		d.FirstHref += "?" + filter.Encode()
	}
	d.Back = d.FirstHref
	if d.Cursor != "" {
		back := url.Values{"cursor": {d.Cursor}}
		for k, v := range filter {
			back[k] = v
		}
		d.Back = "/orders?" + back.Encode()
	}
	page, err := h.ord.List(ctx, pr, ordering.ListFilter{Season: d.Season, Status: d.Status, Dealer: d.Dealer, Cursor: d.Cursor})
	switch {
	case apperr.Is(err, apperr.Validation):
		e := newFormError(lang, err, "")
		for _, det := range detailsOf(err) {
			e.Items = append(e.Items, trMessage(lang, det.Message))
		}
		d.Error, status = e, e.Status
	case err != nil:
		return err
	}
	for _, o := range page.Items {
		it := listItem{Order: o, StatusName: string(o.Status)}
		it.Confirmable = d.HeadOffice && (o.Status == ordering.StatusSubmitted || o.Status == ordering.StatusHeld)
		d.CanConfirm = d.CanConfirm || it.Confirmable
		d.Items = append(d.Items, it)
	}
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		for k, v := range filter {
			next[k] = v
		}
		d.NextHref = "/orders?" + next.Encode()
	}
	if d.IsDealer {
		for _, se := range seasons {
			if se.Status != catalog.StatusOpen {
				continue
			}
			draft, err := h.ord.Draft(ctx, pr, se.Code)
			if err != nil {
				return err
			}
			if len(draft.Lines) > 0 {
				d.Drafts = append(d.Drafts, summarize(draft))
			}
		}
	}
	if cause != nil {
		e := newFormError(lang, cause, "")
		if dets := detailsOf(cause); len(dets) > 0 {
			// No marks to point at on the list: the details are the message.
			e.Message, e.Items = trMessage(lang, dets[0].Message), nil
			for _, det := range dets[1:] {
				e.Items = append(e.Items, trMessage(lang, det.Message))
			}
		}
		d.Error, status = e, e.Status
	}
	return h.p.Render(c, status, "orders", d)
}

// confirm confirms the selected orders (head office), all or none.
func (h *orderPages) confirm(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	numbers := form["number"]
	back := localPath(c.FormValue("back"))
	if back == "" || !strings.HasPrefix(back, "/orders") {
		back = "/orders"
	}
	bu, _ := url.Parse(back)
	done, err := h.ord.Confirm(c.Request().Context(), web.MustPrincipal(c), numbers)
	if err != nil {
		if !rendersInPlace(err) {
			return err
		}
		return h.renderList(c, apperr.Status(apperr.CodeOf(err)), bu.Query(), nil, err)
	}
	q := bu.Query()
	q.Set("confirmed", strconv.Itoa(len(done)))
	return redirect(c, bu.Path, q)
}

// edit shows every style of an order as a grid, to amend it.
func (h *orderPages) edit(c echo.Context) error {
	o, err := h.ord.Get(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	if !o.Status.Amendable() {
		return h.renderDetailError(c, o.Number, apperr.New(apperr.InvalidState, "order %s is %s and cannot be amended", o.Number, o.Status))
	}
	return h.renderEdit(c, http.StatusOK, o, o.Version, nil, nil)
}

// renderEdit renders the amendment grids of o: its lines, or the posted form.
func (h *orderPages) renderEdit(c echo.Context, status int, o ordering.Order, version int, form *gridForm, cause error) error {
	ctx := c.Request().Context()
	pr := web.MustPrincipal(c)
	lang := h.p.Lang(c)
	se, err := h.cat.Season(ctx, pr, o.Season)
	if err != nil {
		return err
	}
	styles, err := h.cat.Styles(ctx, pr, o.Season, catalog.StyleFilter{})
	if err != nil {
		return err
	}
	byCode := make(map[string]catalog.Style, len(styles))
	for _, s := range styles {
		byCode[s.Code] = s
	}
	values := map[cellKey]string{}
	windows := map[string]string{}
	prices := map[string]money.Amount{}
	var codes []string
	byStyle := map[string][]ordering.Line{}
	for _, l := range o.Lines {
		if _, ok := byStyle[l.Style]; !ok {
			codes = append(codes, l.Style)
		}
		byStyle[l.Style] = append(byStyle[l.Style], l)
		values[cellKey{Style: l.Style, Color: l.Color, Size: l.Size}] = strconv.Itoa(l.Qty)
		windows[l.Style] = l.DeliveryWindow
		if _, ok := prices[l.Style]; !ok {
			prices[l.Style] = l.UnitPrice
		}
	}
	add := strings.TrimSpace(c.QueryParam("add"))
	if form != nil {
		values, windows = form.Values, form.Windows
		add = ""
		for _, s := range form.Styles {
			if _, ok := byStyle[s]; !ok {
				if _, known := byCode[s]; known {
					codes = append(codes, s)
					byStyle[s] = nil
				}
			}
		}
	}
	d := gridPage{Mode: "amend", Season: se, Open: !se.PastCutoff(time.Now()), Order: &o, Version: version,
		Action: "/orders/" + escape(o.Number) + "/edit", Currency: o.Currency, AddStyle: add}
	if add != "" {
		add = strings.ToUpper(add)
		_, on := byStyle[add]
		_, known := byCode[add]
		if known && !on {
			codes = append(codes, add)
		}
		if known || on {
			d.AddStyle = ""
		}
	}
	for i, code := range codes {
		st, ok := byCode[code]
		if !ok {
			// No longer in the catalogue: its lines, as they are.
			st = catalog.Style{Code: code, Currency: o.Currency}
			g := linesGrid(byStyle[code], o.Currency, "")
			st.Name, st.Sizes = g.Name, g.Sizes
			for _, r := range g.Rows {
				st.Colors = append(st.Colors, catalog.Color{Code: r.Color, Name: r.ColorName})
			}
		}
		spec := gridSpec{Style: st, Currency: o.Currency, Windows: se.DeliveryWindows, Window: windows[code],
			Values: values, Editable: d.Open, ID: fmt.Sprintf("g%d", i)}
		if p, ok := prices[code]; ok {
			spec.Price = &p
		}
		d.Grids = append(d.Grids, newStyleGrid(spec))
	}
	d.total()
	if add != "" && d.AddStyle != "" {
		d.Error = &formError{Status: http.StatusUnprocessableEntity, Message: h.p.T(c, "orders.err.style_unknown", add, o.Season)}
	}
	if form != nil {
		if cause != nil {
			d.Error = newFormError(lang, cause, o.Currency)
		} else {
			d.Error = &formError{Status: http.StatusUnprocessableEntity, Message: h.p.T(c, "orders.err.invalid")}
		}
		d.Error.Items = append(d.Error.Items, placeGridErrors(lang, d.Grids, form, detailsOf(cause))...)
	}
	return h.p.Render(c, status, "order_grid", d)
}

// amend replaces an order's lines with the posted grids, at the version
// the form was made from.
func (h *orderPages) amend(c echo.Context) error {
	ctx := c.Request().Context()
	pr := web.MustPrincipal(c)
	number := c.Param("number")
	form, err := bindGrid(c)
	if err != nil {
		return err
	}
	version, verr := strconv.Atoi(strings.TrimSpace(c.FormValue("version")))
	if verr != nil || version <= 0 {
		return apperr.Field("version", "the form has no valid order version; reload the page")
	}
	var cause error
	if len(form.Bad) == 0 {
		o, err := h.ord.Replace(ctx, pr, number, version, form.withWindows())
		if err == nil {
			return redirect(c, "/orders/"+escape(o.Number), url.Values{"done": {"amended"}})
		}
		if !rendersInPlace(err) {
			return err
		}
		cause = err
	}
	o, err := h.ord.Get(ctx, pr, number)
	if err != nil {
		return err
	}
	status := http.StatusUnprocessableEntity
	if cause != nil {
		status = apperr.Status(apperr.CodeOf(cause))
	}
	return h.renderEdit(c, status, o, version, form, cause)
}

// newOrderPage is the Data of the page where head office enters an order
// for a dealer.
type newOrderPage struct {
	Seasons    []catalog.Season
	Dealer     string
	Season     string
	Reference  string
	Lines      string
	Key        string
	Errors     map[string]string // dealer, season, reference, lines
	LineErrors []string
	Error      *formError
}

func (h *orderPages) newOrder(c echo.Context) error {
	d := newOrderPage{Dealer: strings.ToUpper(strings.TrimSpace(c.QueryParam("dealer"))),
		Season: strings.TrimSpace(c.QueryParam("season")), Key: newKey()}
	return h.renderNew(c, http.StatusOK, d)
}

func (h *orderPages) renderNew(c echo.Context, status int, d newOrderPage) error {
	seasons, err := h.cat.Seasons(c.Request().Context(), web.MustPrincipal(c))
	if err != nil {
		return err
	}
	for _, s := range seasons {
		if s.Status == catalog.StatusOpen || s.Code == d.Season {
			d.Seasons = append(d.Seasons, s)
		}
	}
	if d.Season == "" && len(d.Seasons) > 0 {
		d.Season = d.Seasons[0].Code
	}
	return h.p.Render(c, status, "order_new", d)
}

// createOrder submits an order for a dealer from the lines typed or pasted
// into the form, one "STYLE COLOUR SIZE QTY" (or "STYLE COLOUR PREPACK xPACKS")
// per line.
func (h *orderPages) createOrder(c echo.Context) error {
	lang := h.p.Lang(c)
	d := newOrderPage{Dealer: strings.ToUpper(strings.TrimSpace(c.FormValue("dealer"))),
		Season: strings.TrimSpace(c.FormValue("season")), Reference: c.FormValue("reference"),
		Lines: c.FormValue("lines"), Key: c.FormValue("key"), Errors: map[string]string{}}
	if d.Key == "" || len(d.Key) > 64 {
		d.Key = newKey()
	}
	reqs, lineNos, bad := parseOrderLines(d.Lines)
	for _, b := range bad {
		d.LineErrors = append(d.LineErrors, h.p.T(c, "orders.new.line_error", strconv.Itoa(b), h.p.T(c, "orders.new.syntax")))
	}
	if len(bad) > 0 {
		d.Error = &formError{Status: http.StatusUnprocessableEntity, Message: h.p.T(c, "orders.err.invalid")}
		return h.renderNew(c, d.Error.Status, d)
	}
	req := ordering.SubmitRequest{Season: d.Season, Dealer: d.Dealer, Reference: d.Reference, Lines: reqs}
	o, _, err := h.ord.Submit(c.Request().Context(), web.MustPrincipal(c), req, d.Key)
	if err == nil {
		done := "created"
		if o.Status == ordering.StatusHeld {
			done = "held"
		}
		return redirect(c, "/orders/"+escape(o.Number), url.Values{"done": {done}})
	}
	if !rendersInPlace(err) {
		return err
	}
	d.Error = newFormError(lang, err, "")
	for _, det := range detailsOf(err) {
		msg := trMessage(lang, det.Message)
		if i, _, ok := lineIndex(det.Field); ok && i < len(lineNos) {
			d.LineErrors = append(d.LineErrors, h.p.T(c, "orders.new.line_error", strconv.Itoa(lineNos[i]), msg))
			continue
		}
		switch det.Field {
		case "dealer", "season", "reference", "lines":
			d.Errors[det.Field] = msg
		default:
			d.Error.Items = append(d.Error.Items, msg)
		}
	}
	return h.renderNew(c, d.Error.Status, d)
}

// parseOrderLines reads "ST1001 BLK M 12" or "ST1001 NVY PP1 x3" lines,
// separated by spaces, tabs, commas or semicolons; blank lines and lines
// starting with # are skipped. It returns the requests, the text line
// number of each, and the numbers of lines it could not read.
func parseOrderLines(text string) (reqs []ordering.LineRequest, lineNos []int, bad []int) {
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.FieldsFunc(line, func(r rune) bool {
			return r == ' ' || r == '\t' || r == ',' || r == ';' || r == '\u3000'
		})
		if len(f) != 4 {
			bad = append(bad, i+1)
			continue
		}
		r := ordering.LineRequest{Style: f[0], Color: f[1]}
		n := f[3]
		if p, ok := cutPrefixFold(n, "x", "×", "*"); ok {
			packs, err := strconv.Atoi(p)
			if err != nil {
				bad = append(bad, i+1)
				continue
			}
			r.Prepack, r.Packs = f[2], packs
		} else {
			qty, err := strconv.Atoi(n)
			if err != nil {
				bad = append(bad, i+1)
				continue
			}
			r.Size, r.Qty = f[2], qty
		}
		reqs = append(reqs, r)
		lineNos = append(lineNos, i+1)
	}
	return reqs, lineNos, bad
}

func cutPrefixFold(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):], true
		}
	}
	return s, false
}

// newKey returns a random Idempotency-Key for a form, so that sending the
// form twice places one order.
func newKey() string {
	b := make([]byte, 18)
	rand.Read(b)
	return "portal-" + base64.RawURLEncoding.EncodeToString(b)
}
