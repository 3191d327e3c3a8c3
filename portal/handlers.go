package portal

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/web"
)

// root sends signed-in users to their home page and others to sign in.
func (p *Portal) root(c echo.Context) error {
	if _, ok := web.Principal(c); ok {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// loginData is the sign-in page's Data. Messages are i18n keys.
type loginData struct {
	Email  string
	Next   string
	Notice string
	Error  string
	Errors map[string]string // field → message key
}

func (p *Portal) loginForm(c echo.Context) error {
	next := localPath(c.QueryParam("next"))
	if _, ok := web.Principal(c); ok {
		return c.Redirect(http.StatusSeeOther, orHome(next))
	}
	d := loginData{Next: next}
	switch {
	case c.QueryParam("signed_out") == "1":
		d.Notice = "login.signed_out"
	case next != "":
		d.Notice = "login.session_expired"
	}
	return p.Render(c, http.StatusOK, "login", d)
}

// login checks the form with the auth service and, on success, keeps the
// token in the session cookie. Wrong credentials and too many attempts show
// the form again with the reason; the password is never sent back.
func (p *Portal) login(c echo.Context) error {
	d := loginData{
		Email:  strings.TrimSpace(c.FormValue("email")),
		Next:   localPath(c.FormValue("next")),
		Errors: map[string]string{},
	}
	password := c.FormValue("password")
	if d.Email == "" {
		d.Errors["email"] = "login.email_required"
	}
	if password == "" {
		d.Errors["password"] = "login.password_required"
	}
	if len(d.Errors) > 0 {
		return p.Render(c, http.StatusUnprocessableEntity, "login", d)
	}
	token, exp, _, err := p.auth.Login(c.Request().Context(), d.Email, password, c.RealIP())
	switch apperr.CodeOf(err) {
	case apperr.InvalidCredentials:
		d.Error = "login.invalid"
		return p.Render(c, http.StatusUnauthorized, "login", d)
	case apperr.RateLimited:
		d.Error = "login.rate_limited"
		return p.Render(c, http.StatusTooManyRequests, "login", d)
	}
	if err != nil {
		return err
	}
	p.setSession(c, token, exp)
	return c.Redirect(http.StatusSeeOther, orHome(d.Next))
}

// logout clears the session cookie. Tokens are stateless, so there is
// nothing to revoke on the server; the cookie is the session.
func (p *Portal) logout(c echo.Context) error {
	p.clearSession(c)
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}

// setLang remembers the chosen language in a cookie and, for a signed-in
// user, as the user's locale; then goes back to the page it came from.
func (p *Portal) setLang(c echo.Context) error {
	lang := c.FormValue("lang")
	if !i18n.Supported(lang) {
		return apperr.Field("lang", "language must be en, zh or ko")
	}
	if pr, ok := web.Principal(c); ok && pr.Locale != lang {
		if err := p.auth.SetLocale(c.Request().Context(), pr.UserID, lang); err != nil {
			return err
		}
	}
	p.setLangCookie(c, lang)
	next := localPath(c.FormValue("next"))
	if next == "" {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// home renders the home page of the caller's role.
func (p *Portal) home(c echo.Context) error {
	pr := web.MustPrincipal(c)
	h, err := p.overview.Home(c.Request().Context(), pr)
	if err != nil {
		return err
	}
	return p.Render(c, http.StatusOK, "home_"+string(pr.Role), h)
}

func orHome(next string) string {
	if next == "" || next == "/" {
		return "/home"
	}
	return next
}
