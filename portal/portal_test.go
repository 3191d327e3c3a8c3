package portal_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/overview"
	"github.com/sizerun/sizerun/overview/overviewdb"
	"github.com/sizerun/sizerun/portal"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
	"github.com/sizerun/sizerun/web"
)

const (
	secret   = "portal-test-secret-0123456789abcdef"
	password = "demo-pass-27"
)

// fixtures: two dealers in two currencies, two suppliers, a closed, an open
// and an upcoming season, orders, and one user per role (the password of
// every user is inserted by newEnv).
const fixtures = `
INSERT INTO regions (id, code, name) VALUES (1, 'EAST', '华东'), (2, 'KR', '한국');
INSERT INTO price_lists (id, code, name, currency) VALUES (1, 'CN', 'China', 'CNY'), (2, 'KR', 'Korea', 'KRW');
INSERT INTO dealers (id, code, name, region_id, price_list_id, status) VALUES
  (1, 'D001', '上海锦绣服饰有限公司', 1, 1, 'active'),
  (2, 'D002', '서울패션상사', 2, 2, 'active'),
  (3, 'D039', '杭州暂停商贸', 1, 1, 'on_hold');
INSERT INTO suppliers (id, code, name) VALUES (1, 'S01', '苏州面料厂'), (2, 'S02', 'Daegu Textile');
INSERT INTO fabrics (code, name, supplier_id, unit, lead_time_weeks) VALUES
  ('FB-SLK-01', 'Silk crepe', 1, 'm', 8),
  ('FB-POP-120', 'Cotton poplin 120', 1, 'm', 6),
  ('FB-WOOL-9', 'Merino jersey', 2, 'kg', 5);
INSERT INTO seasons (id, code, name, starts_on, order_opens_at, order_cutoff_at, closed) VALUES
  (1, 'AW26', 'Autumn/Winter 2026', '2026-08-01', now() - interval '400 days', now() - interval '300 days', true),
  (2, 'SS27', 'Spring/Summer 2027', '2027-02-01', now() - interval '30 days', now() + interval '20 days', false),
  (3, 'AW27', 'Autumn/Winter 2027', '2027-08-01', now() + interval '60 days', now() + interval '120 days', false);
INSERT INTO orders (number, dealer_id, season_id, status, currency, total_qty, total_amount, submitted_at, created_at) VALUES
  ('SO-1003', 1, 1, 'closed',    'CNY',  800,   99000.00, now() - interval '330 days', now() - interval '331 days'),
  ('SO-1006', 2, 1, 'shipped',   'KRW',   40, 3600000.00, now() - interval '320 days', now() - interval '320 days'),
  ('SO-1005', 1, 2, 'cancelled', 'CNY',   10,    1290.00, now() - interval '5 days',   now() - interval '5 days'),
  ('SO-1004', 2, 2, 'submitted', 'KRW',   60, 5400000.00, now() - interval '3 days',   now() - interval '3 days'),
  ('SO-1001', 1, 2, 'submitted', 'CNY',  120,   15480.00, now() - interval '2 days',   now() - interval '2 days'),
  ('SO-1002', 1, 2, 'confirmed', 'CNY', 1300,  167700.50, now() - interval '1 days',   now() - interval '1 days'),
  ('SO-1007', 1, 2, 'draft',     'CNY',    5,     645.00, NULL,                        now());
INSERT INTO users (email, password_hash, role, dealer_id, supplier_id, display_name, locale) VALUES
  ('admin@demo.test',      :'hash', 'admin',    NULL, NULL, 'Ada Admin', 'en'),
  ('planner@demo.test',    :'hash', 'planner',  NULL, NULL, 'Pat Planner', 'en'),
  ('dealer01@demo.test',   :'hash', 'dealer',   1,    NULL, '王经理', 'en'),
  ('dealer02@demo.test',   :'hash', 'dealer',   2,    NULL, '김민준', 'ko'),
  ('supplier01@demo.test', :'hash', 'supplier', NULL, 1,    '', 'en');
`

var (
	hashOnce sync.Once
	hash     string
)

type env struct {
	t   *testing.T
	db  *sqlx.DB
	p   *portal.Portal
	srv *httptest.Server
}

// newEnv starts the portal on a fresh database with the fixtures. setup, if
// given, registers extra routes before the server starts.
func newEnv(t *testing.T, secure bool, setup func(p *portal.Portal)) *env {
	t.Helper()
	hashOnce.Do(func() {
		var err error
		if hash, err = auth.HashPassword(password); err != nil {
			panic(err)
		}
	})
	db := pgtest.New(t)
	if _, err := db.Exec(strings.ReplaceAll(fixtures, ":'hash'", "'"+hash+"'")); err != nil {
		t.Fatal(err)
	}
	return startEnv(t, db, secure, setup)
}

