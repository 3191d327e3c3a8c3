package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/catalog/catalogdb"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/dealers/dealerdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
)

// dealersAPI is a server with the order and dealer endpoints on the
// orderingtest fixture.
type dealersAPI struct {
	t      *testing.T
	e      *echo.Echo
	db     *sqlx.DB
	tokens map[string]string
}

func newDealersAPI(t *testing.T) *dealersAPI {
	t.Helper()
	db := pgtest.New(t)
	orderingtest.New(t, db)
	tokens, err := auth.NewTokens("dealers-api-test-secret-0123456789abcdef", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e := server.New(server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "1M"})
	g := api.Group(e, auth.NewService(authdb.New(db), tokens, auth.DefaultLimits))
	api.RegisterCatalog(g, catalog.NewService(catalogdb.New(db), nil))
	api.RegisterOrders(g, ordering.NewService(orderdb.New(db), nil))
	api.RegisterDealers(g, dealers.NewService(dealerdb.New(db), nil))
	a := &dealersAPI{t: t, e: e, db: db, tokens: map[string]string{}}
	for _, email := range []string{"planner@test.test", "admin@test.test", "dealer01@test.test", "dealer02@test.test",
		"dealer40@test.test", "supplier01@test.test"} {
		tok, _, err := tokens.Issue(orderingtest.Principal(t, db, email))
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[strings.SplitN(email, "@", 2)[0]] = tok
	}
	return a
}

func (a *dealersAPI) do(who, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

// ok sends a request, expects status and decodes the JSON answer.
func (a *dealersAPI) ok(status int, who, method, path, body string) map[string]any {
	a.t.Helper()
	rec := a.do(who, method, path, body)
	if rec.Code != status {
		a.t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, who, rec.Code, status, rec.Body)
	}
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		a.t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body)
	}
	return v
}

// fails expects an api.md error with the code and returns its detail fields.
func (a *dealersAPI) fails(status int, code, who, method, path, body string) []string {
	a.t.Helper()
	v := a.ok(status, who, method, path, body)
	e, _ := v["error"].(map[string]any)
	if e == nil || e["code"] != code {
		a.t.Fatalf("%s %s as %s: %v, want %s", method, path, who, v, code)
	}
	var fields []string
	ds, _ := e["details"].([]any)
	for _, d := range ds {
		fields = append(fields, d.(map[string]any)["field"].(string))
	}
	return fields
}

// confirmedOrder submits an order as dealer01 and confirms it as the planner.
func (a *dealersAPI) confirmedOrder(body string) string {
	a.t.Helper()
	o := a.ok(201, "dealer01", "POST", "/api/v1/orders", body)
	n := o["number"].(string)
	a.ok(200, "planner", "POST", "/api/v1/orders/confirm", `{"numbers": ["`+n+`"]}`)
	return n
}

const dealersTenShirts = `{"season": "SS27", "lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 10}]}`

