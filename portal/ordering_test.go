package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/catalog/catalogdb"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/portal"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
	"github.com/sizerun/sizerun/server"
	"github.com/sizerun/sizerun/web"
)

// orderEnv is the portal with the order pages on the ordering fixture
// (orderingtest: SS27 open with windows D1 and D2; ST1001 min 6 per colour,
// DLR price 129.00; ST1002 99.50; ST2001 149.00; dealers D001, D002, D039 on
// hold, D040 with a 50,000.00 limit), every user's password set.
type orderEnv struct {
	*env
	ord *ordering.Service
}

func newOrderEnv(t *testing.T) *orderEnv {
	t.Helper()
	db := pgtest.New(t)
	orderingtest.New(t, db)
	return startOrderEnv(t, db)
}

func startOrderEnv(t *testing.T, db *sqlx.DB) *orderEnv {
	t.Helper()
	hashOnce.Do(func() {
		var err error
		if hash, err = auth.HashPassword(password); err != nil {
			panic(err)
		}
	})
	if _, err := db.Exec(`UPDATE users SET password_hash = $1`, hash); err != nil {
		t.Fatal(err)
	}
	ord := ordering.NewService(orderdb.New(db), nil)
	e := startEnv(t, db, false, func(p *portal.Portal) {
		p.RegisterOrdering(catalog.NewService(catalogdb.New(db), nil), ord)
	})
	return &orderEnv{env: e, ord: ord}
}

// as returns a signed-in browser in lang ("" for the default).
func (e *orderEnv) as(email, lang string) *client {
	e.t.Helper()
	c := e.client()
	if lang != "" {
		c.setCookie(portal.LangCookie, lang)
	}
	c.login(email)
	return c
}

// principal returns a fixture user's principal, to set up orders directly.
func (e *orderEnv) principal(email string) auth.Principal {
	return orderingtest.Principal(e.t, e.db, email)
}

// submit places an order through the service.
func (e *orderEnv) submit(email, dealer string, lines ...ordering.LineRequest) ordering.Order {
	e.t.Helper()
	o, _, err := e.ord.Submit(context.Background(), e.principal(email),
		ordering.SubmitRequest{Season: "SS27", Dealer: dealer, Lines: lines}, "")
	if err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	return o
}

func line(style, color, size string, qty int) ordering.LineRequest {
	return ordering.LineRequest{Style: style, Color: color, Size: size, Qty: qty}
}

// token returns the CSRF token of the first form of a page.
func token(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	tok, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		t.Fatal("no CSRF token on the page")
	}
	return tok
}

// gridForm returns the order grid's form values as the browser would send
// them (every input, empty or not), with cells set from fill ("BLK M" → "6";
// a prepack "NVY PP1" → packs).
func gridForm(t *testing.T, doc *goquery.Document, fill map[string]string) url.Values {
	t.Helper()
	form := doc.Find("form.gridform")
	if form.Length() != 1 {
		t.Fatal("no grid form on the page")
	}
	v := url.Values{}
	form.Find("input, select").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" {
			return
		}
		val, _ := s.Attr("value")
		if goquery.NodeName(s) == "select" {
			val, _ = s.Find("option[selected]").Attr("value")
		}
		if label, ok := s.Attr("aria-label"); ok {
			if f, ok := fill[label]; ok {
				val = f
				delete(fill, label)
			}
		}
		v.Set(name, val)
	})
	for label := range fill {
		t.Errorf("no cell %q in the grid", label)
	}
	return v
}

// saveGrid fills a style's grid and saves it with action, returning the
// response.
func saveGrid(t *testing.T, c *client, style, action string, fill map[string]string) *http.Response {
	t.Helper()
	path := "/catalog/SS27/" + style
	doc := c.page(path, http.StatusOK)
	form := gridForm(t, doc, fill)
	form.Set("action", action)
	return c.post(path, form)
}

func location(t *testing.T, res *http.Response) string {
	t.Helper()
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s %s: status %d, want 303", res.Request.Method, res.Request.URL.Path, res.StatusCode)
	}
	return res.Header.Get("Location")
}

var numberRE = regexp.MustCompile(`^/orders/(SO-[A-Z0-9]+-\d+)\?done=(\w+)$`)

