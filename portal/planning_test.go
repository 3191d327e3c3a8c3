package portal_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/planreport/plandb"
	"github.com/sizerun/sizerun/portal"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
)

// planEnv is the portal with the planning pages on the demo data (SS27
// open with orders, AW26 closed, suppliers S01–S05 with fabrics).
type planEnv struct {
	*env
	svc *aggregation.Service
}

func newPlanEnv(t *testing.T) *planEnv {
	t.Helper()
	db, _ := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error {
		return seed.Demo(ctx, db, io.Discard)
	})
	return startPlanEnv(t, db)
}

func startPlanEnv(t *testing.T, db *sqlx.DB) *planEnv {
	t.Helper()
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	e := startEnv(t, db, false, func(p *portal.Portal) { p.RegisterPlanning(svc) })
	return &planEnv{env: e, svc: svc}
}

// as returns a signed-in browser in lang ("" for the user's own).
func (e *planEnv) as(email, lang string) *client {
	e.t.Helper()
	c := e.client()
	if lang != "" {
		c.setCookie(portal.LangCookie, lang)
	}
	c.login(email)
	return c
}

// principal returns a user's principal, to ask the service directly.
func (e *planEnv) principal(email string) auth.Principal {
	e.t.Helper()
	var u struct {
		ID       int            `db:"id"`
		Role     string         `db:"role"`
		Supplier sql.NullInt64  `db:"supplier_id"`
		Code     sql.NullString `db:"code"`
	}
	err := e.db.Get(&u, `SELECT u.id, u.role, u.supplier_id, s.code FROM users u
LEFT JOIN suppliers s ON s.id = u.supplier_id WHERE u.email = $1`, email)
	if err != nil {
		e.t.Fatal(err)
	}
	return auth.Principal{UserID: u.ID, Email: email, Role: auth.Role(u.Role), SupplierID: int(u.Supplier.Int64),
		SupplierCode: u.Code.String}
}

// planToken is the CSRF token of the first form on a page.
func planToken(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	tok, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		t.Fatal("no CSRF token on the page")
	}
	return tok
}

// planNum reads a grouped integer ("12,345").
func planNum(t *testing.T, s string) int64 {
	t.Helper()
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

func planLocation(t *testing.T, res *http.Response, prefix string) string {
	t.Helper()
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s %s: %d → %q, want 303 → %s…", res.Request.Method, res.Request.URL.Path, res.StatusCode, loc, prefix)
	}
	return loc
}

// planDownload GETs a download link of a page and checks its type.
func planDownload(t *testing.T, c *client, doc *goquery.Document, sel, ctype, magic string) []byte {
	t.Helper()
	href := doc.Find(sel).AttrOr("href", "")
	if href == "" {
		t.Fatalf("no %s link", sel)
	}
	res := c.get(href)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != ctype || !bytes.HasPrefix(b, []byte(magic)) {
		t.Errorf("%s %s: %d %s %.10q", sel, href, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("%s: not an attachment", href)
	}
	return b
}

var planRawKey = regexp.MustCompile(`\b(planning|orders|app|nav|lang|user|role|login|home|season|order|status|totals|fabric|unit|error|term|common|form)\.[a-z_]+(\.[a-z_]+)*\b`)

// planNoRawKeys fails when a page shows a message key or a formatting error.
func planNoRawKeys(t *testing.T, what string, doc *goquery.Document) {
	t.Helper()
	texts := []string{doc.Find("body").Text()}
	doc.Find("[aria-label], [title], [placeholder], [data-confirm]").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"aria-label", "title", "placeholder", "data-confirm"} {
			if v, ok := s.Attr(a); ok {
				texts = append(texts, v)
			}
		}
	})
	for _, s := range texts {
		for _, m := range planRawKey.FindAllString(s, -1) {
			if !strings.HasSuffix(m, ".css") && !strings.HasSuffix(m, ".js") {
				t.Errorf("%s shows the raw key %q", what, m)
			}
		}
		if i := strings.Index(s, "%!"); i >= 0 {
			t.Errorf("%s shows a formatting error: %.120s", what, s[i:])
		}
	}
}