// Roles: a dealer gets 404 for other dealers' records, invoices, returns and
// feedback, 403 for analytics and head-office actions; suppliers get 403.
func TestDealersAPIRoles(t *testing.T) {
	a := newDealersAPI(t)
	number := a.confirmedOrder(dealersTenShirts)
	ship := a.ok(200, "planner", "POST", "/api/v1/orders/"+number+"/ship", "")
	inv := ship["invoice"].(map[string]any)["number"].(string)
	ret := a.ok(201, "dealer01", "POST", "/api/v1/returns", `{"order": "`+number+`", "reason": "stains",
		"lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 1}]}`)["number"].(string)
	thread := a.ok(201, "dealer01", "POST", "/api/v1/feedback", `{"topic": "service", "subject": "Late", "body": "Two weeks late."}`)
	threadID := dealersJSONID(thread["id"])

	for _, path := range []string{"/api/v1/dealers/D001", "/api/v1/invoices/" + inv, "/api/v1/returns/" + ret,
		"/api/v1/feedback/" + threadID, "/api/v1/dealers/NOPE", "/api/v1/feedback/abc"} {
		a.fails(404, "not_found", "dealer02", "GET", path, "")
	}
	a.fails(404, "not_found", "dealer02", "POST", "/api/v1/feedback/"+threadID+"/messages", `{"body": "hi"}`)
	a.fails(404, "not_found", "dealer02", "POST", "/api/v1/returns", `{"order": "`+number+`", "reason": "x",
		"lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 1}]}`)
	a.fails(404, "not_found", "dealer02", "GET", "/api/v1/invoices?dealer=D001", "")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/analytics/dealers?season=SS27", ""},
		{"GET", "/api/v1/analytics/dealers.xlsx?season=SS27", ""},
		{"PATCH", "/api/v1/dealers/D001", `{"credit_limit": "1.00", "reason": "x"}`},
		{"POST", "/api/v1/dealers/D001/notes", `{"body": "x"}`},
		{"POST", "/api/v1/dealers/holds/sweep", ""},
		{"POST", "/api/v1/orders/" + number + "/ship", ""},
		{"POST", "/api/v1/invoices/" + inv + "/payments", `{"amount": "1.00"}`},
		{"POST", "/api/v1/returns/" + ret + "/approve", ""},
		{"POST", "/api/v1/returns/" + ret + "/reject", `{"reason": "no"}`},
		{"POST", "/api/v1/announcements", `{"title": "t", "body": "b"}`},
	} {
		a.fails(403, "forbidden", "dealer01", c.method, c.path, c.body)
	}
	for _, path := range []string{"/api/v1/dealers", "/api/v1/dealers/D001", "/api/v1/invoices", "/api/v1/returns",
		"/api/v1/analytics/dealers?season=SS27", "/api/v1/announcements", "/api/v1/feedback"} {
		a.fails(403, "forbidden", "supplier01", "GET", path, "")
	}
	a.fails(401, "unauthorized", "", "GET", "/api/v1/dealers", "")

	// A dealer's list is itself; its own record is readable, without notes.
	list := a.ok(200, "dealer02", "GET", "/api/v1/dealers", "")["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["code"] != "D002" {
		t.Errorf("dealer02 lists %v", list)
	}
	own := a.ok(200, "dealer01", "GET", "/api/v1/dealers/D001", "")
	if _, ok := own["notes"]; ok {
		t.Error("a dealer sees head office's notes")
	}
	if n := len(a.ok(200, "planner", "GET", "/api/v1/dealers", "")["items"].([]any)); n != 5 {
		t.Errorf("planner lists %d dealers", n)
	}
}

