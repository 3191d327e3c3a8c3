package aggregation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/money"
)

func TestPercentChange(t *testing.T) {
	tests := []struct {
		cur, prev int64
		want      *int
	}{
		{10, 0, nil},
		{0, 10, ptr(-100)},
		{110, 100, ptr(10)},
		{100, 100, ptr(0)},
		{1, 3, ptr(-67)},   // -66.67
		{2, 3, ptr(-33)},   // -33.33
		{5, 4, ptr(25)},    // 25
		{201, 200, ptr(1)}, // 0.5 rounds away from zero
		{199, 200, ptr(-1)},
		{30000, 10000, ptr(200)},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, PercentChange(tt.cur, tt.prev)); diff != "" {
			t.Errorf("PercentChange(%d, %d): %s", tt.cur, tt.prev, diff)
		}
	}
}

func ptr(n int) *int { return &n }

func TestShareBP(t *testing.T) {
	tests := []struct {
		part, whole int64
		want        int
	}{
		{0, 0, 0}, {5, 0, 0}, {1, 3, 3333}, {2, 3, 6667}, {1, 1, 10000}, {1, 8, 1250}, {1, 20000, 1}, {1, 20001, 0},
	}
	for _, tt := range tests {
		if got := ShareBP(tt.part, tt.whole); got != tt.want {
			t.Errorf("ShareBP(%d, %d) = %d, want %d", tt.part, tt.whole, got, tt.want)
		}
	}
}

func TestPickSeason(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	seasons := []SeasonInfo{ // latest first
		{Code: "AW27", StartsOn: day("2027-08-01"), OpensAt: day("2027-01-10"), CutoffAt: day("2027-04-01")},
		{Code: "SS27", StartsOn: day("2027-02-01"), OpensAt: day("2026-08-01"), CutoffAt: day("2026-12-01")},
		{Code: "AW26", StartsOn: day("2026-08-01"), OpensAt: day("2026-01-10"), CutoffAt: day("2026-04-01"), Closed: true},
	}
	tests := []struct {
		name, code string
		now        string
		want       string
		ok         bool
	}{
		{"named", "AW26", "2026-11-01", "AW26", true},
		{"unknown", "XX99", "2026-11-01", "", false},
		{"the open one", "", "2026-11-01", "SS27", true},
		{"past cut-off: the latest opened", "", "2026-12-20", "SS27", true},
		{"the next opened", "", "2027-02-01", "AW27", true},
		{"none opened yet: the latest", "", "2025-01-01", "AW27", true},
	}
	for _, tt := range tests {
		got, ok := PickSeason(seasons, tt.code, day(tt.now))
		if ok != tt.ok || got.Code != tt.want {
			t.Errorf("%s: PickSeason = %q, %v; want %q, %v", tt.name, got.Code, ok, tt.want, tt.ok)
		}
	}
	if _, ok := PickSeason(nil, "", day("2026-01-01")); ok {
		t.Error("PickSeason of no seasons is ok")
	}
	if prev := previousSeason(seasons, seasons[1]); prev == nil || prev.Code != "AW26" {
		t.Errorf("previous of SS27 = %v", prev)
	}
	if prev := previousSeason(seasons, seasons[2]); prev != nil {
		t.Errorf("previous of the first season = %v", prev)
	}
}

