package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/dealers/dealerdb"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/portal"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/seed"
)

// dlEnv is the portal with the dealer pages on db, every user's password
// set; the dealers service runs on the clock now (nil: the real one).
func dlEnv(t *testing.T, db *sqlx.DB, now func() time.Time) *env {
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
	return startEnv(t, db, false, func(p *portal.Portal) {
		p.RegisterDealers(dealers.NewService(dealerdb.New(db), now))
	})
}

// dlToken is the CSRF token of the first form of a page.
func dlToken(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	tok, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		t.Fatal("no CSRF token on the page")
	}
	return tok
}

// dlPost posts a form and expects a redirect; it returns the target.
func dlPost(t *testing.T, c *client, path string, form url.Values) string {
	t.Helper()
	res := c.post(path, form)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d, want a redirect", path, res.StatusCode)
	}
	return res.Header.Get("Location")
}

func dlMoney(t *testing.T, s string) money.Amount {
	t.Helper()
	f := strings.Fields(s)
	if len(f) == 0 {
		t.Fatalf("no amount in %q", s)
	}
	a, err := money.Parse(f[0])
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return a
}

var dlRawKey = regexp.MustCompile(`\bdealers\.[a-z_]+\.[a-zA-Z_.]+`)

// dlNoRawKeys fails when a page shows a message key instead of its text.
func dlNoRawKeys(t *testing.T, what string, doc *goquery.Document) {
	t.Helper()
	texts := []string{doc.Find("main").Text()}
	doc.Find("[aria-label], [title], [placeholder], [data-confirm]").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"aria-label", "title", "placeholder", "data-confirm"} {
			if v, ok := s.Attr(a); ok {
				texts = append(texts, v)
			}
		}
	})
	for _, s := range texts {
		if m := dlRawKey.FindString(s); m != "" {
			t.Errorf("%s shows the raw key %q", what, m)
		}
	}
}

