package e2e

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
)

// TestJourneys walks the portal as its users do, in the browser, on one
// server: a dealer orders two styles with the keyboard and gets the PDF, a
// dealer reads the portal in three languages, a planner goes from the
// dashboard to a released production order, a supplier acknowledges its
// forecast.
func TestJourneys(t *testing.T) {
	s := startSite(t)
	t.Run("DealerOrders", func(t *testing.T) { dealerOrders(t, s) })
	t.Run("Languages", func(t *testing.T) { languages(t, s) })
	t.Run("PlannerReleases", func(t *testing.T) { plannerReleases(t, s) })
	t.Run("SupplierAcknowledges", func(t *testing.T) { supplierAcknowledges(t, s) })
}

// dealerOrders: a dealer signs in, finds a style by searching, types
// quantities into the size grid with the keyboard only and sees the totals
// follow, adds a second style, reviews and submits the draft, finds the
// order in the list and downloads its confirmation PDF.
func dealerOrders(t *testing.T, s *site) {
	tb := newTab(t, s)
	tb.login("dealer01@demo.test")
	tb.setLang("en") // dealer01 reads Chinese; this journey checks English text

	tb.follow(`nav.mainnav a[href="/catalog"]`)
	first := openStyle(tb, "linen")

	// Row 1: 4 → 6 → 2; then down to row 2 under the 2: 6 (the minimum per colour).
	grid := typeGrid(tb, []string{"4", kb.ArrowRight, "6", kb.ArrowRight, "2", kb.ArrowDown, "6"})
	if got, want := grid.Cells, [][]string{{"4", "6", "2"}, {"", "", "6"}}; !prefixCells(got, want) {
		t.Fatalf("grid cells after typing = %v, want %v in the top left corner: the arrow keys did not move between cells", got, want)
	}
	checkTotals(t, grid, []int{12, 6}, 18)
	tb.follow(`form.gridform button[name=action][value=save]`)
	if !tb.has("#draft-summary") {
		t.Fatalf("after saving %s: no draft summary on %s", first, tb.where())
	}

	// A second style, then review.
	tb.follow(`nav.mainnav a[href="/catalog"]`)
	second := openStyle(tb, "oxford")
	if second == first {
		t.Fatalf("both searches found %s", first)
	}
	grid = typeGrid(tb, []string{"5", kb.ArrowRight, "5", kb.ArrowRight, "2", kb.ArrowLeft, kb.ArrowDown, "7"})
	if got, want := grid.Cells, [][]string{{"5", "5", "2"}, {"", "7", ""}}; !prefixCells(got, want) {
		t.Fatalf("grid cells after typing = %v, want %v", got, want)
	}
	checkTotals(t, grid, []int{12, 7}, 19)
	tb.follow(`form.gridform button[name=action][value=review]`)
	if p := tb.path(); !strings.HasPrefix(p, "/orders/draft/") {
		t.Fatalf("save and review went to %s, want the draft", p)
	}
	for _, code := range []string{first, second} {
		if !tb.has("#style-" + code) {
			t.Errorf("the draft does not show %s", code)
		}
	}
	if got := tb.text("#total-qty"); got != "37" {
		t.Errorf("draft total quantity = %q, want 37", got)
	}

	tb.typeInto("#reference", "E2E-PO-1")
	tb.follow("#submit")
	m := regexp.MustCompile(`^/orders/([^/?]+)\?`).FindStringSubmatch(tb.path())
	if m == nil {
		t.Fatalf("submitting went to %s, want the new order (%s)", tb.path(), tb.text("main"))
	}
	number, _ := url.PathUnescape(m[1])
	if got, want := tb.text("h1 .status"), i18n.T("en", "status.submitted"); got != want {
		t.Errorf("order %s status = %q, want %q", number, got, want)
	}
	if !tb.has("#notice") {
		t.Errorf("no confirmation notice after submitting %s", number)
	}

	// Find it in the list, open it, download the PDF.
	tb.follow(`nav.mainnav a[href="/orders"]`)
	link := `a[href="/orders/` + number + `"]`
	row := `#orders ` + link
	if !tb.has(row) {
		t.Fatalf("order %s is not in the dealer's order list: %v", number, tb.texts("#orders tbody tr td:nth-child(1)"))
	}
	if got := tb.text(`#orders tbody tr:has(` + link + `)`); !strings.Contains(got, "E2E-PO-1") || !strings.Contains(got, "37") {
		t.Errorf("order list row = %q, want the reference E2E-PO-1 and 37 pieces", got)
	}
	tb.follow(row)
	href := tb.attr("#pdf", "href")
	if href == "" {
		t.Fatalf("order %s has no PDF link", number)
	}
	pdf := fetchInPage(tb, href)
	if pdf.Status != 200 || !strings.HasPrefix(pdf.Head, "%PDF-") || !strings.Contains(pdf.Type, "application/pdf") || pdf.Size < 1000 {
		t.Errorf("GET %s = %d %q, %d bytes starting %q; want 200 application/pdf starting %%PDF-", href, pdf.Status, pdf.Type, pdf.Size, pdf.Head)
	}
}

