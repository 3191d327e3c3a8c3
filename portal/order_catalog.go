package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// draftSummary is the dealer's draft for a season, in one line.
type draftSummary struct {
	Season   string
	Number   string
	Styles   int
	Qty      int
	Amount   money.Amount
	Currency string
	InDraft  map[string]int // pieces per style
}

func summarize(d ordering.Order) *draftSummary {
	s := &draftSummary{Season: d.Season, Number: d.Number, Currency: d.Currency, InDraft: map[string]int{}}
	for _, l := range d.Lines {
		if s.InDraft[l.Style] == 0 {
			s.Styles++
		}
		s.InDraft[l.Style] += l.Qty
		s.Qty += l.Qty
		s.Amount += l.Amount
	}
	return s
}

// catalogStyle is one style row of the catalogue.
type catalogStyle struct {
	catalog.Style
	Href     string
	Stock    int
	ByColor  []colorStock
	InDraft  int
	Prepacks []prepackInfo
}

type colorStock struct {
	Color string
	Qty   int
}

// catalogPage is the catalogue's Data.
type catalogPage struct {
	Seasons    []catalog.Season // open seasons, for the tabs
	Season     catalog.Season
	HasSeason  bool
	Open       bool
	Categories []catalog.Category
	Category   string
	Q          string
	Styles     []catalogStyle
	Draft      *draftSummary
	Dealer     bool
	Error      *formError
}

// catalog shows the open seasons' styles at the caller's prices, filtered by
// category and a search on code or name.
func (h *orderPages) catalog(c echo.Context) error {
	ctx := c.Request().Context()
	pr := web.MustPrincipal(c)
	lang := h.p.Lang(c)
	all, err := h.cat.Seasons(ctx, pr)
	if err != nil {
		return err
	}
	d := catalogPage{Dealer: pr.Role == auth.RoleDealer, Category: strings.TrimSpace(c.QueryParam("category")),
		Q: strings.TrimSpace(c.QueryParam("q"))}
	for _, s := range all {
		if s.Status == catalog.StatusOpen {
			d.Seasons = append(d.Seasons, s)
		}
	}
	want := strings.TrimSpace(c.QueryParam("season"))
	switch {
	case want != "":
		se, err := h.cat.Season(ctx, pr, want)
		if err != nil {
			return err
		}
		d.Season, d.HasSeason = se, true
	case len(d.Seasons) > 0:
		d.Season, d.HasSeason = d.Seasons[0], true
	}
	if !d.HasSeason {
		return h.p.Render(c, http.StatusOK, "catalog", d)
	}
	d.Open = d.Season.Status == catalog.StatusOpen
	if d.Categories, err = h.cat.Categories(ctx, pr, d.Season.Code); err != nil {
		return err
	}
	status := http.StatusOK
	styles, err := h.cat.Styles(ctx, pr, d.Season.Code, catalog.StyleFilter{Category: d.Category, Q: d.Q})
	switch {
	case apperr.Is(err, apperr.Validation):
		d.Error = newFormError(lang, err, "")
		for _, det := range detailsOf(err) {
			d.Error.Items = append(d.Error.Items, trMessage(lang, det.Message))
		}
		status = d.Error.Status
	case err != nil:
		return err
	}
	if d.Dealer && d.Open {
		draft, err := h.ord.Draft(ctx, pr, d.Season.Code)
		if err != nil {
			return err
		}
		d.Draft = summarize(draft)
	}
	filter := gridFilter(d.Category, d.Q)
	for _, st := range styles {
		cs := catalogStyle{Style: st, Href: gridHref(d.Season.Code, st.Code, filter)}
		for _, col := range st.Colors {
			n := 0
			for _, q := range st.Available[col.Code] {
				n += q
			}
			if n > 0 {
				cs.ByColor = append(cs.ByColor, colorStock{Color: col.Code, Qty: n})
				cs.Stock += n
			}
		}
		for _, pp := range st.Prepacks {
			cs.Prepacks = append(cs.Prepacks, prepackOf(pp))
		}
		if d.Draft != nil {
			cs.InDraft = d.Draft.InDraft[st.Code]
		}
		d.Styles = append(d.Styles, cs)
	}
	return h.p.Render(c, status, "catalog", d)
}

