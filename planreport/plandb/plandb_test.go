package plandb_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/planreport/plandb"
	"github.com/sizerun/sizerun/planreport/plantest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// The hand-computed season (plantest.HandSeason). Every figure below is
// computed by hand here; the report must agree.
//
// Catalogue: STA (TOPS, cut lot 6, cost 40.00, list 100.00), STB (BOTTOMS, 4,
// 25.50, 60.00), STC (BOTTOMS, 5, 30.00, 80.00, new in SS27); colours BLK, WHT;
// sizes S, M, L; curves TOPS 25/50/25 %, BOTTOMS 20/30/50 %. Stock on hand:
// STA BLK S 10, STB WHT L 3.
//
// Base season AW26 (counted orders less approved returns; the cancelled
// order A3 and the rejected return R2 do not count):
//
//	STA BLK 10+20+10 + 20 = 60, WHT 20            → STA 80
//	STB BLK 10+10+10 = 30, WHT 14 − 4 (R1) = 10   → STB 40
//
// SS27 orders: O1 (D1), O2 (D2), O3 (D2); the draft O5 and the held O6 do
// not count. Demand at release and the production order (10 % overage):
//
//	SKU          demand stock  net  ×1.1   ceil  cut lot → planned
//	STA BLK S    10     10     0                          0
//	STA BLK M    30+6   0      36   39.6   40    6        42
//	STA BLK L    12     0      12   13.2   14    6        18
//	STA WHT S    7 (O3) 0      7    7.7    8     6        12
//	STA WHT M    8      0      8    8.8    9     6        12
//	STB BLK M    10(O3) 0      10   11     11    4        12
//	STB BLK L    20     0      20   22     22    4        24
//	STB WHT L    5      3      2    2.2    3     4        4
//	STC BLK M    9+3    0      12   13.2   14    5        15
//	STC WHT S    4      0      4    4.4    5     5        5
//
// After the release O3 is cancelled (STA WHT S −7, STB BLK M −10) and O4
// orders STC WHT M 6 (uncovered). Demand now: 113 units.
//
// Sizerun per SKU: supply = planned + stock used; excess = max(0, supply −
// demand); rounding = min(excess, supply − demand at release); other = rest.
//
//	STA WHT S: supply 12, demand 0 → excess 12, rounding 12 − 7 = 5, other 7
//	STB BLK M: supply 12, demand 0 → excess 12, rounding 2, other 10
//	STB WHT L: supply 4 + 3 = 7, demand 5 → excess 2, rounding 2
//	STC WHT M: supply 0, demand 6 → shortage 6
//
// Guessed plan at growth 1.25 (overage 10 % as released): STA 80 × 1.25 =
// 100 → BLK 75, WHT 25 → 19/37/19, 6/13/6; STB 40 × 1.25 = 50 → 37.5/12.5 →
// BLK 38 (tie), WHT 12 → 8/11/19, 2/4/6; STC new: BOTTOMS average 40 × 1.25 =
// 50 → 25/25 → 5/7.5/12.5 → 5/8/12 each (tie to M). Production: net of stock
// (STA BLK S 19 − 10 = 9, STB WHT L 6 − 3 = 3), + 10 %, rounded up, to cut lot:
//
//	STA BLK S 9→9.9→10→12   M 37→40.7→41→42  L 19→20.9→21→24
//	STA WHT S 6→6.6→7→12    M 13→14.3→15→18  L 6→12
//	STB BLK S 8→8.8→9→12    M 11→12.1→13→16  L 19→20.9→21→24
//	STB WHT S 2→2.2→3→4     M 4→4.4→5→8      L 3→3.3→4→4
//	STC BLK S 5→5.5→6→10    M 8→8.8→9→10     L 12→13.2→14→15
//	STC WHT S 10            M 10             L 15
//
// against demand; rounding = min(excess, supply − guess), other the rest.
func skuLines() []string {
	return []string{
		//                 demand  Sizerun: target made stock supply excess rounding other shortage  Guessed: the same
		"STA/BLK/S D=10 S[10 0 10 10 e0 r0 o0 s0] G[19 12 10 22 e12 r3 o9 s0]",
		"STA/BLK/M D=36 S[36 42 0 42 e6 r6 o0 s0] G[37 42 0 42 e6 r5 o1 s0]",
		"STA/BLK/L D=12 S[12 18 0 18 e6 r6 o0 s0] G[19 24 0 24 e12 r5 o7 s0]",
		"STA/WHT/S D=0 S[7 12 0 12 e12 r5 o7 s0] G[6 12 0 12 e12 r6 o6 s0]",
		"STA/WHT/M D=8 S[8 12 0 12 e4 r4 o0 s0] G[13 18 0 18 e10 r5 o5 s0]",
		"STA/WHT/L D=0 S[0 0 0 0 e0 r0 o0 s0] G[6 12 0 12 e12 r6 o6 s0]",
		"STB/BLK/S D=0 S[0 0 0 0 e0 r0 o0 s0] G[8 12 0 12 e12 r4 o8 s0]",
		"STB/BLK/M D=0 S[10 12 0 12 e12 r2 o10 s0] G[11 16 0 16 e16 r5 o11 s0]",
		"STB/BLK/L D=20 S[20 24 0 24 e4 r4 o0 s0] G[19 24 0 24 e4 r4 o0 s0]",
		"STB/WHT/S D=0 S[0 0 0 0 e0 r0 o0 s0] G[2 4 0 4 e4 r2 o2 s0]",
		"STB/WHT/M D=0 S[0 0 0 0 e0 r0 o0 s0] G[4 8 0 8 e8 r4 o4 s0]",
		"STB/WHT/L D=5 S[5 4 3 7 e2 r2 o0 s0] G[6 4 3 7 e2 r1 o1 s0]",
		"STC/BLK/S D=0 S[0 0 0 0 e0 r0 o0 s0] G[5 10 0 10 e10 r5 o5 s0]",
		"STC/BLK/M D=12 S[12 15 0 15 e3 r3 o0 s0] G[8 10 0 10 e0 r0 o0 s2]",
		"STC/BLK/L D=0 S[0 0 0 0 e0 r0 o0 s0] G[12 15 0 15 e15 r3 o12 s0]",
		"STC/WHT/S D=4 S[4 5 0 5 e1 r1 o0 s0] G[5 10 0 10 e6 r5 o1 s0]",
		"STC/WHT/M D=6 S[0 0 0 0 e0 r0 o0 s6] G[8 10 0 10 e4 r2 o2 s0]",
		"STC/WHT/L D=0 S[0 0 0 0 e0 r0 o0 s0] G[12 15 0 15 e15 r3 o12 s0]",
	}
}

