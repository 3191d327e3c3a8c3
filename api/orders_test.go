package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/catalog/catalogdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
)

const ordersSecret = "orders-test-secret-orders-test-secret-42"

// ordersAPI is a server with the catalogue and order endpoints on the
// orderingtest fixture, and tokens for its users.
type ordersAPI struct {
	t      *testing.T
	e      *echo.Echo
	db     *sqlx.DB
	tokens *auth.Tokens
}

func newOrdersAPI(t *testing.T) *ordersAPI {
	t.Helper()
	db := pgtest.New(t)
	orderingtest.New(t, db)
	tokens, err := auth.NewTokens(ordersSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	authSvc := auth.NewService(authdb.New(db), tokens, auth.DefaultLimits)
	e := server.New(server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "8M"})
	g := api.Group(e, authSvc)
	api.RegisterCatalog(g, catalog.NewService(catalogdb.New(db), nil))
	api.RegisterOrders(g, ordering.NewService(orderdb.New(db), nil))
	return &ordersAPI{t: t, e: e, db: db, tokens: tokens}
}

// token issues a real token for a fixture user.
func (a *ordersAPI) token(email string) string {
	a.t.Helper()
	tok, _, err := a.tokens.Issue(orderingtest.Principal(a.t, a.db, email))
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

// call sends a request with a token ("" for none) and headers in pairs.
func (a *ordersAPI) call(method, path, token, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

func (a *ordersAPI) wantError(rec *httptest.ResponseRecorder, status int, code string) apiError {
	a.t.Helper()
	var b apiError
	if rec.Code != status {
		a.t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Error.Code != code {
		a.t.Fatalf("body %s (%v), want code %s", rec.Body, err, code)
	}
	return b
}

func decodeJSON[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %s: %v", rec.Body, err)
	}
	return v
}

const shirtOrder = `{"season": "SS27", "reference": "PO-1", "lines": [
	{"style": "ST1001", "color": "BLK", "size": "M", "qty": 4},
	{"style": "ST1001", "color": "BLK", "size": "M", "qty": 2},
	{"style": "ST1001", "color": "NVY", "prepack": "PP1", "packs": 1}]}`

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

func TestOrdersAPI(t *testing.T) {
	a := newOrdersAPI(t)
	dealer := a.token("dealer01@test.test")

	rec := a.call("POST", "/api/v1/orders", dealer, shirtOrder)
	if rec.Code != 201 {
		t.Fatalf("submit = %d %s", rec.Code, rec.Body)
	}
	// api.md's order object, field by field.
	o := decodeJSON[map[string]any](t, rec)
	number, _ := o["number"].(string)
	for k, want := range map[string]any{"dealer": "D001", "season": "SS27", "status": "submitted", "reference": "PO-1",
		"currency": "CNY", "total_qty": 12.0, "total_amount": "1548.00", "version": 1.0} {
		if o[k] != want {
			t.Errorf("%s = %#v, want %#v", k, o[k], want)
		}
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if s, _ := o[k].(string); !rfc3339UTC.MatchString(s) {
			t.Errorf("%s = %q, not RFC 3339 UTC", k, s)
		}
	}
	lines := o["lines"].([]any)
	first := lines[0].(map[string]any)
	for k, want := range map[string]any{"style": "ST1001", "color": "BLK", "size": "M", "qty": 6.0, "unit_price": "129.00", "amount": "774.00"} {
		if first[k] != want {
			t.Errorf("lines[0].%s = %#v, want %#v", k, first[k], want)
		}
	}
	if len(lines) != 5 || rec.Header().Get("ETag") != `"1"` {
		t.Errorf("%d lines, ETag %q", len(lines), rec.Header().Get("ETag"))
	}

	rec = a.call("GET", "/api/v1/orders/"+number, dealer, "")
	if rec.Code != 200 || decodeJSON[map[string]any](t, rec)["number"] != number {
		t.Fatalf("get = %d %s", rec.Code, rec.Body)
	}

	// Amend: If-Match is required and must be current.
	amend := `{"lines": [{"style": "ST1001", "color": "BLK", "size": "L", "qty": 6}]}`
	b := a.wantError(a.call("PUT", "/api/v1/orders/"+number, dealer, amend), 422, "validation_failed")
	if len(b.Error.Details) != 1 || b.Error.Details[0].Field != "If-Match" {
		t.Errorf("details %+v", b.Error.Details)
	}
	a.wantError(a.call("PUT", "/api/v1/orders/"+number, dealer, amend, "If-Match", `"7"`), 409, "conflict")
	rec = a.call("PUT", "/api/v1/orders/"+number, dealer, amend, "If-Match", `"1"`)
	if rec.Code != 200 || decodeJSON[ordering.Order](t, rec).Version != 2 || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("amend = %d %s", rec.Code, rec.Body)
	}
	a.wantError(a.call("PUT", "/api/v1/orders/"+number, dealer, amend, "If-Match", `"1"`), 409, "conflict")

	// List with a cursor.
	for range 2 {
		if rec := a.call("POST", "/api/v1/orders", dealer, shirtOrder); rec.Code != 201 {
			t.Fatal(rec.Body)
		}
	}
	var all []string
	next := "/api/v1/orders?season=SS27&limit=2"
	for next != "" {
		rec := a.call("GET", next, dealer, "")
		if rec.Code != 200 {
			t.Fatalf("list = %d %s", rec.Code, rec.Body)
		}
		page := decodeJSON[struct {
			Items []map[string]any `json:"items"`
			Next  string           `json:"next_cursor"`
		}](t, rec)
		for _, it := range page.Items {
			all = append(all, it["number"].(string))
			if _, ok := it["lines"]; ok {
				t.Error("list items carry lines")
			}
		}
		next = ""
		if page.Next != "" {
			next = "/api/v1/orders?season=SS27&limit=2&cursor=" + page.Next
		}
	}
	if len(all) != 3 || all[2] != number {
		t.Errorf("listed %v", all)
	}
	a.wantError(a.call("GET", "/api/v1/orders?limit=many", dealer, ""), 422, "validation_failed")
	a.wantError(a.call("GET", "/api/v1/orders?status=lost", dealer, ""), 422, "validation_failed")

	// Cancel, then cancel again.
	rec = a.call("POST", "/api/v1/orders/"+number+"/cancel", dealer, "")
	if rec.Code != 200 || decodeJSON[ordering.Order](t, rec).Status != "cancelled" {
		t.Fatalf("cancel = %d %s", rec.Code, rec.Body)
	}
	a.wantError(a.call("POST", "/api/v1/orders/"+number+"/cancel", dealer, ""), 409, "invalid_state")

	// History records every change.
	full := decodeJSON[ordering.Order](t, a.call("GET", "/api/v1/orders/"+number, dealer, ""))
	var kinds []string
	for _, ev := range full.History {
		kinds = append(kinds, ev.Kind)
	}
	if diff := cmp.Diff([]string{"submitted", "amended", "cancelled"}, kinds); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func TestOrdersAPIRefusals(t *testing.T) {
	a := newOrdersAPI(t)
	dealer := a.token("dealer01@test.test")
	tests := []struct {
		name    string
		token   string
		body    string
		status  int
		code    string
		details []string // "field: message"
	}{
		{"bad size", dealer, `{"season":"SS27","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6},{"style":"ST1001","color":"BLK","size":"XXXL","qty":1}]}`,
			422, "validation_failed", []string{"lines[1].size: size XXXL is not offered for style ST1001"}},
		{"two bad lines", dealer, `{"season":"SS27","lines":[{"style":"ST1001","color":"PNK","size":"M","qty":6},{"style":"ST1001","color":"BLK","size":"M","qty":0}]}`,
			422, "validation_failed", []string{"lines[0].color: color PNK is not offered for style ST1001", "lines[1].qty: qty must be a positive whole number"}},
		{"qty as text", dealer, `{"season":"SS27","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":"6"}]}`,
			422, "validation_failed", nil},
		{"qty with decimals", dealer, `{"season":"SS27","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6.5}]}`,
			422, "validation_failed", nil},
		{"malformed JSON", dealer, `{"season":`, 422, "validation_failed", nil},
		{"season closed", dealer, `{"season":"AW26","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6}]}`, 409, "season_closed", nil},
		{"dealer on hold", a.token("dealer39@test.test"), `{"season":"SS27","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6}]}`, 409, "dealer_on_hold", nil},
		{"credit limit", a.token("dealer40@test.test"), `{"season":"SS27","lines":[{"style":"ST2001","color":"KHA","size":"36","qty":400}]}`,
			409, "credit_limit_exceeded", []string{"credit_limit: 50000.00", "exposure: 0.00", "order_value: 59600.00"}},
		{"another dealer", dealer, `{"season":"SS27","dealer":"D002","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6}]}`, 403, "forbidden", nil},
		{"planner without dealer", a.token("planner@test.test"), `{"season":"SS27","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6}]}`,
			422, "validation_failed", []string{"dealer: dealer is required when head office enters an order"}},
		{"no token", "", `{"season":"SS27","lines":[]}`, 401, "unauthorized", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := a.wantError(a.call("POST", "/api/v1/orders", tt.token, tt.body), tt.status, tt.code)
			if tt.details != nil {
				var got []string
				for _, d := range b.Error.Details {
					got = append(got, d.Field+": "+d.Message)
				}
				if diff := cmp.Diff(tt.details, got); diff != "" {
					t.Errorf("details (-want +got):\n%s", diff)
				}
			}
		})
	}
	var n int
	a.db.Get(&n, `SELECT count(*) FROM orders`)
	if n != 0 {
		t.Errorf("%d orders written by refused requests", n)
	}
	// The planner enters an order for a dealer.
	rec := a.call("POST", "/api/v1/orders", a.token("planner@test.test"), `{"season":"SS27","dealer":"D002","lines":[{"style":"ST1001","color":"BLK","size":"M","qty":6}]}`)
	if rec.Code != 201 || decodeJSON[ordering.Order](t, rec).Dealer != "D002" {
		t.Errorf("planner's order = %d %s", rec.Code, rec.Body)
	}
}

func TestOrdersAPIIdempotency(t *testing.T) {
	a := newOrdersAPI(t)
	dealer := a.token("dealer01@test.test")
	const n = 10
	recs := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			recs[i] = a.call("POST", "/api/v1/orders", dealer, shirtOrder, "Idempotency-Key", "k-123")
		}()
	}
	close(start)
	wg.Wait()
	replayed := 0
	for i, rec := range recs {
		if rec.Code != 201 {
			t.Fatalf("retry %d = %d %s", i, rec.Code, rec.Body)
		}
		if rec.Body.String() != recs[0].Body.String() {
			t.Errorf("retry %d answered differently:\n%s\n%s", i, rec.Body, recs[0].Body)
		}
		if tag := rec.Header().Get("ETag"); tag != `"1"` {
			t.Errorf("retry %d: ETag %q, want the order's version \"1\"", i, tag)
		}
		if rec.Header().Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	// The recorded answer is the order as the API shows it.
	o := decodeJSON[ordering.Order](t, recs[0])
	if got := a.call("GET", "/api/v1/orders/"+o.Number, dealer, ""); strings.TrimSpace(got.Body.String()) != strings.TrimSpace(recs[0].Body.String()) {
		t.Errorf("GET %s differs from the submission's answer:\n%s\n%s", o.Number, got.Body, recs[0].Body)
	}
	var orders int
	a.db.Get(&orders, `SELECT count(*) FROM orders`)
	if orders != 1 || replayed != n-1 {
		t.Errorf("%d orders, %d replays; want 1 and %d", orders, replayed, n-1)
	}
	other := strings.Replace(shirtOrder, "PO-1", "PO-2", 1)
	a.wantError(a.call("POST", "/api/v1/orders", dealer, other, "Idempotency-Key", "k-123"), 409, "idempotency_key_reused")
	a.wantError(a.call("POST", "/api/v1/orders", dealer, shirtOrder, "Idempotency-Key", strings.Repeat("k", 256)), 422, "validation_failed")
}

