package portal

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/web"
)

// LangCookie holds the language the user picked in the switcher.
const LangCookie = "lang"

var errSignIn = apperr.New(apperr.Unauthorized, "sign in first")

// sessionPrincipal returns the principal of a valid session cookie.
func (p *Portal) sessionPrincipal(c echo.Context) (auth.Principal, bool) {
	if p.tokens == nil {
		return auth.Principal{}, false
	}
	ck, err := c.Cookie(web.CookieName)
	if err != nil || ck.Value == "" {
		return auth.Principal{}, false
	}
	pr, err := p.tokens.Verify(ck.Value)
	if err != nil {
		return auth.Principal{}, false
	}
	return pr, true
}

// setSession stores the token in the HttpOnly session cookie until it expires.
func (p *Portal) setSession(c echo.Context, token string, exp time.Time) {
	c.SetCookie(&http.Cookie{
		Name:     web.CookieName,
		Value:    token,
		Path:     "/",
		Expires:  exp,
		MaxAge:   int(time.Until(exp).Seconds()),
		HttpOnly: true,
		Secure:   p.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// clearSession removes the session cookie.
func (p *Portal) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name:     web.CookieName,
		Value:    "",
		Path:     "/",
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   p.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// setLangCookie remembers the chosen language in this browser for a year.
func (p *Portal) setLangCookie(c echo.Context, lang string) {
	c.SetCookie(&http.Cookie{
		Name:     LangCookie,
		Value:    lang,
		Path:     "/",
		MaxAge:   365 * 24 * 3600,
		HttpOnly: true,
		Secure:   p.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// Lang returns the language of the request: the language cookie, then the
// signed-in user's stored locale, then Accept-Language, then English.
func (p *Portal) Lang(c echo.Context) string {
	var cookie, stored string
	if ck, err := c.Cookie(LangCookie); err == nil {
		cookie = ck.Value
	}
	if pr, ok := web.Principal(c); ok {
		stored = pr.Locale
	}
	return i18n.Pick(cookie, stored, c.Request().Header.Get("Accept-Language"))
}

// T translates key into the request's language.
func (p *Portal) T(c echo.Context, key string, args ...any) string {
	return i18n.T(p.Lang(c), key, args...)
}

// localPath returns s if it is a path on this site ("/orders?season=SS27"),
// and "" for anything that could lead elsewhere ("//evil.example",
// "https://…", "/\evil", control characters).
func localPath(s string) string {
	if s == "" || len(s) > 2048 || s[0] != '/' || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return ""
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return ""
	}
	return s
}