// The planner's season dashboard shows the service's figures: totals against
// AW26, categories, top styles, dealers without orders, held orders linking
// to the order, and one accessible SVG size curve per category.
func TestPlanningDashboard(t *testing.T) {
	e := newPlanEnv(t)
	ctx := context.Background()
	var held string
	err := e.db.Get(&held, `UPDATE orders SET status = 'held' WHERE id = (
  SELECT o.id FROM orders o JOIN seasons s ON s.id = o.season_id
  WHERE s.code = 'SS27' AND o.status = 'submitted' ORDER BY o.number LIMIT 1) RETURNING number`)
	if err != nil {
		t.Fatal(err)
	}
	planner := e.as("planner@demo.test", "en")
	doc := planner.page("/planning", http.StatusOK)
	d, err := e.svc.Dashboard(ctx, e.principal("planner@demo.test"), "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Season.Code != "SS27" || d.Previous == nil || d.Previous.Code != "AW26" {
		t.Fatalf("default season %s, previous %v", d.Season.Code, d.Previous)
	}
	if got := doc.Find("#d-season option[selected]").AttrOr("value", ""); got != "SS27" {
		t.Errorf("selected season %q", got)
	}
	for id, want := range map[string]int64{"#dash-qty": d.Totals.Qty, "#dash-orders": int64(d.Totals.Orders), "#dash-dealers": int64(d.Totals.Dealers)} {
		if got := planNum(t, doc.Find(id).Text()); got != want || want == 0 {
			t.Errorf("%s = %d, want %d", id, got, want)
		}
	}
	if got := text(doc.Find("#dash-amount")); got != d.Totals.Amount.Grouped() {
		t.Errorf("amount %q, want %q", got, d.Totals.Amount.Grouped())
	}
	if d.QtyChange == nil {
		t.Fatal("no change against AW26")
	}
	wantChange := strconv.Itoa(*d.QtyChange) + "%"
	if *d.QtyChange > 0 {
		wantChange = "+" + wantChange
	}
	if got := text(doc.Find("#dash-totals .kpi").First().Find(".change")); got != wantChange {
		t.Errorf("qty change %q, want %q", got, wantChange)
	}
	if !strings.Contains(text(doc.Find("#dash-totals .kpi").First().Find(".kpi-foot")), "AW26") {
		t.Error("the totals do not name AW26")
	}

	rows := doc.Find("#categories tbody tr")
	if rows.Length() != len(d.Categories) || len(d.Categories) == 0 {
		t.Errorf("%d category rows, service %d", rows.Length(), len(d.Categories))
	}
	rows.Each(func(i int, tr *goquery.Selection) {
		c := d.Categories[i]
		if code := text(tr.Find("th .code")); code != c.Category || planNum(t, tr.Find("td").Eq(1).Text()) != c.Qty {
			t.Errorf("category row %d: %s %q, want %s %d", i, code, tr.Find("td").Eq(1).Text(), c.Category, c.Qty)
		}
	})
	var top []string
	doc.Find("#top-styles tbody tr th a").Each(func(_ int, a *goquery.Selection) { top = append(top, text(a)) })
	var wantTop []string
	for _, s := range d.TopStyles {
		wantTop = append(wantTop, s.Style)
	}
	if len(wantTop) != 10 || !slices.Equal(top, wantTop) {
		t.Errorf("top styles %v, want %v", top, wantTop)
	}
	var missing, wantMissing []string
	doc.Find("#missing-dealers tbody tr td:first-child .code").Each(func(_ int, s *goquery.Selection) { missing = append(missing, text(s)) })
	for _, g := range d.Missing {
		wantMissing = append(wantMissing, g.Dealer)
	}
	if len(wantMissing) == 0 || !slices.Equal(missing, wantMissing) {
		t.Errorf("dealers without orders %v, want %v", missing, wantMissing)
	}
	if doc.Find(`#held-orders a[href="/orders/`+held+`"]`).Length() != 1 {
		t.Errorf("held order %s is not linked", held)
	}

	svgs := doc.Find("#size-curves svg.sizecurve")
	if svgs.Length() != len(d.Curves) || len(d.Curves) == 0 {
		t.Fatalf("%d size-curve charts, %d curves", svgs.Length(), len(d.Curves))
	}
	svgs.Each(func(i int, svg *goquery.Selection) {
		c := d.Curves[i]
		if svg.AttrOr("role", "") != "img" {
			t.Errorf("chart %d has no role img", i)
		}
		ids := strings.Fields(svg.AttrOr("aria-labelledby", ""))
		if len(ids) != 2 || svg.Find("title#"+ids[0]).Length() != 1 || svg.Find("desc#"+ids[1]).Length() != 1 {
			t.Errorf("chart %d: aria-labelledby %v does not name its title and desc", i, ids)
		}
		if !strings.Contains(text(svg.Find("title")), c.Category) {
			t.Errorf("chart %d title %q", i, text(svg.Find("title")))
		}
		desc := text(svg.Find("desc"))
		for _, z := range c.Sizes {
			if !strings.Contains(desc, z.Size+":") {
				t.Errorf("chart %s: desc %q lacks size %s", c.Category, desc, z.Size)
			}
		}
		if n := svg.Find("rect.sc-season").Length(); n != len(c.Sizes) {
			t.Errorf("chart %s: %d bars for %d sizes", c.Category, n, len(c.Sizes))
		}
		if svg.Find("rect.sc-std").Length() == 0 {
			t.Errorf("chart %s has no standard curve", c.Category)
		}
	})
	if doc.Find("script:not([src])").Length() != 0 {
		t.Error("inline script on the dashboard")
	}
	xb := planDownload(t, planner, doc, "#export-xlsx", aggregation.ContentXLSX, "PK")
	wb, err := excelize.OpenReader(bytes.NewReader(xb))
	if err != nil {
		t.Fatal(err)
	}
	if got := wb.GetSheetList(); len(got) != 6 {
		t.Errorf("dashboard workbook sheets %v", got)
	}

	// Another season by the selector; an unknown one is a 404 page.
	doc = planner.page("/planning?season=AW26", http.StatusOK)
	if got := doc.Find("#d-season option[selected]").AttrOr("value", ""); got != "AW26" {
		t.Errorf("selected season %q", got)
	}
	planner.page("/planning?season=XX99", http.StatusNotFound)
}

// failingFigures is a plan-versus-demand report that always fails.
type failingFigures struct{}

func (failingFigures) Report(context.Context, auth.Principal, planreport.Params) (planreport.Report, error) {
	return planreport.Report{}, fmt.Errorf("report down")
}

