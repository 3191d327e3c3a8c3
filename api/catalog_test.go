package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCatalogAPI(t *testing.T) {
	a := newOrdersAPI(t)
	dealer := a.token("dealer01@test.test")

	rec := a.call("GET", "/api/v1/seasons", dealer, "")
	if rec.Code != 200 {
		t.Fatalf("seasons = %d %s", rec.Code, rec.Body)
	}
	seasons := decodeJSON[struct {
		Items []map[string]any `json:"items"`
	}](t, rec).Items
	found := false
	for _, s := range seasons {
		if s["code"] == "SS27" {
			found = true
			if s["name"] != "Spring/Summer 2027" || s["status"] != "open" || !rfc3339UTC.MatchString(s["order_deadline"].(string)) {
				t.Errorf("SS27 = %v", s)
			}
			if w := s["delivery_windows"].([]any); len(w) != 2 || w[0].(map[string]any)["ships_from"] != "2027-01-15" {
				t.Errorf("windows %v", w)
			}
		}
		if s["code"] == "AW26" && s["status"] != "closed" {
			t.Errorf("AW26 = %v", s)
		}
	}
	if !found {
		t.Fatal("no SS27")
	}

	rec = a.call("GET", "/api/v1/seasons/SS27/styles?category=SHIRT&q=poplin", dealer, "")
	if rec.Code != 200 {
		t.Fatalf("styles = %d %s", rec.Code, rec.Body)
	}
	items := decodeJSON[struct {
		Items []map[string]any `json:"items"`
	}](t, rec).Items
	if len(items) != 1 {
		t.Fatalf("%d styles", len(items))
	}
	st := items[0]
	want := map[string]any{"code": "ST1001", "name": "Men's poplin shirt", "category": "SHIRT", "price": "129.00",
		"currency": "CNY", "min_order_qty": 6.0, "cut_lot": 12.0}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("%s = %#v, want %#v", k, st[k], v)
		}
	}
	if diff := cmp.Diff([]any{"XS", "S", "M", "L", "XL", "XXL"}, st["sizes"]); diff != "" {
		t.Errorf("sizes: %s", diff)
	}
	if diff := cmp.Diff(map[string]any{"code": "BLK", "name": "Black"}, st["colors"].([]any)[0]); diff != "" {
		t.Errorf("colors: %s", diff)
	}
	pp := st["prepacks"].([]any)[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"S": 1.0, "M": 2.0, "L": 2.0, "XL": 1.0}, pp["ratio"]); pp["code"] != "PP1" || diff != "" {
		t.Errorf("prepack %v %s", pp, diff)
	}
	if diff := cmp.Diff(map[string]any{"BLK": map[string]any{"M": 5.0}, "NVY": map[string]any{"L": 2.0}}, st["available"]); diff != "" {
		t.Errorf("available: %s", diff)
	}

	// Head office sees list prices; one style by code.
	rec = a.call("GET", "/api/v1/seasons/SS27/styles/ST1001", a.token("planner@test.test"), "")
	if rec.Code != 200 || decodeJSON[map[string]any](t, rec)["price"] != "199.00" {
		t.Errorf("planner's style = %d %s", rec.Code, rec.Body)
	}
	a.wantError(a.call("GET", "/api/v1/seasons/SS27/styles/ST9001", dealer, ""), 404, "not_found")
	a.wantError(a.call("GET", "/api/v1/seasons/XX99/styles", dealer, ""), 404, "not_found")
	for _, path := range []string{"/api/v1/seasons", "/api/v1/seasons/SS27/styles", "/api/v1/seasons/SS27/styles/ST1001"} {
		a.wantError(a.call("GET", path, a.token("supplier01@test.test"), ""), 403, "forbidden")
		a.wantError(a.call("GET", path, "", ""), 401, "unauthorized")
	}
	rec = a.call("GET", "/api/v1/seasons/SS27/styles?q=%25_", dealer, "")
	if items := decodeJSON[struct {
		Items []map[string]any `json:"items"`
	}](t, rec).Items; len(items) != 1 || items[0]["code"] != "ST3001" {
		t.Errorf("search %%_: %v", items)
	}
}