func prepackOf(pp catalog.Prepack) prepackInfo {
	info := prepackInfo{Code: pp.Code, Name: pp.Name, Pieces: pp.PackSize()}
	parts := make([]string, 0, len(pp.Sizes))
	for _, sz := range pp.Sizes {
		parts = append(parts, sz+strconv.Itoa(pp.Ratio[sz]))
	}
	info.Ratio = strings.Join(parts, " ")
	return info
}

// gridFilter is the catalogue filter that grid pages carry along, so that
// "next style" follows the dealer's filtered list.
func gridFilter(category, q string) url.Values {
	v := url.Values{}
	if category != "" {
		v.Set("category", category)
	}
	if q != "" {
		v.Set("q", q)
	}
	return v
}

func gridHref(season, style string, filter url.Values) string {
	h := "/catalog/" + escape(season) + "/" + escape(style)
	if len(filter) > 0 {
		h += "?" + filter.Encode()
	}
	return h
}

// gridPage is the order grid's Data: one style's grid (the catalogue) or
// every style of an order (an amendment).
type gridPage struct {
	Mode       string // "draft": a dealer's grid; "view": head office; "amend": an order's styles
	Season     catalog.Season
	Open       bool
	Grids      []*styleGrid
	Action     string
	Editable   bool
	Category   string // the catalogue filter, carried along
	Q          string
	CatalogURL string
	Prev, Next string // neighbouring styles in the catalogue
	PrevHref   string
	NextHref   string
	Draft      *draftSummary
	Order      *ordering.Order
	Version    int
	AddStyle   string
	Notice     *notice
	Error      *formError
	Currency   string
	Qty        int
	Amount     money.Amount
}

// total sums the grids and notes whether any can be edited.
func (d *gridPage) total() {
	d.Qty, d.Amount = 0, 0
	for _, g := range d.Grids {
		d.Qty += g.Qty
		d.Amount += g.Amount
		d.Editable = d.Editable || g.Editable
	}
}

// grid shows one style's order grid: for a dealer pre-filled from the
// draft, for head office read-only with the stock on hand.
func (h *orderPages) grid(c echo.Context) error {
	var n *notice
	if s := c.QueryParam("saved"); s != "" {
		n = h.note(c, "orders.grid.saved", s)
	}
	return h.renderGrid(c, http.StatusOK, nil, nil, n)
}

