package api

import (
	"bytes"
	"context"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/documents"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// RegisterDocuments adds the order documents to the authenticated /api/v1
// group:
//
//	GET /orders/{number}/confirmation.pdf?lang=   the order confirmation
//
// The language is ?lang= (en, zh, ko), else the user's own, else the
// Accept-Language header's. fontPath is SIZERUN_PDF_FONT (see
// documents.LoadFonts). Scope is ordering's: another dealer's order is
// not_found, suppliers are forbidden.
func RegisterDocuments(g *echo.Group, ord *ordering.Service, fontPath string) {
	h := documentHandlers{orders: ord, pdf: documents.NewConfirmations(fontPath, nil)}
	g.GET("/orders/:number/confirmation.pdf", h.confirmation)
}

type documentHandlers struct {
	orders interface {
		Get(ctx context.Context, p auth.Principal, number string) (ordering.Order, error)
	}
	pdf *documents.Confirmations
}

func (h documentHandlers) confirmation(c echo.Context) error {
	p := web.MustPrincipal(c)
	o, err := h.orders.Get(c.Request().Context(), p, c.Param("number"))
	if err != nil {
		return err
	}
	lang := c.QueryParam("lang")
	if !i18n.Supported(lang) {
		lang = i18n.Pick("", p.Locale, c.Request().Header.Get("Accept-Language"))
	}
	var buf bytes.Buffer
	if err := h.pdf.Write(&buf, o, lang); err != nil {
		return err
	}
	return SendPDF(c, PDFName(o.Number), buf.Bytes())
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// PDFName is a safe download name for a document number: "SO-SS27-000001.pdf".
func PDFName(number string) string {
	n := unsafeName.ReplaceAllString(number, "_")
	if n == "" {
		n = "document"
	}
	return n + ".pdf"
}

// SendPDF answers with a PDF as a download named name (which must be safe,
// see PDFName); it is not cached anywhere.
func SendPDF(c echo.Context, name string, pdf []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}
