package money

import (
	"encoding/json"
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