// renderGrid renders the grid page of the request's season and style, with
// the posted form (nil: the values of the draft) and its refusal.
func (h *orderPages) renderGrid(c echo.Context, status int, form *gridForm, svcErr error, n *notice) error {
	ctx := c.Request().Context()
	pr := web.MustPrincipal(c)
	lang := h.p.Lang(c)
	se, err := h.cat.Season(ctx, pr, c.Param("season"))
	if err != nil {
		return err
	}
	st, err := h.cat.Style(ctx, pr, se.Code, c.Param("style"))
	if err != nil {
		return err
	}
	category, q := strings.TrimSpace(c.QueryParam("category")), strings.TrimSpace(c.QueryParam("q"))
	if form != nil {
		category, q = strings.TrimSpace(c.FormValue("category")), strings.TrimSpace(c.FormValue("q"))
	}
	filter := gridFilter(category, q)
	d := gridPage{Mode: "view", Season: se, Open: se.Status == catalog.StatusOpen, Notice: n,
		Category: category, Q: q, CatalogURL: "/catalog?" + withSeason(filter, se.Code).Encode(),
		Action: gridHref(se.Code, st.Code, nil), Currency: st.Currency}

	values := map[cellKey]string{}
	window := ""
	if pr.Role == auth.RoleDealer {
		d.Mode = "draft"
		draft, err := h.ord.Draft(ctx, pr, se.Code)
		if err != nil {
			return err
		}
		d.Draft = summarize(draft)
		for _, l := range draft.Lines {
			if l.Style == st.Code {
				values[cellKey{Style: l.Style, Color: l.Color, Size: l.Size}] = strconv.Itoa(l.Qty)
				window = l.DeliveryWindow
			}
		}
	}
	if form != nil {
		values = form.Values
		if w, ok := form.Windows[st.Code]; ok {
			window = w
		}
	}
	g := newStyleGrid(gridSpec{Style: st, Windows: se.DeliveryWindows, Window: window, Values: values,
		Editable: d.Mode == "draft" && d.Open, ID: "g0"})
	d.Grids = []*styleGrid{g}
	d.total()

	if styles, err := h.cat.Styles(ctx, pr, se.Code, catalog.StyleFilter{Category: category, Q: q}); err == nil {
		for i, s := range styles {
			if s.Code != st.Code {
				continue
			}
			if i > 0 {
				d.Prev, d.PrevHref = styles[i-1].Code, gridHref(se.Code, styles[i-1].Code, filter)
			}
			if i+1 < len(styles) {
				d.Next, d.NextHref = styles[i+1].Code, gridHref(se.Code, styles[i+1].Code, filter)
			}
		}
	} else if !apperr.Is(err, apperr.Validation) {
		return err
	}

	if form != nil {
		if svcErr != nil {
			d.Error = newFormError(lang, svcErr, st.Currency)
		} else {
			d.Error = &formError{Status: http.StatusUnprocessableEntity, Message: h.p.T(c, "orders.err.invalid")}
		}
		d.Error.Items = append(d.Error.Items, placeGridErrors(lang, d.Grids, form, detailsOf(svcErr))...)
	}
	return h.p.Render(c, status, "order_grid", d)
}

func withSeason(v url.Values, season string) url.Values {
	out := url.Values{"season": {season}}
	for k, vs := range v {
		out[k] = vs
	}
	return out
}

// saveGrid saves the posted grid as the style's lines of the dealer's draft,
// then goes to the next style, the draft, or back to the grid.
func (h *orderPages) saveGrid(c echo.Context) error {
	form, err := bindGrid(c)
	if err != nil {
		return err
	}
	season, style := c.Param("season"), c.Param("style")
	if len(form.Bad) > 0 {
		return h.renderGrid(c, http.StatusUnprocessableEntity, form, nil, nil)
	}
	window := form.Windows[style]
	if window == "" && len(form.Windows) == 1 {
		for _, w := range form.Windows {
			window = w
		}
	}
	_, err = h.ord.SaveDraftLines(c.Request().Context(), web.MustPrincipal(c), season, style, form.Lines, window)
	if err != nil {
		if !rendersInPlace(err) {
			return err
		}
		return h.renderGrid(c, apperr.Status(apperr.CodeOf(err)), form, err, nil)
	}
	filter := gridFilter(strings.TrimSpace(c.FormValue("category")), strings.TrimSpace(c.FormValue("q")))
	switch c.FormValue("action") {
	case "next":
		if next := strings.TrimSpace(c.FormValue("next")); next != "" {
			q := url.Values{"saved": {style}}
			for k, v := range filter {
				q[k] = v
			}
			return redirect(c, "/catalog/"+escape(season)+"/"+escape(next), q)
		}
		return redirect(c, "/orders/draft/"+escape(season), url.Values{"saved": {style}})
	case "review":
		return redirect(c, "/orders/draft/"+escape(season), url.Values{"saved": {style}})
	}
	q := url.Values{"saved": {style}}
	for k, v := range filter {
		q[k] = v
	}
	return redirect(c, "/catalog/"+escape(season)+"/"+escape(style), q)
}
