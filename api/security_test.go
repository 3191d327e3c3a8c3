package api_test

// The security matrix of issue 6 for the JSON API: every route × every role
// (own and another dealer's or supplier's objects) → the expected status;
// forged, expired and tampered tokens; SQL-injection strings in every query
// parameter, path segment and text field; oversized, deeply nested and
// mistyped bodies; security headers on every response; and no secret in the
// server's log. It runs on the demo data set (seed.Demo) with the routes
// cmd/portal serves; to cover a new Register* function, add it to
// newSecEnv and its routes to secRoutes.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/catalog/catalogdb"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/dealers/dealerdb"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/orderimport/importdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
	"github.com/sizerun/sizerun/server"
)

const (
	secSecret    = "security-matrix-secret-0123456789abcdef"
	secBodyLimit = "1M"
)

// secNow is the services' clock: inside SS27's order window, whatever the
// date the tests run on.
var secNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// secRole is a column of the matrix.
type secRole int

const (
	secDealerOwn   secRole = iota // dealer01 (D001): owns the objects of the matrix
	secDealerOther                // dealer02 (D002)
	secPlanner
	secSupplierOwn   // supplier01 (S01): supplies the fabric of the matrix
	secSupplierOther // supplier02 (S02)
	secAdmin
	secAnonymous // no token
	secRoles
)

var secRoleNames = [secRoles]string{"dealer own", "dealer other", "planner", "supplier own", "supplier other", "admin", "no token"}

var secEmails = map[secRole]string{
	secDealerOwn: "dealer01@demo.test", secDealerOther: "dealer02@demo.test", secPlanner: "planner@demo.test",
	secSupplierOwn: "supplier01@demo.test", secSupplierOther: "supplier02@demo.test", secAdmin: "admin@demo.test",
}

// secLog is the server's log, captured.
type secLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *secLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *secLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// secObjects are the demo objects the matrix addresses.
type secObjects struct {
	ownOrder    string // a submitted SS27 order of D001
	closedOrder string // an order of D001 in a closed season
	style       string // an SS27 style with a colour and a size
	color, size string
	fabric      string // a fabric of S01
	production  string // a production order, created by the planner
	invoice     string // an invoice of D001
	thread      string // a feedback thread of D001, created by dealer01
	// announcement is an announcement to every dealer.
	announcement string
}

type secEnv struct {
	e      *echo.Echo
	db     *sqlx.DB
	log    *secLog
	tokens map[secRole]string
	obj    secObjects
}