func dealersJSONID(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// As the planner: the record's exposure adds up, shipping raises the
// invoice, a payment is recorded (no overpayment), a return is approved.
func TestDealersAPIFlow(t *testing.T) {
	a := newDealersAPI(t)
	number := a.confirmedOrder(dealersTenShirts) // 10 × 129.00 = 1290.00

	rec := a.ok(200, "planner", "GET", "/api/v1/dealers/D001", "")
	exp := rec["exposure"].(map[string]any)
	for k, want := range map[string]any{"open_orders": "1290.00", "unpaid_invoices": "0.00", "credit_notes": "0.00",
		"total": "1290.00", "credit_limit": "1000000.00", "available": "998710.00", "currency": "CNY"} {
		if exp[k] != want {
			t.Errorf("exposure.%s = %v, want %v", k, exp[k], want)
		}
	}
	for _, k := range []string{"contacts", "order_history", "orders", "invoices", "returns", "feedback", "announcements", "region", "price_list"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("the record has no %q", k)
		}
	}

	ship := a.ok(200, "planner", "POST", "/api/v1/orders/"+number+"/ship", `{}`)
	inv := ship["invoice"].(map[string]any)
	today := time.Now().UTC()
	if inv["amount"] != "1290.00" || inv["currency"] != "CNY" || inv["status"] != "open" ||
		inv["issued_on"] != today.Format("2006-01-02") || inv["due_on"] != today.AddDate(0, 0, 30).Format("2006-01-02") {
		t.Errorf("invoice %v", inv)
	}
	if ship["order"].(map[string]any)["status"] != "shipped" {
		t.Errorf("order %v", ship["order"])
	}
	a.fails(409, "invalid_state", "planner", "POST", "/api/v1/orders/"+number+"/ship", "")
	invNo := inv["number"].(string)

	if f := a.fails(422, "validation_failed", "planner", "POST", "/api/v1/invoices/"+invNo+"/payments",
		`{"amount": "1290.01", "paid_on": "`+today.Format("2006-01-02")+`"}`); len(f) != 1 || f[0] != "amount" {
		t.Errorf("overpay fields %v", f)
	}
	if f := a.fails(422, "validation_failed", "planner", "POST", "/api/v1/invoices/"+invNo+"/payments",
		`{"amount": "x", "paid_on": "2099-01-01"}`); len(f) != 2 || f[0] != "amount" || f[1] != "paid_on" {
		t.Errorf("bad payment fields %v", f)
	}
	paid := a.ok(201, "planner", "POST", "/api/v1/invoices/"+invNo+"/payments", `{"amount": "1000.00", "reference": "TT-7"}`)
	if paid["paid"] != "1000.00" || paid["balance"] != "290.00" || len(paid["payments"].([]any)) != 1 {
		t.Errorf("paid %v", paid)
	}
	paid = a.ok(201, "planner", "POST", "/api/v1/invoices/"+invNo+"/payments", `{"amount": 290}`)
	if paid["status"] != "paid" {
		t.Errorf("paid %v", paid)
	}
	items := a.ok(200, "dealer01", "GET", "/api/v1/invoices?status=paid", "")["items"].([]any)
	if len(items) != 1 {
		t.Errorf("dealer01 paid invoices %v", items)
	}

	// Return 4: over the shipped quantity is 422 naming the line.
	if f := a.fails(422, "validation_failed", "dealer01", "POST", "/api/v1/returns", `{"order": "`+number+`", "reason": "torn",
		"lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 11}]}`); len(f) != 1 || f[0] != "lines[0].qty" {
		t.Errorf("fields %v", f)
	}
	ret := a.ok(201, "dealer01", "POST", "/api/v1/returns", `{"order": "`+number+`", "reason": "torn",
		"lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 4}]}`)
	if ret["status"] != "requested" || ret["amount"] != "516.00" || ret["currency"] != "CNY" {
		t.Errorf("return %v", ret)
	}
	appr := a.ok(200, "planner", "POST", "/api/v1/returns/"+ret["number"].(string)+"/approve", "")
	if appr["status"] != "approved" || appr["credit_amount"] != "516.00" {
		t.Errorf("approved %v", appr)
	}
	exp = a.ok(200, "planner", "GET", "/api/v1/dealers/D001", "")["exposure"].(map[string]any)
	if exp["credit_notes"] != "516.00" || exp["total"] != "-516.00" || exp["open_orders"] != "0.00" {
		t.Errorf("exposure after the return %v", exp)
	}

	// PATCH with a reason, audited.
	upd := a.ok(200, "planner", "PATCH", "/api/v1/dealers/D001", `{"credit_limit": "1200000.00", "reason": "grew 20%"}`)
	ev := upd["events"].([]any)[0].(map[string]any)
	if upd["credit_limit"] != "1200000.00" || ev["kind"] != "credit_limit_changed" || ev["reason"] != "grew 20%" {
		t.Errorf("update %v %v", upd["credit_limit"], ev)
	}
	if f := a.fails(422, "validation_failed", "planner", "PATCH", "/api/v1/dealers/D001", `{"credit_limit": "1.00"}`); len(f) != 1 || f[0] != "reason" {
		t.Errorf("fields %v", f)
	}
	a.fails(422, "validation_failed", "planner", "PATCH", "/api/v1/dealers/D001", `{"credit_limit": "1.00", "reason": 5}`)
	a.ok(201, "planner", "POST", "/api/v1/dealers/D001/notes", `{"body": "Visited the store."}`)
	a.ok(200, "planner", "POST", "/api/v1/dealers/holds/sweep", "")

	// Announcements: published by head office, read by dealer01, counted.
	ann := a.ok(201, "planner", "POST", "/api/v1/announcements", `{"title": "AW27 preview", "body": "Join us on 3 March."}`)
	id := dealersJSONID(ann["id"])
	got := a.ok(200, "dealer01", "POST", "/api/v1/announcements/"+id+"/read", "")
	if got["read"] != true {
		t.Errorf("read %v", got)
	}
	hq := a.ok(200, "planner", "GET", "/api/v1/announcements", "")["items"].([]any)[0].(map[string]any)
	if hq["reads"] != 1.0 || hq["audience"] != 5.0 {
		t.Errorf("head office sees %v", hq)
	}
	a.fails(404, "not_found", "dealer01", "POST", "/api/v1/announcements/999999/read", "")
}

