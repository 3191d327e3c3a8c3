package aggdb_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// The dashboard's figures equal sums computed in Go from the orders the
// test wrote: totals of both seasons, by category, top styles, dealers
// without orders, held orders and size curves.
func TestDashboard(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 27))
	counted := map[string]bool{}
	for _, s := range aggregation.DashboardStatuses {
		counted[s] = true
	}
	// D07 orders nothing in SS27 but a draft, D08 only a cancelled order,
	// D06 only a held one; the others order in several statuses.
	plan := map[string][]string{
		"D01": {"submitted", "confirmed"}, "D02": {"in_production"}, "D03": {"submitted", "shipped"},
		"D04": {"confirmed"}, "D05": {"submitted", "held"}, "D06": {"held"}, "D07": {"draft"}, "D08": {"cancelled"},
	}
	var orders []aggtest.Order
	randomLines := func() []aggtest.Line {
		var lines []aggtest.Line
		for _, i := range r.Perm(len(f.SKUs))[:2+r.IntN(8)] {
			lines = append(lines, aggtest.Line{SKU: f.SKUs[i], Qty: 1 + r.IntN(30)})
		}
		return lines
	}
	for _, d := range slices.Sorted(mapKeys(plan)) {
		for _, st := range plan[d] {
			orders = append(orders, f.CreateOrder(t, f.DB, "SS27", d, st, randomLines()))
		}
		if d != "D02" { // D02 is new this season
			orders = append(orders, f.CreateOrder(t, f.DB, "AW26", d, []string{"closed", "shipped", "cancelled"}[r.IntN(3)], randomLines()))
		}
	}
	// The standard curve of TOPS on the letter scale.
	f.DB.MustExec(`INSERT INTO size_curves (category_id, size_id, share)
SELECT c.id, z.id, v.share FROM (VALUES ('XS', 0.08), ('S', 0.22), ('M', 0.35), ('L', 0.25), ('XL', 0.1)) v(code, share)
JOIN sizes z ON z.code = v.code JOIN size_scales sc ON sc.id = z.size_scale_id AND sc.code = 'LETTER'
CROSS JOIN categories c WHERE c.code = 'TOPS'`)

	type fig struct {
		qty     int64
		amount  money.Amount
		orders  map[int64]bool
		dealers map[string]bool
		styles  map[string]bool
	}
	newFig := func() *fig {
		return &fig{orders: map[int64]bool{}, dealers: map[string]bool{}, styles: map[string]bool{}}
	}
	season := map[string]*fig{"SS27": newFig(), "AW26": newFig()}
	cats := map[string]map[string]*fig{"SS27": {}, "AW26": {}}
	styles := map[string]*fig{}
	sizes := map[string]map[string]int64{} // category → size → qty (SS27)
	ordered := map[string]bool{}
	var held []string
	for _, o := range orders {
		if o.Season == "SS27" && o.Status != "draft" && o.Status != "cancelled" {
			ordered[o.Dealer] = true
		}
		if o.Season == "SS27" && o.Status == "held" {
			held = append(held, o.Number)
		}
		if !counted[o.Status] {
			continue
		}
		for _, l := range o.Lines {
			amt := f.Prices[l.SKU.Style].Times(l.Qty)
			cat := f.StyleCat[l.SKU.Style]
			add := func(g *fig) {
				g.qty += int64(l.Qty)
				g.amount += amt
				g.orders[o.ID] = true
				g.dealers[o.Dealer] = true
				g.styles[l.SKU.Style] = true
			}
			add(season[o.Season])
			if cats[o.Season][cat] == nil {
				cats[o.Season][cat] = newFig()
			}
			add(cats[o.Season][cat])
			if o.Season == "SS27" {
				if styles[l.SKU.Style] == nil {
					styles[l.SKU.Style] = newFig()
				}
				add(styles[l.SKU.Style])
				if sizes[cat] == nil {
					sizes[cat] = map[string]int64{}
				}
				sizes[cat][l.SKU.Size] += int64(l.Qty)
			}
		}
	}

	d, err := svc.Dashboard(ctx, p, "SS27")
	if err != nil {
		t.Fatal(err)
	}
	if d.Season.Code != "SS27" || d.Previous == nil || d.Previous.Code != "AW26" {
		t.Fatalf("season %s, previous %v", d.Season.Code, d.Previous)
	}
	totals := func(g *fig) aggregation.Totals {
		return aggregation.Totals{Qty: g.qty, Amount: g.amount, Orders: len(g.orders), Dealers: len(g.dealers)}
	}
	if diff := cmp.Diff(totals(season["SS27"]), d.Totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(totals(season["AW26"]), d.PrevTotals); diff != "" {
		t.Errorf("previous totals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(aggregation.PercentChange(season["SS27"].qty, season["AW26"].qty), d.QtyChange); diff != "" {
		t.Errorf("qty change: %s", diff)
	}
	// The dashboard's totals are the rollup's over the same statuses.
	ro, err := svc.Rollup(ctx, p, aggregation.RollupParams{Season: "SS27", By: "style", Status: "submitted,confirmed,in_production,shipped,closed"})
	if err != nil {
		t.Fatal(err)
	}
	if ro.Totals != d.Totals {
		t.Errorf("rollup totals %+v, dashboard %+v", ro.Totals, d.Totals)
	}

	for _, c := range d.Categories {
		w, pw := cats["SS27"][c.Category], cats["AW26"][c.Category]
		if w == nil {
			w = newFig()
		}
		if pw == nil {
			pw = newFig()
		}
		got := []any{c.Qty, c.Amount, c.Dealers, c.Styles, c.PrevQty, c.PrevAmount}
		want := []any{w.qty, w.amount, len(w.dealers), len(w.styles), pw.qty, pw.amount}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("category %s (-want +got):\n%s", c.Category, diff)
		}
	}
	if len(d.Categories) != len(mergeKeys(cats["SS27"], cats["AW26"])) {
		t.Errorf("%d categories, want %d", len(d.Categories), len(mergeKeys(cats["SS27"], cats["AW26"])))
	}

	type ranked struct {
		style string
		qty   int64
		amt   money.Amount
	}
	var want []ranked
	for s, g := range styles {
		want = append(want, ranked{s, g.qty, g.amount})
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].qty != want[j].qty {
			return want[i].qty > want[j].qty
		}
		if want[i].amt != want[j].amt {
			return want[i].amt > want[j].amt
		}
		return want[i].style < want[j].style
	})
	want = want[:min(len(want), aggregation.TopStyles)]
	var got []ranked
	for i, s := range d.TopStyles {
		got = append(got, ranked{s.Style, s.Qty, s.Amount})
		if s.Rank != i+1 {
			t.Errorf("rank %d at %d", s.Rank, i)
		}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(ranked{})); diff != "" {
		t.Errorf("top styles (-want +got):\n%s", diff)
	}

	var missing []string
	for _, m := range d.Missing {
		missing = append(missing, m.Dealer)
		if m.Dealer == "D07" && !m.Draft {
			t.Error("D07's draft is not shown")
		}
		if m.PrevQty != sumDealer(orders, "AW26", m.Dealer, counted) {
			t.Errorf("%s: previous qty %d", m.Dealer, m.PrevQty)
		}
	}
	var wantMissing []string
	for d := range f.Dealers {
		if !ordered[d] {
			wantMissing = append(wantMissing, d)
		}
	}
	slices.Sort(missing)
	slices.Sort(wantMissing)
	if diff := cmp.Diff(wantMissing, missing); diff != "" {
		t.Errorf("dealers without orders (-want +got):\n%s", diff)
	}

	var gotHeld []string
	for _, h := range d.Held {
		gotHeld = append(gotHeld, h.Number)
	}
	slices.Sort(gotHeld)
	slices.Sort(held)
	if diff := cmp.Diff(held, gotHeld); diff != "" {
		t.Errorf("held orders (-want +got):\n%s", diff)
	}

	for _, c := range d.Curves {
		var sum, bp int64
		for _, z := range c.Sizes {
			if z.Qty != sizes[c.Category][z.Size] {
				t.Errorf("curve %s %s: qty %d, want %d", c.Category, z.Size, z.Qty, sizes[c.Category][z.Size])
			}
			sum += z.Qty
			bp += int64(z.ShareBP)
			if c.Category == "TOPS" {
				want := map[string]int{"XS": 800, "S": 2200, "M": 3500, "L": 2500, "XL": 1000}[z.Size]
				if !z.HasStandard || z.StandardBP != want {
					t.Errorf("TOPS %s standard %d (%v), want %d", z.Size, z.StandardBP, z.HasStandard, want)
				}
			} else if z.HasStandard {
				t.Errorf("%s %s has a standard share", c.Category, z.Size)
			}
		}
		if sum != c.Qty || sum == 0 {
			t.Errorf("curve %s: qty %d, sizes add up to %d", c.Category, c.Qty, sum)
		}
		if bp < 9990 || bp > 10010 {
			t.Errorf("curve %s: shares add up to %d bp", c.Category, bp)
		}
	}
	if len(d.Curves) != len(sizes) {
		t.Errorf("%d curves for %d categories", len(d.Curves), len(sizes))
	}

	// The workbook has a sheet per table, with the same figures.
	doc, err := svc.DashboardXLSX(ctx, p, "SS27")
	if err != nil {
		t.Fatal(err)
	}
	sheets := readWorkbook(t, doc)
	if diff := cmp.Diff([]string{"Totals", "Categories", "Top styles", "Size curves", "Not ordered", "Held orders"}, sheets.names); diff != "" {
		t.Errorf("sheets: %s", diff)
	}
	if got := sheets.rows["Totals"]; len(got) != 3 || got[1][1] != strconv.FormatInt(d.Totals.Qty, 10) || got[2][0] != "AW26" {
		t.Errorf("totals sheet %v", got)
	}
	if got := sheets.rows["Top styles"]; len(got) != len(d.TopStyles)+1 || got[1][1] != d.TopStyles[0].Style {
		t.Errorf("top styles sheet %v", got)
	}
	if got := sheets.rows["Held orders"]; len(got) != len(held)+1 {
		t.Errorf("held sheet %v", got)
	}
	if got := sheets.rows["Not ordered"]; len(got) != len(wantMissing)+1 {
		t.Errorf("not ordered sheet has %d rows, want %d", len(got)-1, len(wantMissing))
	}

	// Roles and seasons.
	for _, role := range []auth.Role{auth.RoleDealer, auth.RoleSupplier} {
		if _, err := svc.Dashboard(ctx, auth.Principal{Role: role}, "SS27"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s: %v", role, err)
		}
	}
	if _, err := svc.Dashboard(ctx, p, "XX99"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown season: %v", err)
	}
	first, err := svc.Dashboard(ctx, p, "AW26")
	if err != nil || first.Previous != nil || first.QtyChange != nil {
		t.Errorf("AW26: previous %v, change %v, err %v", first.Previous, first.QtyChange, err)
	}
}

