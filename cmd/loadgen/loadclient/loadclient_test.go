package loadclient

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080/", true},
		{"http://[::1]:8080", true},
		{"http://127.3.2.1", true},
		{"postgres://u:p@127.0.0.1:54329/sizerun_load?sslmode=disable", true},
		{"postgres:///sizerun?host=/var/run/postgresql", true},
		{"http://10.0.0.1:8080", false},
		{"http://example.com", false},
		{"http://127.0.0.1.example.com", false},
		{"postgres://u:p@db.internal/sizerun", false},
		{"postgres:///sizerun?host=db.internal", false},
		{"http://", false},
		{"::not a url", false},
	} {
		err := CheckLoopback(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func testStyles() []Style {
	price := "10.00"
	mk := func(code string, colors []string, sizes []string, min int, priced bool) Style {
		s := Style{Code: code, Sizes: sizes, MinOrderQty: min}
		if priced {
			s.Price = &price
		}
		for _, c := range colors {
			s.Colors = append(s.Colors, struct {
				Code string `json:"code"`
			}{c})
		}
		return s
	}
	return Orderable([]Style{
		mk("ST2", []string{"BLK", "WHT"}, []string{"S", "M", "L"}, 12, true),
		mk("ST1", []string{"NVY", "RED", "GRN"}, []string{"XS", "S", "M", "L", "XL"}, 6, true),
		mk("ST3", []string{"BLK"}, []string{"M"}, 1, false), // no price: not orderable
		mk("ST4", nil, []string{"M"}, 1, true),              // no colour: not orderable
	})
}

func TestOrderable(t *testing.T) {
	var codes []string
	for _, s := range testStyles() {
		codes = append(codes, s.Code)
	}
	if diff := cmp.Diff([]string{"ST1", "ST2"}, codes); diff != "" {
		t.Errorf("Orderable (-want +got):\n%s", diff)
	}
}

func TestOrderFor(t *testing.T) {
	styles := testStyles()
	for _, n := range []int{1, 4, 7, 21} {
		o := OrderFor(42, 3, 7, styles, "SS27", "ref", n)
		if len(o.Lines) != n {
			t.Fatalf("%d lines asked, got %d", n, len(o.Lines))
		}
		if diff := cmp.Diff(o, OrderFor(42, 3, 7, styles, "SS27", "ref", n)); diff != "" {
			t.Errorf("OrderFor is not deterministic (-first +second):\n%s", diff)
		}
		// Each style-colour reaches its style's minimum; no SKU twice.
		min := map[string]int{"ST1": 6, "ST2": 12}
		sum := map[string]int{}
		seen := map[string]bool{}
		for _, l := range o.Lines {
			sku := l.Style + "/" + l.Color + "/" + l.Size
			if seen[sku] || l.Qty <= 0 {
				t.Errorf("line %+v repeated or without quantity", l)
			}
			seen[sku] = true
			sum[l.Style+"/"+l.Color] += l.Qty
		}
		for sc, q := range sum {
			if q < min[sc[:3]] {
				t.Errorf("%d lines: %s has %d pieces, below the minimum %d", n, sc, q, min[sc[:3]])
			}
		}
	}
	if cmp.Equal(OrderFor(42, 3, 7, styles, "SS27", "", 5), OrderFor(42, 3, 8, styles, "SS27", "", 5)) &&
		cmp.Equal(OrderFor(42, 3, 7, styles, "SS27", "", 5), OrderFor(42, 4, 7, styles, "SS27", "", 5)) {
		t.Error("different orders of a run are all the same")
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 99, 0},
		{ms(5), 50, 5 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 99, 4 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
	} {
		if got := Percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", len(tc.in), tc.p, got, tc.want)
		}
	}
}

func TestMerge(t *testing.T) {
	a := Report{Submitted: 2, Acked: 1, Errors: 1, ByStatus: map[int]int{409: 1}, ByCode: map[string]int{"conflict": 1},
		Elapsed: time.Second, Latencies: []time.Duration{1, 5}}
	b := Report{Submitted: 1, Acked: 1, Lines: 3, Elapsed: time.Second, Latencies: []time.Duration{3}}
	got := Merge(a, b)
	want := Report{Submitted: 3, Acked: 2, Lines: 3, Errors: 1, ByStatus: map[int]int{409: 1}, ByCode: map[string]int{"conflict": 1},
		Elapsed: 2 * time.Second, Latencies: []time.Duration{1, 3, 5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}