func TestDealersAPIAnalytics(t *testing.T) {
	a := newDealersAPI(t)
	a.confirmedOrder(dealersTenShirts)
	v := a.ok(200, "planner", "GET", "/api/v1/analytics/dealers?season=SS27&discount_rate=0.10&horizon=4", "")
	p := v["pareto"].(map[string]any)
	if p["top_share"] != "1.0000" || p["total_value"] != "1290.00" || len(v["segments"].([]any)) != 16 {
		t.Errorf("analysis %v", v)
	}
	if f := a.fails(422, "validation_failed", "planner", "GET", "/api/v1/analytics/dealers?discount_rate=2&horizon=-1", ""); len(f) != 3 {
		t.Errorf("fields %v", f)
	}
	rec := a.do("planner", "GET", "/api/v1/analytics/dealers.xlsx?season=SS27", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != dealers.ContentXLSX ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "dealer-analysis-SS27.xlsx") {
		t.Fatalf("xlsx %d %v", rec.Code, rec.Header())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 5 || sheets[0] != "Pareto SS27" {
		t.Fatalf("sheets %v", sheets)
	}
	if v, _ := f.GetCellValue("Pareto SS27", "B2"); v != "D001" {
		t.Errorf("B2 = %q", v)
	}
	if v, _ := f.GetCellValue("Pareto SS27", "E2", excelize.Options{RawCellValue: true}); v != "1290" && v != "1290.00" {
		t.Errorf("E2 = %q", v)
	}
	panes, err := f.GetPanes("Dealers")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v", panes, err)
	}
}

// Hostile input (NUL bytes, invalid UTF-8, SQL) is a 4xx, never a 5xx.
func TestDealersAPIHostileInput(t *testing.T) {
	a := newDealersAPI(t)
	number := a.confirmedOrder(dealersTenShirts)
	a.ok(200, "planner", "POST", "/api/v1/orders/"+number+"/ship", "")
	hostile := []string{"%00", "a%00b", "%FF", "%27%20OR%201=1--", "D001%27;DROP%20TABLE%20dealers;--", "%E2%80%AE"}
	for _, h := range hostile {
		for _, path := range []string{
			"/api/v1/dealers?q=" + h, "/api/v1/dealers?region=" + h, "/api/v1/dealers?status=" + h,
			"/api/v1/dealers/" + h, "/api/v1/invoices?dealer=" + h, "/api/v1/invoices?status=" + h, "/api/v1/invoices/" + h,
			"/api/v1/returns?dealer=" + h, "/api/v1/returns/" + h, "/api/v1/feedback?dealer=" + h, "/api/v1/feedback/" + h,
			"/api/v1/analytics/dealers?season=" + h, "/api/v1/analytics/dealers?season=SS27&discount_rate=" + h,
			"/api/v1/analytics/dealers.xlsx?season=SS27&horizon=" + h,
		} {
			for _, who := range []string{"planner", "dealer01"} {
				if rec := a.do(who, "GET", path, ""); rec.Code >= 500 {
					t.Errorf("GET %s as %s: %d %s", path, who, rec.Code, rec.Body)
				}
			}
		}
		for _, path := range []string{"/api/v1/orders/" + h + "/ship", "/api/v1/returns/" + h + "/approve", "/api/v1/dealers/" + h + "/notes"} {
			if rec := a.do("planner", "POST", path, `{"body": "x"}`); rec.Code >= 500 {
				t.Errorf("POST %s: %d %s", path, rec.Code, rec.Body)
			}
		}
	}
	bodies := []struct{ who, method, path, body string }{
		{"planner", "PATCH", "/api/v1/dealers/D001", `{"status": "on_hold", "reason": "a\u0000b"}`},
		{"planner", "PATCH", "/api/v1/dealers/D001", `{"credit_limit": "1\u0000", "reason": "x"}`},
		{"planner", "POST", "/api/v1/dealers/D001/notes", `{"body": "\u0000"}`},
		{"dealer01", "POST", "/api/v1/returns", `{"order": "` + number + `", "reason": "x\u0000", "lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 1}]}`},
		{"dealer01", "POST", "/api/v1/returns", `{"order": "SO\u0000", "reason": "x", "lines": [{"style": "S\u0000", "color": "BLK", "size": "M", "qty": 1}]}`},
		{"dealer01", "POST", "/api/v1/returns", `{"order": "` + number + `", "reason": "x", "lines": [{"style": "ST1001'--", "color": "\u0000", "size": "M", "qty": 1}]}`},
		{"planner", "POST", "/api/v1/announcements", `{"title": "t\u0000", "body": "b", "region": "\u0000"}`},
		{"dealer01", "POST", "/api/v1/feedback", `{"topic": "product", "style": "S\u0000", "subject": "s\u0000", "body": "b\u0000"}`},
		{"planner", "POST", "/api/v1/invoices/INV-000001/payments", `{"amount": "1", "reference": "\u0000", "paid_on": "\u0000"}`},
	}
	for _, b := range bodies {
		rec := a.do(b.who, b.method, b.path, b.body)
		if rec.Code >= 500 || rec.Code == 200 || rec.Code == 201 {
			t.Errorf("%s %s %s: %d %s", b.method, b.path, b.body, rec.Code, rec.Body)
		}
	}
}