func sumDealer(orders []aggtest.Order, season, dealer string, counted map[string]bool) int64 {
	var n int64
	for _, o := range orders {
		if o.Season == season && o.Dealer == dealer && counted[o.Status] {
			for _, l := range o.Lines {
				n += int64(l.Qty)
			}
		}
	}
	return n
}

func mergeKeys[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// The matrix adds up to the rollup, cell by cell, with and without filters,
// and lists every colour and size of the styles it shows.
func TestMatrix(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 9))
	dealers := slices.Sorted(mapKeys(f.Dealers))
	for i := 0; i < 25; i++ {
		var lines []aggtest.Line
		for _, j := range r.Perm(len(f.SKUs))[:1+r.IntN(10)] {
			lines = append(lines, aggtest.Line{SKU: f.SKUs[j], Qty: 1 + r.IntN(40)})
		}
		status := []string{"submitted", "confirmed", "in_production", "held", "cancelled"}[r.IntN(5)]
		d := dealers[r.IntN(len(dealers))]
		if status == "draft" {
			continue
		}
		f.CreateOrder(t, f.DB, "SS27", d, status, lines)
	}
	for _, params := range []aggregation.RollupParams{
		{Season: "SS27"},
		{Season: "SS27", Status: "submitted,held"},
		{Season: "SS27", Category: "TOPS"},
		{Season: "SS27", Region: "NORTH", Dealer: "D03,D06"},
		{}, // the default season
	} {
		m, err := svc.Matrix(ctx, p, params, false)
		if err != nil {
			t.Fatalf("%+v: %v", params, err)
		}
		params.Season, params.By = "SS27", "style,color,size"
		ro, err := svc.Rollup(ctx, p, params)
		if err != nil {
			t.Fatal(err)
		}
		if m.Totals != ro.Totals || m.Season != "SS27" {
			t.Errorf("%+v: matrix totals %+v, rollup %+v", params, m.Totals, ro.Totals)
		}
		want := map[[3]string]int64{}
		for _, row := range ro.Rows {
			want[[3]string{row.Keys[0], row.Keys[1], row.Keys[2]}] = row.Qty
		}
		got := map[[3]string]int64{}
		var sum int64
		for _, st := range m.Styles {
			if params.Category != "" && f.StyleCat[st.Style] != params.Category {
				t.Errorf("%+v: style %s of %s", params, st.Style, f.StyleCat[st.Style])
			}
			for _, c := range st.Colors {
				for _, cell := range c.Cells {
					if cell.Qty != 0 {
						got[[3]string{st.Style, c.Code, cell.Size}] = cell.Qty
					}
					sum += cell.Qty
				}
			}
			var nskus int
			for _, k := range f.SKUs {
				if k.Style == st.Style {
					nskus++
				}
			}
			if len(st.Colors)*len(st.Sizes) != nskus {
				t.Errorf("%s: %d colours × %d sizes, %d SKUs", st.Style, len(st.Colors), len(st.Sizes), nskus)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%+v: cells (-rollup +matrix):\n%s", params, diff)
		}
		if sum != ro.Totals.Qty {
			t.Errorf("%+v: cells add up to %d, rollup %d", params, sum, ro.Totals.Qty)
		}
		if len(m.Choices.Dealers) != len(f.Dealers) || len(m.Choices.Regions) != 3 || len(m.Choices.Categories) != 3 {
			t.Errorf("choices %+v", m.Choices)
		}
		if len(m.Seasons) != 2 || m.Seasons[0].Code != "SS27" {
			t.Errorf("seasons %+v", m.Seasons)
		}
	}
	all, err := svc.Matrix(ctx, p, aggregation.RollupParams{Season: "SS27"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Styles) != len(f.Styles) {
		t.Errorf("with empty styles: %d styles, want %d", len(all.Styles), len(f.Styles))
	}
	// A cell's drill-down as a workbook: its dealers, with a total, and its orders.
	k := all.Rows[0].Keys
	dr, err := svc.Drill(ctx, p, aggregation.DrillParams{Season: "SS27", Style: k[0], Color: k[1], Size: k[2]})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := svc.DrillXLSX(ctx, p, aggregation.DrillParams{Season: "SS27", Style: k[0], Color: k[1], Size: k[2]})
	if err != nil {
		t.Fatal(err)
	}
	wb := readWorkbook(t, doc)
	if d := wb.rows["Dealers"]; len(d) != len(dr.Dealers)+2 || d[len(d)-1][3] != strconv.FormatInt(dr.Totals.Qty, 10) {
		t.Errorf("drill dealers sheet %v", d)
	}
	if o := wb.rows["Orders"]; len(o) != len(dr.Orders)+1 {
		t.Errorf("drill orders sheet %v", o)
	}
	if want := "drill-SS27-" + k[0] + "-" + k[1] + "-" + k[2] + ".xlsx"; doc.Filename != want {
		t.Errorf("file name %q, want %q", doc.Filename, want)
	}
	if _, err := svc.Matrix(ctx, p, aggregation.RollupParams{Season: "SS27", Dealer: "NOPE"}, false); !apperr.Is(err, apperr.Validation) {
		t.Errorf("unknown dealer: %v", err)
	}
	if _, err := svc.Matrix(ctx, auth.Principal{Role: auth.RoleDealer}, aggregation.RollupParams{Season: "SS27"}, false); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("dealer: %v", err)
	}
}