func TestBuildMatrix(t *testing.T) {
	layout := []StyleLayout{
		{Style: "ST01", Name: "Shirt", Category: "TOPS", Scale: "LETTER",
			Colors: []Named{{"BLK", "Black"}, {"WHT", "White"}}, Sizes: []string{"S", "M", "L"}},
		{Style: "ST02", Name: "Tee", Category: "TOPS", Scale: "LETTER",
			Colors: []Named{{"RED", "Red"}}, Sizes: []string{"S", "M", "L", "XL"}},
		{Style: "ST03", Name: "Trousers", Category: "BOTTOMS", Scale: "NUM",
			Colors: []Named{{"KHK", "Khaki"}}, Sizes: []string{"38", "40"}},
	}
	a := money.MustParse
	// by colour, size, style: any order of the keys works.
	r := Rollup{Query: RollupQuery{By: []Key{KeyColor, KeySize, KeyStyle}}, Rows: []RollupRow{
		{Keys: []string{"BLK", "M", "ST01"}, Qty: 6, Amount: a("60.00")},
		{Keys: []string{"WHT", "L", "ST01"}, Qty: 2, Amount: a("20.00")},
		{Keys: []string{"RED", "XL", "ST02"}, Qty: 12, Amount: a("96.00")},
		{Keys: []string{"RED", "S", "ST02"}, Qty: 1, Amount: a("8.00")},
		{Keys: []string{"NEW", "XS", "ST02"}, Qty: 3, Amount: a("24.00")}, // a colour and size the layout lacks
	}, Totals: Totals{Qty: 24, Amount: a("208.00")}}
	m := BuildMatrix(layout, r, false)
	if m.Empty != 1 || len(m.Styles) != 2 {
		t.Fatalf("styles %d, empty %d; want 2 and 1 (ST03)", len(m.Styles), m.Empty)
	}
	if m.MaxQty != 12 {
		t.Errorf("max %d", m.MaxQty)
	}
	var q int64
	var amt money.Amount
	for _, st := range m.Styles {
		q += st.Qty
		amt += st.Amount
		for _, c := range st.Colors {
			if len(c.Cells) != len(st.Sizes) {
				t.Errorf("%s %s: %d cells for %d sizes", st.Style, c.Code, len(c.Cells), len(st.Sizes))
			}
		}
	}
	if q != r.Totals.Qty || amt != r.Totals.Amount {
		t.Errorf("matrix adds up to %d / %s, want %d / %s", q, amt, r.Totals.Qty, r.Totals.Amount)
	}
	st1 := m.Styles[0]
	if diff := cmp.Diff([]int64{0, 6, 0, 0, 0, 2}, []int64{st1.Colors[0].Cells[0].Qty, st1.Colors[0].Cells[1].Qty,
		st1.Colors[0].Cells[2].Qty, st1.Colors[1].Cells[0].Qty, st1.Colors[1].Cells[1].Qty, st1.Colors[1].Cells[2].Qty}); diff != "" {
		t.Errorf("ST01 cells: %s", diff)
	}
	st2 := m.Styles[1]
	if diff := cmp.Diff([]string{"S", "M", "L", "XL", "XS"}, st2.Sizes); diff != "" {
		t.Errorf("ST02 sizes: %s", diff)
	}
	if len(st2.Colors) != 2 || st2.Colors[1].Code != "NEW" || st2.Colors[1].Qty != 3 || st2.Qty != 16 {
		t.Errorf("ST02 = %+v", st2)
	}
	// Column totals per scale.
	if len(m.Scales) != 1 || m.Scales[0].Scale != "LETTER" || m.Scales[0].Qty != 24 {
		t.Fatalf("scales = %+v", m.Scales)
	}
	var sizes []string
	var qtys []int64
	for _, c := range m.Scales[0].Sizes {
		sizes = append(sizes, c.Size)
		qtys = append(qtys, c.Qty)
	}
	if diff := cmp.Diff([]string{"S", "M", "L", "XL", "XS"}, sizes); diff != "" {
		t.Errorf("scale sizes: %s", diff)
	}
	if diff := cmp.Diff([]int64{1, 6, 2, 12, 3}, qtys); diff != "" {
		t.Errorf("scale totals: %s", diff)
	}

	all := BuildMatrix(layout, r, true)
	if len(all.Styles) != 3 || all.Styles[2].Style != "ST03" || all.Styles[2].Qty != 0 || len(all.Scales) != 2 {
		t.Errorf("with empty styles: %d styles, %d scales", len(all.Styles), len(all.Scales))
	}
}