// A POST repeated with the same Idempotency-Key creates nothing new and
// answers the same; the same key with another body is 409.
func TestDealersAPIIdempotency(t *testing.T) {
	a := newDealersAPI(t)
	number := a.confirmedOrder(dealersTenShirts)
	inv := a.ok(200, "planner", "POST", "/api/v1/orders/"+number+"/ship", "")["invoice"].(map[string]any)["number"].(string)
	send := func(who, path, body, key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		a.e.ServeHTTP(rec, req)
		return rec
	}
	pay := `{"amount": "100.00", "paid_on": "` + time.Now().UTC().Format("2006-01-02") + `", "reference": "TT-1"}`
	first := send("planner", "/api/v1/invoices/"+inv+"/payments", pay, "pay-1")
	again := send("planner", "/api/v1/invoices/"+inv+"/payments", pay, "pay-1")
	if first.Code != 201 || again.Code != 201 || first.Body.String() != again.Body.String() {
		t.Fatalf("first %d %s, again %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if rec := send("planner", "/api/v1/invoices/"+inv+"/payments", `{"amount": "200.00"}`, "pay-1"); rec.Code != 409 ||
		!strings.Contains(rec.Body.String(), "idempotency_key_reused") {
		t.Errorf("reused key: %d %s", rec.Code, rec.Body)
	}
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM payments`); err != nil || n != 1 {
		t.Errorf("%d payments (%v)", n, err)
	}
	ret := `{"order": "` + number + `", "reason": "stains", "lines": [{"style": "ST1001", "color": "BLK", "size": "M", "qty": 2}]}`
	r1, r2 := send("dealer01", "/api/v1/returns", ret, "rma-1"), send("dealer01", "/api/v1/returns", ret, "rma-1")
	if r1.Code != 201 || r1.Body.String() != r2.Body.String() {
		t.Errorf("returns %d %s / %s", r1.Code, r1.Body, r2.Body)
	}
	if err := a.db.Get(&n, `SELECT count(*) FROM returns`); err != nil || n != 1 {
		t.Errorf("%d returns (%v)", n, err)
	}
	// Keys are the caller's: another user may use the same key.
	if rec := send("admin", "/api/v1/invoices/"+inv+"/payments", pay, "pay-1"); rec.Code != 201 {
		t.Errorf("admin with the planner's key: %d %s", rec.Code, rec.Body)
	}
	if rec := send("planner", "/api/v1/announcements", `{"title": "t", "body": "b"}`, strings.Repeat("k", 256)); rec.Code != 422 {
		t.Errorf("long key: %d", rec.Code)
	}
}
