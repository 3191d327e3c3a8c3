package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/planreport/plandb"
	"github.com/sizerun/sizerun/planreport/plantest"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
)

type planReportEnv struct {
	e      *echo.Echo
	tokens map[string]string // planner, admin, D1, S1
}

// newPlanReportEnv serves the API over the hand-computed season of
// plantest (its figures are worked out in planreport/plandb's test).
func newPlanReportEnv(t *testing.T) *planReportEnv {
	t.Helper()
	db := pgtest.New(t)
	f := plantest.HandSeason(t, db)
	tokens, err := auth.NewTokens("plan-report-test-secret-0123456789abcdef", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e := server.New(server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "64K"})
	g := api.Group(e, auth.NewService(authdb.New(db), tokens, auth.DefaultLimits))
	api.RegisterPlanReport(g, planreport.NewService(plandb.New(db)))
	env := &planReportEnv{e: e, tokens: map[string]string{}}
	for _, who := range []string{"planner", "admin", "D1", "S1"} {
		tok, _, err := tokens.Issue(f.Principal(who))
		if err != nil {
			t.Fatal(err)
		}
		env.tokens[who] = tok
	}
	return env
}

func (env *planReportEnv) get(who, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+env.tokens[who])
	}
	rec := httptest.NewRecorder()
	env.e.ServeHTTP(rec, req)
	return rec
}

func TestPlanReportRoles(t *testing.T) {
	env := newPlanReportEnv(t)
	for _, c := range []struct {
		who, path string
		status    int
		code      string
	}{
		{"planner", "/api/v1/reports/plan-vs-demand?season=SS27", 200, ""},
		{"admin", "/api/v1/reports/plan-vs-demand?season=SS27", 200, ""},
		{"D1", "/api/v1/reports/plan-vs-demand?season=SS27", 403, "forbidden"},
		{"S1", "/api/v1/reports/plan-vs-demand?season=SS27", 403, "forbidden"},
		{"", "/api/v1/reports/plan-vs-demand?season=SS27", 401, "unauthorized"},
		{"planner", "/api/v1/reports/plan-vs-demand.xlsx?season=SS27", 200, ""},
		{"admin", "/api/v1/reports/plan-vs-demand.xlsx?season=SS27", 200, ""},
		{"D1", "/api/v1/reports/plan-vs-demand.xlsx?season=SS27", 403, "forbidden"},
		{"S1", "/api/v1/reports/plan-vs-demand.xlsx?season=SS27", 403, "forbidden"},
		{"", "/api/v1/reports/plan-vs-demand.xlsx?season=SS27", 401, "unauthorized"},
	} {
		rec := env.get(c.who, c.path)
		if rec.Code != c.status {
			t.Errorf("%s %s → %d %s, want %d", c.who, c.path, rec.Code, rec.Body, c.status)
			continue
		}
		if c.code != "" {
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != c.code {
				t.Errorf("%s %s: body %s, want code %s", c.who, c.path, rec.Body, c.code)
			}
		}
	}
}

