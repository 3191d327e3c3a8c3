package portal

import (
	"bytes"
	"context"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/documents"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// DocumentOrders is what the document pages need: ordering.Service.
type DocumentOrders interface {
	// Get returns an order in the caller's scope: not_found for another
	// dealer's, forbidden for suppliers.
	Get(ctx context.Context, p auth.Principal, number string) (ordering.Order, error)
}

var _ DocumentOrders = (*ordering.Service)(nil)

// RegisterDocuments adds the order documents. Call it after Register.
// fontPath is SIZERUN_PDF_FONT (see documents.LoadFonts).
//
//	GET /orders/:number/confirmation.pdf   the order confirmation, in the user's language
func (p *Portal) RegisterDocuments(orders DocumentOrders, fontPath string) {
	h := &documentPages{p: p, orders: orders, pdf: documents.NewConfirmations(fontPath, nil)}
	g := p.Pages(auth.RoleDealer, auth.RolePlanner, auth.RoleAdmin)
	g.GET("/orders/:number/confirmation.pdf", h.confirmation)
}

type documentPages struct {
	p      *Portal
	orders DocumentOrders
	pdf    *documents.Confirmations
}

var documentUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (h *documentPages) confirmation(c echo.Context) error {
	o, err := h.orders.Get(c.Request().Context(), web.MustPrincipal(c), c.Param("number"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.pdf.Write(&buf, o, h.p.Lang(c)); err != nil {
		return err
	}
	name := documentUnsafe.ReplaceAllString(o.Number, "_") + ".pdf"
	hd := c.Response().Header()
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}
