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

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
)

type aggEnv struct {
	e      *echo.Echo
	f      *aggtest.Fixture
	tokens map[string]string // planner, admin, dealer, S01, S02
}

func newAggEnv(t *testing.T) *aggEnv {
	t.Helper()
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	tokens, err := auth.NewTokens("aggregation-test-secret-0123456789abcdef", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e := server.New(server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "64K"})
	g := api.Group(e, auth.NewService(authdb.New(db), tokens, auth.DefaultLimits))
	api.RegisterAggregation(g, aggregation.NewService(aggdb.New(db), aggregation.Options{}))
	env := &aggEnv{e: e, f: f, tokens: map[string]string{}}
	for key, p := range map[string]auth.Principal{
		"planner": {UserID: f.Users["planner"], Email: "planner@fixture.test", Role: auth.RolePlanner},
		"admin":   {UserID: f.Users["admin"], Email: "admin@fixture.test", Role: auth.RoleAdmin},
		"dealer":  {UserID: f.Users["D01"], Email: "d01@fixture.test", Role: auth.RoleDealer, DealerID: f.Dealers["D01"], DealerCode: "D01"},
		"S01":     {UserID: f.Users["S01"], Email: "s01@fixture.test", Role: auth.RoleSupplier, SupplierID: f.Suppliers["S01"], SupplierCode: "S01"},
		"S02":     {UserID: f.Users["S02"], Email: "s02@fixture.test", Role: auth.RoleSupplier, SupplierID: f.Suppliers["S02"], SupplierCode: "S02"},
	} {
		tok, _, err := tokens.Issue(p)
		if err != nil {
			t.Fatal(err)
		}
		env.tokens[key] = tok
	}
	// Demand: tops (S01's fabrics) and bottoms (S02's denim).
	f.CreateOrder(t, db, "SS27", "D01", "submitted", []aggtest.Line{
		{SKU: f.FindSKU(t, "ST01", "BLK", "M"), Qty: 10, Window: "W1"}, {SKU: f.FindSKU(t, "ST03", "KHK", "40"), Qty: 4}})
	f.CreateOrder(t, db, "SS27", "D02", "confirmed", []aggtest.Line{
		{SKU: f.FindSKU(t, "ST01", "BLK", "M"), Qty: 5}, {SKU: f.FindSKU(t, "ST01", "WHT", "S"), Qty: 3}})
	return env
}

func (env *aggEnv) do(t *testing.T, who, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+env.tokens[who])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	env.e.ServeHTTP(rec, req)
	return rec
}

type aggErrBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

func aggErr(t *testing.T, rec *httptest.ResponseRecorder) aggErrBody {
	t.Helper()
	var b aggErrBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	return b
}

