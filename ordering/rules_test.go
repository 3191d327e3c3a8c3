package ordering

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
)

func testSeason() catalog.Season {
	return catalog.Season{ID: 1, Code: "SS27", DeliveryWindows: []catalog.DeliveryWindow{
		{ID: 11, Code: "D1", Name: "Drop 1"}, {ID: 12, Code: "D2", Name: "Drop 2"}}}
}

// testStyles: ST1 (min 6, 129.00) in BLK/NVY, sizes S M L (no SKU NVY L);
// ST2 (min 1, 10.05) in RED; ST3 without a price. Prepack PP1 = S1 M2 L1.
func testStyles() map[string]StyleInfo {
	sizes := map[string]SizeInfo{"S": {ID: 1, Code: "S", Position: 1}, "M": {ID: 2, Code: "M", Position: 2}, "L": {ID: 3, Code: "L", Position: 3}}
	packs := map[string][]PackItem{"PP1": {{"S", 1}, {"M", 2}, {"L", 1}}}
	return map[string]StyleInfo{
		"ST1": {ID: 100, Code: "ST1", Name: "Shirt", MinOrderQty: 6, Price: money.MustParse("129.00"), HasPrice: true,
			Colors: map[string]ColorInfo{"BLK": {ID: 1000, Code: "BLK", Name: "Black"}, "NVY": {ID: 1001, Code: "NVY", Name: "Navy"}},
			Sizes:  sizes, Prepacks: packs,
			SKUs: map[SKUKey]int{{1000, 1}: 1, {1000, 2}: 2, {1000, 3}: 3, {1001, 1}: 4, {1001, 2}: 5}},
		"ST2": {ID: 200, Code: "ST2", Name: "Tee", MinOrderQty: 1, Price: money.MustParse("10.05"), HasPrice: true,
			Colors: map[string]ColorInfo{"RED": {ID: 2000, Code: "RED", Name: "Red"}}, Sizes: sizes, Prepacks: packs,
			SKUs: map[SKUKey]int{{2000, 1}: 11, {2000, 2}: 12, {2000, 3}: 13}},
		"ST3": {ID: 300, Code: "ST3", Name: "Polo", MinOrderQty: 1,
			Colors: map[string]ColorInfo{"WHT": {ID: 3000, Code: "WHT", Name: "White"}}, Sizes: sizes,
			SKUs: map[SKUKey]int{{3000, 1}: 21}},
	}
}

type qtyLine struct {
	Style, Color, Size string
	Qty                int
	Amount             string
	Window             string
}

func brief(lines []Line) []qtyLine {
	out := make([]qtyLine, len(lines))
	for i, l := range lines {
		out[i] = qtyLine{l.Style, l.Color, l.Size, l.Qty, l.Amount.String(), l.DeliveryWindow}
	}
	return out
}

