// Package portal is Sizerun's server-rendered web portal: Echo HTML handlers,
// the session cookie, CSRF protection, the user's language, the layout every
// page shares and the error pages. Handlers bind the form, call one service
// method and render a template from the templates package.
//
// Other packages add their pages behind the portal's authentication and CSRF
// check with Pages:
//
//	g := p.Pages(auth.RolePlanner, auth.RoleAdmin)
//	g.GET("/rollups", h.rollups)   // h calls p.Render(c, http.StatusOK, "rollups", data)
package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/overview"
	"github.com/sizerun/sizerun/web"
)

// Overview is what the home pages need from the overview service.
type Overview interface {
	// Home returns the home page of p's role.
	Home(ctx context.Context, p auth.Principal) (overview.Home, error)
}

var (
	_ web.PageRenderer = (*Portal)(nil)
	_ Overview         = (*overview.Service)(nil)
)

// Deps are the portal's dependencies.
type Deps struct {
	Log      *slog.Logger
	Auth     *auth.Service
	Overview Overview
	// CookieSecure marks every cookie Secure (HTTPS only); set it in production.
	CookieSecure bool
	// Secret signs the CSRF tokens; at least 32 characters, the same in every
	// server process (the JWT secret will do: the portal derives its own key).
	// Empty means a random key, valid only in this process.
	Secret string
}

// Portal serves the web pages.
type Portal struct {
	log      *slog.Logger
	auth     *auth.Service
	tokens   *auth.Tokens
	overview Overview
	secure   bool
	csrfKey  []byte
	views    *views
	static   *assets

	e          *echo.Echo
	routesOnce sync.Once
	routes     map[string]bool // GET paths registered on e, for the navigation
}

// New returns the portal. It panics if the embedded templates do not parse,
// which the package's tests rule out.
func New(d Deps) *Portal {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Portal{log: log, auth: d.Auth, overview: d.Overview, secure: d.CookieSecure}
	if d.Auth != nil {
		p.tokens = d.Auth.Tokens()
	}
	secret := []byte(d.Secret)
	if len(secret) == 0 {
		log.Warn("portal: no secret given; CSRF tokens are valid in this process only")
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("sizerun portal csrf v1"))
	p.csrfKey = m.Sum(nil)

	var err error
	if p.static, err = loadAssets(); err != nil {
		panic("portal: " + err.Error())
	}
	if p.views, err = parseViews(p.staticFuncs()); err != nil {
		panic("portal: " + err.Error())
	}
	return p
}

// Register adds the portal's routes to e: static files, the sign-in and
// sign-out, the language switch and the home pages. Call it before Pages.
func (p *Portal) Register(e *echo.Echo) {
	p.e = e
	e.GET("/static/*", p.serveStatic)
	e.HEAD("/static/*", p.serveStatic)

	e.GET("/", p.root, p.optionalAuth)
	e.GET("/login", p.loginForm, p.CSRF, p.optionalAuth)
	e.POST("/login", p.login, p.CSRF, p.optionalAuth)
	e.POST("/logout", p.logout, p.CSRF)
	e.POST("/lang", p.setLang, p.CSRF, p.optionalAuth)

	g := p.Pages()
	g.GET("/home", p.home)
}

// Pages returns a group for portal pages: behind the CSRF check on every
// state-changing request and the session cookie (no session: a redirect to
// the sign-in page), and, when roles are given, only for those roles (others
// get a 403 page). Register must have been called.
func (p *Portal) Pages(roles ...auth.Role) *echo.Group {
	if p.e == nil {
		panic("portal: Pages called before Register")
	}
	mw := []echo.MiddlewareFunc{p.CSRF, p.Authenticate}
	if len(roles) > 0 {
		mw = append(mw, web.RequireRole(roles...))
	}
	g := p.e.Group("", mw...)
	// A group with middleware registers catch-all 404 routes ("/" and "/*")
	// that run its middleware, so that an unknown URL would answer 403 or a
	// redirect depending on which group came last. Put plain ones back: an
	// unknown URL is a 404 page for everyone.
	p.e.RouteNotFound("/", notFound)
	p.e.RouteNotFound("/*", notFound)
	return g
}