// The walkthrough on the demo data: the planner opens D001's record
// and its exposure adds up, ships an order and sees the invoice, records a
// payment, watches an overdue dealer go on hold and come off it, approves a
// return and sees stock and credit change, reads the value analysis of AW26,
// and publishes a notice that dealer01 reads.
func TestDealerPagesDemo(t *testing.T) {
	db, _ := pgtest.NewFrom(t, "demo", func(ctx context.Context, db *sqlx.DB) error { return seed.Demo(ctx, db, io.Discard) })
	// Two months after the demo's date (2026-11-20): D027's AW26 invoice,
	// due 2026-11-07, is then more than 30 days overdue.
	e := dlEnv(t, db, func() time.Time { return time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC) })
	planner := e.client()
	planner.login("planner@demo.test")

	doc := planner.page("/dealers", http.StatusOK)
	if n := doc.Find("#dealers tbody tr").Length(); n != 40 {
		t.Errorf("%d dealers listed", n)
	}
	if doc.Find(`nav.mainnav a[href="/dealers"]`).Length() != 1 || doc.Find(`nav.mainnav a[href="/analytics"]`).Length() != 1 {
		t.Error("navigation lacks Dealers or Dealer analytics")
	}

	// D001's exposure adds up and equals what ordering checks credit against.
	doc = planner.page("/dealers/D001", http.StatusOK)
	part := func(doc *goquery.Document, name string) money.Amount {
		return dlMoney(t, text(doc.Find(`#exposure [data-part="`+name+`"]`)))
	}
	open, unpaid, credits, total := part(doc, "open_orders"), part(doc, "unpaid_invoices"), part(doc, "credit_notes"), part(doc, "total")
	if open+unpaid-credits != total || open == 0 {
		t.Errorf("exposure %s + %s − %s ≠ %s", open, unpaid, credits, total)
	}
	var d001 int
	if err := db.Get(&d001, `SELECT id FROM dealers WHERE code = 'D001'`); err != nil {
		t.Fatal(err)
	}
	var exp money.Amount
	if err := orderdb.New(db).InTx(context.Background(), func(tx ordering.Tx) error {
		var err error
		exp, err = tx.Exposure(context.Background(), d001, 0)
		return err
	}); err != nil || exp != total {
		t.Errorf("ordering's exposure %s, the page's %s (%v)", exp, total, err)
	}
	if doc.Find("#edit-form").Length() != 1 || doc.Find("#note-form").Length() != 1 || doc.Find("#events li").Length() == 0 {
		t.Error("the planner has no edit form, note form or history")
	}

	// Head office confirms one of D001's SS27 orders (the order pages do
	// that); then it can be shipped from the record.
	var submitted string
	if err := db.Get(&submitted, `SELECT o.number FROM orders o JOIN dealers d ON d.id = o.dealer_id
WHERE d.code = 'D001' AND o.status = 'submitted' ORDER BY o.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := ordering.NewService(orderdb.New(db), nil).Confirm(context.Background(),
		orderingtest.Principal(t, db, "planner@demo.test"), []string{submitted}); err != nil {
		t.Fatal(err)
	}
	doc = planner.page("/dealers/D001", http.StatusOK)

	// Ship a confirmed order: the invoice appears; pay it in full.
	form := doc.Find(`#dealer-orders form[action*="/ship"]`).First()
	action, ok := form.Attr("action")
	if !ok {
		t.Fatal("no order to ship on D001's record")
	}
	number := strings.Split(action, "/")[4]
	loc := dlPost(t, planner, action, url.Values{"_csrf": {dlToken(t, doc)}})
	if !strings.HasPrefix(loc, "/dealers/D001?done=shipped") {
		t.Fatalf("ship → %s", loc)
	}
	doc = planner.page(loc, http.StatusOK)
	var invoice string
	doc.Find("#invoices tbody tr[id]").Each(func(_ int, tr *goquery.Selection) {
		if text(tr.Find("td").Eq(1)) == number {
			invoice = text(tr.Find("td").First())
		}
	})
	if invoice == "" || !strings.Contains(text(doc.Find("#notice")), invoice) {
		t.Fatalf("no invoice for %s; notice %q", number, text(doc.Find("#notice")))
	}
	balance, _ := doc.Find("#amount-" + invoice).Attr("placeholder")
	loc = dlPost(t, planner, "/dealers/D001/invoices/"+invoice+"/payments", url.Values{"_csrf": {dlToken(t, doc)}, "amount": {balance}, "reference": {"TT-DEMO"}})
	doc = planner.page(loc, http.StatusOK)
	if got := text(doc.Find("#invoice-" + invoice + " td").Eq(7)); got != i18n.T("en", "dealers.invoice.paid") {
		t.Errorf("invoice %s after payment: %q", invoice, got)
	}

	// The overdue rule: D027's AW26 invoices are months overdue.
	doc = planner.page("/dealers", http.StatusOK)
	loc = dlPost(t, planner, "/dealers/sweep-holds", url.Values{"_csrf": {dlToken(t, doc)}})
	doc = planner.page(loc, http.StatusOK)
	if !strings.Contains(text(doc.Find("#sweep-result")), "D027") {
		t.Fatalf("sweep result %q", text(doc.Find("#sweep-result")))
	}
	doc = planner.page("/dealers/D027", http.StatusOK)
	if doc.Find("#hold").Length() != 1 {
		t.Error("D027 shows no hold")
	}
	for {
		row := doc.Find(`#invoices form[action*="/payments"]`).First()
		action, ok := row.Attr("action")
		if !ok {
			break
		}
		inv := strings.Split(action, "/")[4]
		bal, _ := doc.Find("#amount-" + inv).Attr("placeholder")
		loc = dlPost(t, planner, action, url.Values{"_csrf": {dlToken(t, doc)}, "amount": {bal}})
		doc = planner.page(loc, http.StatusOK)
	}
	if doc.Find("#hold").Length() != 0 || !strings.Contains(text(doc.Find("#events li").First()), i18n.T("en", "dealers.event.auto_release")) {
		t.Errorf("D027 after paying: hold %q, last event %q", text(doc.Find("#hold")), text(doc.Find("#events li").First()))
	}

	// A return: dealer01 requests one piece of the shipped order, the planner approves.
	dealer := e.client()
	dealer.setCookie(portal.LangCookie, "en")
	dealer.login("dealer01@demo.test")
	doc = dealer.page("/returns/new?order="+number, http.StatusOK)
	input := doc.Find(`#return-lines input[type="number"]`).First()
	name, _ := input.Attr("name")
	sku := strings.Split(strings.TrimPrefix(name, "qty:"), "|")
	loc = dlPost(t, dealer, "/returns/new", url.Values{"_csrf": {dlToken(t, doc)}, "order": {number}, name: {"1"}, "reason": {"Seam open on one piece."}})
	if !strings.HasPrefix(loc, "/returns/RMA-") {
		t.Fatalf("return → %s", loc)
	}
	rma := strings.SplitN(strings.TrimPrefix(loc, "/returns/"), "?", 2)[0]
	stock := func() int {
		var n int
		if err := db.Get(&n, `SELECT COALESCE((SELECT h.qty FROM stock_on_hand h JOIN skus k ON k.id = h.sku_id
JOIN styles st ON st.id = k.style_id JOIN colors c ON c.id = k.color_id JOIN sizes sz ON sz.id = k.size_id
WHERE st.code = $1 AND c.code = $2 AND sz.code = $3), 0)`, sku[0], sku[1], sku[2]); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := stock()
	doc = planner.page("/dealers/D001", http.StatusOK)
	creditsBefore := part(doc, "credit_notes")
	doc = planner.page("/returns/"+rma, http.StatusOK)
	loc = dlPost(t, planner, "/returns/"+rma+"/approve", url.Values{"_csrf": {dlToken(t, doc)}})
	doc = planner.page(loc, http.StatusOK)
	credit := dlMoney(t, text(doc.Find("#credit")))
	if stock() != before+1 || credit <= 0 {
		t.Errorf("stock %d → %d, credit %s", before, stock(), credit)
	}
	doc = planner.page("/dealers/D001", http.StatusOK)
	if got := part(doc, "credit_notes"); got != creditsBefore+credit {
		t.Errorf("credit notes %s → %s, credit %s", creditsBefore, got, credit)
	}
	// The dealer sees the decision.
	doc = dealer.page("/returns/"+rma, http.StatusOK)
	if got := text(doc.Find("#return-status")); got != i18n.T("en", "dealers.return.approved") {
		t.Errorf("dealer sees the return as %q", got)
	}

	// The value analysis of AW26.
	doc = planner.page("/analytics?season=AW26", http.StatusOK)
	share, _ := doc.Find("#top-share").Attr("data-share")
	if !regexp.MustCompile(`^0\.\d{4}$`).MatchString(share) || share == "0.0000" {
		t.Errorf("top share %q", share)
	}
	if n := doc.Find("#segments td[data-segment]").Length(); n != 16 {
		t.Errorf("%d segment cells", n)
	}
	if n := doc.Find("#pareto-chart rect.bar").Length(); n < 30 {
		t.Errorf("%d bars in the chart", n)
	}
	if doc.Find("#pareto-chart polyline").Length() != 1 {
		t.Error("no cumulative line")
	}
	sum := 0
	doc.Find("#segments .dl-seg-count").Each(func(_ int, s *goquery.Selection) { sum += dlAtoi(text(s)) })
	if rows := doc.Find("#dealer-values tbody tr").Length(); sum != rows || rows == 0 {
		t.Errorf("segments count %d dealers, the table has %d", sum, rows)
	}
	if href, _ := doc.Find("#export").Attr("href"); href != "/analytics/dealers.xlsx?season=AW26" {
		t.Errorf("export link %q", href)
	}
	res := planner.get("/analytics/dealers.xlsx?season=AW26")
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != dealers.ContentXLSX {
		t.Errorf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// A notice dealer01 reads.
	doc = planner.page("/announcements", http.StatusOK)
	dlPost(t, planner, "/announcements", url.Values{"_csrf": {dlToken(t, doc)}, "title": {"AW27 preview on 3 March"}, "body": {"Showroom in Shanghai."}})
	doc = dealer.page("/announcements", http.StatusOK)
	first := doc.Find("#announcements li").First()
	id, _ := first.Attr("data-id")
	if text(first.Find("h3")) != "AW27 preview on 3 March" || first.Find(`form[action$="/read"]`).Length() != 1 {
		t.Fatalf("dealer's first announcement %q", text(first))
	}
	dlPost(t, dealer, "/announcements/"+id+"/read", url.Values{"_csrf": {dlToken(t, doc)}})
	doc = planner.page("/announcements", http.StatusOK)
	if got := text(doc.Find(`#announcements li[data-id="` + id + `"] .dl-reads`)); got != i18n.T("en", "dealers.announcements.reads", 1, 40) {
		t.Errorf("read count %q", got)
	}

	// Roles: the dealer sees only its own record; analytics are for head office.
	if res := dealer.get("/dealers"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dealers/D001" {
		t.Errorf("dealer's /dealers: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	dealer.page("/dealers/D002", http.StatusNotFound)
	dealer.page("/analytics", http.StatusForbidden)
	doc = dealer.page("/dealers/D001", http.StatusOK)
	if doc.Find("#edit-form, #note-form, #notes, #events, #dealer-orders form").Length() != 0 {
		t.Error("the dealer's own record shows head-office forms or notes")
	}
	supplier := e.client()
	supplier.login("supplier01@demo.test")
	for _, path := range []string{"/dealers", "/returns", "/announcements", "/feedback", "/analytics"} {
		supplier.page(path, http.StatusForbidden)
	}

	// Every page in every language shows text, not keys.
	for _, lang := range []string{"en", "zh", "ko"} {
		for who, c := range map[string]*client{"planner": planner, "dealer": dealer} {
			c.setCookie(portal.LangCookie, lang)
			paths := []string{"/dealers/D001", "/returns", "/returns/" + rma, "/returns/new?order=" + number, "/announcements", "/feedback"}
			if who == "planner" {
				paths = append(paths, "/dealers", "/dealers/D027", "/analytics?season=AW26", "/analytics?season=SS27")
			}
			for _, p := range paths {
				dlNoRawKeys(t, lang+" "+who+" "+p, c.page(p, http.StatusOK))
			}
		}
	}
}

// Forms refused by the service are shown again with the reason, in place.
func TestDealerPagesForms(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	e := dlEnv(t, db, nil)
	ctx := context.Background()
	ord := ordering.NewService(orderdb.New(db), nil)
	o, _, err := ord.Submit(ctx, orderingtest.Principal(t, db, "dealer01@test.test"), ordering.SubmitRequest{Season: "SS27",
		Lines: []ordering.LineRequest{{Style: "ST1001", Color: "BLK", Size: "M", Qty: 6}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ord.Confirm(ctx, orderingtest.Principal(t, db, "planner@test.test"), []string{o.Number}); err != nil {
		t.Fatal(err)
	}
	planner := e.client()
	planner.login("planner@test.test")
	planner.setCookie(portal.LangCookie, "zh")

	// No reason: 422 with the field marked, in Chinese.
	doc := planner.page("/dealers/D001", http.StatusOK)
	res := planner.post("/dealers/D001", url.Values{"_csrf": {dlToken(t, doc)}, "credit_limit": {"-5"}, "reason": {""}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if got := text(doc.Find("#edit-form .field-error").First()); got != i18n.T("zh", "dealers.err.credit_limit") {
		t.Errorf("credit limit error %q", got)
	}
	if v, _ := doc.Find("#credit_limit").Attr("value"); v != "-5" {
		t.Errorf("the entered value was not kept: %q", v)
	}
	// With a reason it saves and is audited.
	loc := dlPost(t, planner, "/dealers/D001", url.Values{"_csrf": {dlToken(t, doc)}, "credit_limit": {"900000"}, "payment_terms_days": {"45"},
		"credit_policy": {"refuse"}, "status": {"active"}, "reason": {"年度评审"}})
	doc = planner.page(loc, http.StatusOK)
	if !strings.Contains(text(doc.Find("#events li").First()), "年度评审") || dlMoney(t, text(doc.Find(".kpi-value").First())) != money.MustParse("900000.00") {
		t.Errorf("after saving: %q", text(doc.Find("#events li").First()))
	}

	// Ship, then overpay: the payment form shows the error.
	loc = dlPost(t, planner, "/dealers/D001/orders/"+o.Number+"/ship", url.Values{"_csrf": {dlToken(t, doc)}})
	doc = planner.page(loc, http.StatusOK)
	inv := text(doc.Find("#invoices tbody tr[id] td").First())
	res = planner.post("/dealers/D001/invoices/"+inv+"/payments", url.Values{"_csrf": {dlToken(t, doc)}, "amount": {"774.01"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if got := text(doc.Find("#invoices .field-error")); got != i18n.T("zh", "dealers.err.amount.max") {
		t.Errorf("overpay error %q", got)
	}
	// Shipping again is refused in place.
	res = planner.post("/dealers/D001/orders/"+o.Number+"/ship", url.Values{"_csrf": {dlToken(t, doc)}})
	doc = parse(t, res, http.StatusConflict)
	if got := text(doc.Find("#form-error")); !strings.Contains(got, i18n.T("zh", "dealers.err.state.ship")) {
		t.Errorf("ship twice %q", got)
	}

	// A dealer asking for more than was shipped.
	dealer := e.client()
	dealer.login("dealer01@test.test")
	doc = dealer.page("/returns/new?order="+o.Number, http.StatusOK)
	res = dealer.post("/returns/new", url.Values{"_csrf": {dlToken(t, doc)}, "order": {o.Number}, "qty:ST1001|BLK|M": {"7"}, "reason": {"too many"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if got := text(doc.Find("#return-lines .field-error")); got != i18n.T("en", "dealers.err.qty.max", 6) {
		t.Errorf("return error %q", got)
	}
	// Another dealer's order is not found; a planner action is forbidden.
	other := e.client()
	other.login("dealer02@test.test")
	other.page("/returns/new?order="+o.Number, http.StatusNotFound)
	doc = other.page("/feedback", http.StatusOK)
	res = other.post("/dealers/D002", url.Values{"_csrf": {dlToken(t, doc)}, "status": {"active"}, "reason": {"x"}})
	parse(t, res, http.StatusForbidden)

	// Feedback: a dealer starts a thread, head office answers.
	doc = dealer.page("/feedback", http.StatusOK)
	res = dealer.post("/feedback", url.Values{"_csrf": {dlToken(t, doc)}, "topic": {"product"}, "subject": {""}, "body": {"x"}})
	doc = parse(t, res, http.StatusUnprocessableEntity)
	if doc.Find("#thread-form .has-error #subject").Length() != 1 {
		t.Error("the subject is not marked")
	}
	loc = dlPost(t, dealer, "/feedback", url.Values{"_csrf": {dlToken(t, doc)}, "topic": {"product"}, "style": {"ST1001"},
		"rating": {"4"}, "subject": {"Collar"}, "body": {"Runs small."}})
	path := strings.SplitN(loc, "?", 2)[0]
	doc = planner.page(path, http.StatusOK)
	loc = dlPost(t, planner, path, url.Values{"_csrf": {dlToken(t, doc)}, "body": {"谢谢，我们会检查版型。"}})
	doc = dealer.page(loc, http.StatusOK)
	if n := doc.Find("#messages li").Length(); n != 2 || text(doc.Find("#thread-status")) != i18n.T("en", "dealers.thread.answered") {
		t.Errorf("%d messages, status %q", n, text(doc.Find("#thread-status")))
	}
	other.page(path, http.StatusNotFound)
}

func dlAtoi(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n = n*10 + int(r-'0')
		}
	}
	return n
}