// The dashboard's plan-versus-demand card shows the report's season figures
// once a production order is released, a note before, and a note (not an
// error page) when the report fails.
func TestPlanningDashboardPlanVsDemand(t *testing.T) {
	db, _ := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error {
		return seed.Demo(ctx, db, io.Discard)
	})
	ctx := context.Background()
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	rep := planreport.NewService(plandb.New(db))
	e := &planEnv{env: startEnv(t, db, false, func(p *portal.Portal) {
		p.RegisterPlanning(svc, rep)
		p.RegisterPlanReport(rep)
	}), svc: svc}
	pp := e.principal("planner@demo.test")
	planner := e.as("planner@demo.test", "en")

	doc := planner.page("/planning", http.StatusOK)
	if got := text(doc.Find("#dash-plan-note")); got != i18n.T("en", "planning.dash.plan.no_release", "SS27") {
		t.Errorf("before a release: note %q", got)
	}
	if doc.Find("#dash-plan-table").Length() != 0 {
		t.Error("figures shown before a release")
	}

	po, err := svc.CreateProductionOrder(ctx, pp, aggregation.ProductionRequest{Season: "SS27", OveragePct: "3"}, "dash-plan-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Release(ctx, pp, po.Number); err != nil {
		t.Fatal(err)
	}
	r, err := rep.Report(ctx, pp, planreport.Params{Season: "SS27", Level: "season"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.HasRelease() || r.Totals.Demand == 0 || r.Totals.Guessed.Excess == 0 {
		t.Fatalf("report: %d released, demand %d, guessed excess %d", r.ReleasedOrders, r.Totals.Demand, r.Totals.Guessed.Excess)
	}
	for _, lang := range []string{"en", "zh", "ko"} {
		doc = e.as("planner@demo.test", lang).page("/planning?season=SS27", http.StatusOK)
		if doc.Find("#dash-plan-note").Length() != 0 {
			t.Errorf("%s: note after the release: %q", lang, text(doc.Find("#dash-plan-note")))
		}
		tot := r.Totals
		for id, want := range map[string]string{
			"dash-plan-excess":        groupedInt(tot.Sizerun.Excess) + " " + groupedInt(tot.Guessed.Excess),
			"dash-plan-excess-cost":   tot.Sizerun.ExcessCost.Grouped() + " " + tot.Guessed.ExcessCost.Grouped(),
			"dash-plan-shortage":      groupedInt(tot.Sizerun.Shortage) + " " + groupedInt(tot.Guessed.Shortage),
			"dash-plan-shortage-cost": tot.Sizerun.ShortageCost.Grouped() + " " + tot.Guessed.ShortageCost.Grouped(),
		} {
			var cells []string
			doc.Find("#" + id + " td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, text(td)) })
			if got := strings.Join(cells, " "); got != want {
				t.Errorf("%s: %s = %q, want %q", lang, id, got, want)
			}
		}
		if got := text(doc.Find("#dash-plan-avoided")); got != r.Saving.ExcessCost.Grouped() {
			t.Errorf("%s: avoided %q, want %q", lang, got, r.Saving.ExcessCost.Grouped())
		}
		if href := doc.Find("#dash-plan-link").AttrOr("href", ""); href != "/reports/plan-vs-demand?season=SS27" {
			t.Errorf("%s: report link %q", lang, href)
		}
		planNoRawKeys(t, "dashboard "+lang, doc)
	}

	// A failing report leaves the dashboard standing, with a note.
	e2 := startEnv(t, db, false, func(p *portal.Portal) { p.RegisterPlanning(svc, failingFigures{}) })
	c := e2.client()
	c.login("planner@demo.test")
	doc = c.page("/planning", http.StatusOK)
	if got := text(doc.Find("#dash-plan-note")); got != i18n.T("en", "planning.dash.plan.unavailable", "SS27") {
		t.Errorf("failing report: note %q", got)
	}
	if doc.Find("#dash-qty").Length() != 1 || doc.Find("#dash-plan-link").Length() != 0 {
		t.Error("failing report: the dashboard lacks its totals, or links to an unregistered report")
	}
}

// groupedInt writes n with thousands separators, as the pages do.
func groupedInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// The matrix's totals are the API rollup's; its cells add up to them, one
// per rollup row; filters narrow it like the API's; a cell's drill-down
// lists the dealers the service lists; the export is the same workbook.
func TestPlanningMatrix(t *testing.T) {
	e := newPlanEnv(t)
	ctx := context.Background()
	pp := e.principal("planner@demo.test")
	planner := e.as("planner@demo.test", "en")

	res := planner.get("/rollups")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/rollups: %d\n%.1000s", res.StatusCode, body)
	}
	t.Logf("demo SS27 matrix: %d KB", len(body)>>10)
	if len(body) > 300<<10 {
		t.Errorf("the matrix is %d KB, want < 300 KB", len(body)>>10)
	}
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(body))
	r, err := e.svc.Rollup(ctx, pp, aggregation.RollupParams{Season: "SS27"})
	if err != nil {
		t.Fatal(err)
	}
	planCheckMatrix(t, "SS27", doc, r)
	if doc.Find(`#to-dashboard[href="/planning?season=SS27"]`).Length() != 1 {
		t.Error("no link to the dashboard in the matrix header")
	}

	// Filters: statuses, category, region.
	cat := r.Rows[0].Keys[0]
	var category, region string
	if err := e.db.Get(&category, `SELECT c.code FROM styles s JOIN categories c ON c.id = s.category_id WHERE s.code = $1`, cat); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Get(&region, `SELECT code FROM regions ORDER BY code LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"season": {"SS27"}, "status": {"submitted", "confirmed"}, "category": {category}}
	doc = planner.page("/rollups?"+q.Encode(), http.StatusOK)
	fr, err := e.svc.Rollup(ctx, pp, aggregation.RollupParams{Season: "SS27", Status: "submitted,confirmed", Category: category})
	if err != nil {
		t.Fatal(err)
	}
	planCheckMatrix(t, "filtered", doc, fr)
	for _, st := range aggregation.OrderStatuses {
		_, on := doc.Find(`input[name="status"][value="` + st + `"]`).Attr("checked")
		if on != (st == "submitted" || st == "confirmed") {
			t.Errorf("status box %s checked=%v", st, on)
		}
	}
	if got := doc.Find("#f-category option[selected]").AttrOr("value", ""); got != category {
		t.Errorf("category select %q", got)
	}
	doc = planner.page("/rollups?season=SS27&region="+region, http.StatusOK)
	rr, err := e.svc.Rollup(ctx, pp, aggregation.RollupParams{Season: "SS27", Region: region})
	if err != nil {
		t.Fatal(err)
	}
	planCheckMatrix(t, "region", doc, rr)

	// The export streams the API's workbook for the same filter.
	href := doc.Find("#export-xlsx").AttrOr("href", "")
	res = planner.get(href)
	xb, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != aggregation.ContentXLSX {
		t.Fatalf("%s: %d %s", href, res.StatusCode, res.Header.Get("Content-Type"))
	}
	wb, err := excelize.OpenReader(bytes.NewReader(xb))
	if err != nil {
		t.Fatal(err)
	}
	sheet := wb.GetSheetName(0)
	xrows, _ := wb.GetRows(sheet)
	if len(xrows) != len(rr.Rows)+2 {
		t.Errorf("workbook has %d rows for %d rollup rows", len(xrows), len(rr.Rows))
	}
	if last := xrows[len(xrows)-1]; planNum(t, last[3]) != rr.Totals.Qty {
		t.Errorf("workbook total %v, rollup %d", last, rr.Totals.Qty)
	}

	// Drill into the first cell of the unfiltered matrix.
	doc = planner.page("/rollups?season=SS27", http.StatusOK)
	a := doc.Find("#matrix tr.mq td a").First()
	href = a.AttrOr("href", "")
	cellQty := planNum(t, a.Text())
	u, err := url.Parse(href)
	if err != nil || u.Path != "/rollups/drill" {
		t.Fatalf("cell link %q", href)
	}
	cq := u.Query()
	if cq.Get("season") != "SS27" || cq.Get("style") == "" || cq.Get("color") == "" || cq.Get("size") == "" {
		t.Fatalf("cell link %q does not name its cell", href)
	}
	doc = planner.page(href, http.StatusOK)
	dr, err := e.svc.Drill(ctx, pp, aggregation.DrillParams{Season: "SS27", Style: cq.Get("style"), Color: cq.Get("color"), Size: cq.Get("size")})
	if err != nil {
		t.Fatal(err)
	}
	if got := planNum(t, doc.Find("#drill-qty").Text()); got != cellQty || got != dr.Totals.Qty {
		t.Errorf("drill qty %d, cell %d, service %d", got, cellQty, dr.Totals.Qty)
	}
	var dealers, wantDealers []string
	doc.Find("#drill-dealers tbody tr td:first-child .code").Each(func(_ int, s *goquery.Selection) { dealers = append(dealers, text(s)) })
	for _, x := range dr.Dealers {
		wantDealers = append(wantDealers, x.Dealer)
	}
	if len(wantDealers) == 0 || !slices.Equal(dealers, wantDealers) {
		t.Errorf("drill dealers %v, want %v", dealers, wantDealers)
	}
	for _, o := range dr.Orders {
		if doc.Find(`#drill-orders a[href="/orders/`+o.Number+`"]`).Length() != 1 {
			t.Errorf("order %s is not linked", o.Number)
		}
	}
	planDownload(t, planner, doc, "#export-xlsx", aggregation.ContentXLSX, "PK")
	if back := doc.Find("#back-to-matrix").AttrOr("href", ""); !strings.HasPrefix(back, "/rollups?season=SS27#s-"+cq.Get("style")) {
		t.Errorf("back link %q", back)
	}
	// A bad filter value is a 422 page naming it, not a 500.
	doc = planner.page("/rollups?season=SS27&dealer=NOPE", http.StatusUnprocessableEntity)
	if !strings.Contains(doc.Find(".error-details").Text(), "NOPE") {
		t.Error("the 422 page does not name the unknown dealer")
	}
}