func planLine(p planreport.PlanFigures) string {
	return fmt.Sprintf("[%d %d %d %d e%d r%d o%d s%d]", p.Target, p.Made, p.StockUsed, p.Supply,
		p.Excess, p.RoundingExcess, p.OtherExcess, p.Shortage)
}

func rowLine(key string, r planreport.Row) string {
	return fmt.Sprintf("%s D=%d S%s G%s", key, r.Demand, planLine(r.Sizerun), planLine(r.Guessed))
}

// values lists a row's money figures: demand cost/wholesale, Sizerun's and
// the guessed plan's excess and shortage at cost/wholesale.
func values(r planreport.Row) string {
	return fmt.Sprintf("D %s/%s S e%s/%s s%s/%s G e%s/%s s%s/%s", r.DemandCost, r.DemandWholesale,
		r.Sizerun.ExcessCost, r.Sizerun.ExcessWholesale, r.Sizerun.ShortageCost, r.Sizerun.ShortageWholesale,
		r.Guessed.ExcessCost, r.Guessed.ExcessWholesale, r.Guessed.ShortageCost, r.Guessed.ShortageWholesale)
}

func newService(t *testing.T) (*planreport.Service, *plantest.Fixture) {
	t.Helper()
	db := pgtest.New(t)
	f := plantest.HandSeason(t, db)
	return planreport.NewService(plandb.New(db)), f
}

