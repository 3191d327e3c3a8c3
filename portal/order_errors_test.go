package portal

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
)

// Every message the ordering rules give about lines has a translation: the
// messages come from ordering.Resolve itself, so a reworded rule fails here
// rather than reaching a user in English.
func TestLineMessagesTranslated(t *testing.T) {
	season := catalog.Season{ID: 1, Code: "SS27", DeliveryWindows: []catalog.DeliveryWindow{{ID: 1, Code: "D1"}, {ID: 2, Code: "D2"}}}
	st := ordering.StyleInfo{
		ID: 1, Code: "ST1", MinOrderQty: 6, Price: money.MustParse("10.00"), HasPrice: true,
		Colors:   map[string]ordering.ColorInfo{"BLK": {ID: 1, Code: "BLK"}, "RED": {ID: 2, Code: "RED"}},
		Sizes:    map[string]ordering.SizeInfo{"S": {ID: 1, Code: "S", Position: 1}, "M": {ID: 2, Code: "M", Position: 2}},
		SKUs:     map[ordering.SKUKey]int{{ColorID: 1, SizeID: 1}: 1, {ColorID: 1, SizeID: 2}: 2, {ColorID: 2, SizeID: 1}: 3},
		Prepacks: map[string][]ordering.PackItem{"PP1": {{Size: "S", Qty: 1}, {Size: "M", Qty: 1}}},
	}
	noPrice := ordering.StyleInfo{ID: 2, Code: "ST2", Colors: st.Colors, Sizes: st.Sizes, SKUs: st.SKUs}
	styles := map[string]ordering.StyleInfo{"ST1": st, "ST2": noPrice}
	reqs := []ordering.LineRequest{
		{Style: "ST1", Color: "BLK", Size: "S", Qty: 2},                              // below the minimum
		{Style: "ST1", Color: "BLK", Size: "S", Qty: -1},                             // qty_positive
		{Style: "ST1", Color: "BLK", Size: "S", Qty: ordering.MaxLineQty + 1},        // qty_max
		{Style: "ST1", Color: "BLK", Prepack: "PP1", Packs: -2},                      // packs_positive
		{Style: "ST1", Color: "BLK", Prepack: "PP1", Packs: ordering.MaxLineQty + 1}, // packs_max
		{Style: "ST1", Color: "BLK", Size: "S", Packs: 2},                            // packs_needs_prepack
		{Style: "ST1", Color: "BLK", Size: "S", Qty: 1, Prepack: "PP1"},              // size_or_prepack
		{Style: "ST1", Color: "BLK", Size: "XXXL", Qty: 1},                           // size_unknown
		{Style: "ST1", Color: "RED", Size: "M", Qty: 1},                              // sku_missing
		{Style: "ST1", Color: "BLK", Qty: 1},                                         // size_required
		{Style: "ST1", Color: "PNK", Size: "S", Qty: 1},                              // color_unknown
		{Style: "ST1", Size: "S", Qty: 1},                                            // color_required
		{Style: "ST9", Color: "BLK", Size: "S", Qty: 1},                              // style_unknown
		{Style: "ST2", Color: "BLK", Size: "S", Qty: 1},                              // no_price
		{Color: "BLK", Size: "S", Qty: 1},                                            // style_required
		{Style: "ST1", Color: "BLK", Prepack: "PP9", Packs: 1},                       // prepack_unknown
		{Style: "ST1", Color: "BLK", Size: "M", Qty: 1, DeliveryWindow: "D9"},        // window_unknown
		{Style: "ST1", Color: "BLK", Size: "M", Qty: 1, DeliveryWindow: "D1"},
		{Style: "ST1", Color: "BLK", Size: "M", Qty: 1, DeliveryWindow: "D2"}, // window_one
		{Style: "ST1", Color: "RED", Size: "S", Qty: ordering.MaxLineQty},
		{Style: "ST1", Color: "RED", Size: "S", Qty: ordering.MaxLineQty}, // … sku_max, after summing
	}
	for i := 0; i < 10; i++ {
		reqs = append(reqs, ordering.LineRequest{Style: "ST1", Color: "RED", Size: "S", Qty: ordering.MaxLineQty})
	}
	_, details := ordering.Resolve(season, styles, reqs, ordering.ResolveOptions{CheckMinimum: true})
	if len(details) < 19 {
		t.Fatalf("only %d details: %v", len(details), details)
	}
	_, more := ordering.Resolve(season, styles, nil, ordering.ResolveOptions{})
	details = append(details, more...)
	for _, d := range details {
		t.Logf("%s: %s", d.Field, d.Message)
		for _, lang := range []string{"zh", "ko"} {
			got := trMessage(lang, d.Message)
			if got == d.Message || strings.Contains(got, "%!") || strings.Contains(got, "orders.") {
				t.Errorf("%s: %q → %q", lang, d.Message, got)
			}
		}
		if got := trMessage("en", d.Message); strings.Contains(got, "%!") {
			t.Errorf("en: %q → %q", d.Message, got)
		}
	}
	if got, want := trMessage("zh", "style ST1 color BLK: 2 pieces ordered, the minimum per color is 6"),
		i18n.T("zh", "orders.err.min_qty", "ST1", "BLK", "2", "6"); got != want {
		t.Errorf("min qty in zh = %q, want %q", got, want)
	}
	if got, want := trMessage("en", "style ST1002 color SKY: 1 pieces ordered, the minimum per color is 6"),
		"ST1002 SKY: 1 ordered, the minimum per colour is 6"; got != want {
		t.Errorf("min qty in en = %q, want %q", got, want)
	}
	if got := trMessage("zh", "something new"); got != "something new" {
		t.Errorf("an unknown message became %q", got)
	}
}