func TestResolveAccepts(t *testing.T) {
	tests := []struct {
		name string
		reqs []LineRequest
		opts ResolveOptions
		want []qtyLine
	}{
		{"one line per size",
			[]LineRequest{{Style: "ST1", Color: "BLK", Size: "M", Qty: 4}, {Style: "ST1", Color: "BLK", Size: "S", Qty: 2}},
			ResolveOptions{CheckMinimum: true},
			[]qtyLine{{"ST1", "BLK", "S", 2, "258.00", "D1"}, {"ST1", "BLK", "M", 4, "516.00", "D1"}}},
		{"prepack expanded by ratio times packs",
			[]LineRequest{{Style: "ST1", Color: "BLK", Prepack: "PP1", Packs: 3}},
			ResolveOptions{CheckMinimum: true},
			[]qtyLine{{"ST1", "BLK", "S", 3, "387.00", "D1"}, {"ST1", "BLK", "M", 6, "774.00", "D1"}, {"ST1", "BLK", "L", 3, "387.00", "D1"}}},
		{"lines for one SKU summed, with a prepack",
			[]LineRequest{{Style: "ST1", Color: "BLK", Size: "M", Qty: 5}, {Style: "st1", Color: " blk ", Size: "m", Qty: 1}, {Style: "ST1", Color: "BLK", Prepack: "PP1", Packs: 1}},
			ResolveOptions{CheckMinimum: true},
			[]qtyLine{{"ST1", "BLK", "S", 1, "129.00", "D1"}, {"ST1", "BLK", "M", 8, "1032.00", "D1"}, {"ST1", "BLK", "L", 1, "129.00", "D1"}}},
		{"exact money: 3 × 10.05",
			[]LineRequest{{Style: "ST2", Color: "RED", Size: "S", Qty: 3}},
			ResolveOptions{CheckMinimum: true},
			[]qtyLine{{"ST2", "RED", "S", 3, "30.15", "D1"}}},
		{"minimum counts every size of the colour",
			[]LineRequest{{Style: "ST1", Color: "NVY", Size: "S", Qty: 3}, {Style: "ST1", Color: "NVY", Size: "M", Qty: 3}},
			ResolveOptions{CheckMinimum: true},
			[]qtyLine{{"ST1", "NVY", "S", 3, "387.00", "D1"}, {"ST1", "NVY", "M", 3, "387.00", "D1"}}},
		{"drafts skip the minimum and cleared cells",
			[]LineRequest{{Style: "ST1", Color: "NVY", Size: "S", Qty: 1}, {Style: "ST1", Color: "NVY", Size: "M", Qty: 0}},
			ResolveOptions{AllowZero: true},
			[]qtyLine{{"ST1", "NVY", "S", 1, "129.00", "D1"}}},
		{"delivery window named on one line applies to the style",
			[]LineRequest{{Style: "ST2", Color: "RED", Size: "S", Qty: 1}, {Style: "ST2", Color: "RED", Size: "M", Qty: 1, DeliveryWindow: "D2"}},
			ResolveOptions{},
			[]qtyLine{{"ST2", "RED", "S", 1, "10.05", "D2"}, {"ST2", "RED", "M", 1, "10.05", "D2"}}},
		{"current window kept",
			[]LineRequest{{Style: "ST2", Color: "RED", Size: "L", Qty: 2}},
			ResolveOptions{Windows: map[int]int{200: 12}},
			[]qtyLine{{"ST2", "RED", "L", 2, "20.10", "D2"}}},
		{"frozen price kept for known SKUs",
			[]LineRequest{{Style: "ST2", Color: "RED", Size: "S", Qty: 2}, {Style: "ST2", Color: "RED", Size: "M", Qty: 1}},
			ResolveOptions{Frozen: map[int]money.Amount{11: money.MustParse("9.00")}},
			[]qtyLine{{"ST2", "RED", "S", 2, "18.00", "D1"}, {"ST2", "RED", "M", 1, "10.05", "D1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, details := Resolve(testSeason(), testStyles(), tt.reqs, tt.opts)
			if len(details) > 0 {
				t.Fatalf("details: %v", details)
			}
			if diff := cmp.Diff(tt.want, brief(lines)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveRefuses(t *testing.T) {
	tests := []struct {
		name string
		reqs []LineRequest
		want []apperr.Detail
	}{
		{"no lines", nil, []apperr.Detail{{Field: "lines", Message: "an order needs at least one line"}}},
		{"unknown style", []LineRequest{{Style: "ST1", Color: "BLK", Size: "M", Qty: 6}, {Style: "NOPE", Color: "BLK", Size: "M", Qty: 1}},
			[]apperr.Detail{{Field: "lines[1].style", Message: "style NOPE is not offered in season SS27"}}},
		{"missing style", []LineRequest{{Color: "BLK", Size: "M", Qty: 1}},
			[]apperr.Detail{{Field: "lines[0].style", Message: "style is required"}}},
		{"no price", []LineRequest{{Style: "ST3", Color: "WHT", Size: "S", Qty: 1}},
			[]apperr.Detail{{Field: "lines[0].style", Message: "style ST3 has no price in your price list"}}},
		{"unknown colour", []LineRequest{{Style: "ST2", Color: "PNK", Size: "M", Qty: 1}},
			[]apperr.Detail{{Field: "lines[0].color", Message: "color PNK is not offered for style ST2"}}},
		{"unknown size", []LineRequest{{Style: "ST2", Color: "RED", Size: "XXXL", Qty: 1}},
			[]apperr.Detail{{Field: "lines[0].size", Message: "size XXXL is not offered for style ST2"}}},
		{"size not made in that colour", []LineRequest{{Style: "ST1", Color: "NVY", Size: "L", Qty: 6}},
			[]apperr.Detail{{Field: "lines[0].size", Message: "size L is not made in color NVY of style ST1"}}},
		{"zero qty", []LineRequest{{Style: "ST2", Color: "RED", Size: "M", Qty: 0}},
			[]apperr.Detail{{Field: "lines[0].qty", Message: "qty must be a positive whole number"}}},
		{"negative qty", []LineRequest{{Style: "ST2", Color: "RED", Size: "M", Qty: -3}},
			[]apperr.Detail{{Field: "lines[0].qty", Message: "qty must be a positive whole number"}}},
		{"qty too big", []LineRequest{{Style: "ST2", Color: "RED", Size: "M", Qty: 10001}},
			[]apperr.Detail{{Field: "lines[0].qty", Message: "qty must be at most 10000"}}},
		{"sum over the SKU limit", []LineRequest{
			{Style: "ST2", Color: "RED", Size: "M", Qty: 10000}, {Style: "ST2", Color: "RED", Prepack: "PP1", Packs: 10000},
			{Style: "ST2", Color: "RED", Prepack: "PP1", Packs: 10000}, {Style: "ST2", Color: "RED", Prepack: "PP1", Packs: 10000},
			{Style: "ST2", Color: "RED", Prepack: "PP1", Packs: 10000}, {Style: "ST2", Color: "RED", Prepack: "PP1", Packs: 10000}},
			[]apperr.Detail{{Field: "lines[0].qty", Message: "ST2 RED M: 110000 pieces in all, at most 100000 per SKU"}}},
		{"unknown prepack", []LineRequest{{Style: "ST2", Color: "RED", Prepack: "PP9", Packs: 1}},
			[]apperr.Detail{{Field: "lines[0].prepack", Message: "prepack PP9 is not offered for style ST2"}}},
		{"prepack with size", []LineRequest{{Style: "ST2", Color: "RED", Prepack: "PP1", Packs: 1, Size: "M"}},
			[]apperr.Detail{{Field: "lines[0].prepack", Message: "give either size and qty or prepack and packs, not both"}}},
		{"zero packs", []LineRequest{{Style: "ST2", Color: "RED", Prepack: "PP1"}},
			[]apperr.Detail{{Field: "lines[0].packs", Message: "packs must be a positive whole number"}}},
		{"below the minimum", []LineRequest{{Style: "ST1", Color: "BLK", Size: "S", Qty: 2}, {Style: "ST1", Color: "BLK", Size: "M", Qty: 2}, {Style: "ST1", Color: "NVY", Size: "M", Qty: 6}},
			[]apperr.Detail{{Field: "lines[0].qty", Message: "style ST1 color BLK: 4 pieces ordered, the minimum per color is 6"}}},
		{"unknown window", []LineRequest{{Style: "ST2", Color: "RED", Size: "M", Qty: 1, DeliveryWindow: "D9"}},
			[]apperr.Detail{{Field: "lines[0].delivery_window", Message: "delivery window D9 is not one of season SS27's (D1, D2)"}}},
		{"two windows for one style", []LineRequest{{Style: "ST2", Color: "RED", Size: "M", Qty: 1, DeliveryWindow: "D1"}, {Style: "ST2", Color: "RED", Size: "S", Qty: 1, DeliveryWindow: "D2"}},
			[]apperr.Detail{{Field: "lines[1].delivery_window", Message: "style ST2 already ships in delivery window D1 in this order; a style ships in one window"}}},
		{"labels name rows", []LineRequest{{Style: "ST2", Color: "RED", Size: "XXXL", Qty: 1, Label: "row 7"}},
			[]apperr.Detail{{Field: "row 7.size", Message: "size XXXL is not offered for style ST2"}}},
		{"every bad line named, in order", []LineRequest{
			{Style: "ST2", Color: "RED", Size: "M", Qty: 1}, {Style: "ST2", Color: "RED", Size: "XXXL", Qty: 1},
			{Style: "ST2", Color: "RED", Size: "M", Qty: 0}, {Style: "ST1", Color: "BLK", Size: "M", Qty: 1}},
			[]apperr.Detail{{Field: "lines[1].size", Message: "size XXXL is not offered for style ST2"},
				{Field: "lines[2].qty", Message: "qty must be a positive whole number"},
				{Field: "lines[3].qty", Message: "style ST1 color BLK: 1 pieces ordered, the minimum per color is 6"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, details := Resolve(testSeason(), testStyles(), tt.reqs, ResolveOptions{CheckMinimum: true})
			if lines != nil {
				t.Errorf("lines = %v, want none", brief(lines))
			}
			if diff := cmp.Diff(tt.want, details); diff != "" {
				t.Errorf("details (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidLinesMessage(t *testing.T) {
	_, details := Resolve(testSeason(), testStyles(), []LineRequest{
		{Style: "ST2", Color: "RED", Size: "XXXL", Qty: 0}, {Style: "X"}}, ResolveOptions{})
	e, _ := apperr.As(invalidLines(details))
	if e.Code != apperr.Validation || e.Message != "2 lines are invalid" {
		t.Errorf("error = %v %q", e.Code, e.Message)
	}
}

func TestExpandPrepack(t *testing.T) {
	tests := []struct {
		ratio []PackItem
		packs int
		want  []PackItem
	}{
		{[]PackItem{{"S", 1}, {"M", 2}, {"L", 2}, {"XL", 1}}, 3, []PackItem{{"S", 3}, {"M", 6}, {"L", 6}, {"XL", 3}}},
		{[]PackItem{{"M", 1}}, 1, []PackItem{{"M", 1}}},
		{[]PackItem{}, 5, []PackItem{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ExpandPrepack(tt.ratio, tt.packs)); diff != "" {
			t.Errorf("ExpandPrepack(%v, %d) (-want +got):\n%s", tt.ratio, tt.packs, diff)
		}
	}
}

func TestCreditFigures(t *testing.T) {
	tests := []struct {
		limit, exposure, value string
		exceeded               bool
	}{
		{"1000.00", "0.00", "1000.00", false},
		{"1000.00", "0.00", "1000.01", true},
		{"1000.00", "999.99", "0.01", false},
		{"1000.00", "999.99", "0.02", true},
		{"0.00", "0.00", "0.01", true},
	}
	for _, tt := range tests {
		f := CreditFigures{Limit: money.MustParse(tt.limit), Exposure: money.MustParse(tt.exposure), OrderValue: money.MustParse(tt.value)}
		if got := f.Exceeded(); got != tt.exceeded {
			t.Errorf("%+v Exceeded = %v, want %v", tt, got, tt.exceeded)
		}
	}
	e, _ := apperr.As(CreditError(CreditFigures{Limit: 100000, Exposure: 80000, OrderValue: 30000, Currency: "CNY"}))
	want := []apperr.Detail{{Field: "credit_limit", Message: "1000.00"}, {Field: "exposure", Message: "800.00"}, {Field: "order_value", Message: "300.00"}}
	if e.Code != apperr.CreditLimitExceeded || !cmp.Equal(want, e.Details) {
		t.Errorf("CreditError = %v %v", e.Code, e.Details)
	}
	if e.Message != "this order exceeds the credit limit: limit CNY 1000.00, exposure 800.00, order value 300.00" {
		t.Errorf("message %q", e.Message)
	}
}

func TestDiffLines(t *testing.T) {
	before := []Line{{SKUID: 1, Style: "A", Color: "B", Size: "S", Qty: 1}, {SKUID: 2, Style: "A", Color: "B", Size: "M", Qty: 2}, {SKUID: 3, Style: "A", Color: "B", Size: "L", Qty: 3}}
	after := []Line{{SKUID: 1, Style: "A", Color: "B", Size: "S", Qty: 1}, {SKUID: 2, Style: "A", Color: "B", Size: "M", Qty: 5}, {SKUID: 4, Style: "A", Color: "B", Size: "XL", Qty: 4}}
	added, removed, changed := DiffLines(before, after)
	if diff := cmp.Diff([]LineChange{{Style: "A", Color: "B", Size: "XL", To: 4}}, added); diff != "" {
		t.Errorf("added: %s", diff)
	}
	if diff := cmp.Diff([]LineChange{{Style: "A", Color: "B", Size: "L", From: 3}}, removed); diff != "" {
		t.Errorf("removed: %s", diff)
	}
	if diff := cmp.Diff([]LineChange{{Style: "A", Color: "B", Size: "M", From: 2, To: 5}}, changed); diff != "" {
		t.Errorf("changed: %s", diff)
	}
}

func TestCursor(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40} {
		got, ok := decodeCursor(encodeCursor(id))
		if !ok || got != id {
			t.Errorf("cursor %d → %d %v", id, got, ok)
		}
	}
	for _, bad := range []string{"x", "bzo", "eDox", encodeCursor(0), "' OR 1=1 --"} {
		if _, ok := decodeCursor(bad); ok {
			t.Errorf("decodeCursor(%q) accepted", bad)
		}
	}
}