func TestPlanReportHandSeason(t *testing.T) {
	svc, f := newService(t)
	ctx := context.Background()
	planner := f.Principal("planner")

	r, err := svc.Report(ctx, planner, planreport.Params{Season: "ss27", Growth: "1.25", Level: "sku"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Season.Code != "SS27" || r.Base.Code != "AW26" || r.Growth != 12500 || r.Matched || r.OverageBP != 1000 ||
		r.ReleasedOrders != 1 || r.Currency != "CNY" || r.Level != planreport.LevelSKU {
		t.Errorf("head: season %s base %s growth %d matched %v overage %d released %d currency %s level %s",
			r.Season.Code, r.Base.Code, r.Growth, r.Matched, r.OverageBP, r.ReleasedOrders, r.Currency, r.Level)
	}
	// The guess at growth 1 is 80 + 40 + 40 = 160; 113 / 160 = 0.70625 → 0.7063.
	if r.GrowthMatched != 7063 {
		t.Errorf("matched growth = %d, want 7063", r.GrowthMatched)
	}
	var got []string
	for _, row := range r.Rows {
		got = append(got, rowLine(row.Style+"/"+row.Color+"/"+row.Size, row))
	}
	if diff := cmp.Diff(skuLines(), got); diff != "" {
		t.Errorf("SKU rows (-want +got):\n%s", diff)
	}

	// Styles: sums of their SKUs.
	//   STA demand 66: Sizerun target 10+36+12+7+8 = 73, made 84, stock 10, excess 28
	//     (rounding 21, other 7); guessed 100, made 120, stock 10, excess 64 (30, 34).
	//   STB demand 25: 35, 40, 3, excess 18 (8, 10); guessed 50, 68, 3, excess 46 (20, 26).
	//   STC demand 22: 16, 20, 0, excess 4 (4, 0), shortage 6; guessed 50, 70, 0,
	//     excess 50 (18, 32), shortage 2.
	// Values: STA 66 × 40.00 = 2640.00 at cost, × 100.00 = 6600.00 wholesale;
	//   excess 28 → 1120.00 / 2800.00, guessed 64 → 2560.00 / 6400.00.
	//   STB 25 × 25.50 = 637.50, × 60.00 = 1500.00; 18 → 459.00 / 1080.00;
	//   guessed 46 → 1173.00 / 2760.00.
	//   STC 22 × 30.00 = 660.00, × 80.00 = 1760.00; 4 → 120.00 / 320.00,
	//   shortage 6 → 180.00 / 480.00; guessed 50 → 1500.00 / 4000.00,
	//   shortage 2 → 60.00 / 160.00.
	wantStyles := []string{
		"STA TOPS D=66 S[73 84 10 94 e28 r21 o7 s0] G[100 120 10 130 e64 r30 o34 s0]",
		"STB BOTTOMS D=25 S[35 40 3 43 e18 r8 o10 s0] G[50 68 3 71 e46 r20 o26 s0]",
		"STC BOTTOMS D=22 S[16 20 0 20 e4 r4 o0 s6] G[50 70 0 70 e50 r18 o32 s2]",
	}
	wantStyleValues := []string{
		"D 2640.00/6600.00 S e1120.00/2800.00 s0.00/0.00 G e2560.00/6400.00 s0.00/0.00",
		"D 637.50/1500.00 S e459.00/1080.00 s0.00/0.00 G e1173.00/2760.00 s0.00/0.00",
		"D 660.00/1760.00 S e120.00/320.00 s180.00/480.00 G e1500.00/4000.00 s60.00/160.00",
	}
	styles := r.RowsAt(planreport.LevelStyle)
	got, gotValues := nil, []string(nil)
	for _, row := range styles {
		got = append(got, rowLine(row.Style+" "+row.Category, row))
		gotValues = append(gotValues, values(row))
	}
	if diff := cmp.Diff(wantStyles, got); diff != "" {
		t.Errorf("style rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantStyleValues, gotValues); diff != "" {
		t.Errorf("style values (-want +got):\n%s", diff)
	}
	if styles[0].StyleName != "Style STA" || styles[0].CategoryName != "Tops" {
		t.Errorf("style names: %q, %q", styles[0].StyleName, styles[0].CategoryName)
	}

	// Categories (ordered by code): BOTTOMS = STB + STC, TOPS = STA.
	wantCats := []string{
		"BOTTOMS D=47 S[51 60 3 63 e22 r12 o10 s6] G[100 138 3 141 e96 r38 o58 s2]",
		"TOPS D=66 S[73 84 10 94 e28 r21 o7 s0] G[100 120 10 130 e64 r30 o34 s0]",
	}
	wantCatValues := []string{
		"D 1297.50/3260.00 S e579.00/1400.00 s180.00/480.00 G e2673.00/6760.00 s60.00/160.00",
		"D 2640.00/6600.00 S e1120.00/2800.00 s0.00/0.00 G e2560.00/6400.00 s0.00/0.00",
	}
	got, gotValues = nil, nil
	for _, row := range r.Categories() {
		got = append(got, rowLine(row.Category, row))
		gotValues = append(gotValues, values(row))
	}
	if diff := cmp.Diff(wantCats, got); diff != "" {
		t.Errorf("category rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantCatValues, gotValues); diff != "" {
		t.Errorf("category values (-want +got):\n%s", diff)
	}

	// Season: demand 113; Sizerun covered 124, made 144, stock 13, supply 157,
	// excess 50 (rounding 33, other 17 = the 7 + 10 units of O3), shortage 6;
	// guessed 200, made 258, stock 13, supply 271, excess 160 (68, 92),
	// shortage 2. Check: 157 − 113 = 50 − 6 and 271 − 113 = 160 − 2.
	season := r.RowsAt(planreport.LevelSeason)
	if len(season) != 1 {
		t.Fatalf("season rows: %d", len(season))
	}
	if got, want := rowLine("SS27", season[0]), "SS27 D=113 S[124 144 13 157 e50 r33 o17 s6] G[200 258 13 271 e160 r68 o92 s2]"; got != want {
		t.Errorf("season row\n got %s\nwant %s", got, want)
	}
	if got, want := values(season[0]), "D 3937.50/9860.00 S e1699.00/4200.00 s180.00/480.00 G e5233.00/13160.00 s60.00/160.00"; got != want {
		t.Errorf("season values\n got %s\nwant %s", got, want)
	}
	if diff := cmp.Diff(season[0].Figures, r.Totals); diff != "" {
		t.Errorf("totals differ from the season row:\n%s", diff)
	}

	// Saving = guessed − Sizerun: excess 160 − 50 = 110 units, 5233.00 −
	// 1699.00 = 3534.00 at cost, 13160.00 − 4200.00 = 8960.00 wholesale;
	// shortage 2 − 6 = −4 units (O4 came after the release), 60.00 − 180.00 =
	// −120.00 at cost, 160.00 − 480.00 = −320.00 wholesale.
	want := planreport.Saving{ExcessUnits: 110, ExcessCost: money.MustParse("3534.00"), ExcessWholesale: money.MustParse("8960.00"),
		ShortageUnits: -4, ShortageCost: money.MustParse("-120.00"), ShortageWholesale: money.MustParse("-320.00")}
	if diff := cmp.Diff(want, r.Saving); diff != "" {
		t.Errorf("saving (-want +got):\n%s", diff)
	}

	// The default level is style; an admin may read it too.
	rs, err := svc.Report(ctx, f.Principal("admin"), planreport.Params{Season: "SS27", Growth: "1.25"})
	if err != nil {
		t.Fatal(err)
	}
	if rs.Level != planreport.LevelStyle || len(rs.Rows) != 3 || rs.Rows[2].Style != "STC" {
		t.Errorf("default level: %s with %d rows", rs.Level, len(rs.Rows))
	}
}

// With growth "match", the guess is scaled to 0.7063: STA 80 → 56.504 → 57,
// STB 40 → 28.252 → 28, STC (BOTTOMS average 40) → 28.
func TestPlanReportMatchedGrowth(t *testing.T) {
	svc, f := newService(t)
	r, err := svc.Report(context.Background(), f.Principal("planner"), planreport.Params{Season: "SS27", Growth: "match", Level: "style"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Matched || r.Growth != 7063 {
		t.Fatalf("growth %d, matched %v", r.Growth, r.Matched)
	}
	var got []int
	for _, row := range r.Rows {
		got = append(got, row.Guessed.Target)
	}
	if diff := cmp.Diff([]int{57, 28, 28}, got); diff != "" {
		t.Errorf("guessed style quantities (-want +got):\n%s", diff)
	}
}

// A season without an earlier one has no history: the guess is nothing, so
// its shortage is the whole demand; without a released production order
// Sizerun's is too. AW26's demand: A1 74 − 4 returned + A2 50 = 120.
func TestPlanReportNoHistoryNoRelease(t *testing.T) {
	svc, f := newService(t)
	r, err := svc.Report(context.Background(), f.Principal("planner"), planreport.Params{Season: "AW26", Level: "season"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Base.ID != 0 || r.ReleasedOrders != 0 || r.HasRelease() || r.GrowthMatched != 0 {
		t.Errorf("base %q, released %d, matched %d", r.Base.Code, r.ReleasedOrders, r.GrowthMatched)
	}
	if got, want := rowLine("AW26", r.Rows[0]), "AW26 D=120 S[0 0 0 0 e0 r0 o0 s120] G[0 0 0 0 e0 r0 o0 s120]"; got != want {
		t.Errorf("season row\n got %s\nwant %s", got, want)
	}
	if r.Saving != (planreport.Saving{}) {
		t.Errorf("saving = %+v, want none", r.Saving)
	}
	// An explicit base: SS27's guess from AW26 is the same as the default.
	a, err := svc.Report(context.Background(), f.Principal("planner"), planreport.Params{Season: "SS27", Base: "aw26", Growth: "1.25", Level: "season"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Base.Code != "AW26" || a.Totals.Guessed.Excess != 160 {
		t.Errorf("explicit base: %s, guessed excess %d", a.Base.Code, a.Totals.Guessed.Excess)
	}
}

func TestPlanReportRefusals(t *testing.T) {
	svc, f := newService(t)
	ctx := context.Background()
	planner := f.Principal("planner")
	for _, c := range []struct {
		name   string
		who    string
		params planreport.Params
		code   apperr.Code
		field  string
	}{
		{"dealer", "D1", planreport.Params{Season: "SS27"}, apperr.Forbidden, ""},
		{"supplier", "S1", planreport.Params{Season: "SS27"}, apperr.Forbidden, ""},
		{"no season", "planner", planreport.Params{}, apperr.Validation, "season"},
		{"unknown season", "planner", planreport.Params{Season: "XX99"}, apperr.NotFound, ""},
		{"bad growth", "planner", planreport.Params{Season: "SS27", Growth: "1.1x"}, apperr.Validation, "growth"},
		{"zero growth", "planner", planreport.Params{Season: "SS27", Growth: "0"}, apperr.Validation, "growth"},
		{"bad level", "planner", planreport.Params{Season: "SS27", Level: "dealer"}, apperr.Validation, "level"},
		{"unknown base", "planner", planreport.Params{Season: "SS27", Base: "XX99"}, apperr.Validation, "base"},
		{"base is the season", "planner", planreport.Params{Season: "SS27", Base: "SS27"}, apperr.Validation, "base"},
		{"injection", "planner", planreport.Params{Season: "SS27'; DROP TABLE orders; --"}, apperr.NotFound, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Report(ctx, f.Principal(c.who), c.params)
			e, ok := apperr.As(err)
			if !ok || e.Code != c.code {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
			if c.field != "" && (len(e.Details) == 0 || e.Details[0].Field != c.field) {
				t.Errorf("details = %+v, want field %s", e.Details, c.field)
			}
		})
	}
	if _, err := svc.Seasons(ctx, f.Principal("D1")); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("dealer seasons: %v", err)
	}
	ss, err := svc.Seasons(ctx, planner)
	if err != nil || len(ss) != 2 || ss[0].Code != "SS27" {
		t.Errorf("seasons = %+v, %v", ss, err)
	}
}

func TestPlanReportXLSX(t *testing.T) {
	svc, f := newService(t)
	doc, err := svc.ReportXLSX(context.Background(), f.Principal("planner"), planreport.Params{Season: "SS27", Growth: "1.25", Level: "category"})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Filename != "plan-vs-demand-SS27-category.xlsx" || len(doc.Body) < 100 || string(doc.Body[:2]) != "PK" {
		t.Errorf("document %q of %d bytes", doc.Filename, len(doc.Body))
	}
}