// TestAggregationRoles: dealers get 403 everywhere; suppliers 403 on rollups
// and production orders, 404 on another supplier's fabric; no token is 401.
func TestAggregationRoles(t *testing.T) {
	env := newAggEnv(t)
	endpoints := []struct{ method, path, body string }{
		{"GET", "/api/v1/rollups?season=SS27", ""},
		{"GET", "/api/v1/rollups.xlsx?season=SS27", ""},
		{"GET", "/api/v1/rollups/drill?season=SS27&style=ST01", ""},
		{"POST", "/api/v1/production-orders", `{"season":"SS27","overage_pct":"3.0"}`},
		{"GET", "/api/v1/production-orders?season=SS27", ""},
		{"GET", "/api/v1/production-orders/excess?season=SS27", ""},
		{"GET", "/api/v1/production-orders/PO-000001", ""},
		{"GET", "/api/v1/production-orders/PO-000001.pdf", ""},
		{"POST", "/api/v1/production-orders/PO-000001/release", ""},
		{"GET", "/api/v1/forecasts/fabric?season=SS27", ""},
		{"GET", "/api/v1/forecasts/fabric.csv?season=SS27", ""},
		{"GET", "/api/v1/forecasts/fabric/FAB-POP?season=SS27", ""},
		{"POST", "/api/v1/forecasts/fabric/FAB-POP/ack", `{"season":"SS27","week":"2027-01-18","committed_qty":"1","committed_date":"2027-01-01"}`},
	}
	for _, ep := range endpoints {
		if rec := env.do(t, "dealer", ep.method, ep.path, ep.body); rec.Code != 403 || aggErr(t, rec).Error.Code != "forbidden" {
			t.Errorf("dealer %s %s = %d %s, want 403", ep.method, ep.path, rec.Code, rec.Body)
		}
		if rec := env.do(t, "", ep.method, ep.path, ep.body); rec.Code != 401 {
			t.Errorf("anonymous %s %s = %d, want 401", ep.method, ep.path, rec.Code)
		}
		if strings.Contains(ep.path, "/rollups") || strings.Contains(ep.path, "/production-orders") {
			if rec := env.do(t, "S01", ep.method, ep.path, ep.body); rec.Code != 403 {
				t.Errorf("supplier %s %s = %d %s, want 403", ep.method, ep.path, rec.Code, rec.Body)
			}
		}
	}
	// Another supplier's fabric line: 404, reading it or acknowledging it.
	if rec := env.do(t, "S01", "GET", "/api/v1/forecasts/fabric/FAB-DEN?season=SS27", ""); rec.Code != 404 {
		t.Errorf("S01 reading FAB-DEN = %d %s", rec.Code, rec.Body)
	}
	ack := `{"season":"SS27","week":"2026-12-28","committed_qty":"5.00","committed_date":"2026-12-20"}`
	if rec := env.do(t, "S01", "POST", "/api/v1/forecasts/fabric/FAB-DEN/ack", ack); rec.Code != 404 {
		t.Errorf("S01 acknowledging FAB-DEN = %d %s", rec.Code, rec.Body)
	}
	if rec := env.do(t, "planner", "POST", "/api/v1/forecasts/fabric/FAB-DEN/ack", ack); rec.Code != 403 {
		t.Errorf("planner acknowledging = %d %s", rec.Code, rec.Body)
	}
	// A supplier sees only its own fabrics.
	rec := env.do(t, "S01", "GET", "/api/v1/forecasts/fabric?season=SS27", "")
	if rec.Code != 200 {
		t.Fatalf("S01 forecast = %d %s", rec.Code, rec.Body)
	}
	var fc struct {
		Rows []struct{ Fabric, Supplier string }
	}
	json.Unmarshal(rec.Body.Bytes(), &fc)
	if len(fc.Rows) == 0 {
		t.Fatal("S01 sees no rows")
	}
	for _, r := range fc.Rows {
		if r.Supplier != "S01" {
			t.Fatalf("S01 sees %+v", r)
		}
	}
	// Admins may do what planners do.
	if rec := env.do(t, "admin", "GET", "/api/v1/rollups?season=SS27", ""); rec.Code != 200 {
		t.Fatalf("admin rollup = %d", rec.Code)
	}
}

