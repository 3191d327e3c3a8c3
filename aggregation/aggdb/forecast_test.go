package aggdb_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

type fcRow struct {
	Fabric, Supplier, Week, Required string
}

func fcRows(f aggregation.Forecast) []fcRow {
	var out []fcRow
	for _, r := range f.Rows {
		out = append(out, fcRow{r.Fabric, r.Supplier, r.Week.Format(aggregation.WeekLayout), r.RequiredQty.String()})
	}
	return out
}

// The fixture's ST04 (NUM scale) uses FAB-DEN of supplier S02: wastage 5 %,
// lead time 6 weeks, consumption 1.1000 / 1.1125 / 1.1250 / 1.1375 m for
// sizes 36 / 38 / 40 / 42. SS27's windows: W1 from Monday 2027-02-15, W2 from
// Thursday 2027-04-01.
func TestFabricForecast(t *testing.T) {
	f, svc, planner := setup(t)
	ctx := context.Background()
	s36, s40, s42 := f.FindSKU(t, "ST04", "NVY", "36"), f.FindSKU(t, "ST04", "NVY", "40"), f.FindSKU(t, "ST04", "NVY", "42")
	f.CreateOrder(t, f.DB, "SS27", "D01", "submitted", []aggtest.Line{
		{SKU: s36, Qty: 10, Window: "W1"}, {SKU: s40, Qty: 3}, // no window: the season's first
	})
	f.CreateOrder(t, f.DB, "SS27", "D02", "confirmed", []aggtest.Line{{SKU: s42, Qty: 8, Window: "W2"}})
	f.CreateOrder(t, f.DB, "SS27", "D03", "cancelled", []aggtest.Line{{SKU: s42, Qty: 50, Window: "W2"}}) // not counted

	got, err := svc.Forecast(ctx, planner, "SS27")
	if err != nil {
		t.Fatal(err)
	}
	// Week of 2027-02-15 − 6 weeks = 2027-01-04: (10 × 1.1 + 3 × 1.125) × 1.05 = 15.09375 → 15.09.
	// 2027-04-01 − 6 weeks = Thu 2027-02-18, week of Monday 2027-02-15: 8 × 1.1375 × 1.05 = 9.555 → 9.56.
	want := []fcRow{{"FAB-DEN", "S02", "2027-01-04", "15.09"}, {"FAB-DEN", "S02", "2027-02-15", "9.56"}}
	if diff := cmp.Diff(want, fcRows(got)); diff != "" {
		t.Fatalf("forecast (-want +got):\n%s", diff)
	}

	// After a release, the SKUs count with their planned quantities (10 % overage, cut lot 1):
	// 36: 11, 40: ceil(3.3) = 4, 42: ceil(8.8) = 9; plus new, uncovered demand.
	po, err := svc.CreateProductionOrder(ctx, planner, aggregation.ProductionRequest{Season: "SS27", OveragePct: "10"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Release(ctx, planner, po.Number); err != nil {
		t.Fatal(err)
	}
	f.CreateOrder(t, f.DB, "SS27", "D04", "submitted", []aggtest.Line{{SKU: s36, Qty: 2, Window: "W2"}})
	got, err = svc.Forecast(ctx, planner, "SS27")
	if err != nil {
		t.Fatal(err)
	}
	// 2027-01-04: (11 × 1.1 + 4 × 1.125) × 1.05 = 17.43.
	// 2027-02-15: (9 × 1.1375 + 2 × 1.1) × 1.05 = 12.4375 × 1.05 = 13.059375 → 13.06.
	want = []fcRow{{"FAB-DEN", "S02", "2027-01-04", "17.43"}, {"FAB-DEN", "S02", "2027-02-15", "13.06"}}
	if diff := cmp.Diff(want, fcRows(got)); diff != "" {
		t.Fatalf("forecast after release (-want +got):\n%s", diff)
	}

	// Tops bring in supplier S01's fabrics.
	f.CreateOrder(t, f.DB, "SS27", "D05", "submitted", []aggtest.Line{{SKU: f.FindSKU(t, "ST01", "WHT", "XS"), Qty: 4, Window: "W1"}})
	s01 := auth.Principal{UserID: f.Users["S01"], Role: auth.RoleSupplier, SupplierID: f.Suppliers["S01"], SupplierCode: "S01"}
	s02 := auth.Principal{UserID: f.Users["S02"], Role: auth.RoleSupplier, SupplierID: f.Suppliers["S02"], SupplierCode: "S02"}
	all, _ := svc.Forecast(ctx, planner, "SS27")
	mine, err := svc.Forecast(ctx, s01, "SS27")
	if err != nil {
		t.Fatal(err)
	}
	// XS of ST01: poplin 1.1000 m × 4 × 1.035 = 4.554 → 4.55, lead 4 weeks → 2027-01-18;
	// rib 0.1333 kg × 4 = 0.5332 → 0.53, lead 2 weeks → 2027-02-01.
	if diff := cmp.Diff([]fcRow{{"FAB-POP", "S01", "2027-01-18", "4.55"}, {"FAB-RIB", "S01", "2027-02-01", "0.53"}}, fcRows(mine)); diff != "" {
		t.Fatalf("supplier S01 (-want +got):\n%s", diff)
	}
	if len(all.Rows) != 4 {
		t.Fatalf("planner sees %d rows, want 4", len(all.Rows))
	}

	// Roles and scoping.
	dealer := auth.Principal{UserID: f.Users["D01"], Role: auth.RoleDealer, DealerID: f.Dealers["D01"]}
	if _, err := svc.Forecast(ctx, dealer, "SS27"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("dealer: %v", err)
	}
	if _, err := svc.FabricForecast(ctx, s01, "SS27", "FAB-DEN"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another supplier's fabric: %v", err)
	}
	if _, err := svc.FabricForecast(ctx, s01, "SS27", "FAB-NONE"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown fabric: %v", err)
	}
	one, err := svc.FabricForecast(ctx, s02, "SS27", "fab-den")
	if err != nil || len(one.Rows) != 2 {
		t.Fatalf("own fabric: %+v %v", one, err)
	}

	// Acknowledgements.
	ack := aggregation.AckParams{Season: "SS27", Week: "2027-01-04", CommittedQty: "17.00", CommittedDate: "2026-12-28", Note: "两批交货"}
	if _, err := svc.Acknowledge(ctx, s01, "FAB-DEN", ack); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("ack of another supplier's fabric: %v", err)
	}
	if _, err := svc.Acknowledge(ctx, planner, "FAB-DEN", ack); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("planner ack: %v", err)
	}
	for _, bad := range []struct {
		field string
		mod   func(a *aggregation.AckParams)
	}{
		{"week", func(a *aggregation.AckParams) { a.Week = "2027-01-05" }},
		{"week", func(a *aggregation.AckParams) { a.Week = "2027-W01" }},
		{"week", func(a *aggregation.AckParams) { a.Week = "2027-03-01" }}, // a Monday without requirement
		{"committed_qty", func(a *aggregation.AckParams) { a.CommittedQty = "-1" }},
		{"committed_qty", func(a *aggregation.AckParams) { a.CommittedQty = "1.005" }},
		{"committed_date", func(a *aggregation.AckParams) { a.CommittedDate = "soon" }},
		{"note", func(a *aggregation.AckParams) { a.Note = strings.Repeat("x", 1001) }},
	} {
		a := ack
		bad.mod(&a)
		_, err := svc.Acknowledge(ctx, s02, "FAB-DEN", a)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Validation || e.Details[0].Field != bad.field {
			t.Fatalf("%+v: %v", a, err)
		}
	}
	row, err := svc.Acknowledge(ctx, s02, "FAB-DEN", ack)
	if err != nil {
		t.Fatal(err)
	}
	if row.Ack == nil || row.Ack.CommittedQty.String() != "17.00" || row.Ack.RequiredQty.String() != "17.43" || row.Ack.Note != "两批交货" {
		t.Fatalf("ack row %+v %+v", row, row.Ack)
	}
	ack.CommittedQty = "17.43"
	if _, err := svc.Acknowledge(ctx, s02, "FAB-DEN", ack); err != nil { // replaces the first
		t.Fatal(err)
	}
	all, _ = svc.Forecast(ctx, planner, "SS27")
	var acked int
	for _, r := range all.Rows {
		if r.Ack != nil {
			acked++
			if r.Fabric != "FAB-DEN" || r.Ack.CommittedQty.String() != "17.43" || r.Ack.By != "s02@fixture.test" {
				t.Fatalf("planner sees ack %+v", r.Ack)
			}
		}
	}
	if acked != 1 {
		t.Fatalf("%d acknowledged rows", acked)
	}

	// Downloads.
	doc, err := svc.ForecastDocument(ctx, s02, "SS27", "csv")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := "fabric,name,supplier,unit,week,required_qty,committed_qty,committed_date,note\n" +
		"FAB-DEN,FAB-DEN 面料,S02,m,2027-01-04,17.43,17.43,2026-12-28,两批交货\n" +
		"FAB-DEN,FAB-DEN 面料,S02,m,2027-02-15,13.06,,,\n"
	if string(doc.Body) != wantCSV {
		t.Fatalf("csv:\n%s", doc.Body)
	}
	doc, err = svc.ForecastDocument(ctx, s01, "SS27", "pdf")
	if err != nil || !bytes.HasPrefix(doc.Body, []byte("%PDF")) {
		t.Fatalf("pdf: %v", err)
	}
}