// openStyle searches the catalogue for q (typed, then Enter), checks that
// every style found matches, opens the first and returns its code.
func openStyle(tb *tab, q string) string {
	tb.t.Helper()
	tb.typeInto("#f-q", q)
	tb.pressAndWait(kb.Enter)
	rows := tb.texts("#styles tbody tr")
	if len(rows) == 0 {
		tb.t.Fatalf("searching the catalogue for %q found nothing", q)
	}
	for _, r := range rows {
		if !strings.Contains(strings.ToLower(r), q) {
			tb.t.Errorf("searching for %q found %q", q, r)
		}
	}
	code := tb.text("#styles tbody tr:first-child a.code")
	tb.follow("#styles tbody tr:first-child a.code")
	if h1 := tb.text("h1"); !strings.Contains(h1, code) {
		tb.t.Fatalf("the grid of %s has the heading %q", code, h1)
	}
	return code
}

// gridState is what the first order grid of a page shows.
type gridState struct {
	Price   int64      `json:"price"` // hundredths
	Cells   [][]string `json:"cells"` // size cells' values, per colour
	RowQty  []string   `json:"rowQty"`
	RowAmt  []string   `json:"rowAmt"`
	ColQty  []string   `json:"colQty"`
	GridQty string     `json:"gridQty"`
	GridAmt string     `json:"gridAmt"`
	AllQty  string     `json:"allQty"`
	AllAmt  string     `json:"allAmt"`
}

const gridJS = `(() => {
  const g = document.querySelector("table.ordergrid");
  const txt = (e) => e ? e.textContent.trim() : null;
  const rows = Array.from(g.querySelectorAll("tbody tr")).filter(tr => tr.querySelector("input.qty"));
  return {
    price: parseInt(g.getAttribute("data-price"), 10) || 0,
    cells: rows.map(tr => Array.from(tr.querySelectorAll("input.qty:not(.pack)"), i => i.value)),
    rowQty: rows.map(tr => txt(tr.querySelector("[data-row-qty]"))),
    rowAmt: rows.map(tr => txt(tr.querySelector("[data-row-amt]"))),
    colQty: Array.from(g.querySelectorAll("[data-col-qty]"), txt),
    gridQty: txt(g.querySelector("[data-grid-qty]")),
    gridAmt: txt(g.querySelector("[data-grid-amt]")),
    allQty: txt(document.querySelector("[data-all-qty]")),
    allAmt: txt(document.querySelector("[data-all-amt]")),
  };
})()`

func readGrid(tb *tab) gridState {
	tb.t.Helper()
	return eval[gridState](tb, "read the grid", gridJS)
}

// typeGrid focuses the first cell of the first grid and presses keys, with
// nothing but the keyboard, then reads the grid.
func typeGrid(tb *tab, keys []string) gridState {
	tb.t.Helper()
	tb.do("focus the first cell", chromedp.Focus(chromedp.CSS("table.ordergrid tbody tr input.qty")))
	for _, k := range keys {
		tb.press(k)
	}
	return readGrid(tb)
}

