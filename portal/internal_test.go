package portal

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/overview"
)

// Keys that Go code builds (navigation, statuses, roles, error pages, season
// states, units, login messages) exist in every language; the template keys
// are checked by the i18n package's tests.
func TestKeysUsedFromGo(t *testing.T) {
	var keys []string
	for _, items := range navigation {
		for _, it := range items {
			keys = append(keys, it.Key)
		}
	}
	for _, s := range []string{"draft", "submitted", "held", "confirmed", "in_production", "shipped", "closed", "cancelled"} {
		keys = append(keys, "status."+s)
	}
	for _, r := range []auth.Role{auth.RoleDealer, auth.RolePlanner, auth.RoleSupplier, auth.RoleAdmin} {
		keys = append(keys, "role."+string(r))
	}
	for _, c := range []apperr.Code{apperr.InvalidCredentials, apperr.Unauthorized, apperr.Forbidden, apperr.NotFound,
		apperr.Validation, apperr.SeasonClosed, apperr.CreditLimitExceeded, apperr.DealerOnHold, apperr.InvalidState,
		apperr.IdempotencyReused, apperr.Conflict, apperr.PayloadTooLarge, apperr.RateLimited, apperr.Internal} {
		keys = append(keys, "error."+string(c)+".title", "error."+string(c)+".text")
	}
	for _, s := range []string{overview.StateOpen, overview.StateUpcoming, overview.StateCutoff, overview.StateClosed} {
		keys = append(keys, "season.state."+s)
	}
	keys = append(keys, "unit.m", "unit.kg", "login.invalid", "login.rate_limited", "login.email_required",
		"login.password_required", "login.signed_out", "login.session_expired")
	for _, l := range i18n.Languages() {
		for _, k := range keys {
			if !i18n.Has(l.Code, k) {
				t.Errorf("key %q is missing from %s", k, l.Code)
			}
		}
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/home", "/home"},
		{"/orders?season=SS27&status=submitted", "/orders?season=SS27&status=submitted"},
		{"/", "/"},
		{"", ""},
		{"home", ""},
		{"//evil.example", ""},
		{"//evil.example/path", ""},
		{"/\\evil.example", ""},
		{"/x\\y", ""},
		{"https://evil.example/", ""},
		{"javascript:alert(1)", ""},
		{"/ok\r\nSet-Cookie: x=1", ""},
		{"/\tx", ""},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	ints := map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1480: "1,480", 1234567: "1,234,567", -1234: "-1,234"}
	for n, want := range ints {
		if got := groupInt(n); got != want {
			t.Errorf("groupInt(%d) = %q, want %q", n, got, want)
		}
	}
	cst := time.FixedZone("CST", 8*3600)
	d := time.Date(2027, 3, 1, 7, 30, 0, 0, cst) // 2027-02-28 23:30 UTC
	if got := formatDate(d); got != "2027-02-28" {
		t.Errorf("formatDate = %q", got)
	}
	if got := formatDateTime(d); got != "2027-02-28 23:30 UTC" {
		t.Errorf("formatDateTime = %q", got)
	}
	if formatDate(time.Time{}) != "—" || formatISO(time.Time{}) != "" {
		t.Error("zero time")
	}
	up, down, zero := 12, -5, 0
	for p, want := range map[*int]string{
		&up: `<span class="change up">+12%</span>`, &down: `<span class="change down">-5%</span>`,
		&zero: `<span class="change">0%</span>`, nil: "",
	} {
		if got := string(formatChange(p)); got != want {
			t.Errorf("formatChange = %q, want %q", got, want)
		}
	}
}

// Every page template parses with the layout and defines its title and content.
func TestPagesParse(t *testing.T) {
	p := New(Deps{})
	for _, name := range []string{"login", "error", "home_dealer", "home_planner", "home_supplier", "home_admin"} {
		pg, ok := p.views.pages[name]
		if !ok {
			t.Errorf("no page %q", name)
			continue
		}
		for _, def := range []string{"base", "title", "content"} {
			if pg.base.Lookup(def) == nil {
				t.Errorf("page %s: no template %q", name, def)
			}
		}
	}
}

// Pooled templates are bound to one request's language and token at a time:
// concurrent renders in different languages never mix.
func TestConcurrentRenders(t *testing.T) {
	p := New(Deps{Secret: "0123456789abcdef0123456789abcdef"})
	e := echo.New()
	p.Register(e)
	var wg sync.WaitGroup
	errs := make(chan string, 300)
	for i := 0; i < 300; i++ {
		lang := []string{"en", "zh", "ko"}[i%3]
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodGet, "/login", nil)
			req.AddCookie(&http.Cookie{Name: LangCookie, Value: lang})
			rec := httptest.NewRecorder()
			c := e.NewContext(req, rec)
			if err := p.Render(c, http.StatusOK, "login", loginData{}); err != nil {
				errs <- err.Error()
				return
			}
			body := rec.Body.String()
			want := `<h1 id="login-heading">` + template.HTMLEscapeString(i18n.T(lang, "login.heading")) + `</h1>`
			if !strings.Contains(body, want) {
				errs <- lang + ": heading in the wrong language"
			}
			ck := rec.Result().Cookies()
			if len(ck) != 1 || !strings.Contains(body, `value="`+p.signCSRF(ck[0].Value)+`"`) {
				errs <- lang + ": the form carries another request's CSRF token"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
