package portal

import (
	"context"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/ordering"
)

// Catalog is what the order pages need from the catalogue service.
type Catalog interface {
	// Seasons lists every season with its status.
	Seasons(ctx context.Context, p auth.Principal) ([]catalog.Season, error)
	// Season returns one season; not_found.
	Season(ctx context.Context, p auth.Principal, code string) (catalog.Season, error)
	// Styles lists a season's styles at p's prices.
	Styles(ctx context.Context, p auth.Principal, season string, f catalog.StyleFilter) ([]catalog.Style, error)
	// Style returns one style of a season; not_found.
	Style(ctx context.Context, p auth.Principal, season, style string) (catalog.Style, error)
	// Categories lists a season's categories.
	Categories(ctx context.Context, p auth.Principal, season string) ([]catalog.Category, error)
}

// Orders is what the order pages need from the ordering service. Every
// method scopes by the principal and enforces every rule.
type Orders interface {
	Submit(ctx context.Context, p auth.Principal, req ordering.SubmitRequest, idemKey string) (ordering.Order, bool, error)
	Get(ctx context.Context, p auth.Principal, number string) (ordering.Order, error)
	List(ctx context.Context, p auth.Principal, f ordering.ListFilter) (ordering.Page, error)
	Replace(ctx context.Context, p auth.Principal, number string, version int, reqs []ordering.LineRequest) (ordering.Order, error)
	Cancel(ctx context.Context, p auth.Principal, number string) (ordering.Order, error)
	Confirm(ctx context.Context, p auth.Principal, numbers []string) ([]ordering.Order, error)
	Draft(ctx context.Context, p auth.Principal, season string) (ordering.Order, error)
	SaveDraftLines(ctx context.Context, p auth.Principal, season, style string, reqs []ordering.LineRequest, deliveryWindow string) (ordering.Order, error)
	SubmitDraft(ctx context.Context, p auth.Principal, season, reference string) (ordering.Order, error)
}

var (
	_ Catalog = (*catalog.Service)(nil)
	_ Orders  = (*ordering.Service)(nil)
)

// orderPages serves the catalogue, the order grid, the draft and the order
// pages. Handlers bind the form, call one service method and render; the
// other calls they make only gather what the page shows.
type orderPages struct {
	p   *Portal
	cat Catalog
	ord Orders
}

// RegisterOrdering adds the dealers' and planners' order pages. Call it after
// Register:
//
//	GET  /catalog                         open seasons' styles (dealer, planner, admin)
//	GET  /catalog/:season/:style          the order grid (read-only for head office)
//	POST /catalog/:season/:style          save the grid to the draft (dealer)
//	GET  /orders/draft/:season            review the draft (dealer)
//	POST /orders/draft/:season/submit     submit it (dealer)
//	POST /orders/draft/:season/remove     remove a style from it (dealer)
//	GET  /orders                          list with filters (dealer, planner, admin)
//	POST /orders/confirm                  confirm the selected orders (planner, admin)
//	GET  /orders/new, POST /orders/new    enter an order for a dealer (planner, admin)
//	GET  /orders/:number                  detail with history
//	GET  /orders/:number/edit, POST       amend (optimistic locking on the version)
//	POST /orders/:number/cancel           cancel
func (p *Portal) RegisterOrdering(cat Catalog, ord Orders) {
	h := &orderPages{p: p, cat: cat, ord: ord}
	all := p.Pages(auth.RoleDealer, auth.RolePlanner, auth.RoleAdmin)
	dealer := p.Pages(auth.RoleDealer)
	office := p.Pages(auth.RolePlanner, auth.RoleAdmin)

	all.GET("/catalog", h.catalog)
	all.GET("/catalog/:season/:style", h.grid)
	dealer.POST("/catalog/:season/:style", h.saveGrid)

	dealer.GET("/orders/draft/:season", h.draft)
	dealer.POST("/orders/draft/:season/submit", h.submitDraft)
	dealer.POST("/orders/draft/:season/remove", h.removeStyle)

	all.GET("/orders", h.list)
	office.POST("/orders/confirm", h.confirm)
	office.GET("/orders/new", h.newOrder)
	office.POST("/orders/new", h.createOrder)
	all.GET("/orders/:number", h.detail)
	all.GET("/orders/:number/edit", h.edit)
	all.POST("/orders/:number/edit", h.amend)
	all.POST("/orders/:number/cancel", h.cancel)
}

// notice is a success message shown at the top of a page, translated.
type notice struct{ Text string }

func (h *orderPages) note(c echo.Context, key string, args ...any) *notice {
	return &notice{Text: h.p.T(c, key, args...)}
}

// redirect answers a POST with 303 See Other to path with query.
func redirect(c echo.Context, path string, q url.Values) error {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// escape returns a code as one URL path segment.
func escape(code string) string { return url.PathEscape(code) }