// checkTotals compares the grid's live totals (grid.js) with rows' sums.
func checkTotals(t *testing.T, g gridState, rows []int, total int) {
	t.Helper()
	for i, want := range rows {
		if i >= len(g.RowQty) {
			t.Fatalf("grid has %d colour rows, want at least %d", len(g.RowQty), len(rows))
		}
		if g.RowQty[i] != grouped(want) {
			t.Errorf("row %d quantity shows %q, want %d", i+1, g.RowQty[i], want)
		}
		if amt := money.Amount(g.Price).Times(want).Grouped(); g.RowAmt[i] != amt {
			t.Errorf("row %d amount shows %q, want %s (%d × %s)", i+1, g.RowAmt[i], amt, want, money.Amount(g.Price).Grouped())
		}
	}
	amt := money.Amount(g.Price).Times(total).Grouped()
	if g.GridQty != grouped(total) || g.GridAmt != amt || g.AllQty != grouped(total) || g.AllAmt != amt {
		t.Errorf("grid totals show %s / %s, page totals %s / %s; want %d / %s", g.GridQty, g.GridAmt, g.AllQty, g.AllAmt, total, amt)
	}
	// Column sums.
	for c := range g.ColQty {
		sum := 0
		for _, r := range g.Cells {
			if c < len(r) {
				n, _ := strconv.Atoi(r[c])
				sum += n
			}
		}
		if g.ColQty[c] != grouped(sum) {
			t.Errorf("size column %d total shows %q, want %d", c+1, g.ColQty[c], sum)
		}
	}
}

// prefixCells reports whether got starts with want in its top left corner
// and every other cell is empty.
func prefixCells(got, want [][]string) bool {
	for r, row := range got {
		for c, v := range row {
			w := ""
			if r < len(want) && c < len(want[r]) {
				w = want[r][c]
			}
			if v != w {
				return false
			}
		}
	}
	return len(got) >= len(want)
}

type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Size   int    `json:"size"`
	Head   string `json:"head"`
}

// fetchInPage downloads href with the page's session (the cookie is
// HttpOnly, so the page's own fetch carries it).
func fetchInPage(tb *tab, href string) fetched {
	tb.t.Helper()
	return eval[fetched](tb, "download "+href, `(async () => {
  const r = await fetch(`+js(href)+`, {credentials: "same-origin"});
  const b = new Uint8Array(await r.arrayBuffer());
  return {status: r.status, type: r.headers.get("content-type") || "", size: b.length,
    head: String.fromCharCode.apply(null, b.slice(0, 5))};
})()`)
}

// dealerNav are the message keys of the dealer's navigation, by link.
var dealerNav = map[string]string{
	"/home": "nav.home", "/catalog": "nav.catalog", "/orders": "nav.orders",
	"/returns": "nav.returns", "/announcements": "nav.announcements", "/feedback": "nav.feedback",
	"/dealers": "nav.account",
}