// The dealer's way through: catalogue, grids for three styles (one with a
// prepack), the draft, which survives signing out, the review with totals,
// submission, the list and the detail with its history.
func TestOrderFlow(t *testing.T) {
	e := newOrderEnv(t)
	c := e.as("dealer01@test.test", "")

	doc := c.page("/catalog", http.StatusOK)
	if got := doc.Find("#styles tbody tr").Length(); got != 5 {
		t.Errorf("catalogue shows %d styles, want the 5 SS27 styles", got)
	}
	row := doc.Find(`#styles a[href^="/catalog/SS27/ST1001"]`).Closest("tr")
	if got := text(row); !strings.Contains(got, "129.00 CNY") || !strings.Contains(got, "PP1 S1 M2 L2 XL1") || !strings.Contains(got, "XS S M L XL XXL") {
		t.Errorf("ST1001 row = %q, want the dealer's price, prepacks and sizes", got)
	}
	if got := text(row.Find("td").Eq(6)); got != "7" {
		t.Errorf("ST1001 available now = %q, want 7 (BLK M 5, NVY L 2)", got)
	}
	if got := text(doc.Find(".season-facts")); !strings.Contains(got, "D1 Drop 1") || !strings.Contains(got, "D2 Drop 2") {
		t.Errorf("season facts = %q, want the delivery windows", got)
	}
	doc = c.page("/catalog?season=SS27&category=PANT", http.StatusOK)
	if got := text(doc.Find("#styles tbody tr a.code")); got != "ST2001" {
		t.Errorf("category PANT: %q", got)
	}
	doc = c.page("/catalog?season=SS27&q=oxford", http.StatusOK)
	if got := text(doc.Find("#styles tbody tr a.code")); got != "ST1002" {
		t.Errorf("search oxford: %q", got)
	}

	// The grid: labelled cells, stock, windows, prepack entry.
	doc = c.page("/catalog/SS27/ST1001", http.StatusOK)
	if n := doc.Find(`table.ordergrid input.qty[type="number"]:not(.pack)`).Length(); n != 18 {
		t.Errorf("%d size cells, want 3 colours × 6 sizes", n)
	}
	if doc.Find(`input[aria-label="BLK M"][name="q:ST1001:BLK:M"]`).Length() != 1 {
		t.Error(`no cell labelled "BLK M"`)
	}
	if doc.Find(`input[aria-label="NVY PP1"][data-ratio]`).Length() != 1 {
		t.Error("no prepack entry beside the NVY row")
	}
	if got := text(doc.Find(`input[aria-label="BLK M"]`).Parent().Find(".stock")); got != "5" {
		t.Errorf("BLK M stock = %q", got)
	}
	if got := doc.Find(`select[name="w:ST1001"] option`).Length(); got != 2 {
		t.Errorf("%d delivery windows", got)
	}
	if doc.Find(`script[src^="/static/grid.js"]`).Length() != 1 {
		t.Error("grid.js is not loaded")
	}

	// ST1001: BLK M 6 and one PP1 of NVY (S1 M2 L2 XL1), in D2; then the next style.
	doc = c.page("/catalog/SS27/ST1001", http.StatusOK)
	form := gridForm(t, doc, map[string]string{"BLK M": "6", "NVY PP1": "1"})
	form.Set("w:ST1001", "D2")
	form.Set("action", "next")
	loc := location(t, c.post("/catalog/SS27/ST1001", form))
	if !strings.HasPrefix(loc, "/catalog/SS27/ST1002?") {
		t.Fatalf("after save and next: %q", loc)
	}
	doc = c.page(loc, http.StatusOK)
	if got := text(doc.Find(".alert-ok")); !strings.Contains(got, "ST1001") {
		t.Errorf("notice = %q", got)
	}
	if got := text(doc.Find("#draft-summary")); !strings.Contains(got, "1 styles · 12 units") || !strings.Contains(got, "1,548.00") {
		t.Errorf("draft summary = %q", got)
	}
	// ST1002: two blue S; ST2001: four khaki 36, then the draft.
	loc = location(t, saveGrid(t, c, "ST1002", "save", map[string]string{"BLU S": "2"}))
	doc = c.page(loc, http.StatusOK)
	if got := doc.Find(`input[aria-label="BLU S"]`).AttrOr("value", ""); got != "2" {
		t.Errorf("ST1002 BLU S after saving = %q", got)
	}
	if got := text(doc.Find("[data-grid-qty]")); got != "2" {
		t.Errorf("server-side grid total = %q", got)
	}
	if got := text(doc.Find("[data-grid-amt]")); got != "199.00" {
		t.Errorf("server-side grid value = %q", got)
	}
	loc = location(t, saveGrid(t, c, "ST2001", "review", map[string]string{"KHA 36": "4"}))
	if loc != "/orders/draft/SS27?saved=ST2001" {
		t.Errorf("after save and review: %q", loc)
	}

	// The draft is on the server: it survives signing out.
	c = e.as("dealer01@test.test", "")
	doc = c.page("/catalog/SS27/ST1001", http.StatusOK)
	for label, want := range map[string]string{"BLK M": "6", "NVY S": "1", "NVY M": "2", "NVY L": "2", "NVY XL": "1", "NVY PP1": ""} {
		if got := doc.Find(`input[aria-label="`+label+`"]`).AttrOr("value", ""); got != want {
			t.Errorf("after signing in again, %s = %q, want %q", label, got, want)
		}
	}
	if got := doc.Find(`select[name="w:ST1001"] option[selected]`).AttrOr("value", ""); got != "D2" {
		t.Errorf("ST1001 window = %q, want D2", got)
	}

	doc = c.page("/orders/draft/SS27", http.StatusOK)
	if got := text(doc.Find("#total-qty")); got != "18" {
		t.Errorf("draft total qty = %q", got)
	}
	if got := text(doc.Find("#total-amount")); got != "2,343.00 CNY" {
		t.Errorf("draft total = %q", got)
	}
	var windows []string
	doc.Find("section.window h2").Each(func(_ int, s *goquery.Selection) { windows = append(windows, text(s)) })
	if len(windows) != 2 || !strings.Contains(windows[0], "D1") || !strings.Contains(windows[1], "D2") {
		t.Errorf("windows = %q, want D1 then D2", windows)
	}
	if got := text(doc.Find("section.window").Eq(1).Find(".stylegrid h3")); got != "ST1001 Men's poplin shirt" {
		t.Errorf("D2 holds %q", got)
	}
	if doc.Find(`#style-ST1002 a[href="/catalog/SS27/ST1002"]`).Length() != 1 {
		t.Error("no edit link back to the ST1002 grid")
	}
	if doc.Find(`form[action="/orders/draft/SS27/remove"] input[name="style"][value="ST2001"]`).Length() != 1 {
		t.Error("no remove form for ST2001")
	}

	res := c.post("/orders/draft/SS27/submit", url.Values{"_csrf": {token(t, doc)}, "reference": {"PO-778"}})
	m := numberRE.FindStringSubmatch(location(t, res))
	if m == nil || m[2] != "submitted" {
		t.Fatalf("after submit: %v", m)
	}
	number := m[1]
	doc = c.page("/orders/"+number+"?done=submitted", http.StatusOK)
	if got := text(doc.Find("#notice")); !strings.Contains(got, number) {
		t.Errorf("notice = %q", got)
	}
	if got := text(doc.Find("h1 .status")); got != "Submitted" {
		t.Errorf("status = %q", got)
	}
	if got := text(doc.Find("#total-amount")); got != "2,343.00 CNY" {
		t.Errorf("order total = %q", got)
	}
	if doc.Find(`a[href="/orders/`+number+`/confirmation.pdf"]`).Length() != 1 {
		t.Error("no confirmation PDF link")
	}
	if doc.Find(`a[href="/orders/`+number+`/edit"]`).Length() != 1 {
		t.Error("no amend link before cut-off")
	}
	var kinds []string
	doc.Find("#history .event-head strong").Each(func(_ int, s *goquery.Selection) { kinds = append(kinds, text(s)) })
	if strings.Join(kinds, ", ") != "Submitted, Draft changed, Draft changed, Draft started" {
		t.Errorf("history = %q", kinds)
	}
	first := doc.Find("#history > li").First()
	if got := text(first); !strings.Contains(got, "dealer01@test.test") || !strings.Contains(got, "Draft → Submitted") ||
		!strings.Contains(got, "“” → “PO-778”") || !strings.Contains(got, "18 units") {
		t.Errorf("submitted event = %q", got)
	}
	if got := text(doc.Find("#history > li").Last()); !strings.Contains(got, "ST1001 BLK M +6") {
		t.Errorf("first event = %q, want the lines added", got)
	}

	doc = c.page("/orders", http.StatusOK)
	if got := text(doc.Find("#orders tbody tr").First()); !strings.Contains(got, number) || !strings.Contains(got, "PO-778") ||
		!strings.Contains(got, "Submitted") || !strings.Contains(got, "2,343.00 CNY") {
		t.Errorf("list row = %q", got)
	}
	if doc.Find(`a[href="/orders/import"]`).Length() != 1 {
		t.Error("no import link on the list")
	}
	if doc.Find("#orders input[type=checkbox]").Length() != 0 {
		t.Error("a dealer gets confirm checkboxes")
	}
	// The draft is gone: the review page is empty.
	doc = c.page("/orders/draft/SS27", http.StatusOK)
	if doc.Find(".stylegrid").Length() != 0 || doc.Find("#submit").Length() != 0 {
		t.Error("the submitted draft is still on the review page")
	}
}

