package aggdb_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

type lineQty struct {
	Style, Color, Size     string
	Demand, Stock, Planned int
}

func poLines(po aggregation.ProductionOrder) []lineQty {
	var out []lineQty
	for _, l := range po.Lines {
		out = append(out, lineQty{l.Style, l.Color, l.Size, l.DemandQty, l.StockQty, l.PlannedQty})
	}
	return out
}

func setup(t *testing.T) (*aggtest.Fixture, *aggregation.Service, auth.Principal) {
	t.Helper()
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	return f, svc, auth.Principal{UserID: f.Users["planner"], Role: auth.RolePlanner, Email: "planner@fixture.test"}
}

func TestProductionOrderLifecycle(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	m := f.FindSKU(t, "ST01", "BLK", "M")
	l := f.FindSKU(t, "ST01", "BLK", "L")
	den := f.FindSKU(t, "ST03", "KHK", "40")
	o1 := f.CreateOrder(t, f.DB, "SS27", "D01", "submitted", []aggtest.Line{{SKU: m, Qty: 10}, {SKU: den, Qty: 7}})
	f.CreateOrder(t, f.DB, "SS27", "D02", "confirmed", []aggtest.Line{{SKU: m, Qty: 5}, {SKU: l, Qty: 1}})
	f.CreateOrder(t, f.DB, "SS27", "D03", "draft", []aggtest.Line{{SKU: m, Qty: 70}})     // not counted
	f.CreateOrder(t, f.DB, "SS27", "D04", "cancelled", []aggtest.Line{{SKU: m, Qty: 30}}) // not counted
	f.CreateOrder(t, f.DB, "AW26", "D04", "submitted", []aggtest.Line{{SKU: m, Qty: 40}}) // other season
	f.SetStock(t, m, 4)
	f.SetStock(t, l, 9)

	// ST01 BLK M: demand 15, stock 4, (15-4) × 1.03 = 11.33 → 12 → cut lot 6 → 12.
	// ST01 BLK L: demand 1, stock 9 → only 1 netted, nothing to make.
	// ST03 KHK 40: demand 7, cut lot 10 → ceil(7.21) = 8 → 10.
	po, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", OveragePct: "3.0"}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []lineQty{{"ST01", "BLK", "M", 15, 4, 12}, {"ST01", "BLK", "L", 1, 1, 0}, {"ST03", "KHK", "40", 7, 0, 10}}
	if diff := cmp.Diff(want, poLines(po), cmpopts.SortSlices(func(a, b lineQty) bool { return a.Style+a.Size < b.Style+b.Size })); diff != "" {
		t.Fatalf("draft lines (-want +got):\n%s", diff)
	}
	if po.Status != "draft" || po.OverageBP != 300 || po.Totals != (aggregation.ProductionTotals{DemandQty: 23, StockQty: 5, PlannedQty: 22}) {
		t.Fatalf("draft %+v", po)
	}
	// Lines come sorted by style, colour, size position (L after M on the letter scale).
	if po.Lines[0].Size != "M" || po.Lines[1].Size != "L" {
		t.Fatalf("line order %v", poLines(po))
	}

	// Only chosen styles.
	only, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", Styles: []string{"st03"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]lineQty{{"ST03", "KHK", "40", 7, 0, 10}}, poLines(only)); diff != "" {
		t.Fatal(diff)
	}

	// Release the first: coverage recorded, orders in production, stock netted.
	rel, err := svc.Release(ctx, p, po.Number)
	if err != nil {
		t.Fatal(err)
	}
	if rel.Status != "released" || rel.ReleasedAt == nil {
		t.Fatalf("released %+v", rel)
	}
	var statuses []string
	f.DB.Select(&statuses, `SELECT status FROM orders WHERE season_id = $1 ORDER BY id`, f.Seasons["SS27"])
	if diff := cmp.Diff([]string{"in_production", "in_production", "draft", "cancelled"}, statuses); diff != "" {
		t.Fatalf("order statuses: %s", diff)
	}
	var events int
	f.DB.Get(&events, `SELECT count(*) FROM order_events WHERE kind = 'status' AND to_status = 'in_production' AND detail->>'production_order' = $1`, po.Number)
	if events != 2 {
		t.Fatalf("%d order events", events)
	}
	var covered int
	f.DB.Get(&covered, `SELECT sum(qty) FROM production_coverage WHERE production_order_id = (SELECT id FROM production_orders WHERE number = $1)`, po.Number)
	if covered != 23 {
		t.Fatalf("covered %d, want 23", covered)
	}
	if _, err := svc.Release(ctx, p, po.Number); !apperr.Is(err, apperr.InvalidState) {
		t.Fatalf("second release: %v", err)
	}
	// The ST03-only draft planned for demand the release covered: stale.
	if _, err := svc.Release(ctx, p, only.Number); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale release: %v", err)
	}

	// Nothing left: a new draft is refused; new demand makes a new draft of only that demand,
	// netting only the stock not netted before (4 of M was, so 0 of M is left; 8 of L).
	if _, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27"}, ""); !apperr.Is(err, apperr.Validation) {
		t.Fatalf("draft without demand: %v", err)
	}
	f.CreateOrder(t, f.DB, "SS27", "D05", "submitted", []aggtest.Line{{SKU: m, Qty: 6}, {SKU: l, Qty: 3}})
	next, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", OveragePct: "0"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]lineQty{{"ST01", "BLK", "M", 6, 0, 6}, {"ST01", "BLK", "L", 3, 3, 0}}, poLines(next)); diff != "" {
		t.Fatalf("next draft: %s", diff)
	}

	// Excess: cancel an order whose demand was released, and reduce a covered line.
	o1.Status = "in_production"
	f.SetStatus(t, f.DB, &o1, "cancelled")
	season, excess, err := svc.Excess(ctx, p, "SS27")
	if err != nil || season != "SS27" {
		t.Fatal(err)
	}
	wantExcess := []aggregation.ExcessRow{
		{Style: "ST01", Color: "BLK", Size: "M", SizePos: 3, CancelledQty: 10, ExcessQty: 10, Orders: []string{o1.Number}},
		{Style: "ST03", Color: "KHK", Size: "40", SizePos: 3, CancelledQty: 7, ExcessQty: 7, Orders: []string{o1.Number}},
	}
	if diff := cmp.Diff(wantExcess, excess); diff != "" {
		t.Fatalf("excess (-want +got):\n%s", diff)
	}

	list, err := svc.ProductionOrders(ctx, p, "SS27")
	if err != nil || len(list) != 3 || list[0].Number != next.Number || list[2].Totals.PlannedQty != 22 {
		t.Fatalf("list %+v %v", list, err)
	}
	if _, err := svc.ProductionOrder(ctx, p, "PO-999999"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown: %v", err)
	}
	dealer := auth.Principal{UserID: f.Users["D01"], Role: auth.RoleDealer, DealerID: f.Dealers["D01"]}
	if _, err := svc.ProductionOrder(ctx, dealer, po.Number); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("dealer: %v", err)
	}

	// Exports.
	doc, err := svc.ProductionOrderDocument(ctx, p, po.Number, "csv")
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := "style,colour,size,demand_qty,stock_qty,planned_qty\nST01,BLK,M,15,4,12\nST01,BLK,L,1,1,0\nST03,KHK,40,7,0,10\n"
	if string(doc.Body) != wantCSV {
		t.Fatalf("csv:\n%s", doc.Body)
	}
	doc, err = svc.ProductionOrderDocument(ctx, p, po.Number, "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	checkXLSX(t, doc.Body, po.Number, [][]string{{"Style", "Colour", "Size", "Demand qty", "Stock qty", "Planned qty"},
		{"ST01", "BLK", "M", "15", "4", "12"}, {"ST01", "BLK", "L", "1", "1", "0"}, {"ST03", "KHK", "40", "7", "0", "10"},
		{"Total", "", "", "23", "5", "22"}})
	doc, err = svc.ProductionOrderDocument(ctx, p, po.Number, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc.Body, []byte("%PDF")) || len(doc.Body) < 1000 || doc.ContentType != "application/pdf" {
		t.Fatalf("pdf: %d bytes, %s", len(doc.Body), doc.ContentType)
	}
}

