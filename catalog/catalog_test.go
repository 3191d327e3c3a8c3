package catalog

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSeasonOpenAt(t *testing.T) {
	opens := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	cutoff := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
	s := Season{OrderOpensAt: opens, OrderDeadline: cutoff}
	tests := []struct {
		name   string
		closed bool
		now    time.Time
		open   bool
		past   bool
	}{
		{"before the window", false, opens.Add(-time.Second), false, false},
		{"at opening", false, opens, true, false},
		{"inside", false, opens.Add(48 * time.Hour), true, false},
		{"one second before cut-off", false, cutoff.Add(-time.Second), true, false},
		{"at cut-off", false, cutoff, false, true},
		{"after cut-off", false, cutoff.Add(time.Hour), false, true},
		{"closed by head office", true, opens.Add(48 * time.Hour), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Closed = tt.closed
			if got := s.OpenAt(tt.now); got != tt.open {
				t.Errorf("OpenAt = %v, want %v", got, tt.open)
			}
			if got := s.PastCutoff(tt.now); got != tt.past {
				t.Errorf("PastCutoff = %v, want %v", got, tt.past)
			}
			want := StatusClosed
			if tt.open {
				want = StatusOpen
			}
			if got := s.WithStatus(tt.now).Status; got != want {
				t.Errorf("status %s, want %s", got, want)
			}
		})
	}
}

func TestEscapeLike(t *testing.T) {
	tests := map[string]string{
		"shirt":        "shirt",
		"100%":         `100\%`,
		"a_b":          `a\_b`,
		`back\slash`:   `back\\slash`,
		"' OR 1=1 --":  "' OR 1=1 --",
		`%_\`:          `\%\_\\`,
		"上海":           "上海",
		"poplin shirt": "poplin shirt",
	}
	for in, want := range tests {
		if got := EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDateJSON(t *testing.T) {
	d := DateOf(time.Date(2027, 3, 1, 23, 0, 0, 0, time.UTC))
	b, _ := json.Marshal(d)
	if string(b) != `"2027-03-01"` {
		t.Errorf("marshal %s", b)
	}
	var back Date
	if err := json.Unmarshal(b, &back); err != nil || !back.Equal(d.Time) {
		t.Errorf("unmarshal %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"03/01/2027"`), &back); err == nil {
		t.Error("accepted a bad date")
	}
}

func TestPackSize(t *testing.T) {
	if n := (Prepack{Ratio: map[string]int{"S": 1, "M": 2, "L": 2, "XL": 1}}).PackSize(); n != 6 {
		t.Errorf("PackSize = %d", n)
	}
}