// newSecEnv builds the server as cmd/portal does (server.New, api.Group and
// every api.Register*) on a fresh copy of the demo data, logs every role in
// through the API and creates a production order.
func newSecEnv(t testing.TB) *secEnv {
	t.Helper()
	db, _ := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error { return seed.Demo(ctx, db, io.Discard) })
	tokens, err := auth.NewTokens(secSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	logs := &secLog{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	authSvc := auth.NewService(authdb.New(db), tokens, auth.DefaultLimits)
	e := server.New(server.Options{Log: log, BodyLimit: secBodyLimit})
	g := api.Group(e, authSvc)
	clock := func() time.Time { return secNow }
	orderSvc := ordering.NewService(orderdb.New(db), clock)
	api.RegisterCatalog(g, catalog.NewService(catalogdb.New(db), clock))
	api.RegisterOrders(g, orderSvc)
	api.RegisterImport(g, orderimport.NewService(orderSvc, importdb.New(db)))
	api.RegisterAggregation(g, aggregation.NewService(aggdb.New(db), aggregation.Options{Now: clock}))
	api.RegisterDealers(g, dealers.NewService(dealerdb.New(db), clock))

	env := &secEnv{e: e, db: db, log: logs, tokens: map[secRole]string{}}
	for r := secRole(0); r < secAnonymous; r++ {
		rec := env.raw(t, "POST", "/api/v1/auth/token", fmt.Sprintf(`{"email":%q,"password":%q}`, secEmails[r], seed.DemoPassword))
		if rec.Code != http.StatusOK {
			t.Fatalf("login %s = %d %s", secEmails[r], rec.Code, rec.Body)
		}
		var tok struct{ Token string }
		if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.Token == "" {
			t.Fatalf("login %s: %q %v", secEmails[r], rec.Body, err)
		}
		env.tokens[r] = tok.Token
	}

	o := &env.obj
	must := func(dest any, q string) {
		t.Helper()
		if err := db.Get(dest, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(&o.ownOrder, `SELECT o.number FROM orders o JOIN dealers d ON d.id = o.dealer_id JOIN seasons s ON s.id = o.season_id
		WHERE d.code = 'D001' AND s.code = 'SS27' AND o.status = 'submitted' ORDER BY o.number LIMIT 1`)
	must(&o.closedOrder, `SELECT o.number FROM orders o JOIN dealers d ON d.id = o.dealer_id JOIN seasons s ON s.id = o.season_id
		WHERE d.code = 'D001' AND s.closed ORDER BY o.number LIMIT 1`)
	var sku struct{ Style, Color, Size string }
	if err := db.Get(&sku, `SELECT st.code AS style, c.code AS color, sz.code AS size
		FROM skus k JOIN styles st ON st.id = k.style_id JOIN colors c ON c.id = k.color_id JOIN sizes sz ON sz.id = k.size_id
		JOIN season_styles ss ON ss.style_id = st.id JOIN seasons s ON s.id = ss.season_id AND s.code = 'SS27'
		ORDER BY st.code, c.code, sz.position LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	o.style, o.color, o.size = sku.Style, sku.Color, sku.Size
	must(&o.fabric, `SELECT f.code FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id WHERE s.code = 'S01' ORDER BY f.code LIMIT 1`)
	must(&o.invoice, `SELECT i.number FROM invoices i JOIN dealers d ON d.id = i.dealer_id WHERE d.code = 'D001' ORDER BY i.number LIMIT 1`)
	must(&o.announcement, `SELECT id::text FROM announcements ORDER BY id LIMIT 1`)

	rec := env.do(t, secDealerOwn, "POST", "/api/v1/feedback", `{"topic":"product","subject":"Security matrix","body":"A thread of D001."}`)
	var thread struct{ ID json.Number }
	if err := json.Unmarshal(rec.Body.Bytes(), &thread); rec.Code != http.StatusCreated || err != nil || thread.ID == "" {
		t.Fatalf("start feedback thread = %d %s (%v)", rec.Code, rec.Body, err)
	}
	o.thread = thread.ID.String()

	rec = env.do(t, secPlanner, "POST", "/api/v1/production-orders", fmt.Sprintf(`{"season":"SS27","styles":[%q],"overage_pct":"3.0"}`, o.style))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create production order = %d %s", rec.Code, rec.Body)
	}
	var po struct{ Number string }
	if err := json.Unmarshal(rec.Body.Bytes(), &po); err != nil || po.Number == "" {
		t.Fatalf("production order %q: %v", rec.Body, err)
	}
	o.production = po.Number
	return env
}

// raw serves one request; it checks what every response must have: the
// security headers, and never a 5xx.
func (env *secEnv) raw(t testing.TB, method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.RemoteAddr = "192.0.2.10:4711"
	return env.serve(t, req)
}

func (env *secEnv) serve(t testing.TB, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	env.e.ServeHTTP(rec, req)
	label := req.Method + " " + req.URL.String()
	if len(label) > 160 {
		label = label[:160] + "…"
	}
	if rec.Code >= 500 {
		t.Errorf("%s = %d (never a 5xx): %.300s", label, rec.Code, rec.Body)
	}
	checkSecurityHeaders(t, label, rec)
	return rec
}

// do serves a request as role r.
func (env *secEnv) do(t testing.TB, r secRole, method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	if r != secAnonymous {
		hdr = append(hdr, "Authorization", "Bearer "+env.tokens[r])
	}
	return env.raw(t, method, target, body, hdr...)
}

// checkSecurityHeaders: every response, error or not, carries them.
func checkSecurityHeaders(t testing.TB, label string, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	for name, want := range map[string]string{
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "same-origin",
		"Cross-Origin-Opener-Policy": "same-origin",
		"Cache-Control":              "no-store",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s → %d: header %s = %q, want %q", label, rec.Code, name, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s → %d: Content-Security-Policy = %q", label, rec.Code, csp)
	}
	if h.Get("Permissions-Policy") == "" {
		t.Errorf("%s → %d: no Permissions-Policy", label, rec.Code)
	}
	if h.Get("X-Request-Id") == "" {
		t.Errorf("%s → %d: no X-Request-Id", label, rec.Code)
	}
	if rec.Code >= 400 {
		var b struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
			t.Errorf("%s → %d: not api.md's error shape: %.200s", label, rec.Code, rec.Body)
		}
	}
}

// want is a row of expected statuses, one per role.
type secWant [secRoles]int

// skip in a want: the request is not made for this role (it would change
// data that later rows rely on).
const secSkip = -1

// importCSV is a multipart upload of an order file with an unknown style.
const secImportCSV = "--secb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/orders.csv\"\r\n" +
	"Content-Type: text/csv\r\n\r\nseason,style,color,size,qty\r\nSS27,NOPE99,BLK,M,12\r\n--secb--\r\n"

// Common rows.
var (
	// Catalogue: dealers and head office; suppliers are refused.
	secCatalogue = secWant{200, 200, 200, 403, 403, 200, 401}
	// Head office only (rollups, production orders).
	secHeadOffice = secWant{403, 403, 200, 403, 403, 200, 401}
	// Fabric forecasts: head office and suppliers.
	secForecasts = secWant{403, 403, 200, 200, 200, 200, 401}
)

type secRoute struct {
	name   string
	method string
	path   string // may hold {own}, {closed}, {style}, {color}, {size}, {fabric}, {po}
	body   string
	hdr    []string
	want   secWant
}

// secRoutes is every route of the API with what each role gets. Requests
// that change data are made so that they fail for the roles allowed to make
// them (a stale version, a closed season, an unknown code), so that the
// rows do not depend on each other.
func secRoutes() []secRoute {
	orderLine := `{"style":"{style}","color":"{color}","size":"{size}","qty":0}`
	return []secRoute{
		{"seasons", "GET", "/api/v1/seasons", "", nil, secCatalogue},
		{"season", "GET", "/api/v1/seasons/SS27", "", nil, secCatalogue},
		{"categories", "GET", "/api/v1/seasons/SS27/categories", "", nil, secCatalogue},
		{"styles", "GET", "/api/v1/seasons/SS27/styles", "", nil, secCatalogue},
		{"style", "GET", "/api/v1/seasons/SS27/styles/{style}", "", nil, secCatalogue},
		{"unknown season", "GET", "/api/v1/seasons/XX99/styles", "", nil, secWant{404, 404, 404, 403, 403, 404, 401}},

		{"list orders", "GET", "/api/v1/orders?season=SS27", "", nil, secWant{200, 200, 200, 403, 403, 200, 401}},
		{"get order", "GET", "/api/v1/orders/{own}", "", nil, secWant{200, 404, 200, 403, 403, 200, 401}},
		{"replace order, stale version", "PUT", "/api/v1/orders/{own}", `{"lines":[` + strings.Replace(orderLine, `"qty":0`, `"qty":50`, 1) + `]}`,
			[]string{"If-Match", `"999"`}, secWant{409, 404, 409, 403, 403, 409, 401}},
		{"cancel order past cut-off", "POST", "/api/v1/orders/{closed}/cancel", "", nil, secWant{409, 404, 409, 403, 403, 409, 401}},
		{"get unknown order", "GET", "/api/v1/orders/SO-SS27-999999", "", nil, secWant{404, 404, 404, 403, 403, 404, 401}},
		{"submit order with a bad line", "POST", "/api/v1/orders", `{"season":"SS27","dealer":"D001","lines":[` + orderLine + `]}`,
			nil, secWant{422, 403, 422, 403, 403, 422, 401}},
		{"confirm unknown orders", "POST", "/api/v1/orders/confirm", `{"numbers":["SO-SS27-999999"]}`, nil, secWant{403, 403, 422, 403, 403, 422, 401}},
		{"draft", "GET", "/api/v1/drafts/SS27", "", nil, secWant{200, 200, 403, 403, 403, 403, 401}},
		{"save draft style with a bad colour", "PUT", "/api/v1/drafts/SS27/styles/{style}", `{"lines":[{"color":"NOPE","size":"{size}","qty":1}]}`,
			nil, secWant{422, 422, 403, 403, 403, 403, 401}},
		{"submit empty draft", "POST", "/api/v1/drafts/SS27/submit", "", nil, secWant{404, 404, 403, 403, 403, 403, 401}},

		{"rollup", "GET", "/api/v1/rollups?season=SS27&by=style,color,size", "", nil, secHeadOffice},
		{"rollup by dealer", "GET", "/api/v1/rollups?season=SS27&by=dealer,region", "", nil, secHeadOffice},
		{"rollup xlsx", "GET", "/api/v1/rollups.xlsx?season=SS27", "", nil, secHeadOffice},
		{"rollup drill", "GET", "/api/v1/rollups/drill?season=SS27&style={style}", "", nil, secHeadOffice},
		{"create production order, unknown style", "POST", "/api/v1/production-orders", `{"season":"SS27","styles":["NOPE99"],"overage_pct":"3.0"}`,
			nil, secWant{403, 403, 422, 403, 403, 422, 401}},
		{"list production orders", "GET", "/api/v1/production-orders?season=SS27", "", nil, secHeadOffice},
		{"excess", "GET", "/api/v1/production-orders/excess?season=SS27", "", nil, secHeadOffice},
		{"production order", "GET", "/api/v1/production-orders/{po}", "", nil, secHeadOffice},
		{"production order pdf", "GET", "/api/v1/production-orders/{po}.pdf", "", nil, secHeadOffice},
		{"release unknown production order", "POST", "/api/v1/production-orders/PO-SS27-999999/release", "", nil, secWant{403, 403, 404, 403, 403, 404, 401}},

		{"fabric forecast", "GET", "/api/v1/forecasts/fabric?season=SS27", "", nil, secForecasts},
		{"fabric forecast csv", "GET", "/api/v1/forecasts/fabric.csv?season=SS27", "", nil, secForecasts},
		{"fabric forecast xlsx", "GET", "/api/v1/forecasts/fabric.xlsx?season=SS27", "", nil, secForecasts},
		{"fabric forecast pdf", "GET", "/api/v1/forecasts/fabric.pdf?season=SS27", "", nil, secForecasts},
		{"one fabric", "GET", "/api/v1/forecasts/fabric/{fabric}?season=SS27", "", nil, secWant{403, 403, 200, 200, 404, 200, 401}},
		{"acknowledge with a bad week", "POST", "/api/v1/forecasts/fabric/{fabric}/ack",
			`{"season":"SS27","week":"2027-01-06","committed_qty":"10.00","committed_date":"2026-12-21"}`,
			nil, secWant{403, 403, 403, 422, 404, 403, 401}},

		{"import with a bad row", "POST", "/api/v1/orders/import", secImportCSV, []string{"Content-Type", "multipart/form-data; boundary=secb"},
			secWant{422, 422, 422, 403, 403, 422, 401}},

		{"dealers", "GET", "/api/v1/dealers", "", nil, secWant{200, 200, 200, 403, 403, 200, 401}},
		{"dealer record", "GET", "/api/v1/dealers/D001", "", nil, secWant{200, 404, 200, 403, 403, 200, 401}},
		{"change dealer, bad limit", "PATCH", "/api/v1/dealers/D001", `{"credit_limit":"lots","reason":"x"}`, nil, secWant{403, 403, 422, 403, 403, 422, 401}},
		{"dealer note, empty", "POST", "/api/v1/dealers/D001/notes", `{"body":""}`, nil, secWant{403, 403, 422, 403, 403, 422, 401}},
		{"hold sweep", "POST", "/api/v1/dealers/holds/sweep", "", nil, secWant{403, 403, secSkip, 403, 403, secSkip, 401}},
		{"ship a closed order", "POST", "/api/v1/orders/{closed}/ship", "", nil, secWant{403, 403, 409, 403, 403, 409, 401}},
		{"invoices", "GET", "/api/v1/invoices", "", nil, secWant{200, 200, 200, 403, 403, 200, 401}},
		{"invoice", "GET", "/api/v1/invoices/{invoice}", "", nil, secWant{200, 404, 200, 403, 403, 200, 401}},
		{"payment, zero", "POST", "/api/v1/invoices/{invoice}/payments", `{"amount":"0.00","paid_on":"2026-11-20"}`, nil, secWant{403, 403, 422, 403, 403, 422, 401}},
		{"returns", "GET", "/api/v1/returns", "", nil, secWant{200, 200, 200, 403, 403, 200, 401}},
		{"request return of too many pieces", "POST", "/api/v1/returns", `{"order":"{closed}","reason":"damaged","lines":[{"style":"{style}","color":"{color}","size":"{size}","qty":100000}]}`,
			nil, secWant{422, 404, 422, 403, 403, 422, 401}},
		{"unknown return", "GET", "/api/v1/returns/RT-999999", "", nil, secWant{404, 404, 404, 403, 403, 404, 401}},
		{"reject unknown return", "POST", "/api/v1/returns/RT-999999/reject", `{"reason":"no"}`, nil, secWant{403, 403, 404, 403, 403, 404, 401}},
		{"dealer analysis", "GET", "/api/v1/analytics/dealers?season=SS27", "", nil, secHeadOffice},
		{"dealer analysis xlsx", "GET", "/api/v1/analytics/dealers.xlsx?season=SS27", "", nil, secHeadOffice},
		{"announcements", "GET", "/api/v1/announcements", "", nil, secWant{200, 200, 200, 403, 403, 200, 401}},
		{"publish empty announcement", "POST", "/api/v1/announcements", `{"title":"","body":""}`, nil, secWant{403, 403, 422, 403, 403, 422, 401}},
		{"read announcement", "POST", "/api/v1/announcements/{announcement}/read", "", nil, secWant{200, 200, 403, 403, 403, 403, 401}},
		{"feedback", "GET", "/api/v1/feedback", "", nil, secWant{200, 200, 200, 403, 403, 200, 401}},
		{"feedback thread", "GET", "/api/v1/feedback/{thread}", "", nil, secWant{200, 404, 200, 403, 403, 200, 401}},
		{"start empty thread", "POST", "/api/v1/feedback", `{"topic":"","subject":"","body":""}`, nil, secWant{422, 422, 403, 403, 403, 403, 401}},
		{"reply", "POST", "/api/v1/feedback/{thread}/messages", `{"body":"Any news?"}`, nil, secWant{201, 404, 201, 403, 403, 201, 401}},

		{"unknown endpoint", "GET", "/api/v1/no-such-thing", "", nil, secWant{404, 404, 404, 404, 404, 404, 401}},
		{"unknown method", "DELETE", "/api/v1/orders/{own}", "", nil, secWant{404, 404, 404, 404, 404, 404, 401}},
	}
}

func (env *secEnv) expand(s string) string {
	return strings.NewReplacer("{own}", env.obj.ownOrder, "{closed}", env.obj.closedOrder, "{style}", env.obj.style,
		"{color}", env.obj.color, "{size}", env.obj.size, "{fabric}", env.obj.fabric, "{po}", env.obj.production,
		"{invoice}", env.obj.invoice, "{thread}", env.obj.thread, "{announcement}", env.obj.announcement).Replace(s)
}

func TestSecurityMatrix(t *testing.T) {
	env := newSecEnv(t)
	for _, rt := range secRoutes() {
		path, body := env.expand(rt.path), env.expand(rt.body)
		for r := secRole(0); r < secRoles; r++ {
			if rt.want[r] == secSkip {
				continue
			}
			rec := env.do(t, r, rt.method, path, body, rt.hdr...)
			if rec.Code != rt.want[r] {
				t.Errorf("%s (%s %s) as %s = %d, want %d: %.300s", rt.name, rt.method, path, secRoleNames[r], rec.Code, rt.want[r], rec.Body)
			}
		}
	}

	// Lists are scoped: D002 never sees D001's orders, even when it asks.
	for _, q := range []string{"", "?dealer=D001", "?season=SS27&dealer=D001"} {
		rec := env.do(t, secDealerOther, "GET", "/api/v1/orders"+q, "")
		var list struct {
			Items []struct{ Number, Dealer string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatalf("orders%s: %v %s", q, err, rec.Body)
		}
		for _, o := range list.Items {
			if o.Dealer != "D002" {
				t.Errorf("D002 listed %s of %s (orders%s)", o.Number, o.Dealer, q)
			}
		}
	}
	// A supplier's forecast holds only its own fabrics.
	rec := env.do(t, secSupplierOther, "GET", "/api/v1/forecasts/fabric?season=SS27", "")
	var fc struct {
		Rows []struct{ Fabric, Supplier string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	for _, row := range fc.Rows {
		if row.Fabric == env.obj.fabric || (row.Supplier != "" && row.Supplier != "S02") {
			t.Errorf("S02's forecast has %s of %s", row.Fabric, row.Supplier)
		}
	}
	// A dealer cannot order for another dealer, even through the body.
	rec = env.do(t, secDealerOther, "POST", "/api/v1/orders", env.expand(`{"season":"SS27","dealer":"D001","lines":[{"style":"{style}","color":"{color}","size":"{size}","qty":50}]}`))
	if rec.Code != http.StatusForbidden {
		t.Errorf("D002 ordering for D001 = %d, want 403: %s", rec.Code, rec.Body)
	}
}

// TestSecurityTokens: anything but a token the server signed, unaltered,
// unexpired and for this API is 401.
func TestSecurityTokens(t *testing.T) {
	env := newSecEnv(t)
	now := time.Now()
	valid := env.tokens[secDealerOwn]
	parts := strings.Split(valid, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWS", valid)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var base map[string]any
	if err := json.Unmarshal(payload, &base); err != nil {
		t.Fatal(err)
	}
	claims := func(change map[string]any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for k, v := range base {
			c[k] = v
		}
		for k, v := range change {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	hs := func(c jwt.MapClaims, secret string) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	b64 := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	// macWith signs header.payload with the server's secret whatever alg the header names.
	macWith := func(header map[string]any, c jwt.MapClaims) string {
		in := b64(header) + "." + b64(c)
		m := hmac.New(sha256.New, []byte(secSecret))
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs256, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims(nil)).SignedString(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, claims(nil)).SignedString([]byte(secSecret))
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(change map[string]any) string { // new claims, the original signature
		return parts[0] + "." + b64(claims(change)) + "." + parts[2]
	}
	var otherDealer int
	if err := env.db.Get(&otherDealer, `SELECT id FROM dealers WHERE code = 'D002'`); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, header string
	}{
		{"no header", ""},
		{"empty bearer", "Bearer "},
		{"basic auth", "Basic " + base64.StdEncoding.EncodeToString([]byte("dealer01@demo.test:"+seed.DemoPassword))},
		{"lower-case scheme", "bearer " + valid},
		{"garbage", "Bearer not-a-token"},
		{"two parts", "Bearer " + parts[0] + "." + parts[1]},
		{"alg none", "Bearer " + none},
		{"alg none, no dot", "Bearer " + strings.TrimSuffix(none, ".")},
		{"alg none header, original payload and signature", "Bearer " + strings.Split(none, ".")[0] + "." + parts[1] + "." + parts[2]},
		{"RS256 with an attacker's key", "Bearer " + rs256},
		{"RS256 header, HMAC signature (confusion)", "Bearer " + macWith(map[string]any{"alg": "RS256", "typ": "JWT"}, claims(nil))},
		{"ES256 header, HMAC signature", "Bearer " + macWith(map[string]any{"alg": "ES256", "typ": "JWT"}, claims(nil))},
		{"HS512 with the right key", "Bearer " + hs512},
		{"wrong key", "Bearer " + hs(claims(nil), "another-secret-another-secret-another-secret")},
		{"empty key", "Bearer " + func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte{})
			return s
		}()},
		{"expired", "Bearer " + hs(claims(map[string]any{"exp": now.Add(-time.Hour).Unix(), "iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix()}), secSecret)},
		{"not yet valid", "Bearer " + hs(claims(map[string]any{"nbf": now.Add(time.Hour).Unix()}), secSecret)},
		{"issued in the future", "Bearer " + hs(claims(map[string]any{"iat": now.Add(time.Hour).Unix()}), secSecret)},
		{"no expiry", "Bearer " + hs(claims(map[string]any{"exp": nil}), secSecret)},
		{"wrong audience", "Bearer " + hs(claims(map[string]any{"aud": []string{"another-api"}}), secSecret)},
		{"no audience", "Bearer " + hs(claims(map[string]any{"aud": nil}), secSecret)},
		{"wrong issuer", "Bearer " + hs(claims(map[string]any{"iss": "evil"}), secSecret)},
		{"tampered: role admin", "Bearer " + tamper(map[string]any{"role": "admin"})},
		{"tampered: other dealer", "Bearer " + tamper(map[string]any{"dealer": "D002", "did": otherDealer})},
		{"tampered: later expiry", "Bearer " + tamper(map[string]any{"exp": now.Add(100 * 24 * time.Hour).Unix()})},
		{"tampered signature", "Bearer " + parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{"signed, dealer without dealer id", "Bearer " + hs(claims(map[string]any{"did": nil}), secSecret)},
		{"signed, subject is not the user", "Bearer " + hs(claims(map[string]any{"sub": "999999"}), secSecret)},
		{"signed, unknown role", "Bearer " + hs(claims(map[string]any{"role": "superuser"}), secSecret)},
		{"signed, supplier without supplier id", "Bearer " + hs(claims(map[string]any{"role": "supplier", "did": nil, "dealer": nil}), secSecret)},
	} {
		hdr := []string{}
		if tc.header != "" {
			hdr = []string{"Authorization", tc.header}
		}
		for _, target := range []string{"/api/v1/seasons", "/api/v1/orders/" + env.obj.ownOrder, "/api/v1/rollups?season=SS27"} {
			rec := env.raw(t, "GET", target, "", hdr...)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("%s: GET %s = %d, want 401: %.200s", tc.name, target, rec.Code, rec.Body)
			}
		}
	}

	// The token is taken from the Authorization header only.
	req := httptest.NewRequest("GET", "/api/v1/seasons?access_token="+url.QueryEscape(valid)+"&token="+url.QueryEscape(valid), nil)
	req.AddCookie(&http.Cookie{Name: "sizerun_token", Value: valid})
	if rec := env.serve(t, req); rec.Code != http.StatusUnauthorized {
		t.Errorf("token in the query string and a cookie = %d, want 401", rec.Code)
	}
	// And the genuine token still works.
	if rec := env.do(t, secDealerOwn, "GET", "/api/v1/seasons", ""); rec.Code != http.StatusOK {
		t.Errorf("valid token = %d", rec.Code)
	}
}

// secInjections are classic SQL-injection strings, and a few other hostile ones.
var secInjections = []string{
	`' OR '1'='1`,
	`' OR 1=1 --`,
	`'; DROP TABLE orders; --`,
	`"; DROP TABLE users; --`,
	`1; SELECT pg_sleep(3) --`,
	`' UNION SELECT email, password_hash FROM users --`,
	`%' OR '%'='`,
	`\'; TRUNCATE order_lines; --`,
	`$1`,
	`) OR (1=1`,
	`SS27' AND 1=(SELECT count(*) FROM pg_user) --`,
	`D001,D002' OR 'x'='x`,
	"style,color,size'--",
	`../../../../etc/passwd`,
	`<script>alert(1)</script>`,
	`{{.}}`,
	`☃ 雪 눈`,
	"tab\tand\nnewline",
	"nul\x00byte",
	strings.Repeat("A", 5000),
}

// TestSecurityInjection puts every string into every query parameter, path
// segment and text field: the answer is data (200 or 201 with the string
// given back) or a 4xx, never a 5xx, never slow, and nothing is destroyed.
func TestSecurityInjection(t *testing.T) {
	env := newSecEnv(t)
	var before struct{ Orders, Users, Lines int }
	count := func(dest *struct{ Orders, Users, Lines int }) {
		t.Helper()
		if err := env.db.Get(dest, `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM users) AS users,
			(SELECT count(*) FROM order_lines) AS lines`); err != nil {
			t.Fatal(err)
		}
	}
	count(&before)
	q := url.QueryEscape
	p := url.PathEscape
	created := 0
	for i, s := range secInjections {
		label := fmt.Sprintf("injection %d %.40q", i, s)
		js, _ := json.Marshal(s)
		j := string(js)
		line := env.expand(`{"style":"{style}","color":"{color}","size":"{size}","qty":50}`)
		reqs := []struct {
			who          secRole
			method, path string
			body         string
			hdr          []string
		}{
			{secAnonymous, "POST", "/api/v1/auth/token", `{"email":` + j + `,"password":` + j + `}`, nil},
			{secDealerOwn, "GET", "/api/v1/seasons/" + p(s), "", nil},
			{secDealerOwn, "GET", "/api/v1/seasons/" + p(s) + "/styles", "", nil},
			{secDealerOwn, "GET", "/api/v1/seasons/SS27/categories?x=" + q(s), "", nil},
			{secDealerOwn, "GET", "/api/v1/seasons/SS27/styles?q=" + q(s) + "&category=" + q(s), "", nil},
			{secDealerOwn, "GET", "/api/v1/seasons/SS27/styles/" + p(s), "", nil},
			{secDealerOwn, "GET", "/api/v1/orders?season=" + q(s) + "&status=" + q(s) + "&dealer=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/orders?dealer=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/orders?cursor=" + q(s) + "&limit=" + q(s), "", nil},
			{secDealerOwn, "GET", "/api/v1/orders/" + p(s), "", nil},
			{secDealerOwn, "PUT", "/api/v1/orders/" + p(s), `{"lines":[` + line + `]}`, []string{"If-Match", `"1"`}},
			{secDealerOwn, "PUT", "/api/v1/orders/" + env.obj.ownOrder, `{"lines":[` + line + `]}`, []string{"If-Match", s}},
			{secDealerOwn, "POST", "/api/v1/orders/" + p(s) + "/cancel", "", nil},
			{secDealerOwn, "POST", "/api/v1/orders", `{"season":` + j + `,"lines":[` + line + `]}`, nil},
			{secPlanner, "POST", "/api/v1/orders", `{"season":"SS27","dealer":` + j + `,"lines":[` + line + `]}`, nil},
			{secDealerOwn, "POST", "/api/v1/orders", `{"season":"SS27","lines":[{"style":` + j + `,"color":` + j + `,"size":` + j + `,"qty":1},{"style":"{style}","color":"{color}","prepack":` + j + `,"packs":1}]}`, nil},
			{secPlanner, "POST", "/api/v1/orders/confirm", `{"numbers":[` + j + `]}`, nil},
			{secDealerOwn, "GET", "/api/v1/drafts/" + p(s), "", nil},
			{secDealerOwn, "PUT", "/api/v1/drafts/SS27/styles/" + p(s), `{"lines":[{"color":` + j + `,"size":` + j + `,"qty":1}],"delivery_window":` + j + `}`, nil},
			{secDealerOwn, "POST", "/api/v1/drafts/" + p(s) + "/submit", `{"reference":` + j + `}`, nil},
			{secPlanner, "GET", "/api/v1/rollups?season=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/rollups?season=SS27&by=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/rollups?season=SS27&status=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/rollups?season=SS27&by=dealer&region=" + q(s) + "&dealer=" + q(s) + "&category=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/rollups.xlsx?season=SS27&dealer=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/rollups/drill?season=SS27&style=" + q(s) + "&color=" + q(s) + "&size=" + q(s) + "&region=" + q(s), "", nil},
			{secPlanner, "POST", "/api/v1/production-orders", `{"season":` + j + `,"styles":[` + j + `],"overage_pct":` + j + `}`, nil},
			{secPlanner, "GET", "/api/v1/production-orders?season=" + q(s), "", nil},
			{secPlanner, "GET", "/api/v1/production-orders/" + p(s), "", nil},
			{secPlanner, "GET", "/api/v1/production-orders/excess?season=" + q(s), "", nil},
			{secPlanner, "POST", "/api/v1/production-orders/" + p(s) + "/release", "", nil},
			{secSupplierOwn, "GET", "/api/v1/forecasts/fabric?season=" + q(s), "", nil},
			{secSupplierOwn, "GET", "/api/v1/forecasts/fabric/" + p(s) + "?season=SS27", "", nil},
			{secSupplierOwn, "GET", "/api/v1/forecasts/fabric.csv?season=" + q(s), "", nil},
			{secSupplierOwn, "POST", "/api/v1/forecasts/fabric/" + env.obj.fabric + "/ack",
				`{"season":` + j + `,"week":` + j + `,"committed_qty":` + j + `,"committed_date":` + j + `,"note":` + j + `}`, nil},
		}
		for _, r := range reqs {
			start := time.Now()
			rec := env.do(t, r.who, r.method, r.path, env.expand(r.body), r.hdr...)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: %s %.80s took %s", label, r.method, r.path, d)
			}
			if rec.Code >= 500 {
				continue // reported by serve
			}
			if rec.Code != 200 && rec.Code != 201 && (rec.Code < 400 || rec.Code >= 500) {
				t.Errorf("%s: %s %.80s = %d", label, r.method, r.path, rec.Code)
			}
			if rec.Code == 201 {
				created++
			}
		}

		// As data: the string is stored and given back as the order's reference.
		body := fmt.Sprintf(`{"season":"SS27","reference":%s,"lines":[%s]}`, j, line)
		rec := env.do(t, secDealerOwn, "POST", "/api/v1/orders", body, "Idempotency-Key", fmt.Sprintf("inj-%d-%.100s", i, strings.Map(secPrintable, s)))
		switch {
		case len([]rune(s)) > ordering.MaxReference || strings.ContainsRune(s, 0):
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s as reference = %d, want 422: %.200s", label, rec.Code, rec.Body)
			}
		case rec.Code != http.StatusCreated:
			t.Errorf("%s as reference = %d, want 201: %.200s", label, rec.Code, rec.Body)
		default:
			created++
			var o struct{ Number, Reference string }
			if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil {
				t.Fatal(err)
			}
			if o.Reference != strings.TrimSpace(s) {
				t.Errorf("%s: reference came back as %q", label, o.Reference)
			}
			got := env.do(t, secDealerOwn, "GET", "/api/v1/orders/"+o.Number, "")
			if !bytes.Contains(got.Body.Bytes(), js[1:len(js)-1]) && !strings.Contains(got.Body.String(), strings.TrimSpace(s)) {
				t.Errorf("%s: stored reference not given back: %.200s", label, got.Body)
			}
		}
		// As an Idempotency-Key (printable ones are legal keys).
		if key := strings.Map(secPrintable, s); key != "" && len(key) <= 255 {
			rec := env.do(t, secDealerOwn, "POST", "/api/v1/orders", fmt.Sprintf(`{"season":"SS27","lines":[%s]}`, line), "Idempotency-Key", key)
			if rec.Code != http.StatusCreated {
				t.Errorf("%s as Idempotency-Key = %d: %.200s", label, rec.Code, rec.Body)
			} else {
				created++
			}
		}
	}

	var after struct{ Orders, Users, Lines int }
	count(&after)
	if after.Users != before.Users || after.Orders != before.Orders+created || after.Lines < before.Lines {
		t.Errorf("data changed: before %+v, after %+v, %d orders created", before, after, created)
	}
}

// printable drops control characters (not allowed in an Idempotency-Key).
func secPrintable(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

// TestSecurityBodies: oversized bodies are 413, deeply nested or malformed
// JSON and wrong content types are 422, and nothing is half-written.
func TestSecurityBodies(t *testing.T) {
	env := newSecEnv(t)
	line := env.expand(`{"style":"{style}","color":"{color}","size":"{size}","qty":50}`)
	var orders0 int
	if err := env.db.Get(&orders0, `SELECT count(*) FROM orders`); err != nil {
		t.Fatal(err)
	}
	huge := `{"season":"SS27","reference":"` + strings.Repeat("x", 2<<20) + `","lines":[` + line + `]}`
	hugeLines := `{"season":"SS27","lines":[` + strings.Repeat(line+",", 25000) + line + `]}`
	type secBodyCase struct {
		name, method, path, ctype, body string
		chunked                         bool
		want                            int
	}
	var cases []secBodyCase
	for _, target := range []struct{ method, path string }{
		{"POST", "/api/v1/orders"},
		{"PUT", "/api/v1/orders/" + env.obj.ownOrder},
		{"POST", "/api/v1/auth/token"},
		{"POST", "/api/v1/production-orders"},
		{"POST", "/api/v1/forecasts/fabric/" + env.obj.fabric + "/ack"},
		{"PUT", "/api/v1/drafts/SS27/styles/" + env.obj.style},
	} {
		m, pth := target.method, target.path
		cases = append(cases,
			secBodyCase{"oversized", m, pth, "application/json", huge, false, 413},
			secBodyCase{"oversized, chunked", m, pth, "application/json", huge, true, 413},
			secBodyCase{"oversized lines", m, pth, "application/json", hugeLines, false, 413},
			secBodyCase{"deeply nested arrays", m, pth, "application/json", `{"lines":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, false, 422},
			secBodyCase{"deeply nested objects", m, pth, "application/json", strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000), false, 422},
			secBodyCase{"nested beyond the decoder's limit", m, pth, "application/json", strings.Repeat("[", 200000), false, 422},
			secBodyCase{"text/plain", m, pth, "text/plain", `{"season":"SS27"}`, false, 422},
			secBodyCase{"xml", m, pth, "application/xml", `<order><season>SS27</season></order>`, false, 422},
			secBodyCase{"form", m, pth, "application/x-www-form-urlencoded", `season=SS27&lines=1`, false, 422},
			secBodyCase{"multipart", m, pth, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"season\"\r\n\r\nSS27\r\n--x--\r\n", false, 422},
			secBodyCase{"malformed", m, pth, "application/json", `{"season": "SS27", "lines": [}`, false, 422},
			secBodyCase{"trailing data", m, pth, "application/json", `{"season":"SS27"} {"season":"SS27"}`, false, 422},
			secBodyCase{"not an object", m, pth, "application/json", `[1,2,3]`, false, 422},
		)
	}
	// Bodies whose fields only orders have.
	for _, target := range []struct{ method, path string }{
		{"POST", "/api/v1/orders"},
		{"PUT", "/api/v1/orders/" + env.obj.ownOrder},
	} {
		m, pth := target.method, target.path
		cases = append(cases,
			secBodyCase{"huge number", m, pth, "application/json", `{"season":"SS27","lines":[{"style":"A","color":"B","size":"M","qty":1e400}]}`, false, 422},
			secBodyCase{"fractional quantity", m, pth, "application/json", `{"season":"SS27","lines":[{"style":"A","color":"B","size":"M","qty":1.5}]}`, false, 422},
			secBodyCase{"quantity as text", m, pth, "application/json", `{"season":"SS27","lines":[{"style":"A","color":"B","size":"M","qty":"12"}]}`, false, 422},
			secBodyCase{"lines as an object", m, pth, "application/json", `{"season":"SS27","lines":{"style":"A"}}`, false, 422},
			secBodyCase{"invalid UTF-8", m, pth, "application/json", "{\"season\":\"SS27\xff\xfe\",\"lines\":[{\"style\":\"\xc3\x28\",\"color\":\"B\",\"size\":\"M\",\"qty\":1}]}", false, 422},
		)
	}
	// The order import takes multipart bodies; its limit is the same.
	hugeCSV := "--secb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n" +
		strings.Repeat("SS27,"+env.obj.style+","+env.obj.color+","+env.obj.size+",1\r\n", 60000) + "--secb--\r\n"
	cases = append(cases,
		secBodyCase{"oversized upload", "POST", "/api/v1/orders/import", "multipart/form-data; boundary=secb", hugeCSV, false, 413},
		secBodyCase{"oversized upload, chunked", "POST", "/api/v1/orders/import", "multipart/form-data; boundary=secb", hugeCSV, true, 413},
		secBodyCase{"upload as JSON", "POST", "/api/v1/orders/import", "application/json", `{"file":"x"}`, false, 422},
	)
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		req.Header.Set("If-Match", `"1"`)
		if c.path != "/api/v1/auth/token" {
			who := secDealerOwn
			if strings.Contains(c.path, "production") {
				who = secPlanner
			} else if strings.Contains(c.path, "forecasts") {
				who = secSupplierOwn
			}
			req.Header.Set("Authorization", "Bearer "+env.tokens[who])
		}
		if c.chunked {
			req.ContentLength = -1
			req.TransferEncoding = []string{"chunked"}
		}
		req.RemoteAddr = "192.0.2.11:4711"
		rec := env.serve(t, req)
		if rec.Code != c.want {
			t.Errorf("%s %s, %s: %d, want %d: %.200s", c.method, c.path, c.name, rec.Code, c.want, rec.Body)
		}
	}
	var orders1 int
	if err := env.db.Get(&orders1, `SELECT count(*) FROM orders`); err != nil {
		t.Fatal(err)
	}
	if orders1 != orders0 {
		t.Errorf("%d orders created by rejected bodies", orders1-orders0)
	}
}

// TestSecurityLoginBruteForce: the 11th wrong password for one account in
// the window is refused with 429, even with the right password.
func TestSecurityLoginBruteForce(t *testing.T) {
	env := newSecEnv(t)
	for i := 0; i < auth.DefaultLimits.PerAccount; i++ {
		rec := env.raw(t, "POST", "/api/v1/auth/token", fmt.Sprintf(`{"email":"dealer05@demo.test","password":"guess-%d"}`, i))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d, want 401", i+1, rec.Code)
		}
	}
	rec := env.raw(t, "POST", "/api/v1/auth/token", `{"email":"dealer05@demo.test","password":"`+seed.DemoPassword+`"}`)
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("login after %d failures = %d, want 429", auth.DefaultLimits.PerAccount, rec.Code)
	}
}

// TestSecurityLogs: after logins (good and bad), calls with real and forged
// tokens and refused requests, the server's log holds no password, no token
// and no Authorization value, but does hold the request lines.
func TestSecurityLogs(t *testing.T) {
	env := newSecEnv(t)
	const wrongPassword = "Wr0ng-but-secret-passw0rd!"
	env.raw(t, "POST", "/api/v1/auth/token", `{"email":"dealer03@demo.test","password":"`+wrongPassword+`"}`)
	env.raw(t, "POST", "/api/v1/auth/token", `{"email":"nobody@demo.test","password":"`+wrongPassword+`"}`)
	env.raw(t, "POST", "/api/v1/auth/token", `{"email":"dealer03@demo.test","password":`) // malformed
	forged := env.tokens[secDealerOwn][:len(env.tokens[secDealerOwn])-4] + "AAAA"
	for _, r := range []secRole{secDealerOwn, secDealerOther, secPlanner, secSupplierOwn, secAdmin} {
		env.do(t, r, "GET", "/api/v1/seasons/SS27/styles", "")
		env.do(t, r, "GET", "/api/v1/orders/"+env.obj.ownOrder+"?token="+url.QueryEscape(env.tokens[r]), "")
		env.do(t, r, "POST", "/api/v1/orders", `{"season":"SS27","lines":[]}`, "Idempotency-Key", "log-test")
		env.do(t, r, "GET", "/api/v1/rollups?season=SS27", "")
	}
	env.raw(t, "GET", "/api/v1/seasons", "", "Authorization", "Bearer "+forged)
	req := httptest.NewRequest("GET", "/api/v1/seasons", nil)
	req.AddCookie(&http.Cookie{Name: "sizerun_token", Value: env.tokens[secPlanner]})
	env.serve(t, req)

	logs := env.log.String()
	if !strings.Contains(logs, "/api/v1/orders") || !strings.Contains(logs, `"status":401`) {
		t.Fatalf("the log does not have the request lines: %.500s", logs)
	}
	secrets := map[string]string{"demo password": seed.DemoPassword, "wrong password": wrongPassword, "forged token": forged,
		"the word Bearer": "Bearer", "JWT secret": secSecret}
	for r, tok := range env.tokens {
		secrets["token of "+secRoleNames[r]] = tok
		secrets["signature of "+secRoleNames[r]+"'s token"] = tok[strings.LastIndex(tok, ".")+1:]
	}
	for what, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains the %s", what)
		}
	}
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(strings.ToLower(l), "authorization") || strings.Contains(strings.ToLower(l), "cookie") {
			t.Errorf("log line mentions a credential header: %.300s", l)
		}
	}
}

// TestConcurrentSubmissionsOneDealer: many submissions of one dealer at
// once, each with its own Idempotency-Key, all succeed and PostgreSQL
// reports no deadlock (the dealer lock used to conflict with the foreign-key
// lock of the other submissions' key rows; found by cmd/loadgen).
func TestConcurrentSubmissionsOneDealer(t *testing.T) {
	env := newSecEnv(t)
	env.db.MustExec(`UPDATE dealers SET credit_limit = 900000000000 WHERE code = 'D001'`)
	deadlocks := func() int {
		var n int
		if err := env.db.Get(&n, `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := deadlocks()
	body := env.expand(`{"season":"SS27","lines":[{"style":"{style}","color":"{color}","size":"{size}","qty":50}]}`)
	const workers, each = 8, 6
	// Deadlocks cost a second each (deadlock_timeout) and are retried:
	// bound the test should they come back.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	codes := make(chan int, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/orders", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+env.tokens[secDealerOwn])
				req.Header.Set("Idempotency-Key", fmt.Sprintf("concurrent-%d-%d", w, i))
				rec := httptest.NewRecorder()
				env.e.ServeHTTP(rec, req)
				codes <- rec.Code
			}
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusCreated {
			t.Errorf("concurrent submission = %d, want 201", c)
		}
	}
	// pg_stat_database is updated asynchronously: give it a moment.
	time.Sleep(time.Second)
	env.db.MustExec(`SELECT pg_stat_clear_snapshot()`)
	if n := deadlocks() - before; n > 0 {
		t.Errorf("%d deadlocks among %d concurrent submissions of one dealer", n, workers*each)
	}
}