// checkMatrix compares a rendered matrix with the rollup behind it.
func planCheckMatrix(t *testing.T, what string, doc *goquery.Document, r aggregation.Rollup) {
	t.Helper()
	if got := planNum(t, doc.Find("#total-qty").Text()); got != r.Totals.Qty {
		t.Errorf("%s: total qty %d, rollup %d", what, got, r.Totals.Qty)
	}
	if got := text(doc.Find("#total-amount")); got != r.Totals.Amount.Grouped() {
		t.Errorf("%s: total amount %s, rollup %s", what, got, r.Totals.Amount.Grouped())
	}
	if got := planNum(t, doc.Find("#total-orders").Text()); got != int64(r.Totals.Orders) {
		t.Errorf("%s: orders %d, rollup %d", what, got, r.Totals.Orders)
	}
	if got := planNum(t, doc.Find("#total-dealers").Text()); got != int64(r.Totals.Dealers) {
		t.Errorf("%s: dealers %d, rollup %d", what, got, r.Totals.Dealers)
	}
	var sum int64
	cells := 0
	doc.Find("#matrix tbody tr.mq td").Each(func(_ int, td *goquery.Selection) {
		if n := planNum(t, td.Text()); n != 0 {
			sum += n
			cells++
		}
	})
	if sum != r.Totals.Qty || cells != len(r.Rows) {
		t.Errorf("%s: cells add up to %d in %d cells; rollup %d in %d rows", what, sum, cells, r.Totals.Qty, len(r.Rows))
	}
	styles := map[string]int64{}
	for _, row := range r.Rows {
		styles[row.Keys[0]] += row.Qty
	}
	tbodies := doc.Find("#matrix tbody")
	if tbodies.Length() != len(styles) {
		t.Errorf("%s: %d styles shown, %d in the rollup", what, tbodies.Length(), len(styles))
	}
	tbodies.Each(func(_ int, tb *goquery.Selection) {
		style := strings.TrimPrefix(tb.AttrOr("id", ""), "s-")
		if got := planNum(t, tb.Find("td.rt").First().Text()); got != styles[style] {
			t.Errorf("%s: row total of %s %d, rollup %d", what, style, got, styles[style])
		}
		if n, m := tb.Find("tr.mz th").Length(), tb.Find("tr.mq td").Length(); n != m || n == 0 {
			t.Errorf("%s: %s has %d size headers for %d cells", what, style, n, m)
		}
	})
	var sizes int64
	doc.Find("#matrix tfoot tr.ms td").Each(func(_ int, td *goquery.Selection) { sizes += planNum(t, td.Text()) })
	if sizes != r.Totals.Qty {
		t.Errorf("%s: column totals add up to %d, rollup %d", what, sizes, r.Totals.Qty)
	}
}

