package aggregation

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/apperr"
)

func TestPlannedQty(t *testing.T) {
	tests := []struct {
		name                      string
		demand, stock, bp, cutLot int
		want                      int
	}{
		{"no demand", 0, 0, 300, 6, 0},
		{"stock covers demand", 10, 10, 300, 6, 0},
		{"stock above demand", 10, 25, 300, 6, 0},
		{"exact lot, no overage", 12, 0, 0, 6, 12},
		{"rounds up to the lot", 13, 0, 0, 6, 18},
		{"net of stock", 20, 8, 0, 1, 12},
		{"3% of 100 is 3", 100, 0, 300, 1, 103},
		{"3% of 101 is 3.03, ceil to 105", 101, 0, 300, 1, 105},
		{"2.5% of 40 is exactly 1", 40, 0, 250, 1, 41},
		{"2.5% of 41 is 1.025, ceil", 41, 0, 250, 1, 43},
		{"overage then lot", 100, 0, 300, 12, 108},
		{"tiny overage still rounds up", 1, 0, 1, 1, 2},
		{"100% doubles", 7, 0, 10000, 1, 14},
		{"net then overage then lot", 50, 20, 1000, 10, 40},
		{"cut lot below 1 is 1", 5, 0, 0, 0, 5},
		{"large numbers stay exact", 1_000_000, 1, 333, 7, 1_033_305},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlannedQty(tt.demand, tt.stock, tt.bp, tt.cutLot); got != tt.want {
				t.Fatalf("PlannedQty(%d, %d, %d, %d) = %d, want %d", tt.demand, tt.stock, tt.bp, tt.cutLot, got, tt.want)
			}
		})
	}
}

func TestParseOverage(t *testing.T) {
	tests := []struct {
		in     string
		want   int
		hasErr bool
	}{
		{"", 0, false}, {"0", 0, false}, {"3", 300, false}, {"3.0", 300, false}, {"3.00", 300, false},
		{"2.75", 275, false}, {"0.01", 1, false}, {"100", 10000, false}, {" 5.5 ", 550, false},
		{"100.01", 0, true}, {"3.001", 0, true}, {"-1", 0, true}, {"abc", 0, true}, {"3.", 0, true},
		{".5", 0, true}, {"1e2", 0, true}, {"1000", 0, true}, {"3,5", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseOverage(tt.in)
		if (err != nil) != tt.hasErr || got != tt.want {
			t.Errorf("ParseOverage(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.hasErr)
		}
	}
	if FormatOverage(275) != "2.75" || FormatOverage(300) != "3.00" || FormatOverage(5) != "0.05" {
		t.Fatal("FormatOverage")
	}
}

func TestPlanDraft(t *testing.T) {
	got := PlanDraft(1, 300, 9, []DemandLine{
		{SKUID: 1, Demand: 10, Stock: 25, CutLot: 6}, // stock netted only up to demand
		{SKUID: 2, Demand: 20, Stock: 5, CutLot: 6},
		{SKUID: 3, Demand: 0, Stock: 5, CutLot: 6}, // no demand: no line
	})
	want := Draft{SeasonID: 1, OverageBP: 300, CreatedBy: 9, Lines: []DraftLine{
		{SKUID: 1, DemandQty: 10, StockQty: 10, PlannedQty: 0},
		{SKUID: 2, DemandQty: 20, StockQty: 5, PlannedQty: 18},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestAllocate(t *testing.T) {
	open := []OpenLine{
		{OrderLineID: 10, OrderID: 1, DealerID: 1, SKUID: 7, Uncovered: 4},
		{OrderLineID: 11, OrderID: 2, DealerID: 2, SKUID: 7, Uncovered: 6},
		{OrderLineID: 12, OrderID: 3, DealerID: 1, SKUID: 8, Uncovered: 5},
		{OrderLineID: 13, OrderID: 4, DealerID: 3, SKUID: 7, Uncovered: 9},
	}
	t.Run("first come first served", func(t *testing.T) {
		got, err := Allocate([]CoverLine{{SKUID: 7, DemandQty: 12, StockQty: 2}, {SKUID: 8, DemandQty: 5}}, open, map[int]int{7: 2})
		if err != nil {
			t.Fatal(err)
		}
		want := []Coverage{
			{OrderLineID: 10, OrderID: 1, DealerID: 1, SKUID: 7, Qty: 4},
			{OrderLineID: 11, OrderID: 2, DealerID: 2, SKUID: 7, Qty: 6},
			{OrderLineID: 13, OrderID: 4, DealerID: 3, SKUID: 7, Qty: 2},
			{OrderLineID: 12, OrderID: 3, DealerID: 1, SKUID: 8, Qty: 5},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatal(diff)
		}
	})
	t.Run("demand gone is stale", func(t *testing.T) {
		_, err := Allocate([]CoverLine{{SKUID: 7, DemandQty: 5}, {SKUID: 8, DemandQty: 6}}, open, nil)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Conflict || len(e.Details) != 1 || e.Details[0].Field != "lines[1]" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("stock netted meanwhile is stale", func(t *testing.T) {
		_, err := Allocate([]CoverLine{{SKUID: 7, DemandQty: 5, StockQty: 3}}, open, map[int]int{7: 2})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestParseRollup(t *testing.T) {
	q, err := ParseRollup(RollupParams{Season: "SS27", By: " Size , style", Status: "confirmed,submitted,confirmed", Region: "north, ,EAST"})
	if err != nil {
		t.Fatal(err)
	}
	want := RollupQuery{By: []Key{KeySize, KeyStyle}, Statuses: []string{"confirmed", "submitted"}, Regions: []string{"NORTH", "EAST"}}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Fatal(diff)
	}
	q, _ = ParseRollup(RollupParams{Season: "SS27", By: "color,size,style", Status: "in_production,submitted,confirmed"})
	if !q.summaryCanAnswer() {
		t.Fatal("the summary can answer any order of style, color, size with the counted statuses")
	}
	for _, p := range []RollupParams{
		{Season: "SS27", By: "style,color"},
		{Season: "SS27", Status: "submitted"},
		{Season: "SS27", Dealer: "D01"},
		{Season: "SS27", Category: "TOPS"},
	} {
		q, _ := ParseRollup(p)
		if q.summaryCanAnswer() {
			t.Fatalf("%+v must be computed from the lines", p)
		}
	}
}
