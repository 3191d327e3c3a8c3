package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
)

// CSRF protection is a signed double-submit cookie, so that it needs no
// server state: the browser holds a random value in an HttpOnly cookie, and
// every form carries the HMAC of that value under the portal's key in a
// hidden _csrf field (or an X-CSRF-Token header). Another site can neither
// read the cookie nor compute the HMAC.
const (
	CSRFCookie = "sizerun_csrf"
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
	csrfCtxKey = "sizerun.csrf"
	seedBytes  = 32
)

var errCSRF = apperr.New(apperr.Forbidden, "the form has expired or did not come from this site; reload the page and try again")

// CSRF is middleware that refuses any POST, PUT, PATCH or DELETE without a
// valid CSRF token (403), and makes sure the browser has a CSRF cookie.
func (p *Portal) CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			p.CSRFToken(c)
			return next(c)
		}
		if c.Request().Header.Get("Sec-Fetch-Site") == "cross-site" {
			return errCSRF
		}
		ck, err := c.Cookie(CSRFCookie)
		if err != nil || !validSeed(ck.Value) {
			return errCSRF
		}
		got := c.Request().Header.Get(CSRFHeader)
		if got == "" {
			got = c.FormValue(CSRFField)
		}
		want := p.signCSRF(ck.Value)
		if !hmac.Equal([]byte(got), []byte(want)) {
			return errCSRF
		}
		c.Set(csrfCtxKey, want)
		return next(c)
	}
}

// CSRFToken returns the token forms of this request must carry, setting the
// CSRF cookie first if the browser has none.
func (p *Portal) CSRFToken(c echo.Context) string {
	if t, ok := c.Get(csrfCtxKey).(string); ok && t != "" {
		return t
	}
	var seed string
	if ck, err := c.Cookie(CSRFCookie); err == nil && validSeed(ck.Value) {
		seed = ck.Value
	} else {
		b := make([]byte, seedBytes)
		rand.Read(b)
		seed = base64.RawURLEncoding.EncodeToString(b)
		c.SetCookie(&http.Cookie{
			Name:     CSRFCookie,
			Value:    seed,
			Path:     "/",
			HttpOnly: true,
			Secure:   p.secure,
			SameSite: http.SameSiteLaxMode,
		})
	}
	t := p.signCSRF(seed)
	c.Set(csrfCtxKey, t)
	return t
}

func (p *Portal) signCSRF(seed string) string {
	m := hmac.New(sha256.New, p.csrfKey)
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validSeed(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == seedBytes
}
