package portal

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/templates"
	"github.com/sizerun/sizerun/web"
)

// View is what every template gets as its dot: the common layout data and the
// page's own Data.
type View struct {
	Lang        string          // "en", "zh" or "ko"
	HTMLLang    string          // the <html lang> value
	Languages   []i18n.Language // for the switcher
	User        *auth.Principal // nil when signed out
	DisplayName string          // the user's name, or email
	Initial     string          // for the avatar
	Nav         []NavItem
	Path        string // the request's path and query, for the language switch to come back to
	RequestID   string
	Data        any

	portal *Portal
}

// HasRoute reports whether a page is registered at path, so that templates
// link only to pages that exist: {{if $.HasRoute "/orders"}}.
func (v *View) HasRoute(path string) bool { return v.portal.hasRoute(path) }

// views holds one parsed template set per page: the layout and partials plus
// the page. A set is never executed itself: requests execute clones, which
// html/template escapes once, on their first execution. Clones are pooled;
// each is bound to a binding whose language and CSRF token the request
// sets, so the per-request functions need no new template.
type views struct {
	pages map[string]*page
}

type page struct {
	base *template.Template
	pool sync.Pool // of *binding
}

type binding struct {
	t     *template.Template
	lang  string
	token string
}

// get returns a clone of the page bound to lang and token; put returns it.
func (pg *page) get(lang, token string) (*binding, error) {
	b, _ := pg.pool.Get().(*binding)
	if b == nil {
		t, err := pg.base.Clone()
		if err != nil {
			return nil, err
		}
		b = &binding{t: t}
		t.Funcs(template.FuncMap{
			"t":      func(key string, args ...any) string { return i18n.T(b.lang, key, args...) },
			"status": func(s string) string { return i18n.T(b.lang, "status."+s) },
			"role":   func(r auth.Role) string { return i18n.T(b.lang, "role."+string(r)) },
			"unit":   func(u string) string { return i18n.T(b.lang, "unit."+u) },
			"csrf": func() template.HTML {
				return template.HTML(`<input type="hidden" name="` + CSRFField + `" value="` +
					template.HTMLEscapeString(b.token) + `">`)
			},
		})
	}
	b.lang, b.token = lang, token
	return b, nil
}

func (pg *page) put(b *binding) {
	b.lang, b.token = "", ""
	pg.pool.Put(b)
}

// requestFuncs are the functions that depend on the request; at parse time
// they are placeholders.
var requestFuncs = template.FuncMap{
	"t":      func(key string, args ...any) string { return key },
	"status": func(s string) string { return s },
	"role":   func(r auth.Role) string { return string(r) },
	"unit":   func(u string) string { return u },
	"csrf":   func() template.HTML { return "" },
}