// Every key the Go code of the order pages builds exists in every language.
func TestOrderKeysFromGo(t *testing.T) {
	keys := []string{"orders.err.not_number", "orders.err.invalid", "orders.err.credit", "orders.err.conflict",
		"orders.err.no_draft", "orders.grid.saved", "orders.draft.removed", "orders.list.confirmed",
		"orders.new.line_error", "orders.new.syntax", "orders.err.style_unknown"}
	for _, r := range detailRules {
		keys = append(keys, r.key)
	}
	for _, k := range doneNotices {
		keys = append(keys, k)
	}
	for _, kind := range []string{ordering.EventSubmitted, ordering.EventHeld, ordering.EventAmended, ordering.EventCancelled,
		ordering.EventConfirmed, ordering.EventDraftCreated, ordering.EventDraftUpdated} {
		keys = append(keys, "orders.event."+kind)
	}
	for _, l := range i18n.Languages() {
		for _, k := range keys {
			if !i18n.Has(l.Code, k) {
				t.Errorf("key %q is missing from %s", k, l.Code)
			}
		}
	}
}

func TestOrderPagesParse(t *testing.T) {
	p := New(Deps{})
	for _, name := range []string{"catalog", "order_grid", "order", "orders", "order_new"} {
		pg, ok := p.views.pages[name]
		if !ok {
			t.Errorf("no page %q", name)
			continue
		}
		for _, def := range []string{"base", "title", "content"} {
			if pg.base.Lookup(def) == nil {
				t.Errorf("page %s: no template %q", name, def)
			}
		}
	}
}

func TestParseOrderLines(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    []ordering.LineRequest
		lineNos []int
		bad     []int
	}{
		{"sizes and prepacks", "ST1001 BLK M 12\r\n\n# comment\nST1001\tNVY\tPP1\tx3\nST1002, BLU, S, 2\nST1003;RED;L;×4",
			[]ordering.LineRequest{
				{Style: "ST1001", Color: "BLK", Size: "M", Qty: 12},
				{Style: "ST1001", Color: "NVY", Prepack: "PP1", Packs: 3},
				{Style: "ST1002", Color: "BLU", Size: "S", Qty: 2},
				{Style: "ST1003", Color: "RED", Prepack: "L", Packs: 4},
			}, []int{1, 4, 5, 6}, nil},
		{"full-width space", "ST1001\u3000BLK\u3000M\u30006", []ordering.LineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 6}}, []int{1}, nil},
		{"bad lines", "ST1001 BLK M\nST1001 BLK M twelve\nST1001 BLK PP1 xx\nST1001 BLK M 1 2\nST1001 BLK M -3",
			[]ordering.LineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: -3}}, []int{5}, []int{1, 2, 3, 4}},
		{"empty", "  \n\n", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, nos, bad := parseOrderLines(tt.text)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.lineNos, nos); diff != "" {
				t.Errorf("line numbers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.bad, bad); diff != "" {
				t.Errorf("bad (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFieldParsers(t *testing.T) {
	if i, col, ok := lineIndex("lines[12].qty"); !ok || i != 12 || col != "qty" {
		t.Errorf("lineIndex = %d %q %v", i, col, ok)
	}
	for _, f := range []string{"lines", "lines[x].qty", "orders[0].lines[1].qty", "row 3.qty"} {
		if _, _, ok := lineIndex(f); ok {
			t.Errorf("lineIndex(%q) ok", f)
		}
	}
	if s, c, z, col, ok := labelField("ST1001 BLK 7.5.qty"); !ok || s != "ST1001" || c != "BLK" || z != "7.5" || col != "qty" {
		t.Errorf("labelField = %q %q %q %q %v", s, c, z, col, ok)
	}
	if _, _, _, _, ok := labelField("lines[0].qty"); ok {
		t.Error("labelField took a lines[i] field")
	}
}