// Refusals appear next to what they concern, in the user's language.
func TestOrderErrorsInPlace(t *testing.T) {
	e := newOrderEnv(t)

	t.Run("not a number", func(t *testing.T) {
		c := e.as("dealer01@test.test", "")
		res := saveGrid(t, c, "ST1001", "save", map[string]string{"BLK M": "abc", "NVY S": "2"})
		doc := parse(t, res, http.StatusUnprocessableEntity)
		in := doc.Find(`input[aria-label="BLK M"]`)
		if in.AttrOr("aria-invalid", "") != "true" {
			t.Error("the bad cell is not marked invalid")
		}
		id := in.AttrOr("aria-describedby", "")
		if got := text(doc.Find("#" + id)); !strings.Contains(got, i18n.T("en", "orders.err.not_number")) {
			t.Errorf("row error = %q", got)
		}
		if got := doc.Find(`input[aria-label="NVY S"]`).AttrOr("value", ""); got != "2" {
			t.Errorf("the other entries are lost: NVY S = %q", got)
		}
		var n int
		e.db.Get(&n, `SELECT count(*) FROM orders WHERE status = 'draft'`)
		if n != 0 {
			t.Error("a draft was written for a refused grid")
		}
	})

	t.Run("quantity too large, in Korean", func(t *testing.T) {
		c := e.as("dealer01@test.test", "ko")
		res := saveGrid(t, c, "ST1001", "save", map[string]string{"WHT L": "20000", "BLK S": "3"})
		doc := parse(t, res, http.StatusUnprocessableEntity)
		in := doc.Find(`input[aria-label="WHT L"]`)
		if in.AttrOr("aria-invalid", "") != "true" {
			t.Error("the cell is not marked invalid")
		}
		want := i18n.T("ko", "orders.err.qty_max", "10000")
		if got := text(doc.Find("#" + in.AttrOr("aria-describedby", "x"))); !strings.Contains(got, want) {
			t.Errorf("row error = %q, want %q", got, want)
		}
		if doc.Find(`input[aria-label="BLK S"]`).AttrOr("aria-invalid", "") == "true" {
			t.Error("a good cell is marked invalid")
		}
	})

	t.Run("minimum per colour on submit, in Chinese", func(t *testing.T) {
		c := e.as("dealer01@test.test", "zh")
		location(t, saveGrid(t, c, "ST1001", "save", map[string]string{"BLK M": "2", "NVY M": "6"}))
		doc := c.page("/orders/draft/SS27", http.StatusOK)
		res := c.post("/orders/draft/SS27/submit", url.Values{"_csrf": {token(t, doc)}, "reference": {"my ref"}})
		doc = parse(t, res, http.StatusUnprocessableEntity)
		want := i18n.T("zh", "orders.err.min_qty", "ST1001", "BLK", "2", "6")
		rows := doc.Find("#style-ST1001 tr.row-errors")
		if rows.Length() != 1 || !strings.Contains(text(rows), want) {
			t.Errorf("row errors = %q, want one with %q", text(rows), want)
		}
		if got := text(rows.Prev().Find("th")); !strings.HasPrefix(got, "BLK") {
			t.Errorf("the error is beside row %q, want BLK", got)
		}
		if got := doc.Find("#reference").AttrOr("value", ""); got != "my ref" {
			t.Errorf("reference = %q after the refusal", got)
		}
		if !strings.Contains(text(doc.Find("#form-error")), i18n.T("zh", "orders.err.invalid")) {
			t.Errorf("form error = %q", text(doc.Find("#form-error")))
		}
	})

	t.Run("credit limit with the three figures", func(t *testing.T) {
		c := e.as("dealer40@test.test", "")
		e.submit("dealer40@test.test", "", line("ST2001", "KHA", "36", 100)) // exposure 14,900.00
		location(t, saveGrid(t, c, "ST1001", "save", map[string]string{"BLK M": "300"}))
		doc := c.page("/orders/draft/SS27", http.StatusOK)
		res := c.post("/orders/draft/SS27/submit", url.Values{"_csrf": {token(t, doc)}})
		doc = parse(t, res, http.StatusConflict)
		got := text(doc.Find(".submitcard #form-error"))
		for _, want := range []string{"50,000.00", "14,900.00", "38,700.00", "CNY"} {
			if !strings.Contains(got, want) {
				t.Errorf("credit refusal %q lacks %s", got, want)
			}
		}
	})

	t.Run("dealer on hold", func(t *testing.T) {
		c := e.as("dealer39@test.test", "")
		location(t, saveGrid(t, c, "ST1002", "save", map[string]string{"BLU M": "1"}))
		doc := c.page("/orders/draft/SS27", http.StatusOK)
		res := c.post("/orders/draft/SS27/submit", url.Values{"_csrf": {token(t, doc)}})
		doc = parse(t, res, http.StatusConflict)
		if got := text(doc.Find(".submitcard #form-error")); !strings.Contains(got, i18n.T("en", "error.dealer_on_hold.text")) {
			t.Errorf("on hold refusal = %q", got)
		}
	})

	t.Run("season closed", func(t *testing.T) {
		db := pgtest.New(t)
		orderingtest.New(t, db)
		e := startOrderEnv(t, db)
		c := e.as("dealer01@test.test", "ko")
		location(t, saveGrid(t, c, "ST1002", "save", map[string]string{"BLU M": "1"}))
		grid := c.page("/catalog/SS27/ST1002", http.StatusOK)
		draft := c.page("/orders/draft/SS27", http.StatusOK)
		if _, err := db.Exec(`UPDATE seasons SET closed = true WHERE code = 'SS27'`); err != nil {
			t.Fatal(err)
		}
		want := i18n.T("ko", "error.season_closed.text")
		res := c.post("/orders/draft/SS27/submit", url.Values{"_csrf": {token(t, draft)}})
		if got := text(parse(t, res, http.StatusConflict).Find(".submitcard #form-error")); got != want {
			t.Errorf("submit refusal = %q, want %q", got, want)
		}
		form := gridForm(t, grid, map[string]string{"BLU M": "3"})
		res = c.post("/catalog/SS27/ST1002", form)
		doc := parse(t, res, http.StatusConflict)
		if got := text(doc.Find("#form-error")); got != want {
			t.Errorf("grid refusal = %q, want %q", got, want)
		}
		if doc.Find("input.qty").Length() != 0 {
			t.Error("the grid of a closed season still takes entries")
		}
	})

	t.Run("remove a style", func(t *testing.T) {
		c := e.as("dealer02@test.test", "")
		location(t, saveGrid(t, c, "ST1002", "save", map[string]string{"BLU M": "1"}))
		location(t, saveGrid(t, c, "ST3001", "save", map[string]string{"RED M": "1"}))
		doc := c.page("/orders/draft/SS27", http.StatusOK)
		loc := location(t, c.post("/orders/draft/SS27/remove", url.Values{"_csrf": {token(t, doc)}, "style": {"ST3001"}}))
		doc = c.page(loc, http.StatusOK)
		if doc.Find("#style-ST3001").Length() != 0 || doc.Find("#style-ST1002").Length() != 1 {
			t.Error("ST3001 was not removed, or ST1002 went with it")
		}
	})
}