func parseViews(static template.FuncMap) (*views, error) {
	funcs := template.FuncMap{}
	for k, f := range requestFuncs {
		funcs[k] = f
	}
	for k, f := range static {
		funcs[k] = f
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templates.Layout(), "*.html")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	v := &views{pages: map[string]*page{}}
	err = fs.WalkDir(templates.Pages(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".html" {
			return err
		}
		b, err := fs.ReadFile(templates.Pages(), name)
		if err != nil {
			return err
		}
		t, err := layout.Clone()
		if err != nil {
			return err
		}
		if _, err := t.New(name).Parse(string(b)); err != nil {
			return fmt.Errorf("page %s: %w", name, err)
		}
		v.pages[strings.TrimSuffix(name, ".html")] = &page{base: t}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// staticFuncs are the template functions that do not depend on the request.
func (p *Portal) staticFuncs() template.FuncMap {
	return template.FuncMap{
		"money":     func(a money.Amount) string { return a.Grouped() },
		"qty":       groupInt,
		"date":      formatDate,
		"datetime":  formatDateTime,
		"iso":       formatISO,
		"asset":     p.static.url,
		"change":    formatChange,
		"htmlLang":  i18n.HTMLLang,
		"langLabel": i18n.Label,
	}
}

// Render renders the page template name (a file under templates/pages,
// without ".html") with the layout, the signed-in user, the navigation,
// the language and a CSRF token, and data as the view's Data. Pages are
// never cached by the browser: they hold the user's data.
func (p *Portal) Render(c echo.Context, status int, name string, data any) error {
	pg, ok := p.views.pages[name]
	if !ok {
		return fmt.Errorf("portal: no page template %q", name)
	}
	v := p.view(c, data)
	b, err := pg.get(v.Lang, p.CSRFToken(c))
	if err != nil {
		return fmt.Errorf("portal: clone %s: %w", name, err)
	}
	var buf bytes.Buffer
	err = b.t.ExecuteTemplate(&buf, "base", v)
	pg.put(b)
	if err != nil {
		return fmt.Errorf("portal: render %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", v.Lang)
	h.Add("Vary", "Cookie, Accept-Language")
	return c.HTMLBlob(status, buf.Bytes())
}

func (p *Portal) view(c echo.Context, data any) *View {
	v := &View{
		Lang:      p.Lang(c),
		Languages: i18n.Languages(),
		Path:      localPath(c.Request().URL.RequestURI()),
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		Data:      data,
		portal:    p,
	}
	v.HTMLLang = i18n.HTMLLang(v.Lang)
	if pr, ok := web.Principal(c); ok {
		v.User = &pr
		v.DisplayName = pr.Name
		if strings.TrimSpace(v.DisplayName) == "" {
			v.DisplayName = pr.Email
		}
		r, _ := utf8.DecodeRuneInString(v.DisplayName)
		v.Initial = string(unicode.ToUpper(r))
		v.Nav = p.nav(pr.Role, c.Request().URL.Path)
	}
	return v
}

// errorData is the error page's Data.
type errorData struct {
	Status  int
	Code    apperr.Code
	Title   string
	Text    string
	Message string // the error's own message, where it says more than Text
	Details []apperr.Detail
}

// RenderError implements web.PageRenderer: the error page in the user's
// language. An unauthorized error on a page is a redirect to the sign-in
// page, which comes back to the page afterwards.
func (p *Portal) RenderError(c echo.Context, status int, e *apperr.Error) error {
	if e.Code == apperr.Unauthorized {
		p.clearSession(c)
		target := "/login"
		if c.Request().Method == http.MethodGet {
			if next := localPath(c.Request().URL.RequestURI()); next != "" && next != "/" {
				target += "?next=" + url.QueryEscape(next)
			}
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
	if _, ok := web.Principal(c); !ok {
		if pr, ok := p.sessionPrincipal(c); ok {
			web.SetPrincipal(c, pr)
		}
	}
	lang := p.Lang(c)
	code := e.Code
	if !i18n.Has(i18n.Default, "error."+string(code)+".title") {
		code = apperr.Internal
	}
	d := errorData{
		Status:  status,
		Code:    e.Code,
		Title:   i18n.T(lang, "error."+string(code)+".title"),
		Text:    i18n.T(lang, "error."+string(code)+".text"),
		Details: e.Details,
	}
	switch e.Code {
	case apperr.NotFound, apperr.Forbidden, apperr.Internal, apperr.RateLimited, apperr.PayloadTooLarge:
		// The translated text says all there is to say.
	default:
		d.Message = e.Message
	}
	if err := p.Render(c, status, "error", d); err != nil {
		p.log.Error("rendering the error page", "err", err)
		return c.String(status, d.Title)
	}
	return nil
}

// groupInt formats an integer with thousands separators: 12345 → "12,345".
func groupInt(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// Dates are shown as ISO dates (2026-03-31), which read the same in every
// language the portal speaks, in UTC like the API.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func formatISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// formatChange renders a percent change (nil: nothing) as a coloured "+12%".
func formatChange(pct *int) template.HTML {
	if pct == nil {
		return ""
	}
	class, sign := "change", ""
	switch {
	case *pct > 0:
		class, sign = "change up", "+"
	case *pct < 0:
		class = "change down"
	}
	return template.HTML(fmt.Sprintf(`<span class="%s">%s%d%%</span>`, class, sign, *pct))
}