// languages: a dealer switches between English, 中文 and 한국어; the
// navigation, headings and labels follow, the choice sticks across pages
// and after signing out.
func languages(t *testing.T, s *site) {
	tb := newTab(t, s)
	tb.login("dealer02@demo.test")
	if got := tb.attr("html", "lang"); got != "zh-Hans" {
		t.Errorf("dealer02 (locale zh) signs in to <html lang=%q>, want zh-Hans", got)
	}
	tb.setLang("en")
	checkNav(t, tb, "en")
	tb.follow(`nav.mainnav a[href="/catalog"]`)
	checkCatalog(t, tb, "en")

	tb.setLang("zh")
	checkNav(t, tb, "zh")
	checkCatalog(t, tb, "zh")
	if body := tb.text("main"); !regexp.MustCompile(`\p{Han}`).MatchString(body) {
		t.Errorf("the Chinese catalogue has no Chinese text: %.200s", body)
	}
	tb.follow(`nav.mainnav a[href="/orders"]`)
	if got, want := tb.text("h1"), i18n.T("zh", "orders.list.heading"); got != want {
		t.Errorf("zh orders heading = %q, want %q", got, want)
	}

	tb.setLang("ko")
	checkNav(t, tb, "ko")
	if got, want := tb.text("h1"), i18n.T("ko", "orders.list.heading"); got != want {
		t.Errorf("ko orders heading = %q, want %q", got, want)
	}
	tb.follow(`nav.mainnav a[href="/catalog"]`)
	checkCatalog(t, tb, "ko")
	tb.follow("#styles tbody tr:first-child a.code")
	if got, want := tb.text("table.ordergrid thead th:first-child"), i18n.T("ko", "term.color"); got != want {
		t.Errorf("ko grid colour header = %q, want %q", got, want)
	}
	if body := tb.text("main"); !regexp.MustCompile(`\p{Hangul}`).MatchString(body) {
		t.Errorf("the Korean grid page has no Korean text: %.200s", body)
	}

	// The choice outlives the session: the sign-in page stays Korean.
	tb.do("open the user menu", chromedp.Click(chromedp.CSS("details.usermenu summary")))
	tb.follow(`form[action="/logout"] button[type=submit]`)
	if got, want := tb.text("#login-heading"), i18n.T("ko", "login.heading"); got != want {
		t.Errorf("after signing out, the sign-in heading = %q, want %q", got, want)
	}
	if got, want := tb.text(`label[for="email"]`), i18n.T("ko", "login.email"); got != want {
		t.Errorf("after signing out, the e-mail label = %q, want %q", got, want)
	}

	// A mistake is explained next to its field, in Korean.
	tb.typeInto("#email", "dealer02@demo.test")
	tb.setValue("#password", "")
	if st := tb.followStatus(`form[action="/login"] button[type=submit]`); st < 400 {
		t.Fatalf("signing in without a password answered %d", st)
	}
	tb.audit()
	checkFieldError(t, tb, "#password", "ko")
}

// checkFieldError requires field to be marked invalid and described by an
// error message in the same .field, written in lang.
func checkFieldError(t *testing.T, tb *tab, field, lang string) {
	t.Helper()
	if got := tb.attr(field, "aria-invalid"); got != "true" {
		t.Fatalf("%s is not marked invalid (aria-invalid=%q) on %s", field, got, tb.where())
	}
	id := tb.attr(field, "aria-describedby")
	sel := ".field:has(" + field + ") .field-error"
	if !tb.has(sel) || !strings.Contains(" "+id+" ", " "+tb.attr(sel, "id")+" ") {
		t.Fatalf("%s's error is not next to it (aria-describedby=%q)", field, id)
	}
	msg := tb.text(sel)
	if lang == "ko" && !regexp.MustCompile(`\p{Hangul}`).MatchString(msg) {
		t.Errorf("%s's error %q is not in Korean", field, msg)
	}
	if lang == "en" && msg == "" {
		t.Errorf("%s's error is empty", field)
	}
}

// checkNav compares the navigation's labels with the catalogue of lang.
func checkNav(t *testing.T, tb *tab, lang string) {
	t.Helper()
	links := eval[[][2]string](tb, "read the navigation", `Array.from(document.querySelectorAll("nav.mainnav a"),
		a => [a.getAttribute("href"), a.textContent.trim()])`)
	if len(links) < 3 {
		t.Fatalf("%s navigation has %d links: %v", lang, len(links), links)
	}
	for _, l := range links {
		key, ok := dealerNav[l[0]]
		if !ok {
			t.Errorf("unexpected dealer navigation link %v", l)
			continue
		}
		if want := i18n.T(lang, key); l[1] != want {
			t.Errorf("%s navigation link %s = %q, want %q", lang, l[0], l[1], want)
		}
	}
	if got := tb.attr(`form.langswitch button[aria-pressed="true"]`, "value"); got != lang {
		t.Errorf("the language switch shows %q as chosen, want %q", got, lang)
	}
}

// checkCatalog compares the catalogue's heading and labels with lang.
func checkCatalog(t *testing.T, tb *tab, lang string) {
	t.Helper()
	for sel, key := range map[string]string{
		"h1":                      "orders.catalog.heading",
		`label[for="f-q"]`:        "common.search",
		`label[for="f-category"]`: "term.category",
		"#styles-heading":         "orders.catalog.styles",
	} {
		if got, want := tb.text(sel), i18n.T(lang, key); got != want {
			t.Errorf("%s catalogue %s = %q, want %q", lang, sel, got, want)
		}
	}
	if got, want := tb.attr("#f-q", "placeholder"), i18n.T(lang, "orders.catalog.search_hint"); got != want {
		t.Errorf("%s search placeholder = %q, want %q", lang, got, want)
	}
}