// checkXLSX opens a workbook and checks its cells, its frozen header row and
// that numbers are numbers.
func checkXLSX(t *testing.T, body []byte, sheet string, want [][]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("xlsx cells (-want +got):\n%s", diff)
	}
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("header row not frozen: %+v %v", panes, err)
	}
	typ, err := x.GetCellType(sheet, "D2")
	if err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Fatalf("D2 type %v %v", typ, err)
	}
	style, _ := x.GetCellStyle(sheet, "A1")
	st, err := x.GetStyle(style)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Fatalf("header not bold: %+v %v", st, err)
	}
}

// TestParallelRelease releases several drafts of the same demand at the same
// moment: exactly one wins, the others are refused as stale, and no order
// line is covered twice.
func TestParallelRelease(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	var skus []aggtest.SKU
	for _, k := range f.SKUs {
		if k.Style == "ST01" || k.Style == "ST03" {
			skus = append(skus, k)
		}
	}
	for i, d := range []string{"D01", "D02", "D03", "D04", "D05", "D06"} {
		var lines []aggtest.Line
		for j, k := range skus {
			if (i+j)%3 != 0 {
				lines = append(lines, aggtest.Line{SKU: k, Qty: 1 + (i*7+j)%13})
			}
		}
		f.CreateOrder(t, f.DB, "SS27", d, []string{"submitted", "confirmed"}[i%2], lines)
	}
	const n = 4
	var numbers []string
	for i := 0; i < n; i++ {
		po, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", OveragePct: "5"}, "")
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, po.Number)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range numbers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = svc.Release(ctx, p, numbers[i])
		}(i)
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case apperr.Is(err, apperr.Conflict):
			if e, _ := apperr.As(err); !strings.Contains(e.Message, "stale") {
				t.Fatalf("release %d: %v", i, err)
			}
		default:
			t.Fatalf("release %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d releases won, want exactly 1: %v", won, errs)
	}
	var overCovered, totalDemand, totalCovered int
	f.DB.Get(&overCovered, `SELECT count(*) FROM order_lines l
JOIN (SELECT order_line_id, sum(qty) AS c FROM production_coverage GROUP BY 1) pc ON pc.order_line_id = l.id
WHERE pc.c > l.qty`)
	f.DB.Get(&totalDemand, `SELECT sum(qty) FROM order_lines`)
	f.DB.Get(&totalCovered, `SELECT sum(qty) FROM production_coverage`)
	if overCovered != 0 || totalCovered != totalDemand {
		t.Fatalf("over-covered lines %d, covered %d of %d", overCovered, totalCovered, totalDemand)
	}
	var released int
	f.DB.Get(&released, `SELECT count(*) FROM production_orders WHERE status = 'released'`)
	if released != 1 {
		t.Fatalf("%d released", released)
	}
	// A fresh draft now has nothing to plan for.
	if _, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27"}, ""); !apperr.Is(err, apperr.Validation) {
		t.Fatalf("draft after release: %v", err)
	}
}

