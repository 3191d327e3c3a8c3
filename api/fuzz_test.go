package api_test

// Fuzz targets for the API's parsers of outside input (issue 6): the order
// JSON of POST /orders, through the real handler and service on a copy of
// the demo data, and the rollup query parameters, through
// aggregation.ParseRollup and GET /rollups. Whatever the input: no panic,
// no 5xx, api.md's error shape, security headers; and an accepted order is
// stored with totals that add up. `go test` runs the seeds and
// testdata/fuzz; `go test -fuzz=FuzzOrderJSON ./api` explores.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/apperr"
)

func FuzzOrderJSON(f *testing.F) {
	env := newSecEnv(f)
	// Room for every order the fuzzer manages to get accepted.
	env.db.MustExec(`UPDATE dealers SET credit_limit = 900000000000 WHERE code = 'D001'`)
	line := env.expand(`{"style":"{style}","color":"{color}","size":"{size}","qty":50}`)
	for _, seed := range []string{
		`{"season":"SS27","reference":"PO-1","lines":[` + line + `]}`,
		`{"season":"SS27","dealer":"D001","lines":[` + line + `,` + line + `]}`,
		env.expand(`{"season":"ss27","lines":[{"style":"{style}","color":"{color}","prepack":"PP1","packs":3}]}`),
		env.expand(`{"season":"SS27","lines":[{"style":"{style}","color":"{color}","size":"{size}","qty":0}]}`),
		env.expand(`{"season":"SS27","lines":[{"style":"{style}","color":"{color}","size":"{size}","qty":-5}]}`),
		env.expand(`{"season":"SS27","lines":[{"style":"{style}","color":"{color}","size":"{size}","qty":2147483648}]}`),
		env.expand(`{"season":"SS27","lines":[{"style":"{style}","color":"{color}","size":"XXXXL","qty":1}]}`),
		`{"season":"AW25","lines":[` + line + `]}`,
		`{"season":"SS27","dealer":"D002","lines":[` + line + `]}`,
		`{"season":"SS27","lines":[]}`,
		`{"season":"SS27"}`,
		`{}`,
		`[]`,
		`null`,
		``,
		`{"season":"SS27","lines":[null]}`,
		`{"season":"SS27","lines":[{"qty":1.5}]}`,
		`{"season":"SS27","reference":"` + strings.Repeat("é", 101) + `","lines":[` + line + `]}`,
		`{"season":"SS27","reference":"a\u0000b","lines":[` + line + `]}`,
		`{"season":"SS27","lines":[` + line + `]} trailing`,
		`{"season":"SS27","lines":[[[[[[[[[[[]]]]]]]]]]]}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, asPlanner bool) {
		who := secDealerOwn
		if asPlanner {
			who = secPlanner
		}
		req := secRequest("POST", "/api/v1/orders", body)
		req.Header.Set("Authorization", "Bearer "+env.tokens[who])
		rec := env.serve(t, req) // no 5xx, error shape, headers
		switch {
		case rec.Code == http.StatusCreated:
			var o struct {
				Number   string
				Status   string
				TotalQty int `json:"total_qty"`
				Lines    []struct{ Qty int }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil || o.Number == "" {
				t.Fatalf("201 without an order: %.300s", rec.Body)
			}
			sum := 0
			for _, l := range o.Lines {
				if l.Qty <= 0 {
					t.Errorf("line with qty %d in %s", l.Qty, o.Number)
				}
				sum += l.Qty
			}
			if len(o.Lines) == 0 || sum != o.TotalQty || (o.Status != "submitted" && o.Status != "held") {
				t.Errorf("order %s: status %s, %d lines summing to %d, total_qty %d", o.Number, o.Status, len(o.Lines), sum, o.TotalQty)
			}
			var stored int
			if err := env.db.Get(&stored, `SELECT coalesce(sum(l.qty), 0) FROM orders o JOIN order_lines l ON l.order_id = o.id
				WHERE o.number = $1 AND o.total_qty = $2`, o.Number, o.TotalQty); err != nil || stored != o.TotalQty {
				t.Errorf("order %s stored with %d pieces (%v), answered %d", o.Number, stored, err, o.TotalQty)
			}
		case rec.Code >= 400 && rec.Code < 500:
		default:
			t.Errorf("status %d: %.300s", rec.Code, rec.Body)
		}
	})
}

func FuzzRollupQuery(f *testing.F) {
	env := newSecEnv(f)
	for _, s := range [][6]string{
		{"SS27", "", "", "", "", ""},
		{"SS27", "style,color,size", "submitted,confirmed,in_production", "", "", ""},
		{"ss27", " Size , STYLE ", "draft", "EC", "D001,D002", "TOPS"},
		{"SS27", "dealer,region", "", "", "", ""},
		{"SS27", "style,style", "", "", "", ""},
		{"SS27", "style,,color", "submitted,", ",", ",,", ","},
		{"SS27", "colour", "open", "", "", ""},
		{"", "", "", "", "", ""},
		{"XX99", "region", "", "NOPE", "D999", "NOPE"},
		{"SS27", "style", "", "' OR 1=1 --", "D001'; DROP TABLE orders; --", "%"},
		{"SS27", "style", "", "a\x00b", "", ""},
		{"SS27\xff", "st\xffyle", "", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	f.Fuzz(func(t *testing.T, season, by, status, region, dealer, category string) {
		p := aggregation.RollupParams{Season: season, By: by, Status: status, Region: region, Dealer: dealer, Category: category}
		q, err := aggregation.ParseRollup(p)
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Validation || len(e.Details) == 0 {
				t.Fatalf("ParseRollup(%+v) = %v, want validation_failed with details", p, err)
			}
			for _, d := range e.Details {
				if d.Field != "season" && d.Field != "by" && d.Field != "status" {
					t.Errorf("ParseRollup(%+v): detail names %q", p, d.Field)
				}
			}
		} else {
			if len(q.By) == 0 || len(q.Statuses) == 0 {
				t.Errorf("ParseRollup(%+v) = %+v: no keys or statuses", p, q)
			}
			for i, k := range q.By {
				if !slices.Contains(aggregation.Keys, k) || slices.Contains(q.By[:i], k) {
					t.Errorf("ParseRollup(%+v): key %q unknown or repeated in %v", p, k, q.By)
				}
			}
			for _, s := range q.Statuses {
				if !slices.Contains(aggregation.OrderStatuses, s) {
					t.Errorf("ParseRollup(%+v): status %q", p, s)
				}
			}
		}

		v := url.Values{"season": {season}, "by": {by}, "status": {status}, "region": {region}, "dealer": {dealer}, "category": {category}}
		for _, path := range []string{"/api/v1/rollups", "/api/v1/rollups/drill"} {
			req := secRequest("GET", path+"?"+v.Encode()+"&style="+url.QueryEscape(by), nil)
			req.Header.Set("Authorization", "Bearer "+env.tokens[secPlanner])
			rec := env.serve(t, req) // no 5xx, error shape, headers
			if path == "/api/v1/rollups" && err != nil && rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("GET %s with %+v = %d, want 422 as ParseRollup refused it: %.300s", path, p, rec.Code, rec.Body)
			}
		}
	})
}

func secRequest(method, target string, body []byte) *http.Request {
	req, err := http.NewRequest(method, "http://sizerun.test"+target, strings.NewReader(string(body)))
	if err != nil {
		// The fuzzer's strings always encode to a valid target; a method or
		// target that does not parse is a bug of the test.
		panic(err)
	}
	req.RequestURI = target
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.RemoteAddr = "192.0.2.12:4711"
	return req
}
