package money

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
)

func TestParseAndString(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"129", "129.00", false},
		{"129.5", "129.50", false},
		{"1,234.05", "1234.05", false},
		{"-3.10", "-3.10", false},
		{".5", "0.50", false},
		{"0.5000", "0.50", false},
		{"1.005", "", true},
		{"abc", "", true},
		{"", "", true},
		{"1e3", "", true},
		{"12.3.4", "", true},
		{"'; DROP TABLE orders; --", "", true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && got.String() != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestGroupedAndJSON(t *testing.T) {
	a := MustParse("1234567.8")
	if g := a.Grouped(); g != "1,234,567.80" {
		t.Errorf("Grouped = %s", g)
	}
	b, _ := json.Marshal(struct{ A Amount }{a.Times(3)})
	if string(b) != `{"A":"3703703.40"}` {
		t.Errorf("json = %s", b)
	}
	var back struct{ A Amount }
	if err := json.Unmarshal(b, &back); err != nil || back.A != a.Times(3) {
		t.Errorf("round trip = %v, %v", back.A, err)
	}
}

// TestStringMatchesDecimal checks the formatting against big-number decimal
// arithmetic over the edges and a spread of values.
func TestStringMatchesDecimal(t *testing.T) {
	want := func(a Amount) string {
		r := new(big.Rat).SetFrac(big.NewInt(int64(a)), big.NewInt(100))
		return r.FloatString(2)
	}
	vals := []Amount{0, 1, -1, 9, -9, 10, 99, 100, -100, 101, -101, 123456, -5, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for v := int64(1); v < math.MaxInt64/7; v *= 7 {
		vals = append(vals, Amount(v), Amount(-v), Amount(v+3), Amount(-v-3))
	}
	for _, a := range vals {
		if got := a.String(); got != want(a) {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(a), got, want(a))
		}
		if b, _ := a.MarshalJSON(); string(b) != `"`+want(a)+`"` {
			t.Errorf("Amount(%d).MarshalJSON() = %s", int64(a), b)
		}
	}
}