func notFound(echo.Context) error { return echo.ErrNotFound }

// Authenticate is middleware that requires a valid session cookie and puts
// its principal in the request; without one the request ends with
// unauthorized, which RenderError turns into a redirect to /login.
func (p *Portal) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		pr, ok := p.sessionPrincipal(c)
		if !ok {
			return errSignIn
		}
		web.SetPrincipal(c, pr)
		return next(c)
	}
}

// optionalAuth puts the principal of a valid session cookie in the request,
// if there is one, and goes on either way.
func (p *Portal) optionalAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if pr, ok := p.sessionPrincipal(c); ok {
			web.SetPrincipal(c, pr)
		}
		return next(c)
	}
}

// hasRoute reports whether a GET route with exactly this path is registered,
// so that navigation shows only pages that exist.
func (p *Portal) hasRoute(path string) bool {
	if p.e == nil {
		return false
	}
	p.routesOnce.Do(func() {
		p.routes = map[string]bool{}
		for _, r := range p.e.Routes() {
			if r.Method == http.MethodGet {
				p.routes[r.Path] = true
			}
		}
	})
	return p.routes[path]
}

// NavItem is one link of the main navigation.
type NavItem struct {
	Key    string // i18n key of the label
	Href   string
	Active bool
}

// navigation lists, per role, the sections of the portal in menu order. An
// item appears only once its page is registered (see hasRoute).
var navigation = map[auth.Role][]NavItem{
	auth.RoleDealer: {
		{Key: "nav.home", Href: "/home"},
		{Key: "nav.catalog", Href: "/catalog"},
		{Key: "nav.orders", Href: "/orders"},
		{Key: "nav.returns", Href: "/returns"},
		{Key: "nav.announcements", Href: "/announcements"},
		{Key: "nav.feedback", Href: "/feedback"},
		{Key: "nav.account", Href: "/dealers"},
	},
	auth.RolePlanner: {
		{Key: "nav.home", Href: "/home"},
		{Key: "nav.planning", Href: "/planning"},
		{Key: "nav.orders", Href: "/orders"},
		{Key: "nav.rollups", Href: "/rollups"},
		{Key: "nav.production", Href: "/production-orders"},
		{Key: "nav.forecast", Href: "/forecasts/fabric"},
		{Key: "nav.dealers", Href: "/dealers"},
		{Key: "nav.analytics", Href: "/analytics"},
		{Key: "planreport.nav", Href: "/reports/plan-vs-demand"},
		{Key: "nav.returns", Href: "/returns"},
		{Key: "nav.announcements", Href: "/announcements"},
		{Key: "nav.feedback", Href: "/feedback"},
	},
	auth.RoleSupplier: {
		{Key: "nav.home", Href: "/home"},
		{Key: "nav.forecast", Href: "/forecasts/fabric"},
	},
	auth.RoleAdmin: {
		{Key: "nav.home", Href: "/home"},
		{Key: "nav.users", Href: "/admin/users"},
		{Key: "nav.dealers", Href: "/dealers"},
		{Key: "nav.catalog", Href: "/catalog"},
		{Key: "nav.seasons", Href: "/admin/seasons"},
		{Key: "nav.settings", Href: "/admin/settings"},
		{Key: "nav.orders", Href: "/orders"},
		{Key: "nav.planning", Href: "/planning"},
		{Key: "nav.rollups", Href: "/rollups"},
		{Key: "nav.production", Href: "/production-orders"},
		{Key: "nav.forecast", Href: "/forecasts/fabric"},
		{Key: "nav.analytics", Href: "/analytics"},
		{Key: "planreport.nav", Href: "/reports/plan-vs-demand"},
	},
}

// nav returns the navigation of role for a request to path.
func (p *Portal) nav(role auth.Role, path string) []NavItem {
	var out []NavItem
	for _, it := range navigation[role] {
		if !p.hasRoute(it.Href) {
			continue
		}
		it.Active = path == it.Href || strings.HasPrefix(path, it.Href+"/")
		out = append(out, it)
	}
	return out
}