// startEnv starts the portal on db.
func startEnv(t *testing.T, db *sqlx.DB, secure bool, setup func(p *portal.Portal)) *env {
	t.Helper()
	tokens, err := auth.NewTokens(secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authSvc := auth.NewService(authdb.New(db), tokens, auth.DefaultLimits)
	p := portal.New(portal.Deps{
		Log:          log,
		Auth:         authSvc,
		Overview:     overview.NewService(overviewdb.New(db), nil),
		CookieSecure: secure,
		Secret:       secret,
	})
	e := server.New(server.Options{Log: log, Pages: p})
	p.Register(e)
	if setup != nil {
		setup(p)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, p: p, srv: srv}
}

// client is a browser: a cookie jar, no automatic redirects, and optional
// headers on every request.
type client struct {
	env    *env
	http   *http.Client
	header http.Header
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{env: e, header: http.Header{}, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *client) do(req *http.Request) *http.Response {
	c.env.t.Helper()
	for k, v := range c.header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.env.t.Fatal(err)
	}
	return res
}

func (c *client) get(path string) *http.Response {
	c.env.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.srv.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.env.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// page GETs path, expects status and parses the HTML.
func (c *client) page(path string, status int) *goquery.Document {
	c.env.t.Helper()
	res := c.get(path)
	return parse(c.env.t, res, status)
}

// csrf returns the CSRF token of the sign-in page's form (and sets the cookie).
func (c *client) csrf() string {
	c.env.t.Helper()
	doc := c.page("/login", http.StatusOK)
	tok, ok := doc.Find(`form[action="/login"] input[name="_csrf"]`).Attr("value")
	if !ok || tok == "" {
		c.env.t.Fatal("no CSRF token on the sign-in page")
	}
	return tok
}

// login signs in as email and checks the redirect home.
func (c *client) login(email string) {
	c.env.t.Helper()
	res := c.post("/login", url.Values{"_csrf": {c.csrf()}, "email": {email}, "password": {password}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home" {
		c.env.t.Fatalf("login %s: %d → %q", email, res.StatusCode, res.Header.Get("Location"))
	}
}

func (c *client) setCookie(name, value string) {
	u, _ := url.Parse(c.env.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func parse(t *testing.T, res *http.Response, status int) *goquery.Document {
	t.Helper()
	defer res.Body.Close()
	if res.StatusCode != status {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("%s %s: status %d, want %d\n%.2000s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, b)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func TestLoginPageLanguages(t *testing.T) {
	e := newEnv(t, false, nil)
	tests := []struct {
		name, accept, cookie, wantLang, wantHTML string
	}{
		{"default", "", "", "en", "en"},
		{"accept english", "en-GB,en;q=0.9", "", "en", "en"},
		{"accept chinese", "zh-CN,zh;q=0.9,en;q=0.8", "", "zh", "zh-Hans"},
		{"accept korean", "ko-KR,ko;q=0.9", "", "ko", "ko"},
		{"accept french", "fr-FR", "", "en", "en"},
		{"cookie beats header", "zh-CN", "ko", "ko", "ko"},
		{"cookie english", "ko-KR", "en", "en", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client()
			if tt.accept != "" {
				c.header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				c.setCookie(portal.LangCookie, tt.cookie)
			}
			doc := c.page("/login", http.StatusOK)
			if got, _ := doc.Find("html").Attr("lang"); got != tt.wantHTML {
				t.Errorf("html lang = %q, want %q", got, tt.wantHTML)
			}
			if got, want := text(doc.Find("h1")), i18n.T(tt.wantLang, "login.heading"); got != want {
				t.Errorf("h1 = %q, want %q", got, want)
			}
			if got, want := text(doc.Find(`label[for="email"]`)), i18n.T(tt.wantLang, "login.email"); got != want {
				t.Errorf("email label = %q, want %q", got, want)
			}
			if got, want := text(doc.Find(`label[for="password"]`)), i18n.T(tt.wantLang, "login.password"); got != want {
				t.Errorf("password label = %q, want %q", got, want)
			}
			if got, want := text(doc.Find(`form[action="/login"] button[type="submit"]`)), i18n.T(tt.wantLang, "login.submit"); got != want {
				t.Errorf("submit = %q, want %q", got, want)
			}
			// The switcher offers the three languages and marks the current one.
			var labels []string
			doc.Find(`form[action="/lang"] button[name="lang"]`).Each(func(_ int, b *goquery.Selection) {
				labels = append(labels, text(b))
				v, _ := b.Attr("value")
				pressed, _ := b.Attr("aria-pressed")
				if (v == tt.wantLang) != (pressed == "true") {
					t.Errorf("switcher button %s: aria-pressed=%q", v, pressed)
				}
			})
			if strings.Join(labels, "|") != "中文|한국어|English" {
				t.Errorf("switcher = %v", labels)
			}
			if doc.Find("nav.mainnav").Length() != 0 || doc.Find("details.usermenu").Length() != 0 {
				t.Error("signed-out page shows navigation or the user menu")
			}
		})
	}
}

func TestLoginWrongPassword(t *testing.T) {
	e := newEnv(t, false, nil)
	for _, lang := range []string{"en", "zh", "ko"} {
		t.Run(lang, func(t *testing.T) {
			c := e.client()
			c.setCookie(portal.LangCookie, lang)
			tok := c.csrf()
			for _, email := range []string{"dealer01@demo.test", "nobody@demo.test"} {
				res := c.post("/login", url.Values{"_csrf": {tok}, "email": {email}, "password": {"wrong-pass-27"}})
				if ck := cookie(res, web.CookieName); ck != nil {
					t.Errorf("%s: wrong password set the session cookie %v", email, ck)
				}
				doc := parse(t, res, http.StatusUnauthorized)
				if got, want := text(doc.Find(".alert-error")), i18n.T(lang, "login.invalid"); got != want {
					t.Errorf("%s: error = %q, want %q", email, got, want)
				}
				if v, _ := doc.Find("#email").Attr("value"); v != email {
					t.Errorf("the email was not kept: %q", v)
				}
				if v, ok := doc.Find("#password").Attr("value"); ok && v != "" {
					t.Error("the password was sent back")
				}
			}
			if c.get("/home").StatusCode != http.StatusSeeOther {
				t.Error("/home after a failed login is not a redirect to sign in")
			}
		})
	}
}

func TestLoginMissingFields(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.client()
	c.header.Set("Accept-Language", "zh-CN")
	res := c.post("/login", url.Values{"_csrf": {c.csrf()}, "email": {"  "}, "password": {""}})
	doc := parse(t, res, http.StatusUnprocessableEntity)
	for field, key := range map[string]string{"email": "login.email_required", "password": "login.password_required"} {
		// The message sits in the field's own block, and the input points at it.
		f := doc.Find("#" + field).Closest(".field")
		if got, want := text(f.Find(".field-error")), i18n.T("zh", key); got != want {
			t.Errorf("%s error = %q, want %q", field, got, want)
		}
		if v, _ := doc.Find("#" + field).Attr("aria-invalid"); v != "true" {
			t.Errorf("%s not marked invalid", field)
		}
		if id, _ := doc.Find("#" + field).Attr("aria-describedby"); doc.Find("#"+id).Length() != 1 {
			t.Errorf("%s aria-describedby %q points nowhere", field, id)
		}
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.client()
	tok := c.csrf()
	var res *http.Response
	for i := 0; i < auth.DefaultLimits.PerAccount+1; i++ {
		res = c.post("/login", url.Values{"_csrf": {tok}, "email": {"planner@demo.test"}, "password": {"nope-nope-nope"}})
		if i < auth.DefaultLimits.PerAccount {
			res.Body.Close()
		}
	}
	doc := parse(t, res, http.StatusTooManyRequests)
	if got, want := text(doc.Find(".alert-error")), i18n.T("en", "login.rate_limited"); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestLoginDealer(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.client()
	res := c.post("/login", url.Values{"_csrf": {c.csrf()}, "email": {"Dealer01@demo.test "}, "password": {password}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home" {
		t.Fatalf("login: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	ck := cookie(res, web.CookieName)
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if !ck.HttpOnly || ck.Path != "/" || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
		t.Errorf("cookie attributes: HttpOnly=%v Path=%q SameSite=%v Secure=%v", ck.HttpOnly, ck.Path, ck.SameSite, ck.Secure)
	}
	if d := time.Until(ck.Expires); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("cookie expires in %v, want the token's hour", d)
	}
	if ck.MaxAge < 3500 || ck.MaxAge > 3600 {
		t.Errorf("cookie Max-Age %d", ck.MaxAge)
	}

	doc := c.page("/home", http.StatusOK)
	if got := text(doc.Find("h1")); got != "Welcome, 上海锦绣服饰有限公司" {
		t.Errorf("h1 = %q", got)
	}
	var numbers []string
	doc.Find("#recent-orders tbody tr").Each(func(_ int, tr *goquery.Selection) {
		numbers = append(numbers, text(tr.Find("td").First()))
	})
	if strings.Join(numbers, " ") != "SO-1007 SO-1002 SO-1001 SO-1005 SO-1003" {
		t.Errorf("orders = %v", numbers)
	}
	if strings.Contains(doc.Text(), "SO-1004") || strings.Contains(doc.Text(), "서울패션상사") {
		t.Error("the dealer sees another dealer's order")
	}
	row := doc.Find("#recent-orders tbody tr").Eq(1)
	cells := row.Find("td")
	if got := text(cells.Eq(2)); got != "Confirmed" {
		t.Errorf("status = %q", got)
	}
	if got := text(cells.Eq(3)); got != "1,300" {
		t.Errorf("qty = %q", got)
	}
	if got := text(cells.Eq(4)); got != "167,700.50 CNY" {
		t.Errorf("amount = %q", got)
	}
	if cl, _ := cells.Eq(4).Attr("class"); cl != "num" {
		t.Errorf("amount cell class %q, want num (right-aligned)", cl)
	}
	if got := text(doc.Find("table").First().Find("tbody tr").First().Find("td").First()); got != "SS27" {
		t.Errorf("first open season = %q", got)
	}
	if cur, _ := doc.Find(`nav.mainnav a[href="/home"]`).Attr("aria-current"); cur != "page" {
		t.Error("Home is not the current navigation item")
	}
	if got := text(doc.Find("details.usermenu .usermenu-email")); got != "dealer01@demo.test" {
		t.Errorf("user menu email = %q", got)
	}
	if doc.Find(`details.usermenu form[action="/logout"][method="post"] input[name="_csrf"]`).Length() != 1 {
		t.Error("no logout form with a CSRF token in the user menu")
	}
	if res := c.get("/home"); res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q on a private page", res.Header.Get("Cache-Control"))
	}

	// Signed in, / and /login lead home.
	for _, path := range []string{"/", "/login"} {
		if res := c.get(path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home" {
			t.Errorf("GET %s signed in: %d → %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestLoginRedirectsToNext(t *testing.T) {
	e := newEnv(t, false, nil)
	tests := []struct{ next, want string }{
		{"/home?tab=orders", "/home?tab=orders"},
		{"//evil.example/x", "/home"},
		{"https://evil.example/", "/home"},
		{"/\\evil.example", "/home"},
		{"", "/home"},
	}
	for _, tt := range tests {
		c := e.client()
		res := c.post("/login", url.Values{"_csrf": {c.csrf()}, "email": {"planner@demo.test"},
			"password": {password}, "next": {tt.next}})
		res.Body.Close()
		if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != tt.want {
			t.Errorf("next=%q: %d → %q, want %q", tt.next, res.StatusCode, got, tt.want)
		}
	}
	// A page that needs a session sends to sign in and remembers where to come back.
	c := e.client()
	res := c.get("/home?tab=1")
	res.Body.Close()
	if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != "/login?next=%2Fhome%3Ftab%3D1" {
		t.Fatalf("GET /home signed out: %d → %q", res.StatusCode, got)
	}
	doc := c.page(res.Header.Get("Location"), http.StatusOK)
	if v, _ := doc.Find(`form[action="/login"] input[name="next"]`).Attr("value"); v != "/home?tab=1" {
		t.Errorf("next field = %q", v)
	}
	if got := text(doc.Find(".alert-info")); got != i18n.T("en", "login.session_expired") {
		t.Errorf("notice = %q", got)
	}
}

func TestSecureCookie(t *testing.T) {
	e := newEnv(t, true, nil)
	c := e.client()
	// The jar does not send Secure cookies over http, so carry the CSRF cookie by hand.
	res := c.get("/login")
	csrfCookie := cookie(res, portal.CSRFCookie)
	doc := parse(t, res, http.StatusOK)
	if csrfCookie == nil || !csrfCookie.Secure || !csrfCookie.HttpOnly {
		t.Fatalf("CSRF cookie %v", csrfCookie)
	}
	tok, _ := doc.Find(`input[name="_csrf"]`).Attr("value")
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(url.Values{
		"_csrf": {tok}, "email": {"planner@demo.test"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: portal.CSRFCookie, Value: csrfCookie.Value})
	res = c.do(req)
	res.Body.Close()
	ck := cookie(res, web.CookieName)
	if res.StatusCode != http.StatusSeeOther || ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Fatalf("login: %d, cookie %v", res.StatusCode, ck)
	}
}

func TestCSRF(t *testing.T) {
	var hits atomic.Int32
	e := newEnv(t, false, func(p *portal.Portal) {
		p.Pages().POST("/test/echo", func(c echo.Context) error { hits.Add(1); return c.String(http.StatusOK, "ok") })
	})
	signedIn := e.client()
	signedIn.login("planner@demo.test")
	tok := signedIn.csrfFromHome()

	fresh := e.client()
	freshTok := fresh.csrf()

	forms := []struct {
		name   string
		c      *client
		path   string
		form   url.Values
		header map[string]string
	}{
		{"login without token", fresh, "/login", url.Values{"email": {"planner@demo.test"}, "password": {password}}, nil},
		{"login with a wrong token", fresh, "/login", url.Values{"_csrf": {"x" + freshTok}, "email": {"planner@demo.test"}, "password": {password}}, nil},
		{"login with another browser's token", fresh, "/login", url.Values{"_csrf": {tok}, "email": {"planner@demo.test"}, "password": {password}}, nil},
		{"login cross-site", fresh, "/login", url.Values{"_csrf": {freshTok}, "email": {"planner@demo.test"}, "password": {password}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"logout without token", signedIn, "/logout", url.Values{}, nil},
		{"language without token", signedIn, "/lang", url.Values{"lang": {"zh"}, "next": {"/home"}}, nil},
		{"page form without token", signedIn, "/test/echo", url.Values{"x": {"1"}}, nil},
		{"page form with an empty token", signedIn, "/test/echo", url.Values{"_csrf": {""}}, nil},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+f.path, strings.NewReader(f.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range f.header {
				req.Header.Set(k, v)
			}
			res := f.c.do(req)
			if ck := cookie(res, web.CookieName); ck != nil && ck.Value != "" {
				t.Error("a refused form set the session cookie")
			}
			doc := parse(t, res, http.StatusForbidden)
			if got := text(doc.Find("h1")); got != i18n.T("en", "error.forbidden.title") {
				t.Errorf("h1 = %q", got)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the handler ran %d times without a valid token", n)
	}
	// With the token, in the form or in the header, the same requests pass.
	res := signedIn.post("/test/echo", url.Values{"_csrf": {tok}})
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/test/echo", nil)
	req.Header.Set(portal.CSRFHeader, tok)
	res2 := signedIn.do(req)
	res2.Body.Close()
	if res.StatusCode != http.StatusOK || res2.StatusCode != http.StatusOK || hits.Load() != 2 {
		t.Errorf("with the token: %d, %d, hits %d", res.StatusCode, res2.StatusCode, hits.Load())
	}
	// The session still holds after the refused logout.
	if res := signedIn.get("/home"); res.StatusCode != http.StatusOK {
		t.Errorf("/home after a refused logout: %d", res.StatusCode)
	}
}

// csrfFromHome returns the token of the home page's logout form.
func (c *client) csrfFromHome() string {
	c.env.t.Helper()
	doc := c.page("/home", http.StatusOK)
	tok, _ := doc.Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value")
	if tok == "" {
		c.env.t.Fatal("no CSRF token on the home page")
	}
	return tok
}

func TestLogout(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.client()
	c.login("dealer01@demo.test")
	res := c.post("/logout", url.Values{"_csrf": {c.csrfFromHome()}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?signed_out=1" {
		t.Fatalf("logout: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	ck := cookie(res, web.CookieName)
	if ck == nil || ck.Value != "" || ck.MaxAge >= 0 || !ck.HttpOnly {
		t.Errorf("logout cookie %+v, want an expired, empty one", ck)
	}
	res = c.get("/home")
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fhome" {
		t.Errorf("/home after logout: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	doc := c.page("/login?signed_out=1", http.StatusOK)
	if got := text(doc.Find(".alert-info")); got != i18n.T("en", "login.signed_out") {
		t.Errorf("notice = %q", got)
	}
}

func TestBadSessionCookie(t *testing.T) {
	e := newEnv(t, false, nil)
	other, _ := auth.NewTokens("another-secret-0123456789abcdefghij", time.Hour)
	forged, _, _ := other.Issue(auth.Principal{UserID: 1, Email: "admin@demo.test", Role: auth.RoleAdmin})
	for _, v := range []string{"garbage", forged} {
		c := e.client()
		c.setCookie(web.CookieName, v)
		res := c.get("/home")
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("cookie %.10s…: %d → %q", v, res.StatusCode, res.Header.Get("Location"))
		}
		if ck := cookie(res, web.CookieName); ck == nil || ck.MaxAge >= 0 {
			t.Error("the bad cookie was not cleared")
		}
	}
	c := e.client()
	res := c.get("/")
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Errorf("GET / signed out: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestHomePages(t *testing.T) {
	e := newEnv(t, false, nil)

	t.Run("planner", func(t *testing.T) {
		c := e.client()
		c.login("planner@demo.test")
		doc := c.page("/home", http.StatusOK)
		if got := text(doc.Find("h1")); got != "Season overview" {
			t.Errorf("h1 = %q", got)
		}
		var rows []string
		doc.Find("#season-totals tbody tr").Each(func(_ int, tr *goquery.Selection) {
			var cells []string
			tr.Find("td").Each(func(i int, td *goquery.Selection) {
				if i != 1 && i != 2 && i != 3 { // skip name, state and date
					cells = append(cells, text(td))
				}
			})
			rows = append(rows, strings.Join(cells, " | "))
		})
		want := []string{
			"AW27 | 0 | 0 | 0 | —",
			"SS27 | 3 | 2 | 1,480 | 183,180.50 CNY 5,400,000.00 KRW",
			"AW26 | 2 | 2 | 840 | 99,000.00 CNY 3,600,000.00 KRW",
		}
		if strings.Join(rows, "\n") != strings.Join(want, "\n") {
			t.Errorf("season totals:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
		}
		if got := text(doc.Find(".kpi .change").First()); got != "+50%" {
			t.Errorf("orders change = %q", got)
		}
	})

	t.Run("supplier", func(t *testing.T) {
		c := e.client()
		c.login("supplier01@demo.test")
		doc := c.page("/home", http.StatusOK)
		var codes []string
		doc.Find("#fabrics tbody tr").Each(func(_ int, tr *goquery.Selection) {
			codes = append(codes, text(tr.Find("td").First())+" "+text(tr.Find("td").Eq(2)))
		})
		if strings.Join(codes, ", ") != "FB-POP-120 metres, FB-SLK-01 metres" {
			t.Errorf("fabrics = %v", codes)
		}
		if strings.Contains(doc.Text(), "FB-WOOL-9") {
			t.Error("the supplier sees another supplier's fabric")
		}
		if got := text(doc.Find("h1")); got != "Welcome, 苏州面料厂" {
			t.Errorf("h1 = %q", got)
		}
	})

	t.Run("admin", func(t *testing.T) {
		c := e.client()
		c.login("admin@demo.test")
		doc := c.page("/home", http.StatusOK)
		var users []string
		doc.Find("#users tbody tr").Each(func(_ int, tr *goquery.Selection) {
			td := tr.Find("td")
			users = append(users, text(td.Eq(0))+" "+text(td.Eq(2))+" "+text(td.Eq(3))+" "+text(td.Eq(4)))
		})
		want := []string{
			"admin@demo.test Administrator — English",
			"planner@demo.test Planner — English",
			"supplier01@demo.test Supplier S01 苏州面料厂 English",
			"dealer01@demo.test Dealer D001 上海锦绣服饰有限公司 English",
			"dealer02@demo.test Dealer D002 서울패션상사 한국어",
		}
		if strings.Join(users, "\n") != strings.Join(want, "\n") {
			t.Errorf("users:\n%s\nwant:\n%s", strings.Join(users, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("dealer in its stored language", func(t *testing.T) {
		c := e.client()
		c.login("dealer02@demo.test")
		doc := c.page("/home", http.StatusOK)
		if lang, _ := doc.Find("html").Attr("lang"); lang != "ko" {
			t.Errorf("html lang = %q, want the stored ko", lang)
		}
		if got := text(doc.Find("h1")); got != "서울패션상사 님, 환영합니다" {
			t.Errorf("h1 = %q", got)
		}
		if got := text(doc.Find("#recent-orders tbody tr").First().Find("td").Eq(2)); got != "제출됨" {
			t.Errorf("status = %q", got)
		}
		if got := text(doc.Find(`nav.mainnav a[href="/home"]`)); got != "홈" {
			t.Errorf("nav = %q", got)
		}
		if strings.Contains(doc.Text(), "SO-1001") {
			t.Error("D002 sees D001's order")
		}
	})
}

func TestRoles(t *testing.T) {
	e := newEnv(t, false, func(p *portal.Portal) {
		p.Pages(auth.RolePlanner, auth.RoleAdmin).GET("/test/planner", func(c echo.Context) error {
			return c.String(http.StatusOK, "planner page")
		})
		p.Pages(auth.RoleDealer).GET("/test/dealer", func(c echo.Context) error {
			return c.String(http.StatusOK, "dealer page")
		})
	})
	dealer := e.client()
	dealer.setCookie(portal.LangCookie, "zh")
	dealer.login("dealer01@demo.test")
	doc := dealer.page("/test/planner", http.StatusForbidden)
	if got := text(doc.Find("h1")); got != i18n.T("zh", "error.forbidden.title") {
		t.Errorf("403 page h1 = %q", got)
	}
	if doc.Find("nav.mainnav").Length() != 1 {
		t.Error("the error page has no navigation for a signed-in user")
	}
	if res := dealer.get("/test/dealer"); res.StatusCode != http.StatusOK {
		t.Errorf("dealer page for a dealer: %d", res.StatusCode)
	}

	planner := e.client()
	planner.login("planner@demo.test")
	if res := planner.get("/test/planner"); res.StatusCode != http.StatusOK {
		t.Errorf("planner page for a planner: %d", res.StatusCode)
	}
	planner.page("/test/dealer", http.StatusForbidden)

	// Unknown pages are 404 for everyone, whatever group was registered last.
	for _, c := range []*client{dealer, planner, e.client()} {
		doc := c.page("/no/such/page", http.StatusNotFound)
		if doc.Find(".errorpage").Length() != 1 {
			t.Error("404 without the error page")
		}
	}
	// Anonymous: a role page first asks to sign in.
	res := e.client().get("/test/planner")
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous /test/planner: %d", res.StatusCode)
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.client()
	c.login("dealer01@demo.test")
	doc := c.page("/home", http.StatusOK)
	form := doc.Find(`form[action="/lang"]`)
	tok, _ := form.Find(`input[name="_csrf"]`).Attr("value")
	next, _ := form.Find(`input[name="next"]`).Attr("value")
	if next != "/home" {
		t.Errorf("switcher next = %q", next)
	}
	res := c.post("/lang", url.Values{"_csrf": {tok}, "lang": {"zh"}, "next": {next}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home" {
		t.Fatalf("switch: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if ck := cookie(res, portal.LangCookie); ck == nil || ck.Value != "zh" || ck.MaxAge < 3600 {
		t.Errorf("lang cookie %+v", ck)
	}
	var locale string
	if err := e.db.Get(&locale, `SELECT locale FROM users WHERE email = 'dealer01@demo.test'`); err != nil || locale != "zh" {
		t.Errorf("stored locale %q, %v", locale, err)
	}
	doc = c.page("/home", http.StatusOK)
	if got := text(doc.Find("h1")); got != "欢迎，上海锦绣服饰有限公司" {
		t.Errorf("h1 after switching = %q", got)
	}
	if got := text(doc.Find("#recent-orders thead th").First()); got != "订单号" {
		t.Errorf("header = %q", got)
	}

	// Redirects stay on this site; unknown languages are refused.
	for _, n := range []string{"//evil.example", "https://evil.example/", "javascript:alert(1)", ""} {
		res := c.post("/lang", url.Values{"_csrf": {tok}, "lang": {"ko"}, "next": {n}})
		res.Body.Close()
		if res.Header.Get("Location") != "/" {
			t.Errorf("next=%q → %q, want /", n, res.Header.Get("Location"))
		}
	}
	res = c.post("/lang", url.Values{"_csrf": {tok}, "lang": {"fr"}, "next": {"/home"}})
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("lang=fr: %d", res.StatusCode)
	}

	// Signed out, the choice is kept in the cookie only.
	anon := e.client()
	res = anon.post("/lang", url.Values{"_csrf": {anon.csrf()}, "lang": {"ko"}, "next": {"/login"}})
	res.Body.Close()
	if res.Header.Get("Location") != "/login" {
		t.Errorf("anonymous switch → %q", res.Header.Get("Location"))
	}
	doc = anon.page("/login", http.StatusOK)
	if got := text(doc.Find("h1")); got != i18n.T("ko", "login.heading") {
		t.Errorf("login after switching = %q", got)
	}
}

// No page shows a raw message key such as nav.orders: every key used on the
// way to these pages exists in every language.
func TestNoRawKeys(t *testing.T) {
	e := newEnv(t, false, func(p *portal.Portal) {
		p.Pages(auth.RolePlanner).GET("/test/planner", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
		// Register pages at every navigation target, so the navigation shows them all.
		for _, path := range []string{"/catalog", "/orders", "/orders/:number", "/returns", "/announcements", "/feedback",
			"/rollups", "/production-orders", "/forecasts/fabric", "/dealers", "/analytics", "/admin/users",
			"/admin/seasons", "/admin/settings"} {
			p.Pages().GET(path, func(c echo.Context) error { return c.NoContent(http.StatusOK) })
		}
	})
	key := regexp.MustCompile(`\b(app|nav|lang|user|users|role|login|home|season|order|status|totals|fabric|unit|error|term|common|form)\.[a-z_]+(\.[a-z_]+)?\b`)
	check := func(t *testing.T, what string, doc *goquery.Document) {
		t.Helper()
		texts := []string{doc.Text()}
		doc.Find("[aria-label], [title], [placeholder]").Each(func(_ int, s *goquery.Selection) {
			for _, a := range []string{"aria-label", "title", "placeholder"} {
				if v, ok := s.Attr(a); ok {
					texts = append(texts, v)
				}
			}
		})
		for _, s := range texts {
			if m := key.FindString(s); m != "" {
				t.Errorf("%s shows the raw key %q", what, m)
			}
		}
	}
	for _, lang := range []string{"en", "zh", "ko"} {
		anon := e.client()
		anon.setCookie(portal.LangCookie, lang)
		check(t, lang+" /login", anon.page("/login", http.StatusOK))
		check(t, lang+" /login?next", anon.page("/login?next=/home", http.StatusOK))
		check(t, lang+" 404 signed out", anon.page("/nope", http.StatusNotFound))
		res := anon.post("/login", url.Values{"_csrf": {anon.csrf()}, "email": {"x@demo.test"}, "password": {"bad"}})
		check(t, lang+" failed login", parse(t, res, http.StatusUnauthorized))
		res = anon.post("/login", url.Values{"_csrf": {anon.csrf()}})
		check(t, lang+" empty login", parse(t, res, http.StatusUnprocessableEntity))

		for _, email := range []string{"dealer01@demo.test", "planner@demo.test", "supplier01@demo.test", "admin@demo.test"} {
			c := e.client()
			c.setCookie(portal.LangCookie, lang)
			c.login(email)
			doc := c.page("/home", http.StatusOK)
			check(t, lang+" "+email+" /home", doc)
			if email != "planner@demo.test" {
				check(t, lang+" "+email+" 403", c.page("/test/planner", http.StatusForbidden))
			}
			check(t, lang+" "+email+" 404", c.page("/nope", http.StatusNotFound))
			res := c.post("/lang", url.Values{"_csrf": {c.csrfFromHome()}, "lang": {"xx"}})
			check(t, lang+" "+email+" 422", parse(t, res, http.StatusUnprocessableEntity))
			if doc.Find("nav.mainnav a").Length() < 2 {
				t.Errorf("%s: navigation has %d items", email, doc.Find("nav.mainnav a").Length())
			}
		}
	}
}

func TestStatic(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.client()
	doc := c.page("/login", http.StatusOK)
	css, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	js, _ := doc.Find(`script[src]`).Attr("src")
	if !strings.HasPrefix(css, "/static/app.css?v=") || !strings.HasPrefix(js, "/static/app.js?v=") {
		t.Fatalf("asset links %q %q", css, js)
	}
	if doc.Find("script:not([src])").Length() != 0 {
		t.Error("inline script on the page; the CSP allows none")
	}
	tests := []struct {
		path, wantType, wantCache string
		status                    int
	}{
		{css, "text/css; charset=utf-8", "public, max-age=31536000, immutable", http.StatusOK},
		{js, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", http.StatusOK},
		{"/static/app.css", "text/css; charset=utf-8", "public, max-age=300", http.StatusOK},
		{"/static/favicon.svg", "image/svg+xml", "public, max-age=300", http.StatusOK},
		{"/static/nope.css", "", "", http.StatusNotFound},
		{"/static/../templates.go", "", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		res := c.get(tt.path)
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, res.StatusCode, tt.status)
			continue
		}
		if tt.status != http.StatusOK {
			continue
		}
		if got := res.Header.Get("Content-Type"); got != tt.wantType {
			t.Errorf("%s: Content-Type %q", tt.path, got)
		}
		if got := res.Header.Get("Cache-Control"); got != tt.wantCache {
			t.Errorf("%s: Cache-Control %q", tt.path, got)
		}
		etag := res.Header.Get("ETag")
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+tt.path, nil)
		req.Header.Set("If-None-Match", etag)
		if res := c.do(req); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation status %d", tt.path, res.StatusCode)
		}
	}
}