func TestPlanReportJSON(t *testing.T) {
	env := newPlanReportEnv(t)
	rec := env.get("planner", "/api/v1/reports/plan-vs-demand?season=SS27&growth=1.25&level=season")
	if rec.Code != 200 {
		t.Fatalf("→ %d %s", rec.Code, rec.Body)
	}
	// The season's figures of the hand computation, as JSON: money as
	// strings with the currency beside them.
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"season": "SS27", "base_season": "AW26", "growth": "1.25", "growth_matched": "0.7063", "overage_pct": "10.00",
		"released_production_orders": 1.0, "level": "season", "currency": "CNY",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	var r struct {
		Rows   []map[string]any `json:"rows"`
		Totals struct {
			DemandQty       int            `json:"demand_qty"`
			DemandWholesale string         `json:"demand_wholesale"`
			Sizerun         map[string]any `json:"sizerun"`
			Guessed         map[string]any `json:"guessed"`
		} `json:"totals"`
		Saving struct {
			ExcessQty   int    `json:"excess_qty"`
			ExcessCost  string `json:"excess_cost"`
			ShortageQty int    `json:"shortage_qty"`
			Currency    string `json:"currency"`
		} `json:"saving"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	raw := r
	for k, v := range map[string]any{"excess_qty": 50.0, "rounding_excess_qty": 33.0, "other_excess_qty": 17.0,
		"shortage_qty": 6.0, "excess_cost": "1699.00", "excess_wholesale": "4200.00", "shortage_wholesale": "480.00",
		"made_qty": 144.0, "stock_used_qty": 13.0, "supply_qty": 157.0, "target_qty": 124.0, "currency": "CNY"} {
		if raw.Totals.Sizerun[k] != v {
			t.Errorf("totals.sizerun.%s = %#v, want %#v", k, raw.Totals.Sizerun[k], v)
		}
	}
	for k, v := range map[string]any{"excess_qty": 160.0, "shortage_qty": 2.0, "excess_cost": "5233.00",
		"excess_wholesale": "13160.00", "target_qty": 200.0, "made_qty": 258.0} {
		if raw.Totals.Guessed[k] != v {
			t.Errorf("totals.guessed.%s = %#v, want %#v", k, raw.Totals.Guessed[k], v)
		}
	}
	if r.Totals.DemandQty != 113 || r.Totals.DemandWholesale != "9860.00" {
		t.Errorf("totals demand %d, %s", r.Totals.DemandQty, r.Totals.DemandWholesale)
	}
	if r.Saving.ExcessQty != 110 || r.Saving.ExcessCost != "3534.00" || r.Saving.ShortageQty != -4 || r.Saving.Currency != "CNY" {
		t.Errorf("saving %+v", r.Saving)
	}
	if len(r.Rows) != 1 || r.Rows[0]["season"] != "SS27" || r.Rows[0]["demand_qty"] != 113.0 {
		t.Errorf("rows %v", r.Rows)
	}

	// SKU rows name style, colour and size; style rows the style and its category.
	rec = env.get("planner", "/api/v1/reports/plan-vs-demand?season=SS27&growth=1.25&level=sku")
	var skus struct{ Rows []map[string]any }
	json.Unmarshal(rec.Body.Bytes(), &skus)
	if len(skus.Rows) != 18 || skus.Rows[3]["style"] != "STA" || skus.Rows[3]["color"] != "WHT" || skus.Rows[3]["size"] != "S" {
		t.Fatalf("sku rows: %d, %v", len(skus.Rows), skus.Rows)
	}
	if s := skus.Rows[3]["sizerun"].(map[string]any); s["other_excess_qty"] != 7.0 || s["rounding_excess_qty"] != 5.0 {
		t.Errorf("STA/WHT/S sizerun: %v", s)
	}
	rec = env.get("planner", "/api/v1/reports/plan-vs-demand?season=SS27&growth=1.25")
	var styles struct {
		Level string
		Rows  []map[string]any
	}
	json.Unmarshal(rec.Body.Bytes(), &styles)
	if styles.Level != "style" || len(styles.Rows) != 3 || styles.Rows[2]["style"] != "STC" || styles.Rows[2]["category"] != "BOTTOMS" {
		t.Errorf("style rows: %s %v", styles.Level, styles.Rows)
	}
	if _, ok := styles.Rows[0]["color"]; ok {
		t.Errorf("style rows carry a colour: %v", styles.Rows[0])
	}
}

func TestPlanReportErrors(t *testing.T) {
	env := newPlanReportEnv(t)
	for _, c := range []struct {
		path   string
		status int
		code   string
		field  string
	}{
		{"/api/v1/reports/plan-vs-demand", 422, "validation_failed", "season"},
		{"/api/v1/reports/plan-vs-demand?season=SS27&growth=abc", 422, "validation_failed", "growth"},
		{"/api/v1/reports/plan-vs-demand?season=SS27&growth=-1", 422, "validation_failed", "growth"},
		{"/api/v1/reports/plan-vs-demand?season=SS27&level=dealer", 422, "validation_failed", "level"},
		{"/api/v1/reports/plan-vs-demand?season=SS27&base=NOPE", 422, "validation_failed", "base"},
		{"/api/v1/reports/plan-vs-demand?season=NOPE", 404, "not_found", ""},
		{"/api/v1/reports/plan-vs-demand?season=%27%3B%20DROP%20TABLE%20orders%3B--", 404, "not_found", ""},
		{"/api/v1/reports/plan-vs-demand.xlsx?season=SS27&growth=0", 422, "validation_failed", "growth"},
	} {
		rec := env.get("planner", c.path)
		var body struct {
			Error struct {
				Code    string
				Details []struct{ Field string }
			} `json:"error"`
		}
		json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != c.status || body.Error.Code != c.code {
			t.Errorf("%s → %d %s, want %d %s", c.path, rec.Code, rec.Body, c.status, c.code)
			continue
		}
		if c.field != "" && (len(body.Error.Details) == 0 || body.Error.Details[0].Field != c.field) {
			t.Errorf("%s: details %+v, want field %s", c.path, body.Error.Details, c.field)
		}
	}
}

func TestPlanReportXLSX(t *testing.T) {
	env := newPlanReportEnv(t)
	rec := env.get("planner", "/api/v1/reports/plan-vs-demand.xlsx?season=SS27&growth=1.25&level=style")
	if rec.Code != 200 {
		t.Fatalf("→ %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="plan-vs-demand-SS27-style.xlsx"` {
		t.Errorf("content disposition %q", cd)
	}
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Plan vs demand")
	if err != nil {
		t.Fatal(err)
	}
	// Header, STA, STB, STC, total.
	if len(rows) != 5 || rows[1][0] != "STA" || rows[4][0] != "Total" {
		t.Fatalf("rows: %v", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, c := range []struct{ row, head, want string }{
		{"1", "Demand", "66"}, {"1", "Sizerun excess", "28"}, {"1", "Guessed excess", "64"},
		{"4", "Demand", "113"}, {"4", "Sizerun excess", "50"}, {"4", "of which other cause", "17"},
		{"4", "Sizerun shortage", "6"}, {"4", "Guessed excess", "160"}, {"4", "Sizerun excess at cost CNY", "1,699.00"},
	} {
		i, ok := col[c.head]
		r := rows[int(c.row[0]-'0')]
		if !ok || i >= len(r) || r[i] != c.want {
			t.Errorf("row %s %q = %v, want %s", c.row, c.head, r, c.want)
		}
	}
	sum, err := x.GetRows("Summary")
	if err != nil || len(sum) < 14 || sum[13][0] != "Excess value avoided at cost CNY" || sum[13][1] != "3,534.00" {
		t.Errorf("summary: %v %v", sum, err)
	}
}