// TestOrderRoutesIsolation: every order route, for another dealer's order
// (404), a supplier (403) and no token (401).
func TestOrderRoutesIsolation(t *testing.T) {
	a := newOrdersAPI(t)
	owner := a.token("dealer01@test.test")
	rec := a.call("POST", "/api/v1/orders", owner, shirtOrder)
	if rec.Code != 201 {
		t.Fatal(rec.Body)
	}
	number := decodeJSON[ordering.Order](t, rec).Number
	if rec := a.call("PUT", "/api/v1/drafts/SS27/styles/ST1001", owner, `{"lines":[{"color":"BLK","size":"M","qty":1}]}`); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	draft := decodeJSON[ordering.Order](t, a.call("GET", "/api/v1/drafts/SS27", owner, "")).Number

	other, supplier := a.token("dealer02@test.test"), a.token("supplier01@test.test")
	amend := `{"lines":[{"style":"ST1001","color":"BLK","size":"M","qty":9}]}`
	routes := []struct {
		method, path, body string
		hdr                []string
		otherDealer        int // status for another dealer
	}{
		{"GET", "/api/v1/orders/" + number, "", nil, 404},
		{"PUT", "/api/v1/orders/" + number, amend, []string{"If-Match", "1"}, 404},
		{"POST", "/api/v1/orders/" + number + "/cancel", "", nil, 404},
		{"GET", "/api/v1/orders/" + draft, "", nil, 404},
		{"POST", "/api/v1/orders/" + draft + "/cancel", "", nil, 404},
		{"POST", "/api/v1/orders/confirm", `{"numbers":["` + number + `"]}`, nil, 403},
		{"POST", "/api/v1/orders", shirtOrder, nil, 201},
		{"GET", "/api/v1/orders", "", nil, 200},
		{"GET", "/api/v1/drafts/SS27", "", nil, 200},
		{"PUT", "/api/v1/drafts/SS27/styles/ST1001", `{"lines":[{"color":"BLK","size":"M","qty":1}]}`, nil, 200},
		{"POST", "/api/v1/drafts/SS27/submit", `{}`, nil, 422}, // its own draft (ST1001 BLK M 1) is below the minimum
	}
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			if rec := a.call(r.method, r.path, other, r.body, r.hdr...); rec.Code != r.otherDealer {
				t.Errorf("another dealer: %d %s, want %d", rec.Code, rec.Body, r.otherDealer)
			}
			a.wantError(a.call(r.method, r.path, supplier, r.body, r.hdr...), 403, "forbidden")
			a.wantError(a.call(r.method, r.path, "", r.body, r.hdr...), 401, "unauthorized")
		})
	}
	// Another dealer's list never shows the owner's orders, even when asked.
	for _, path := range []string{"/api/v1/orders", "/api/v1/orders?dealer=D001", "/api/v1/orders?status=draft"} {
		page := decodeJSON[struct {
			Items []ordering.Order `json:"items"`
		}](t, a.call("GET", path, other, ""))
		for _, o := range page.Items {
			if o.Dealer != "D002" {
				t.Errorf("%s shows %s of %s", path, o.Number, o.Dealer)
			}
		}
	}
	// The owner's order and draft are untouched.
	o := decodeJSON[ordering.Order](t, a.call("GET", "/api/v1/orders/"+number, owner, ""))
	if o.Status != "submitted" || o.Version != 1 {
		t.Errorf("owner's order now %s v%d", o.Status, o.Version)
	}
	if d := decodeJSON[ordering.Order](t, a.call("GET", "/api/v1/drafts/SS27", owner, "")); d.Number != draft || d.TotalQty != 1 {
		t.Errorf("owner's draft now %s %d", d.Number, d.TotalQty)
	}
}