func TestProductionOrderValidation(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	f.CreateOrder(t, f.DB, "SS27", "D01", "submitted", []aggtest.Line{{SKU: f.FindSKU(t, "ST02", "RED", "S"), Qty: 5}})
	tests := []struct {
		name  string
		req   aggregation.ProductionRequest
		code  apperr.Code
		field string
	}{
		{"overage with 3 decimals", aggregation.ProductionRequest{Season: "SS27", OveragePct: "3.005"}, apperr.Validation, "overage_pct"},
		{"negative overage", aggregation.ProductionRequest{Season: "SS27", OveragePct: "-3"}, apperr.Validation, "overage_pct"},
		{"overage above 100", aggregation.ProductionRequest{Season: "SS27", OveragePct: "150"}, apperr.Validation, "overage_pct"},
		{"unknown style", aggregation.ProductionRequest{Season: "SS27", Styles: []string{"ST02", "NOPE"}}, apperr.Validation, "styles[1]"},
		{"no season", aggregation.ProductionRequest{}, apperr.Validation, "season"},
		{"unknown season", aggregation.ProductionRequest{Season: "ZZ99"}, apperr.NotFound, ""},
		{"no demand for the style", aggregation.ProductionRequest{Season: "SS27", Styles: []string{"ST05"}}, apperr.Validation, "styles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateProductionOrder(ctx, p, tt.req, "")
			e, ok := apperr.As(err)
			if !ok || e.Code != tt.code || (tt.field != "" && (len(e.Details) == 0 || e.Details[0].Field != tt.field)) {
				t.Fatalf("got %v (%+v), want %s on %s", err, e, tt.code, tt.field)
			}
		})
	}
	var n int
	f.DB.Get(&n, `SELECT count(*) FROM production_orders`)
	if n != 0 {
		t.Fatalf("%d production orders written by refused requests", n)
	}

	// Idempotency-Key: the same request returns the same draft, another body is refused.
	a, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", OveragePct: "2"}, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", OveragePct: "2.00"}, "key-1")
	if err != nil || b.Number != a.Number {
		t.Fatalf("repeat: %v %v", b.Number, err)
	}
	if _, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27", OveragePct: "4"}, "key-1"); !apperr.Is(err, apperr.IdempotencyReused) {
		t.Fatalf("reused key: %v", err)
	}
	f.DB.Get(&n, `SELECT count(*) FROM production_orders`)
	if n != 1 {
		t.Fatalf("%d production orders, want 1", n)
	}
}