// A dealer never sees another dealer's order or draft (404); suppliers get
// 403 on every order page; each role only reaches its own pages.
func TestOrderPagesIsolation(t *testing.T) {
	e := newOrderEnv(t)
	o1 := e.submit("dealer01@test.test", "", line("ST1002", "BLU", "M", 3))
	p1 := e.principal("dealer01@test.test")
	draft, err := e.ord.SaveDraftLines(context.Background(), p1, "SS27", "ST1002", []ordering.LineRequest{line("", "WHT", "S", 1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	dealer2 := e.as("dealer02@test.test", "")
	supplier := e.as("supplier01@test.test", "")
	planner := e.as("planner@test.test", "")
	dealer1 := e.as("dealer01@test.test", "")
	tok := func(c *client) string { return c.csrfFromHome() }

	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		form   url.Values
		want   int
	}{
		{"other dealer's order", dealer2, "GET", "/orders/" + o1.Number, nil, 404},
		{"other dealer's draft by number", dealer2, "GET", "/orders/" + draft.Number, nil, 404},
		{"other dealer's amend page", dealer2, "GET", "/orders/" + o1.Number + "/edit", nil, 404},
		{"other dealer's amendment", dealer2, "POST", "/orders/" + o1.Number + "/edit", url.Values{"version": {"1"}, "q:ST1002:BLU:M": {"9"}}, 404},
		{"other dealer's cancel", dealer2, "POST", "/orders/" + o1.Number + "/cancel", url.Values{}, 404},
		{"other dealer's draft cancel", dealer2, "POST", "/orders/" + draft.Number + "/cancel", url.Values{}, 404},
		{"unknown order", dealer1, "GET", "/orders/SO-SS27-999999", nil, 404},
		{"unknown style", dealer1, "GET", "/catalog/SS27/NOPE", nil, 404},
		{"unknown season", dealer1, "GET", "/orders/draft/XX99", nil, 404},
		{"dealer confirms", dealer1, "POST", "/orders/confirm", url.Values{"number": {o1.Number}}, 403},
		{"dealer enters for a dealer", dealer1, "GET", "/orders/new", nil, 403},
		{"planner's draft", planner, "GET", "/orders/draft/SS27", nil, 403},
		{"planner saves a grid", planner, "POST", "/catalog/SS27/ST1001", url.Values{"q:ST1001:BLK:M": {"6"}}, 403},
		{"supplier catalogue", supplier, "GET", "/catalog", nil, 403},
		{"supplier grid", supplier, "GET", "/catalog/SS27/ST1001", nil, 403},
		{"supplier saves a grid", supplier, "POST", "/catalog/SS27/ST1001", url.Values{}, 403},
		{"supplier orders", supplier, "GET", "/orders", nil, 403},
		{"supplier order", supplier, "GET", "/orders/" + o1.Number, nil, 403},
		{"supplier amend page", supplier, "GET", "/orders/" + o1.Number + "/edit", nil, 403},
		{"supplier amends", supplier, "POST", "/orders/" + o1.Number + "/edit", url.Values{}, 403},
		{"supplier cancels", supplier, "POST", "/orders/" + o1.Number + "/cancel", url.Values{}, 403},
		{"supplier draft", supplier, "GET", "/orders/draft/SS27", nil, 403},
		{"supplier submits a draft", supplier, "POST", "/orders/draft/SS27/submit", url.Values{}, 403},
		{"supplier new order", supplier, "GET", "/orders/new", nil, 403},
		{"supplier confirms", supplier, "POST", "/orders/confirm", url.Values{"number": {o1.Number}}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *http.Response
			if tt.method == "GET" {
				res = tt.c.get(tt.path)
			} else {
				tt.form.Set("_csrf", tok(tt.c))
				res = tt.c.post(tt.path, tt.form)
			}
			doc := parse(t, res, tt.want)
			if strings.Contains(doc.Text(), "BLU") {
				t.Error("the refusal shows order data")
			}
		})
	}
	// Nothing changed.
	got, err := e.ord.Get(context.Background(), p1, o1.Number)
	if err != nil || got.Status != ordering.StatusSubmitted || got.Version != o1.Version {
		t.Errorf("order after the refused requests: %v %v v%d", err, got.Status, got.Version)
	}
	// And the planner sees it.
	parse(t, planner.get("/orders/"+o1.Number), http.StatusOK)
}

// Forms of the order pages need the CSRF token.
func TestOrderPagesCSRF(t *testing.T) {
	e := newOrderEnv(t)
	o := e.submit("dealer01@test.test", "", line("ST1002", "BLU", "M", 3))
	c := e.as("dealer01@test.test", "")
	for _, path := range []string{"/catalog/SS27/ST1001", "/orders/draft/SS27/submit", "/orders/" + o.Number + "/cancel",
		"/orders/" + o.Number + "/edit"} {
		res := c.post(path, url.Values{"q:ST1001:BLK:M": {"6"}, "version": {"1"}})
		parse(t, res, http.StatusForbidden)
	}
	got, _ := e.ord.Get(context.Background(), e.principal("dealer01@test.test"), o.Number)
	if got.Status != ordering.StatusSubmitted || got.Version != o.Version {
		t.Error("a form without a token changed the order")
	}
	var n int
	e.db.Get(&n, `SELECT count(*) FROM orders WHERE status = 'draft'`)
	if n != 0 {
		t.Error("a grid without a token made a draft")
	}
}

// A planner confirms two orders at once from the list.
func TestPlannerConfirmsSeveral(t *testing.T) {
	e := newOrderEnv(t)
	a := e.submit("dealer01@test.test", "", line("ST1002", "BLU", "M", 3))
	b := e.submit("dealer02@test.test", "", line("ST1002", "WHT", "L", 5))
	other := e.submit("dealer01@test.test", "", line("ST3001", "RED", "S", 1))
	c := e.as("planner@test.test", "")

	doc := c.page("/orders?season=SS27", http.StatusOK)
	if n := doc.Find(`#orders input[type=checkbox][name="number"]`).Length(); n != 3 {
		t.Fatalf("%d checkboxes, want one per submitted order", n)
	}
	if !strings.Contains(text(doc.Find("#orders")), "D002") {
		t.Error("the planner's list does not name the dealers")
	}
	back := doc.Find(`#confirm-form input[name="back"]`).AttrOr("value", "")
	res := c.post("/orders/confirm", url.Values{"_csrf": {token(t, doc)}, "number": {a.Number, b.Number}, "back": {back}})
	loc := location(t, res)
	if loc != "/orders?confirmed=2&season=SS27" {
		t.Errorf("after confirming: %q", loc)
	}
	doc = c.page(loc, http.StatusOK)
	if got := text(doc.Find("#notice")); got != i18n.T("en", "orders.list.confirmed", 2) {
		t.Errorf("notice = %q", got)
	}
	for _, o := range []ordering.Order{a, b, other} {
		got, _ := e.ord.Get(context.Background(), e.principal("planner@test.test"), o.Number)
		want := ordering.StatusConfirmed
		if o.Number == other.Number {
			want = ordering.StatusSubmitted
		}
		if got.Status != want {
			t.Errorf("%s is %s, want %s", o.Number, got.Status, want)
		}
	}
	if n := doc.Find(`#orders input[type=checkbox]`).Length(); n != 1 {
		t.Errorf("%d checkboxes after confirming, want 1", n)
	}
	// The dealer filter, and an order that cannot be confirmed any more.
	doc = c.page("/orders?dealer=d002", http.StatusOK)
	if n := doc.Find("#orders tbody tr").Length(); n != 1 {
		t.Errorf("dealer filter: %d rows", n)
	}
	res = c.post("/orders/confirm", url.Values{"_csrf": {token(t, doc)}, "number": {a.Number}, "back": {"/orders"}})
	doc = parse(t, res, http.StatusConflict)
	if got := text(doc.Find("#form-error")); !strings.Contains(got, a.Number) {
		t.Errorf("refusal = %q, want it to name %s", got, a.Number)
	}
	res = c.post("/orders/confirm", url.Values{"_csrf": {token(t, doc)}, "back": {"/orders"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if got := text(doc.Find("#form-error")); got != i18n.T("en", "orders.err.select_orders") {
		t.Errorf("nothing selected: %q", got)
	}
	// Confirmed orders show in the detail's history with who confirmed.
	doc = c.page("/orders/"+a.Number, http.StatusOK)
	if got := text(doc.Find("#history > li").First()); !strings.Contains(got, "Confirmed") || !strings.Contains(got, "planner@test.test") {
		t.Errorf("history = %q", got)
	}
}

// Amending works at the current version; a stale version shows the conflict
// and changes nothing.
func TestAmendStaleVersion(t *testing.T) {
	e := newOrderEnv(t)
	o := e.submit("dealer01@test.test", "", line("ST1001", "BLK", "M", 6), line("ST1002", "BLU", "M", 3))
	c := e.as("dealer01@test.test", "")

	doc := c.page("/orders/"+o.Number+"/edit", http.StatusOK)
	if n := doc.Find("table.ordergrid").Length(); n != 2 {
		t.Errorf("%d grids, want one per style of the order", n)
	}
	if got := doc.Find(`input[name="version"]`).AttrOr("value", ""); got != "1" {
		t.Errorf("version = %q", got)
	}
	if n := c.page("/orders/"+o.Number+"/edit?add=st2001", http.StatusOK).Find("table.ordergrid").Length(); n != 3 {
		t.Errorf("%d grids after adding ST2001, want 3", n)
	}
	if got := text(c.page("/orders/"+o.Number+"/edit?add=NOPE", http.StatusOK).Find("#form-error")); !strings.Contains(got, "NOPE") {
		t.Errorf("adding an unknown style: %q", got)
	}
	stale := gridForm(t, doc, map[string]string{"BLU M": "4"})
	fresh := gridForm(t, doc, map[string]string{"BLK M": "12"})

	loc := location(t, c.post("/orders/"+o.Number+"/edit", fresh))
	if loc != "/orders/"+o.Number+"?done=amended" {
		t.Errorf("after amending: %q", loc)
	}
	doc = c.page(loc, http.StatusOK)
	if got := text(doc.Find("#total-qty")); got != "15" {
		t.Errorf("total after amending = %q", got)
	}
	if got := text(doc.Find("#history > li").First()); !strings.Contains(got, "Amended") || !strings.Contains(got, "ST1001 BLK M 6 → 12") {
		t.Errorf("history = %q", got)
	}

	res := c.post("/orders/"+o.Number+"/edit", stale)
	doc = parse(t, res, http.StatusConflict)
	if got := text(doc.Find("#form-error")); !strings.Contains(got, i18n.T("en", "orders.err.conflict")) {
		t.Errorf("conflict message = %q", got)
	}
	if doc.Find(`#form-error a[href="/orders/`+o.Number+`/edit"]`).Length() != 1 {
		t.Error("no link to load the current version")
	}
	if got := doc.Find(`input[aria-label="BLU M"]`).AttrOr("value", ""); got != "4" {
		t.Errorf("the user's entry is lost: BLU M = %q", got)
	}
	got, _ := e.ord.Get(context.Background(), e.principal("dealer01@test.test"), o.Number)
	if got.Version != 2 || got.TotalQty != 15 {
		t.Errorf("after the stale amendment: version %d, qty %d", got.Version, got.TotalQty)
	}

	// Cancel, then the order can no longer be amended.
	doc = c.page("/orders/"+o.Number, http.StatusOK)
	cancel := doc.Find(`form[action="/orders/` + o.Number + `/cancel"]`)
	if cancel.AttrOr("data-confirm", "") == "" {
		t.Error("cancel asks no confirmation")
	}
	loc = location(t, c.post("/orders/"+o.Number+"/cancel", url.Values{"_csrf": {token(t, doc)}}))
	doc = c.page(loc, http.StatusOK)
	if got := text(doc.Find("h1 .status")); got != "Cancelled" {
		t.Errorf("status after cancel = %q", got)
	}
	if doc.Find("#amend, #cancel").Length() != 0 {
		t.Error("a cancelled order offers amend or cancel")
	}
	doc = parse(t, c.get("/orders/"+o.Number+"/edit"), http.StatusConflict)
	if doc.Find("#form-error").Length() != 1 {
		t.Error("the edit page of a cancelled order explains nothing")
	}
}

// A planner enters an order for a dealer from typed lines.
func TestPlannerEntersOrder(t *testing.T) {
	e := newOrderEnv(t)
	c := e.as("planner@test.test", "")
	doc := c.page("/orders/new", http.StatusOK)
	key := doc.Find(`input[name="key"]`).AttrOr("value", "")
	if key == "" {
		t.Fatal("no idempotency key in the form")
	}
	form := url.Values{"_csrf": {token(t, doc)}, "key": {key}, "dealer": {"D002"}, "season": {"SS27"},
		"lines": {"ST1001 BLK M 6\n\n# pack\nST1001\tNVY\tPP1\tx1\nST1002, BLU, M, 2\nST1001 WHT XXXL 3\n"}}

	doc = parse(t, c.post("/orders/new", form), http.StatusUnprocessableEntity)
	var errs []string
	doc.Find("#lines-err .field-error").Each(func(_ int, s *goquery.Selection) { errs = append(errs, text(s)) })
	want := i18n.T("en", "orders.new.line_error", "6", i18n.T("en", "orders.err.size_unknown", "XXXL", "ST1001"))
	if len(errs) != 1 || errs[0] != want {
		t.Errorf("line errors = %q, want %q", errs, want)
	}
	if got := doc.Find("#lines").Text(); !strings.Contains(got, "ST1001 WHT XXXL 3") {
		t.Errorf("the lines are lost: %q", got)
	}

	form.Set("lines", "ST1001 BLK M 6\nST1001\tNVY\tPP1\tx1\nST1002, BLU, M, 2\n")
	m := numberRE.FindStringSubmatch(location(t, c.post("/orders/new", form)))
	if m == nil || m[2] != "created" {
		t.Fatalf("after submitting: %v", m)
	}
	o, err := e.ord.Get(context.Background(), e.principal("planner@test.test"), m[1])
	if err != nil || o.Dealer != "D002" || o.TotalQty != 14 {
		t.Errorf("order %v: dealer %s, qty %d", err, o.Dealer, o.TotalQty)
	}
	// Sent again (a double click), the same key places nothing new.
	if loc := location(t, c.post("/orders/new", form)); !strings.HasPrefix(loc, "/orders/"+m[1]+"?") {
		t.Errorf("the repeated form went to %q", loc)
	}
	var n int
	e.db.Get(&n, `SELECT count(*) FROM orders WHERE status <> 'draft'`)
	if n != 1 {
		t.Errorf("%d orders after sending the form twice", n)
	}

	form.Set("key", "another")
	form.Set("dealer", "D999")
	doc = parse(t, c.post("/orders/new", form), http.StatusUnprocessableEntity)
	if got := text(doc.Find("#dealer-err")); got != i18n.T("en", "orders.err.dealer_unknown", "D999") {
		t.Errorf("dealer error = %q", got)
	}
	form.Set("lines", "ST1001 BLK M")
	doc = parse(t, c.post("/orders/new", form), http.StatusUnprocessableEntity)
	if got := text(doc.Find("#lines-err")); !strings.Contains(got, i18n.T("en", "orders.new.syntax")) {
		t.Errorf("syntax error = %q", got)
	}
}

var rawKey = regexp.MustCompile(`\b(orders|app|nav|lang|user|users|role|login|home|season|order|status|totals|fabric|unit|error|term|common|form)\.[a-z_]+(\.[a-z_]+)?\b`)

// checkNoRawKeys fails when a page shows a message key instead of text.
func checkNoRawKeys(t *testing.T, what string, doc *goquery.Document) {
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
		if m := rawKey.FindString(s); m != "" && !strings.HasSuffix(m, ".css") && !strings.HasSuffix(m, ".js") && !strings.HasSuffix(m, ".pdf") {
			t.Errorf("%s shows the raw key %q", what, m)
		}
		if strings.Contains(s, "%!") {
			t.Errorf("%s shows a formatting error: %.200s", what, s[strings.Index(s, "%!"):])
		}
	}
}

// Every order page renders in English, Chinese and Korean without raw keys,
// in the right language, and stays light.
func TestOrderPagesLanguages(t *testing.T) {
	e := newOrderEnv(t)
	o := e.submit("dealer01@test.test", "", line("ST1001", "BLK", "M", 6), line("ST1002", "BLU", "M", 3))
	p := e.principal("dealer01@test.test")
	if _, err := e.ord.SaveDraftLines(context.Background(), p, "SS27", "ST2001", []ordering.LineRequest{line("", "KHA", "36", 1)}, "D2"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ord.Replace(context.Background(), p, o.Number, 1, []ordering.LineRequest{line("ST1001", "BLK", "M", 8), line("ST1002", "BLU", "M", 3)}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh", "ko"} {
		dealer := e.as("dealer01@test.test", lang)
		planner := e.as("planner@test.test", lang)
		pages := []struct {
			c    *client
			path string
		}{
			{dealer, "/catalog"},
			{dealer, "/catalog/SS27/ST1001"},
			{dealer, "/orders/draft/SS27"},
			{dealer, "/orders"},
			{dealer, "/orders/" + o.Number},
			{dealer, "/orders/" + o.Number + "/edit"},
			{planner, "/catalog/SS27/ST1001"},
			{planner, "/orders"},
			{planner, "/orders/new"},
			{planner, "/orders/" + o.Number},
		}
		for _, pg := range pages {
			res := pg.c.get(pg.path)
			doc := parse(t, res, http.StatusOK)
			what := lang + " " + pg.path
			if got := doc.Find("html").AttrOr("lang", ""); got != i18n.HTMLLang(lang) {
				t.Errorf("%s: html lang %q", what, got)
			}
			checkNoRawKeys(t, what, doc)
			if lang != "en" && strings.Contains(doc.Find("main").Text(), "Delivery window") {
				t.Errorf("%s shows English text", what)
			}
		}
	}
}

// On the demo data (120 styles), the catalogue and the grid stay light and
// render in every language.
func TestOrderPagesDemo(t *testing.T) {
	db, _ := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error {
		return seed.Demo(ctx, db, io.Discard)
	})
	ord := ordering.NewService(orderdb.New(db), nil)
	cat := catalog.NewService(catalogdb.New(db), nil)
	e := startEnv(t, db, false, func(p *portal.Portal) { p.RegisterOrdering(cat, ord) })
	for _, lang := range []string{"en", "zh", "ko"} {
		c := e.client()
		c.setCookie(portal.LangCookie, lang)
		c.login("dealer01@demo.test")
		res := c.get("/catalog")
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s /catalog: %d", lang, res.StatusCode)
		}
		if len(body) > 300<<10 {
			t.Errorf("%s /catalog is %d KB, want < 300 KB", lang, len(body)>>10)
		}
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
		checkNoRawKeys(t, lang+" demo /catalog", doc)
		if n := doc.Find("#styles tbody tr").Length(); n < 100 {
			t.Errorf("%s: %d styles in the demo catalogue", lang, n)
		}
		href := doc.Find("#styles tbody tr a.code").First().AttrOr("href", "")
		doc = c.page(href, http.StatusOK)
		checkNoRawKeys(t, lang+" demo grid", doc)
		if doc.Find("table.ordergrid input.qty").Length() == 0 {
			t.Errorf("%s: the demo grid %s has no cells", lang, href)
		}
		doc = c.page("/orders", http.StatusOK)
		checkNoRawKeys(t, lang+" demo orders", doc)
		if num := doc.Find("#orders tbody tr a").First().AttrOr("href", ""); num != "" {
			checkNoRawKeys(t, lang+" demo order", c.page(num, http.StatusOK))
		}
	}
}

// The order pages of a 5,000-line order (150 styles × 6 colours × 6 sizes,
// minus 400 SKUs), rendered by the whole stack on the real database: the
// detail, the amendment grids and one style's order grid with a full draft.
func BenchmarkOrderPages(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	orderingtest.New(b, db)
	if err := orderingtest.AddBulkStyles(ctx, db, "SS27", 150, 6); err != nil {
		b.Fatal(err)
	}
	db.MustExec(`UPDATE dealers SET credit_limit = 900000000000 WHERE code = 'D001'`)
	var lines []ordering.LineRequest
	for s := 1; s <= 150; s++ {
		for c := 1; c <= 6; c++ {
			for _, size := range []string{"XS", "S", "M", "L", "XL", "XXL"} {
				lines = append(lines, line(fmt.Sprintf("BK%04d", s), fmt.Sprintf("C%d", c), size, 1+s%7))
			}
		}
	}
	lines = lines[:5000]
	ord := ordering.NewService(orderdb.New(db), nil)
	p := orderingtest.Principal(b, db, "dealer01@test.test")
	o, _, err := ord.Submit(ctx, p, ordering.SubmitRequest{Season: "SS27", Lines: lines}, "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ord.SaveDraftLines(ctx, p, "SS27", "BK0001", lines[:36], ""); err != nil {
		b.Fatal(err)
	}
	tokens, _ := auth.NewTokens(secret, time.Hour)
	tok, _, _ := tokens.Issue(p)
	pt := portal.New(portal.Deps{Log: slog.New(slog.DiscardHandler), Secret: secret,
		Auth: auth.NewService(authdb.New(db), tokens, auth.DefaultLimits)})
	e := server.New(server.Options{Log: slog.New(slog.DiscardHandler), Pages: pt})
	pt.Register(e)
	pt.RegisterOrdering(catalog.NewService(catalogdb.New(db), nil), ord)

	for _, path := range []string{"/orders/" + o.Number, "/orders/" + o.Number + "/edit", "/catalog/SS27/BK0001"} {
		b.Run(strings.TrimPrefix(strings.ReplaceAll(path, o.Number, "N"), "/"), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: web.CookieName, Value: tok})
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size)/1024, "KB/page")
		})
	}
}