func TestConfirmAndDraftAPI(t *testing.T) {
	a := newOrdersAPI(t)
	dealer, planner := a.token("dealer01@test.test"), a.token("planner@test.test")

	// The grid: two styles in the draft, then submit.
	rec := a.call("PUT", "/api/v1/drafts/SS27/styles/ST1001", dealer, `{"delivery_window":"D2","lines":[
		{"color":"BLK","size":"M","qty":4},{"color":"BLK","size":"L","qty":2},{"color":"NVY","size":"S","qty":0}]}`)
	if rec.Code != 200 {
		t.Fatalf("save = %d %s", rec.Code, rec.Body)
	}
	rec = a.call("PUT", "/api/v1/drafts/SS27/styles/ST2001", dealer, `{"lines":[{"color":"KHA","size":"40","qty":4}]}`)
	d := decodeJSON[ordering.Order](t, rec)
	if rec.Code != 200 || d.Status != "draft" || d.TotalQty != 10 || d.TotalAmount.String() != "1370.00" {
		t.Fatalf("draft = %d %s", rec.Code, rec.Body)
	}
	b := a.wantError(a.call("PUT", "/api/v1/drafts/SS27/styles/ST1001", dealer, `{"lines":[{"color":"BLK","size":"XXXL","qty":1}]}`), 422, "validation_failed")
	if b.Error.Details[0].Field != "lines[0].size" {
		t.Errorf("details %+v", b.Error.Details)
	}
	a.wantError(a.call("GET", "/api/v1/drafts/XX99", dealer, ""), 404, "not_found")
	a.wantError(a.call("GET", "/api/v1/drafts/SS27", planner, ""), 403, "forbidden")

	rec = a.call("POST", "/api/v1/drafts/SS27/submit", dealer, `{"reference":"grid"}`)
	if rec.Code != 201 {
		t.Fatalf("submit draft = %d %s", rec.Code, rec.Body)
	}
	o := decodeJSON[ordering.Order](t, rec)
	if o.Number != d.Number || o.Status != "submitted" || o.Reference != "grid" {
		t.Errorf("submitted draft %+v", o)
	}
	a.wantError(a.call("POST", "/api/v1/drafts/SS27/submit", dealer, ""), 404, "not_found")

	// Confirmation by head office, one or many.
	second := decodeJSON[ordering.Order](t, a.call("POST", "/api/v1/orders", dealer, shirtOrder)).Number
	a.wantError(a.call("POST", "/api/v1/orders/confirm", dealer, `{"numbers":["`+o.Number+`"]}`), 403, "forbidden")
	rec = a.call("POST", "/api/v1/orders/confirm", planner, fmt.Sprintf(`{"numbers":[%q,%q]}`, o.Number, second))
	if rec.Code != 200 {
		t.Fatalf("confirm = %d %s", rec.Code, rec.Body)
	}
	var got []string
	for _, it := range decodeJSON[struct {
		Items []ordering.Order `json:"items"`
	}](t, rec).Items {
		got = append(got, it.Number+" "+string(it.Status))
	}
	sort.Strings(got)
	want := []string{o.Number + " confirmed", second + " confirmed"}
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
	b = a.wantError(a.call("POST", "/api/v1/orders/confirm", planner, `{"numbers":["`+o.Number+`"]}`), 409, "invalid_state")
	if b.Error.Details[0].Field != "numbers[0]" {
		t.Errorf("details %+v", b.Error.Details)
	}
	a.wantError(a.call("POST", "/api/v1/orders/confirm", planner, `{"numbers":[]}`), 422, "validation_failed")
	// The planner sees every dealer's orders, and filters them.
	page := decodeJSON[struct {
		Items []ordering.Order `json:"items"`
	}](t, a.call("GET", "/api/v1/orders?status=confirmed&dealer=D001", planner, ""))
	if len(page.Items) != 2 {
		t.Errorf("planner's list: %d items", len(page.Items))
	}
}