// plannerReleases: a planner opens the home page and the season dashboard,
// goes to the rollup matrix, drills into a cell, drafts a production order
// for that style and releases it.
func plannerReleases(t *testing.T, s *site) {
	const wiring = "pages.RegisterPlanning(aggSvc)"
	for _, p := range []string{"/planning", "/rollups", "/rollups/drill", "/production-orders"} {
		s.requirePage(t, p, wiring)
	}
	tb := newTab(t, s)
	tb.login("planner@demo.test")
	if n := tb.count("#season-totals tbody tr"); n == 0 {
		t.Errorf("the planner's home shows no season totals")
	}

	if tb.has(`main a[href^="/planning"]`) {
		tb.follow(`main a[href^="/planning"]`)
	} else {
		tb.open("/planning")
	}
	if qty := number(tb.text("#dash-qty")); qty <= 0 {
		t.Errorf("the dashboard shows %q pieces ordered, want some", tb.text("#dash-qty"))
	}
	season := tb.attr("#d-season option[selected]", "value")

	tb.follow("#to-matrix")
	if !strings.HasPrefix(tb.path(), "/rollups") || !tb.has("#matrix") {
		t.Fatalf("the dashboard's matrix link went to %s, without a matrix", tb.path())
	}
	total := number(tb.text("#total-qty"))
	if total <= 0 {
		t.Fatalf("the matrix totals %q pieces", tb.text("#total-qty"))
	}

	// Drill into the first non-empty cell.
	cell := "#matrix tr.mq td a"
	cellQty := number(tb.text(cell))
	style := strings.TrimPrefix(tb.attr("#matrix tbody", "id"), "s-")
	tb.follow(cell)
	if p := tb.path(); !strings.HasPrefix(p, "/rollups/drill?") || !strings.Contains(p, "style="+url.QueryEscape(style)) {
		t.Fatalf("the cell link went to %s, want the drill-down of %s", p, style)
	}
	if got := number(tb.text("#drill-qty")); got != cellQty {
		t.Errorf("drill-down total = %d, want the cell's %d", got, cellQty)
	}
	if tb.count("#drill-orders tbody tr") == 0 || tb.count("#drill-dealers tbody tr") == 0 {
		t.Errorf("the drill-down lists no orders or dealers behind a cell of %d pieces", cellQty)
	}
	tb.follow("#back-to-matrix")

	// Draft a production order for the style, then release it.
	tb.follow(`nav.mainnav a[href="/production-orders"]`)
	if season != "" {
		if got := tb.attr("#po-season option[selected]", "value"); got != season {
			t.Logf("production order form preselects season %q, the dashboard showed %q", got, season)
		}
	}
	tb.typeInto("#po-styles", style)
	tb.typeInto("#po-overage", "lots")
	if st := tb.followStatus("#draft-submit"); st != 422 {
		t.Errorf("drafting with an overage of \"lots\" answered %d, want 422", st)
	}
	tb.audit()
	checkFieldError(t, tb, "#po-overage", "en")
	if got := tb.attr("#po-styles", "value"); got != style {
		t.Errorf("after the error the styles field holds %q, want %q kept", got, style)
	}
	tb.typeInto("#po-overage", "5")
	tb.follow("#draft-submit")
	if got := tb.attr("#po-status", "data-status"); got != "draft" {
		t.Fatalf("after drafting: on %s with status %q, want a draft production order (%s)", tb.path(), got, tb.text("main"))
	}
	po := tb.text("#po-number")
	if !tb.has("#po-" + style) {
		t.Errorf("production order %s has no lines for %s", po, style)
	}
	if number(tb.text("#po-planned")) < number(tb.text("#po-demand"))-number(tb.text("#po-stock")) {
		t.Errorf("production order %s plans %s for a demand of %s less stock %s", po,
			tb.text("#po-planned"), tb.text("#po-demand"), tb.text("#po-stock"))
	}
	tb.follow("#release") // confirm() is accepted
	if got := tb.attr("#po-status", "data-status"); got != "released" {
		t.Fatalf("after releasing %s: status %q, want released (%s)", po, got, tb.text("main"))
	}
	if tb.has("#release") {
		t.Errorf("released production order %s still offers to release", po)
	}
	tb.follow(`nav.mainnav a[href="/production-orders"]`)
	if got := tb.text(`#production-orders tbody tr:has(a[href="/production-orders/` + po + `"])`); !strings.Contains(got, i18n.T("en", "planning.po.status.released")) {
		t.Errorf("the list shows %s as %q, want released", po, got)
	}
}

