package dealers

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/apperr"
)

func TestDecideHold(t *testing.T) {
	tests := []struct {
		name string
		h    HoldState
		want holdAction
	}{
		{"active, nothing overdue", HoldState{Status: StatusActive}, holdNone},
		{"active, overdue", HoldState{Status: StatusActive, Overdue: m("0.01")}, holdPut},
		{"active, overdue covered by credits", HoldState{Status: StatusActive, Overdue: m("100.00"), Credits: m("100.00")}, holdNone},
		{"active, overdue above credits", HoldState{Status: StatusActive, Overdue: m("100.00"), Credits: m("99.99")}, holdPut},
		{"auto hold, paid", HoldState{Status: StatusOnHold, AutoHold: true}, holdRelease},
		{"auto hold, still overdue", HoldState{Status: StatusOnHold, AutoHold: true, Overdue: m("5.00")}, holdNone},
		{"manual hold, paid", HoldState{Status: StatusOnHold}, holdNone},
		{"manual hold, overdue", HoldState{Status: StatusOnHold, Overdue: m("5.00")}, holdNone},
	}
	for _, tt := range tests {
		if got := decideHold(tt.h); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestInvoiceSettle(t *testing.T) {
	due, _ := ParseDate("2026-10-31")
	tests := []struct {
		today, status string
		paid          string
		days          int
	}{
		{"2026-10-31", InvoiceOpen, "0.00", 0},      // due today: not overdue yet
		{"2026-11-01", InvoiceOverdue, "0.00", 1},   // the day after
		{"2026-12-15", InvoiceOverdue, "50.00", 45}, // part paid
		{"2026-12-15", InvoicePaid, "100.00", 0},
	}
	for _, tt := range tests {
		today, _ := ParseDate(tt.today)
		in := Invoice{Amount: m("100.00"), Paid: m(tt.paid), DueOn: due}
		in.settle(today)
		if in.Status != tt.status || in.DaysOverdue != tt.days || in.Balance != m("100.00")-m(tt.paid) {
			t.Errorf("%s paid %s: %s %d days, balance %s", tt.today, tt.paid, in.Status, in.DaysOverdue, in.Balance)
		}
	}
}

func TestMatchReturn(t *testing.T) {
	have := []Returnable{
		{OrderLineID: 1, SKUID: 11, Style: "ST1", Color: "BLK", Size: "M", Qty: 10, Returned: 3},
		{OrderLineID: 2, SKUID: 12, Style: "ST1", Color: "BLK", Size: "L", Qty: 5},
	}
	tests := []struct {
		name    string
		req     []ReturnLineRequest
		lines   []NewReturnLine
		details []apperr.Detail
	}{
		{"within", []ReturnLineRequest{{"st1", "blk", "m", 7}, {"ST1", "BLK", "L", 5}},
			[]NewReturnLine{{1, 11, 7}, {2, 12, 5}}, nil},
		{"summed lines over the limit name the first", []ReturnLineRequest{{"ST1", "BLK", "M", 4}, {"ST1", "BLK", "L", 1}, {"ST1", "BLK", "M", 4}},
			[]NewReturnLine{{2, 12, 1}},
			[]apperr.Detail{{Field: "lines[0].qty", Message: "at most 7 of ST1 BLK M can be returned (shipped 10, already returned or requested 3)"}}},
		{"not on the order", []ReturnLineRequest{{"ST1", "RED", "M", 1}},
			nil, []apperr.Detail{{Field: "lines[0]", Message: "ST1 RED M is not on order SO-1"}}},
	}
	for _, tt := range tests {
		lines, details := matchReturn("SO-1", have, tt.req)
		if diff := cmp.Diff(tt.lines, lines); diff != "" {
			t.Errorf("%s lines: %s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.details, details); diff != "" {
			t.Errorf("%s details: %s", tt.name, diff)
		}
	}
}

func TestAnalysisParams(t *testing.T) {
	tests := []struct {
		p      AnalysisParams
		fields []string
		rate   string
		h      int
	}{
		{AnalysisParams{Season: "aw26"}, nil, "0.1000", 4},
		{AnalysisParams{Season: "AW26", DiscountRate: "0.085", Horizon: "8"}, nil, "0.0850", 8},
		{AnalysisParams{Season: "AW26", DiscountRate: "1"}, nil, "1.0000", 4},
		{AnalysisParams{}, []string{"season"}, "", 0},
		{AnalysisParams{Season: "AW26", DiscountRate: "1/3"}, []string{"discount_rate"}, "", 0},
		{AnalysisParams{Season: "AW26", DiscountRate: "1.5"}, []string{"discount_rate"}, "", 0},
		{AnalysisParams{Season: "AW26", DiscountRate: "-0.1"}, []string{"discount_rate"}, "", 0},
		{AnalysisParams{Season: "AW26", DiscountRate: "1e-1"}, []string{"discount_rate"}, "", 0},
		{AnalysisParams{Season: "AW26", Horizon: "21"}, []string{"horizon"}, "", 0},
		{AnalysisParams{Season: "AW26", Horizon: "x"}, []string{"horizon"}, "", 0},
	}
	for _, tt := range tests {
		season, rate, h, err := tt.p.parse()
		if tt.fields == nil {
			if err != nil || season != "AW26" || Ratio(rate, 4) != tt.rate || h != tt.h {
				t.Errorf("%+v: %s %v %d %v", tt.p, season, rate, h, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.Validation {
			t.Errorf("%+v: %v", tt.p, err)
			continue
		}
		var fields []string
		for _, d := range e.Details {
			fields = append(fields, d.Field)
		}
		if diff := cmp.Diff(tt.fields, fields); diff != "" {
			t.Errorf("%+v: %s", tt.p, diff)
		}
	}
}