// The production order list counts each order's lines.
func TestProductionOrderLineCount(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	f.CreateOrder(t, f.DB, "SS27", "D01", "submitted", []aggtest.Line{
		{SKU: f.FindSKU(t, "ST01", "BLK", "M"), Qty: 10}, {SKU: f.FindSKU(t, "ST04", "NVY", "38"), Qty: 3}})
	po, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27"}, "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.ProductionOrders(ctx, p, "SS27")
	if err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
	if list[0].LineCount != 2 || po.LineCount != 2 || len(po.Lines) != 2 {
		t.Errorf("line count: list %d, get %d (%d lines)", list[0].LineCount, po.LineCount, len(po.Lines))
	}
	doc, err := svc.ProductionListXLSX(ctx, p, "SS27")
	if err != nil {
		t.Fatal(err)
	}
	wb := readWorkbook(t, doc)
	if r := wb.rows["Production orders"]; len(r) != 2 || r[1][0] != po.Number || r[1][4] != "2" || r[1][7] != strconv.Itoa(po.Totals.PlannedQty) {
		t.Errorf("production orders sheet %v", r)
	}
	if r := wb.rows["Excess"]; len(r) != 2 || r[1][5] != "0" {
		t.Errorf("excess sheet %v", r)
	}
	if _, err := svc.ProductionListXLSX(ctx, auth.Principal{Role: auth.RoleSupplier, SupplierID: 1}, "SS27"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("supplier: %v", err)
	}
}