// supplierAcknowledges: a supplier sees the forecast of its own fabrics
// only, is refused another supplier's fabric, and acknowledges a week.
func supplierAcknowledges(t *testing.T, s *site) {
	s.requirePage(t, "/forecasts/fabric", "pages.RegisterPlanning(aggSvc)")
	var own, other []string
	if err := s.db.Select(&own, `SELECT f.code FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id WHERE s.code = 'S01'`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Select(&other, `SELECT f.code FROM fabrics f JOIN suppliers s ON s.id = f.supplier_id WHERE s.code <> 'S01' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if len(own) == 0 || len(other) == 0 {
		t.Fatalf("demo data: S01 has %d fabrics, the others %d", len(own), len(other))
	}

	tb := newTab(t, s)
	tb.login("supplier01@demo.test")
	tb.follow(`nav.mainnav a[href="/forecasts/fabric"]`)
	if tb.has("#fc-supplier") {
		t.Errorf("the supplier's forecast offers a supplier filter")
	}
	rows := eval[[]struct {
		ID       string `json:"id"`
		Fabric   string `json:"fabric"`
		Supplier string `json:"supplier"`
	}](tb, "read the forecast", `Array.from(document.querySelectorAll("#forecast tbody tr"), tr => ({
		id: tr.id, fabric: tr.getAttribute("data-fabric"), supplier: tr.querySelector("td:nth-child(3)").textContent.trim()}))`)
	if len(rows) == 0 {
		t.Fatalf("supplier01 sees an empty forecast: %s", tb.text("main"))
	}
	for _, r := range rows {
		if r.Supplier != "S01" || !contains(own, r.Fabric) {
			t.Errorf("supplier01 sees fabric %s of supplier %s", r.Fabric, r.Supplier)
		}
	}
	if st := tb.openStatus("/forecasts/fabric/" + url.PathEscape(other[0])); st != 404 {
		t.Errorf("supplier01 opening %s of another supplier: status %d, want 404", other[0], st)
	}
	tb.open("/forecasts/fabric")

	// Acknowledge the first line.
	r := rows[0]
	required := tb.text("#" + r.ID + " td.num")
	qty := strings.ReplaceAll(required, ",", "")
	tb.typeInto("#"+r.ID+"-qty", qty)
	tb.setValue("#"+r.ID+"-date", "2027-01-15")
	tb.typeInto("#"+r.ID+"-note", "E2E: confirmed")
	tb.follow("#" + r.ID + " form.ackform button[type=submit]")
	if !tb.has("#notice") {
		t.Errorf("no notice after acknowledging %s (%s)", r.ID, tb.text("main"))
	}
	if !tb.has("#" + r.ID + ".acked") {
		t.Fatalf("line %s is not acknowledged after the form was sent (%s)", r.ID, tb.text("#"+r.ID))
	}
	if got := tb.text("#" + r.ID + " .ack-qty"); strings.ReplaceAll(got, ",", "") != qty && number(got) != number(qty) {
		t.Errorf("acknowledged quantity shows %q, want %s", got, qty)
	}
	if got := tb.text("#" + r.ID + " .ack-date"); got != "2027-01-15" {
		t.Errorf("acknowledged date shows %q, want 2027-01-15", got)
	}
}

// grouped formats n as the pages do: 1,234.
func grouped(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// number reads a grouped integer ("1,234"); -1 if there is none.
func number(s string) int {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