func TestRollupEndpoint(t *testing.T) {
	env := newAggEnv(t)
	rec := env.do(t, "planner", "GET", "/api/v1/rollups?season=SS27&by=size,style", "")
	if rec.Code != 200 {
		t.Fatalf("rollup = %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	// Row keys follow `by`; money is a string with its currency; counts are distinct.
	// Sizes sort by their position in the scale (S 2nd, 40 and M 3rd), then by code.
	want := `"rows":[{"size":"S","style":"ST01","qty":3,"amount":"387.00","currency":"CNY","orders":1,"dealers":1},` +
		`{"size":"40","style":"ST03","qty":4,"amount":"639.96","currency":"CNY","orders":1,"dealers":1},` +
		`{"size":"M","style":"ST01","qty":15,"amount":"1935.00","currency":"CNY","orders":2,"dealers":2}]`
	if !strings.Contains(body, want) {
		t.Fatalf("rollup body:\n%s\nwant rows:\n%s", body, want)
	}
	if !strings.Contains(body, `"totals":{"qty":22,"amount":"2961.96","currency":"CNY","orders":2,"dealers":2}`) ||
		!strings.Contains(body, `"by":["size","style"]`) {
		t.Fatalf("rollup body: %s", body)
	}
	rec = env.do(t, "planner", "GET", "/api/v1/rollups?season=SS27", "")
	if !strings.Contains(rec.Body.String(), `"source":"summary"`) || !strings.Contains(rec.Body.String(), `{"style":"ST01","color":"BLK","size":"M","qty":15,`) {
		t.Fatalf("default rollup: %s", rec.Body)
	}

	for _, tt := range []struct{ query, field string }{
		{"season=SS27&by=style,fabric", "by"},
		{"season=SS27&status=submitted,lost", "status"},
		{"season=SS27&region=MARS", "region"},
		{"by=style", "season"},
	} {
		rec := env.do(t, "planner", "GET", "/api/v1/rollups?"+tt.query, "")
		if b := aggErr(t, rec); rec.Code != 422 || b.Error.Code != "validation_failed" || b.Error.Details[0].Field != tt.field {
			t.Errorf("%s = %d %s", tt.query, rec.Code, rec.Body)
		}
	}
	if rec := env.do(t, "planner", "GET", "/api/v1/rollups?season=XX99", ""); rec.Code != 404 {
		t.Errorf("unknown season = %d", rec.Code)
	}

	rec = env.do(t, "planner", "GET", "/api/v1/rollups.xlsx?season=SS27&by=style,color", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != aggregation.ContentXLSX {
		t.Fatalf("xlsx = %d %s", rec.Code, rec.Header())
	}
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Rollup SS27", excelize.Options{RawCellValue: true})
	if len(rows) != 5 || strings.Join(rows[0], "|") != "Style|Colour|Qty|Amount CNY|Orders|Dealers" ||
		strings.Join(rows[4], "|") != "Total||22|2961.96|2|2" {
		t.Fatalf("xlsx rows %q", rows)
	}
	if p, _ := x.GetPanes("Rollup SS27"); !p.Freeze {
		t.Fatal("header not frozen")
	}

	rec = env.do(t, "planner", "GET", "/api/v1/rollups/drill?season=SS27&style=ST01&color=BLK&size=M", "")
	if rec.Code != 200 {
		t.Fatalf("drill = %d %s", rec.Code, rec.Body)
	}
	var d struct {
		Dealers []struct {
			Dealer string
			Qty    int
			Amount string
		}
		Orders []struct{ Number, Dealer, Status string }
		Totals struct{ Qty, Orders, Dealers int }
	}
	json.Unmarshal(rec.Body.Bytes(), &d)
	if len(d.Dealers) != 2 || d.Dealers[0].Dealer != "D01" || d.Dealers[0].Qty != 10 || d.Dealers[0].Amount != "1290.00" ||
		len(d.Orders) != 2 || d.Totals.Qty != 15 || d.Totals.Orders != 2 || d.Totals.Dealers != 2 {
		t.Fatalf("drill %s", rec.Body)
	}
	if rec := env.do(t, "planner", "GET", "/api/v1/rollups/drill?season=SS27&style=ST01&color=PNK", ""); rec.Code != 422 || aggErr(t, rec).Error.Details[0].Field != "color" {
		t.Fatalf("drill unknown colour = %d %s", rec.Code, rec.Body)
	}
}

func TestProductionOrderEndpoints(t *testing.T) {
	env := newAggEnv(t)
	rec := env.do(t, "planner", "POST", "/api/v1/production-orders", `{"season":"SS27","styles":["ST01"],"overage_pct":"3.0"}`, "Idempotency-Key", "k1")
	if rec.Code != 201 {
		t.Fatalf("create = %d %s", rec.Code, rec.Body)
	}
	var po struct {
		Lines  []struct{ Style, Color, Size string }
		Totals map[string]int
	}
	json.Unmarshal(rec.Body.Bytes(), &po)
	var raw map[string]any
	json.Unmarshal(rec.Body.Bytes(), &raw)
	if raw["status"] != "draft" || raw["overage_pct"] != "3.00" || len(po.Lines) != 2 || po.Totals["planned_qty"] != 24 {
		t.Fatalf("created %s", rec.Body)
	}
	number, _ := raw["number"].(string)
	// The same key and body: the same production order; another body: 409.
	again := env.do(t, "planner", "POST", "/api/v1/production-orders", `{"season":"SS27","styles":["ST01"],"overage_pct":3}`, "Idempotency-Key", "k1")
	if again.Code != 201 || !strings.Contains(again.Body.String(), `"number":"`+number+`"`) {
		t.Fatalf("repeat = %d %s", again.Code, again.Body)
	}
	if rec := env.do(t, "planner", "POST", "/api/v1/production-orders", `{"season":"SS27","overage_pct":"3.0"}`, "Idempotency-Key", "k1"); rec.Code != 409 || aggErr(t, rec).Error.Code != "idempotency_key_reused" {
		t.Fatalf("reused key = %d %s", rec.Code, rec.Body)
	}
	for _, tt := range []struct{ body, field string }{
		{`{"season":"SS27","overage_pct":"3.005"}`, "overage_pct"},
		{`{"season":"SS27","overage_pct":true}`, "overage_pct"},
		{`{"season":"SS27","styles":["NOPE"]}`, "styles[0]"},
		{`{"season":"SS27","styles":"ST01"}`, "styles"},
	} {
		rec := env.do(t, "planner", "POST", "/api/v1/production-orders", tt.body)
		if b := aggErr(t, rec); rec.Code != 422 || b.Error.Details[0].Field != tt.field {
			t.Errorf("%s = %d %s", tt.body, rec.Code, rec.Body)
		}
	}

	if rec := env.do(t, "planner", "GET", "/api/v1/production-orders/"+number, ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"demand_qty":15`) {
		t.Fatalf("get = %d %s", rec.Code, rec.Body)
	}
	for format, ct := range map[string]string{"csv": aggregation.ContentCSV, "xlsx": aggregation.ContentXLSX, "pdf": aggregation.ContentPDF} {
		rec := env.do(t, "planner", "GET", "/api/v1/production-orders/"+number+"."+format, "")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != ct || rec.Body.Len() < 50 ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), number+"."+format) {
			t.Fatalf("%s = %d %v", format, rec.Code, rec.Header())
		}
	}
	if rec := env.do(t, "planner", "GET", "/api/v1/production-orders/PO-999999.pdf", ""); rec.Code != 404 {
		t.Fatalf("unknown pdf = %d", rec.Code)
	}
	rec = env.do(t, "planner", "POST", "/api/v1/production-orders/"+number+"/release", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"status":"released"`) {
		t.Fatalf("release = %d %s", rec.Code, rec.Body)
	}
	if rec := env.do(t, "planner", "POST", "/api/v1/production-orders/"+number+"/release", ""); rec.Code != 409 || aggErr(t, rec).Error.Code != "invalid_state" {
		t.Fatalf("release again = %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, "planner", "GET", "/api/v1/production-orders?season=SS27", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"items":[{"number":"`+number+`"`) {
		t.Fatalf("list = %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, "planner", "GET", "/api/v1/production-orders/excess?season=SS27", "")
	if rec.Code != 200 || rec.Body.String() != `{"season":"SS27","rows":[],"totals":{"excess_qty":0}}`+"\n" {
		t.Fatalf("excess = %d %s", rec.Code, rec.Body)
	}
}

func TestFabricForecastEndpoints(t *testing.T) {
	env := newAggEnv(t)
	rec := env.do(t, "planner", "GET", "/api/v1/forecasts/fabric?season=SS27", "")
	if rec.Code != 200 {
		t.Fatalf("forecast = %d %s", rec.Code, rec.Body)
	}
	var fc struct {
		Season string
		Rows   []struct {
			Fabric, Name, Supplier, Unit, Week string
			RequiredQty                        string `json:"required_qty"`
			Ack                                *struct {
				CommittedQty string `json:"committed_qty"`
			}
		}
	}
	json.Unmarshal(rec.Body.Bytes(), &fc)
	if fc.Season != "SS27" || len(fc.Rows) != 3 {
		t.Fatalf("forecast %s", rec.Body)
	}
	var den struct{ week, required string }
	for _, r := range fc.Rows {
		if r.Fabric == "FAB-DEN" {
			den.week, den.required = r.Week, r.RequiredQty
		}
	}
	if den.week != "2027-01-04" || den.required != "4.73" { // 4 × 1.1250 × 1.05 = 4.725
		t.Fatalf("FAB-DEN row %+v in %s", den, rec.Body)
	}
	body := `{"season":"SS27","week":"2027-01-04","committed_qty":"4.73","committed_date":"2026-12-21","note":"ok"}`
	rec = env.do(t, "S02", "POST", "/api/v1/forecasts/fabric/FAB-DEN/ack", body)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ack":{"committed_qty":"4.73","committed_date":"2026-12-21","note":"ok","required_qty":"4.73","by":"s02@fixture.test"`) {
		t.Fatalf("ack = %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, "S02", "POST", "/api/v1/forecasts/fabric/FAB-DEN/ack", `{"season":"SS27","week":"2027-01-05","committed_qty":"x","committed_date":"2026-12-21"}`)
	if b := aggErr(t, rec); rec.Code != 422 || len(b.Error.Details) != 2 {
		t.Fatalf("bad ack = %d %s", rec.Code, rec.Body)
	}
	// The planner sees the acknowledgement on the row.
	rec = env.do(t, "planner", "GET", "/api/v1/forecasts/fabric/FAB-DEN?season=SS27", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"committed_qty":"4.73"`) {
		t.Fatalf("planner fabric = %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, "S02", "GET", "/api/v1/forecasts/fabric.csv?season=SS27", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Body.String(), "fabric,name,supplier,unit,week,required_qty") ||
		strings.Contains(rec.Body.String(), "FAB-POP") || !strings.Contains(rec.Body.String(), "FAB-DEN") {
		t.Fatalf("csv = %d %s", rec.Code, rec.Body)
	}
	rec = env.do(t, "S01", "GET", "/api/v1/forecasts/fabric.pdf?season=SS27", "")
	if rec.Code != 200 || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF")) {
		t.Fatalf("pdf = %d", rec.Code)
	}
	if rec := env.do(t, "planner", "GET", "/api/v1/forecasts/fabric?season=XX99", ""); rec.Code != 404 {
		t.Fatalf("unknown season = %d", rec.Code)
	}
}