// A big season (120 styles in 5 colours × 6 sizes, 3,600 SKUs), two
// cells in three ordered and then every one: the matrix goes over pages
// that each stay under 300 KB, and all its cells add up to the rollup.
func TestPlanningMatrixWeight(t *testing.T) {
	hashOnce.Do(func() {
		var err error
		if hash, err = auth.HashPassword(password); err != nil {
			panic(err)
		}
	})
	db := pgtest.New(t)
	db.MustExec(`
INSERT INTO regions (code, name) VALUES ('EAST', '华东');
INSERT INTO price_lists (code, name, currency, is_list) VALUES ('LIST', 'List', 'CNY', true);
INSERT INTO dealers (code, name, region_id, price_list_id) VALUES ('D001', '上海锦绣服饰有限公司', 1, 1);
INSERT INTO seasons (code, name, starts_on, order_opens_at, order_cutoff_at)
  VALUES ('SS27', 'Spring/Summer 2027', '2027-02-01', now() - interval '30 days', now() + interval '30 days');
INSERT INTO categories (code, name) VALUES ('TOPS', 'Tops');
INSERT INTO size_scales (code, name) VALUES ('ALPHA', 'Letters');
INSERT INTO sizes (size_scale_id, code, position)
  SELECT 1, s, i FROM unnest(ARRAY['XS', 'S', 'M', 'L', 'XL', 'XXL']) WITH ORDINALITY AS x(s, i);
INSERT INTO styles (code, name, category_id, size_scale_id)
  SELECT 'ST' || (1000 + g), 'Men''s poplin shirt 男士府绸衬衫 ' || g, 1, 1 FROM generate_series(1, 120) g;
INSERT INTO season_styles (season_id, style_id) SELECT 1, id FROM styles;
INSERT INTO colors (style_id, code, name)
  SELECT st.id, c, 'Colour ' || c FROM styles st, unnest(ARRAY['BLK', 'WHT', 'NVY', 'RED', 'GRN']) c;
INSERT INTO skus (style_id, color_id, size_id) SELECT c.style_id, c.id, z.id FROM colors c, sizes z;
INSERT INTO orders (number, dealer_id, season_id, status, currency, submitted_at)
  VALUES ('SO-1', 1, 1, 'submitted', 'CNY', now());
`)
	fill := func(cond string) {
		db.MustExec(`INSERT INTO order_lines (order_id, dealer_id, sku_id, style_id, color_id, size_id, qty, unit_price, amount)
  SELECT 1, 1, k.id, k.style_id, k.color_id, k.size_id, 1000 + k.id * 37 % 9000, 129.00, (1000 + k.id * 37 % 9000) * 129.00
  FROM skus k WHERE ` + cond)
		db.MustExec(`UPDATE orders SET total_qty = (SELECT sum(qty) FROM order_lines), total_amount = (SELECT sum(amount) FROM order_lines)`)
	}
	db.MustExec(`INSERT INTO users (email, password_hash, role, display_name) VALUES ('planner@demo.test', $1, 'planner', 'Pat')`, hash)
	e := startPlanEnv(t, db)
	c := e.as("planner@demo.test", "zh")
	pp := e.principal("planner@demo.test")
	check := func(what string, cells int) {
		t.Helper()
		r, err := e.svc.Rollup(context.Background(), pp, aggregation.RollupParams{Season: "SS27"})
		if err != nil {
			t.Fatal(err)
		}
		var linked, styles int
		var sum int64
		var sizes []string
		for path := "/rollups"; path != ""; {
			res := c.get(path)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			var gz bytes.Buffer
			w, _ := gzip.NewWriterLevel(&gz, 5)
			w.Write(body)
			w.Close()
			sizes = append(sizes, fmt.Sprintf("%d KB (%d KB gzipped)", len(body)>>10, gz.Len()>>10))
			if len(body) > 300<<10 {
				t.Errorf("%s: %s is %d KB, want < 300 KB", what, path, len(body)>>10)
			}
			doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(body))
			planNoRawKeys(t, what+" "+path, doc)
			if doc.Find("nav.pager").Length() != 2 {
				t.Errorf("%s: %s has no pager above and below the matrix", what, path)
			}
			links := doc.Find("#matrix tr.mq td a")
			linked += links.Length()
			links.Each(func(_ int, a *goquery.Selection) { sum += planNum(t, a.Text()) })
			styles += doc.Find("#matrix tbody").Length()
			if got := planNum(t, doc.Find("#total-qty").Text()); got != r.Totals.Qty {
				t.Errorf("%s: %s total %d, rollup %d", what, path, got, r.Totals.Qty)
			}
			path = doc.Find(`nav.pager a[rel="next"]`).First().AttrOr("href", "")
		}
		t.Logf("%s: %d pages: %s", what, len(sizes), strings.Join(sizes, ", "))
		ordered := map[string]bool{}
		for _, row := range r.Rows {
			ordered[row.Keys[0]] = true
		}
		if linked != cells || styles != len(ordered) || sum != r.Totals.Qty {
			t.Errorf("%s: %d linked cells in %d styles adding up to %d; want %d cells in %d styles adding up to %d",
				what, linked, styles, sum, cells, len(ordered), r.Totals.Qty)
		}
	}
	fill("k.id % 3 <> 0")
	check("two cells in three", 2400)
	fill("k.id % 3 = 0")
	check("every cell", 3600)
}