type workbookRows struct {
	names []string
	rows  map[string][][]string
}

// readWorkbook reads every sheet of an xlsx document as formatted text.
func readWorkbook(t *testing.T, d aggregation.Document) workbookRows {
	t.Helper()
	if d.ContentType != aggregation.ContentXLSX {
		t.Fatalf("content type %q", d.ContentType)
	}
	f, err := excelize.OpenReader(bytes.NewReader(d.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := workbookRows{rows: map[string][][]string{}}
	for _, name := range f.GetSheetList() {
		out.names = append(out.names, name)
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out.rows[name] = rows
		panes, err := f.GetPanes(name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("sheet %s: header row not frozen (%+v, %v)", name, panes, err)
		}
	}
	return out
}

// Production order numbers keep at least six digits and grow past 999999
// instead of being cut to six.
func TestProductionOrderNumbers(t *testing.T) {
	f, svc, p := setup(t)
	ctx := context.Background()
	f.CreateOrder(t, f.DB, "SS27", "D01", "submitted", []aggtest.Line{{SKU: f.FindSKU(t, "ST01", "BLK", "M"), Qty: 10}})
	if _, err := f.DB.ExecContext(ctx, `SELECT setval('production_order_number_seq', 999998)`); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 2; i++ {
		po, err := svc.CreateProductionOrder(ctx, p, aggregation.ProductionRequest{Season: "SS27"}, "")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, po.Number)
	}
	if got[0] != "PO-999999" || got[1] != "PO-1000000" {
		t.Fatalf("numbers %v, want PO-999999 and PO-1000000", got)
	}
}
