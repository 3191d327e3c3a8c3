package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/web"
)

// RegisterCatalog adds the catalogue endpoints (api.md "Catalogue") to the
// authenticated /api/v1 group:
//
//	GET /seasons                               seasons with status, deadline and delivery windows
//	GET /seasons/{season}                      one season
//	GET /seasons/{season}/categories           the season's categories
//	GET /seasons/{season}/styles?category=&q=  styles at the caller's price, with stock available now
//	GET /seasons/{season}/styles/{style}       one style
//
// Dealers see their price list, head office the list price; suppliers get 403.
func RegisterCatalog(g *echo.Group, svc *catalog.Service) {
	h := catalogHandlers{svc: svc}
	g.GET("/seasons", h.seasons)
	g.GET("/seasons/:season", h.season)
	g.GET("/seasons/:season/categories", h.categories)
	g.GET("/seasons/:season/styles", h.styles)
	g.GET("/seasons/:season/styles/:style", h.style)
}

type catalogHandlers struct{ svc *catalog.Service }

func (h catalogHandlers) seasons(c echo.Context) error {
	ss, err := h.svc.Seasons(c.Request().Context(), web.MustPrincipal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[catalog.Season]{Items: ss})
}

func (h catalogHandlers) season(c echo.Context) error {
	s, err := h.svc.Season(c.Request().Context(), web.MustPrincipal(c), c.Param("season"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

func (h catalogHandlers) categories(c echo.Context) error {
	cs, err := h.svc.Categories(c.Request().Context(), web.MustPrincipal(c), c.Param("season"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[catalog.Category]{Items: cs})
}

func (h catalogHandlers) styles(c echo.Context) error {
	f := catalog.StyleFilter{Category: c.QueryParam("category"), Q: c.QueryParam("q")}
	st, err := h.svc.Styles(c.Request().Context(), web.MustPrincipal(c), c.Param("season"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[catalog.Style]{Items: st})
}

func (h catalogHandlers) style(c echo.Context) error {
	st, err := h.svc.Style(c.Request().Context(), web.MustPrincipal(c), c.Param("season"), c.Param("style"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