// A planner drafts a production order in the browser, reviews its grid,
// downloads it and releases it; a stale draft and a second release are
// refused with translated messages; bad input is shown next to its field;
// demand cancelled after the release shows as excess.
func TestPlanningProductionFlow(t *testing.T) {
	e := newPlanEnv(t)
	ctx := context.Background()
	pp := e.principal("planner@demo.test")
	planner := e.as("planner@demo.test", "en")
	r, err := e.svc.Rollup(ctx, pp, aggregation.RollupParams{Season: "SS27", By: "style"})
	if err != nil {
		t.Fatal(err)
	}
	style := r.Rows[0].Keys[0]

	draft := func(styles, overage string) *http.Response {
		doc := planner.page("/production-orders", http.StatusOK)
		form := url.Values{"_csrf": {planToken(t, doc)}, "idem": {doc.Find(`#draft-form input[name="idem"]`).AttrOr("value", "")},
			"season": {"SS27"}, "styles": {styles}, "overage_pct": {overage}}
		return planner.post("/production-orders", form)
	}

	// Bad input: each message next to its field, in the user's language.
	doc := parse(t, draft("NOPE1, "+style, "abc"), http.StatusUnprocessableEntity)
	if got := text(doc.Find("#po-overage-err")); got != i18n.T("en", "planning.po.err.overage") {
		t.Errorf("overage error %q", got)
	}
	if v := doc.Find("#po-styles").AttrOr("value", ""); v != "NOPE1, "+style {
		t.Errorf("the styles were not kept: %q", v)
	}
	doc = parse(t, draft("NOPE1, "+style, "3"), http.StatusUnprocessableEntity)
	if got := text(doc.Find("#po-styles-err")); got != i18n.T("en", "planning.po.err.style_unknown", "NOPE1") {
		t.Errorf("styles error %q", got)
	}
	if doc.Find("#po-styles").AttrOr("aria-invalid", "") != "true" {
		t.Error("the styles field is not marked invalid")
	}

	// Draft, review, download.
	loc := planLocation(t, draft(style, "3"), "/production-orders/")
	number := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/production-orders/")
	doc = planner.page(loc, http.StatusOK)
	po, err := e.svc.ProductionOrder(ctx, pp, number)
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != "draft" || doc.Find("#po-status").AttrOr("data-status", "") != "draft" || doc.Find("#notice").Length() != 1 {
		t.Errorf("drafted: status %s / %s", po.Status, doc.Find("#po-status").AttrOr("data-status", ""))
	}
	for id, want := range map[string]int{"#po-demand": po.Totals.DemandQty, "#po-stock": po.Totals.StockQty, "#po-planned": po.Totals.PlannedQty} {
		if got := planNum(t, doc.Find(id).Text()); got != int64(want) {
			t.Errorf("%s = %d, want %d", id, got, want)
		}
	}
	sec := doc.Find("#po-" + style)
	if sec.Length() != 1 {
		t.Fatalf("no grid for %s", style)
	}
	var planned int64
	sec.Find("tbody tr.m-planned td.total").Each(func(_ int, td *goquery.Selection) { planned += planNum(t, td.Text()) })
	if planned != int64(po.Totals.PlannedQty) {
		t.Errorf("the grid plans %d, the order %d", planned, po.Totals.PlannedQty)
	}
	if sec.Find("tbody").Length() == 0 || sec.Find("tfoot tr").Length() != 3 {
		t.Error("the grid lacks colours or totals")
	}
	if doc.Find("#release-form").AttrOr("data-confirm", "") == "" {
		t.Error("release does not ask for confirmation")
	}
	for _, dl := range []struct{ id, ctype, magic string }{
		{"#download-pdf", aggregation.ContentPDF, "%PDF"}, {"#download-xlsx", aggregation.ContentXLSX, "PK"},
		{"#download-csv", aggregation.ContentCSV, "style,"},
	} {
		res := planner.get(doc.Find(dl.id).AttrOr("href", ""))
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != dl.ctype || !bytes.HasPrefix(b, []byte(dl.magic)) {
			t.Errorf("%s: %d %s %.10q", dl.id, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}

	// A second draft for the same demand goes stale once the first is released.
	loc2 := planLocation(t, draft(style, "0"), "/production-orders/")
	number2 := strings.TrimPrefix(strings.SplitN(loc2, "?", 2)[0], "/production-orders/")
	if number2 == number {
		t.Fatal("a new form drafted the same production order")
	}
	tok := planToken(t, doc)
	if res := planner.post("/production-orders/"+number+"/release", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("release without CSRF token: %d", res.StatusCode)
	}
	planLocation(t, planner.post("/production-orders/"+number+"/release", url.Values{"_csrf": {tok}}), "/production-orders/"+number)
	doc = planner.page("/production-orders/"+number+"?released=1", http.StatusOK)
	if doc.Find("#po-status").AttrOr("data-status", "") != "released" || doc.Find("#release-form").Length() != 0 {
		t.Error("the released order still shows as a draft")
	}
	if po, _ := e.svc.ProductionOrder(ctx, pp, number); po.Status != "released" {
		t.Errorf("service status %s", po.Status)
	}
	doc = parse(t, planner.post("/production-orders/"+number2+"/release", url.Values{"_csrf": {tok}}), http.StatusConflict)
	if got := text(doc.Find("#po-error")); got != i18n.T("en", "planning.po.err.stale", number2) {
		t.Errorf("stale release: %q", got)
	}
	if doc.Find("#po-status").AttrOr("data-status", "") != "draft" {
		t.Error("the stale draft changed status")
	}
	doc = parse(t, planner.post("/production-orders/"+number+"/release", url.Values{"_csrf": {tok}}), http.StatusConflict)
	if got := text(doc.Find("#po-error")); got != i18n.T("en", "planning.po.err.not_draft", number) {
		t.Errorf("second release: %q", got)
	}

	// The list shows both with their lines; excess appears when a covered order is cancelled.
	var cancelled string
	err = e.db.Get(&cancelled, `UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = (
  SELECT l.order_id FROM production_coverage pc JOIN order_lines l ON l.id = pc.order_line_id
  JOIN production_orders po ON po.id = pc.production_order_id WHERE po.number = $1 ORDER BY l.order_id LIMIT 1) RETURNING number`, number)
	if err != nil {
		t.Fatal(err)
	}
	doc = planner.page("/production-orders?season=SS27", http.StatusOK)
	planDownload(t, planner, doc, "#export-xlsx", aggregation.ContentXLSX, "PK")
	list, _ := e.svc.ProductionOrders(ctx, pp, "SS27")
	for _, it := range list {
		tr := doc.Find(`#production-orders a[href="/production-orders/` + it.Number + `"]`).Closest("tr")
		if tr.Length() != 1 || planNum(t, tr.Find("td").Eq(4).Text()) != int64(it.LineCount) {
			t.Errorf("list row of %s: %q", it.Number, text(tr))
		}
	}
	_, excess, err := e.svc.Excess(ctx, pp, "SS27")
	if err != nil || len(excess) == 0 {
		t.Fatalf("excess %v %v", excess, err)
	}
	var total int
	for _, x := range excess {
		total += x.ExcessQty
	}
	if got := planNum(t, doc.Find("#excess-total").Text()); got != int64(total) {
		t.Errorf("excess total %d, want %d", got, total)
	}
	if doc.Find(`#excess-rows a[href="/orders/`+cancelled+`"]`).Length() == 0 {
		t.Errorf("the cancelled order %s is not listed as excess", cancelled)
	}
}

// supplier01 sees only S01's fabrics, gets 404 for another supplier's,
// acknowledges a line (errors next to the fields first), and the planner
// sees the acknowledgement.
func TestPlanningForecastSupplier(t *testing.T) {
	e := newPlanEnv(t)
	ctx := context.Background()
	supplier := e.as("supplier01@demo.test", "en")
	doc := supplier.page("/forecasts/fabric", http.StatusOK)
	f, err := e.svc.Forecast(ctx, e.principal("supplier01@demo.test"), "SS27")
	if err != nil {
		t.Fatal(err)
	}
	rows := doc.Find("#forecast tbody tr")
	if rows.Length() != len(f.Rows) || len(f.Rows) == 0 {
		t.Fatalf("%d rows, service %d", rows.Length(), len(f.Rows))
	}
	rows.Each(func(_ int, tr *goquery.Selection) {
		var sup string
		if err := e.db.Get(&sup, `SELECT s.code FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id WHERE f.code = $1`, tr.AttrOr("data-fabric", "")); err != nil || sup != "S01" {
			t.Errorf("supplier01 sees fabric %s of %q", tr.AttrOr("data-fabric", ""), sup)
		}
		if tr.Find("form.ackform").Length() != 1 {
			t.Error("a row without the acknowledgement form")
		}
	})
	var other, own string
	if err := e.db.Get(&other, `SELECT f.code FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id WHERE s.code = 'S02' ORDER BY f.code LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	own = f.Rows[0].Fabric
	tok := planToken(t, doc)
	supplier.page("/forecasts/fabric/"+other, http.StatusNotFound)
	parse(t, supplier.post("/forecasts/fabric/"+other+"/ack", url.Values{"_csrf": {tok}, "season": {"SS27"},
		"week": {f.Rows[0].Week.Format(aggregation.WeekLayout)}, "committed_qty": {"1"}, "committed_date": {"2027-01-04"}}), http.StatusNotFound)
	doc = supplier.page("/forecasts/fabric/"+own, http.StatusOK)
	doc.Find("#forecast tbody tr").Each(func(_ int, tr *goquery.Selection) {
		if tr.AttrOr("data-fabric", "") != own {
			t.Errorf("fabric page of %s lists %s", own, tr.AttrOr("data-fabric", ""))
		}
	})
	for _, dl := range []struct{ path, ctype, magic string }{
		{"/forecasts/fabric.csv?season=SS27", aggregation.ContentCSV, "fabric,"}, {"/forecasts/fabric.pdf?season=SS27", aggregation.ContentPDF, "%PDF"},
	} {
		res := supplier.get(dl.path)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != dl.ctype || !bytes.HasPrefix(b, []byte(dl.magic)) {
			t.Errorf("%s: %d %s", dl.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if strings.HasSuffix(dl.path, "csv?season=SS27") && (bytes.Contains(b, []byte(other)) || !bytes.Contains(b, []byte(own))) {
			t.Errorf("the CSV shows other suppliers' fabrics or not its own")
		}
	}

	row := f.Rows[0]
	week := row.Week.Format(aggregation.WeekLayout)
	id := "f-" + row.Fabric + "-" + week
	form := func(qty, date string) url.Values {
		return url.Values{"_csrf": {tok}, "season": {"SS27"}, "week": {week}, "committed_qty": {qty}, "committed_date": {date}, "note": {"Dyed lot 7 / 第7缸"}}
	}
	doc = parse(t, supplier.post("/forecasts/fabric/"+row.Fabric+"/ack", form("12.345", "")), http.StatusUnprocessableEntity)
	tr := doc.Find("#" + id)
	if got := text(tr.Find(".f-qty .field-error")); got != i18n.T("en", "planning.forecast.err.qty") {
		t.Errorf("qty error %q", got)
	}
	if got := text(tr.Find(".f-date .field-error")); got != i18n.T("en", "planning.forecast.err.date") {
		t.Errorf("date error %q", got)
	}
	if tr.Find(`input[name="committed_qty"]`).AttrOr("value", "") != "12.345" || tr.Find(`input[name="committed_qty"]`).AttrOr("aria-invalid", "") != "true" {
		t.Error("the refused quantity was not kept or not marked")
	}
	loc := planLocation(t, supplier.post("/forecasts/fabric/"+row.Fabric+"/ack", form(row.RequiredQty.String(), "2027-01-15")), "/forecasts/fabric?")
	if !strings.HasSuffix(loc, "#"+id) {
		t.Errorf("back to %q, want the row", loc)
	}
	doc = supplier.page(loc, http.StatusOK)
	if got := text(doc.Find("#" + id + " .ack-qty")); got != money.Amount(row.RequiredQty).Grouped() {
		t.Errorf("acknowledged qty %q", got)
	}
	if doc.Find("#notice").Length() != 1 {
		t.Error("no notice after acknowledging")
	}

	planner := e.as("planner@demo.test", "en")
	doc = planner.page("/forecasts/fabric?season=SS27&supplier=S01", http.StatusOK)
	tr = doc.Find("#" + id)
	if got := text(tr.Find(".ack-date")); got != "2027-01-15" || !strings.Contains(text(tr.Find(".ack-note")), "第7缸") {
		t.Errorf("the planner sees ack %q / %q", got, text(tr.Find(".ack-note")))
	}
	if tr.Find("form").Length() != 0 {
		t.Error("the planner gets an acknowledgement form")
	}
	doc.Find("#forecast tbody tr").Each(func(_ int, tr *goquery.Selection) {
		if text(tr.Find("td").Eq(2)) != "S01" {
			t.Errorf("supplier filter S01 shows %s", text(tr.Find("td").Eq(2)))
		}
	})
	all := planner.page("/forecasts/fabric?season=SS27", http.StatusOK)
	if all.Find("#forecast tbody tr").Length() <= doc.Find("#forecast tbody tr").Length() {
		t.Error("the planner's unfiltered forecast has no other suppliers")
	}
	res := planner.post("/forecasts/fabric/"+row.Fabric+"/ack", url.Values{"_csrf": {planToken(t, all)}, "season": {"SS27"}, "week": {week},
		"committed_qty": {"1"}, "committed_date": {"2027-01-15"}})
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("planner acknowledging: %d", res.StatusCode)
	}
}

// Dealers get 403 on every planning page, suppliers on all but the fabric
// forecast; the navigation shows each role its own.
func TestPlanningRoles(t *testing.T) {
	e := newPlanEnv(t)
	var fabric string
	if err := e.db.Get(&fabric, `SELECT code FROM fabrics ORDER BY code LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	office := []string{"/planning", "/planning.xlsx", "/rollups", "/rollups.xlsx?season=SS27", "/rollups/drill?season=SS27&style=ST1001",
		"/rollups/drill.xlsx?season=SS27&style=ST1001", "/production-orders", "/production-orders.xlsx",
		"/production-orders/PO-1", "/production-orders/PO-1.pdf"}
	fabrics := []string{"/forecasts/fabric", "/forecasts/fabric.csv", "/forecasts/fabric.pdf", "/forecasts/fabric/" + fabric}

	dealer := e.as("dealer01@demo.test", "")
	tok := dealer.csrfFromHome()
	for _, path := range append(slices.Clone(office), fabrics...) {
		if res := dealer.get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("dealer GET %s: %d", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/production-orders", "/production-orders/PO-1/release", "/forecasts/fabric/" + fabric + "/ack"} {
		if res := dealer.post(path, url.Values{"_csrf": {tok}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("dealer POST %s: %d", path, res.StatusCode)
		}
	}
	supplier := e.as("supplier01@demo.test", "")
	tok = supplier.csrfFromHome()
	for _, path := range office {
		if res := supplier.get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("supplier GET %s: %d", path, res.StatusCode)
		}
	}
	if res := supplier.post("/production-orders", url.Values{"_csrf": {tok}, "season": {"SS27"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("supplier drafting: %d", res.StatusCode)
	}
	nav := func(c *client) []string {
		var out []string
		c.page("/home", http.StatusOK).Find("nav.mainnav a").Each(func(_ int, a *goquery.Selection) {
			out = append(out, a.AttrOr("href", ""))
		})
		return out
	}
	for _, tc := range []struct {
		c         *client
		want, not []string
		who       string
	}{
		{e.as("planner@demo.test", ""), []string{"/rollups", "/production-orders", "/forecasts/fabric"}, nil, "planner"},
		{supplier, []string{"/forecasts/fabric"}, []string{"/rollups", "/production-orders"}, "supplier"},
		{dealer, nil, []string{"/rollups", "/production-orders", "/forecasts/fabric"}, "dealer"},
	} {
		links := nav(tc.c)
		for _, w := range tc.want {
			if !slices.Contains(links, w) {
				t.Errorf("%s navigation %v lacks %s", tc.who, links, w)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(links, n) {
				t.Errorf("%s navigation %v has %s", tc.who, links, n)
			}
		}
	}
}

// Every planning page renders in English, Chinese and Korean, in the right
// language and without a raw message key.
func TestPlanningLanguages(t *testing.T) {
	e := newPlanEnv(t)
	ctx := context.Background()
	pp := e.principal("planner@demo.test")
	po, err := e.svc.CreateProductionOrder(ctx, pp, aggregation.ProductionRequest{Season: "SS27", OveragePct: "2"}, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Rollup(ctx, pp, aggregation.RollupParams{Season: "SS27"})
	if err != nil {
		t.Fatal(err)
	}
	k := r.Rows[0].Keys
	drill := "/rollups/drill?" + url.Values{"season": {"SS27"}, "style": {k[0]}, "color": {k[1]}, "size": {k[2]}}.Encode()
	for _, lang := range []string{"en", "zh", "ko"} {
		planner := e.as("planner@demo.test", lang)
		supplier := e.as("supplier01@demo.test", lang)
		for _, pg := range []struct {
			c    *client
			path string
		}{
			{planner, "/planning"}, {planner, "/rollups"}, {planner, "/rollups?season=SS27&status=held&region=NOPE"},
			{planner, drill}, {planner, "/production-orders"}, {planner, "/production-orders/" + po.Number},
			{planner, "/forecasts/fabric"}, {supplier, "/forecasts/fabric"},
		} {
			res := pg.c.get(pg.path)
			want := http.StatusOK
			if strings.Contains(pg.path, "NOPE") {
				want = http.StatusUnprocessableEntity
			}
			doc := parse(t, res, want)
			what := lang + " " + pg.path
			if got := doc.Find("html").AttrOr("lang", ""); got != i18n.HTMLLang(lang) {
				t.Errorf("%s: html lang %q", what, got)
			}
			planNoRawKeys(t, what, doc)
			if lang != "en" && strings.Contains(doc.Find("main").Text(), "Production orders") {
				t.Errorf("%s shows English text", what)
			}
		}
		// The refusals are translated too.
		doc := planner.page("/production-orders", http.StatusOK)
		form := url.Values{"_csrf": {planToken(t, doc)}, "season": {"SS27"}, "styles": {"NOPE1"}, "overage_pct": {"x"}}
		doc = parse(t, planner.post("/production-orders", form), http.StatusUnprocessableEntity)
		planNoRawKeys(t, lang+" draft errors", doc)
		if got := text(doc.Find("#po-overage-err")); got != i18n.T(lang, "planning.po.err.overage") {
			t.Errorf("%s overage error %q", lang, got)
		}
	}
}
