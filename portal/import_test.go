package portal_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/documents"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/orderimport/importdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/portal"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// impEnv is the portal with the import and document pages on the ordering
// fixture (orderingtest), every user's password set.
func impEnv(t *testing.T, fontPath string) *env {
	t.Helper()
	db, _ := pgtest.NewFrom(t, "ordering", orderingtest.Build)
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
	return startEnv(t, db, false, func(p *portal.Portal) {
		p.RegisterImport(orderimport.NewService(ord, importdb.New(db)))
		p.RegisterDocuments(ord, fontPath)
	})
}

func impAs(e *env, email, lang string) *client {
	e.t.Helper()
	c := e.client()
	if lang != "" {
		c.setCookie(portal.LangCookie, lang)
	}
	c.login(email)
	return c
}

// impUpload fills the import form of a freshly loaded page and posts it.
func impUpload(c *client, name string, data []byte, fields map[string]string, key string) *http.Response {
	c.env.t.Helper()
	form := c.page("/orders/import", http.StatusOK).Find("#import-form")
	tok, _ := form.Find(`input[name="_csrf"]`).Attr("value")
	if key == "" {
		key, _ = form.Find(`input[name="key"]`).Attr("value")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", tok)
	mw.WriteField("key", key)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+"/orders/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func impCount(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM orders`); err != nil {
		t.Fatal(err)
	}
	return n
}

type impRow struct{ Row, Column, Reason string }

func impProblems(doc *goquery.Document) []impRow {
	var out []impRow
	doc.Find("#problems tbody tr").Each(func(_ int, s *goquery.Selection) {
		out = append(out, impRow{text(s.Find(".row")), text(s.Find(".column")), text(s.Find(".reason"))})
	})
	return out
}

func TestImportPage(t *testing.T) {
	e := impEnv(t, documents.DroidSansFallbackFull)
	c := impAs(e, "dealer01@test.test", "")

	doc := c.page("/orders/import", http.StatusOK)
	if doc.Find(`#import-form[enctype="multipart/form-data"] input[type="file"][name="file"]`).Length() != 1 {
		t.Error("no upload field")
	}
	if doc.Find(`select[name="dealer"]`).Length() != 0 {
		t.Error("a dealer sees a dealer choice")
	}
	if got := text(doc.Find("#columns tbody tr:first-child code")); got != "season" {
		t.Errorf("first column explained: %q", got)
	}
	if doc.Find(`a#template[href="/orders/import/template.csv"]`).Length() != 1 {
		t.Error("no template link")
	}

	// The template is UTF-8 with a BOM, and a valid import file itself.
	res := c.get("/orders/import/template.csv")
	tpl, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(tpl, []byte("\xEF\xBB\xBFseason,style,")) {
		t.Fatalf("template: %d %v %q", res.StatusCode, res.Header, tpl)
	}
	if f, err := orderimport.Parse("t.csv", tpl); err != nil || len(f.Rows) != 3 {
		t.Errorf("template does not parse: %v", err)
	}

	// A good file: the orders, with links to their PDFs.
	csv := "season,style,color,size,qty,reference\nSS27,ST1001,BLK,M,6,PO-A\nSS27,ST1001,NVY,L,6,PO-A\nSS27,ST2001,KHA,36,4,PO-B\n"
	doc = parse(t, impUpload(c, "orders.csv", []byte(csv), nil, ""), http.StatusOK)
	rows := doc.Find("#created tbody tr")
	if rows.Length() != 2 || text(doc.Find("#import-ok")) != i18n.T("en", "imports.ok", 2) {
		t.Fatalf("created: %d rows, %q", rows.Length(), text(doc.Find("#import-ok")))
	}
	first := rows.First()
	number := text(first.Find("td").First())
	if !strings.HasPrefix(number, "SO-SS27-") || !strings.Contains(text(first), "PO-A") || !strings.Contains(text(first), "1,548.00") {
		t.Errorf("first row: %q", text(first))
	}
	if href, _ := first.Find(`a[href$="confirmation.pdf"]`).Attr("href"); href != "/orders/"+number+"/confirmation.pdf" {
		t.Errorf("pdf link %q", href)
	}
	if n := impCount(t, e.db); n != 2 {
		t.Errorf("%d orders", n)
	}
}

// Every bad row is listed with its column and reason in the user's
// language, and nothing is created.
func TestImportPageProblems(t *testing.T) {
	e := impEnv(t, documents.DroidSansFallbackFull)
	c := impAs(e, "dealer01@test.test", "zh")

	// Problems the file itself has.
	bad := "season,style,color,size,qty,reference\n" +
		"SS27,ST1001,BLK,M,12.5,A\n" +
		"SS27,,BLK,M,1,A\n" +
		"SS27,ST1001,BLK,M,0,A\n" +
		"SS27,ST1001,BLK,M,10001,A\n" +
		"SS27,ST1001,BLK,M,1,A,extra\n" +
		"SS27,ST1001,BLK,M,1," + strings.Repeat("长", 101) + "\n"
	doc := parse(t, impUpload(c, "bad.csv", []byte(bad), nil, ""), http.StatusUnprocessableEntity)
	want := []impRow{
		{"2", "数量", "数量必须是正整数"},
		{"3", "款式", "款式为必填项"},
		{"4", "数量", "数量必须是正整数"},
		{"5", "数量", "数量不能超过 10000"},
		{"6", "", "第 6 行的第 7 列有值，但该列没有列名"},
		{"7", "参考号", "参考号最多 100 个字符"},
	}
	if got := impProblems(doc); !impEqual(got, want) {
		t.Errorf("problems:\n got %v\nwant %v", got, want)
	}
	if got := text(doc.Find("#import-error")); got != i18n.T("zh", "imports.failed", 6) {
		t.Errorf("alert %q", got)
	}

	// Problems ordering finds, all translated.
	bad = "season,style,color,size,qty,prepack,packs,delivery_window\n" +
		"SS27,ST9999,BLK,M,1,,,\n" +
		"SS27,ST1001,RED,M,6,,,\n" +
		"SS27,ST1001,BLK,XXXL,6,,,\n" +
		"SS27,ST1002,BLU,XXL,1,,,\n" +
		"SS27,ST1001,NVY,,,PP9,1,\n" +
		"SS27,ST2001,KHA,36,1,,,D9\n" +
		"SS27,ST1003,WHT,M,1,,,\n" +
		"SS27,ST3001,RED,M,1,,,D1\n" +
		"SS27,ST3001,RED,L,1,,,D2\n" +
		"SS27,ST1001,WHT,M,1,,,\n"
	doc = parse(t, impUpload(c, "bad.csv", []byte(bad), nil, ""), http.StatusUnprocessableEntity)
	got := impProblems(doc)
	if len(got) != 9 {
		t.Errorf("%d problems: %v", len(got), got)
	}
	doc.Find("#problems [data-untranslated]").Each(func(_ int, s *goquery.Selection) {
		t.Errorf("untranslated reason: %q", text(s))
	})
	for _, w := range []string{"季节 SS27 不提供款式 ST9999", "款式 ST1001 没有颜色 RED", "款式 ST1001 没有尺码 XXXL",
		"款式 ST1002 的颜色 BLU 不生产尺码 XXL", "款式 ST1001 没有配码包 PP9", "交货批次 D9 不属于季节 SS27",
		"款式 ST1003 在您的价格表中没有价格", "款式 ST3001 在本订单中已使用交货批次 D1", "款式 ST1001 颜色 WHT：订购 1 件，每色起订量为 6 件"} {
		if !strings.Contains(text(doc.Find("#problems")), w) {
			t.Errorf("no problem %q in %q", w, text(doc.Find("#problems")))
		}
	}

	// Whole-file problems.
	doc = parse(t, impUpload(c, "x.xlsx", []byte("not a workbook"), nil, ""), http.StatusUnprocessableEntity)
	if got := impProblems(doc); len(got) != 1 || got[0].Column != "文件" || got[0].Reason != i18n.T("zh", "imports.reason.bad_xlsx") {
		t.Errorf("bad xlsx: %v", got)
	}
	doc = parse(t, impUpload(c, "x.csv", []byte("season,style,colour,size\n"), nil, ""), http.StatusUnprocessableEntity)
	if got := impProblems(doc); len(got) != 1 || got[0] != (impRow{"1", "数量", "标题行缺少 qty 列"}) {
		t.Errorf("missing column: %v", got)
	}
	doc = parse(t, impUpload(c, "", nil, nil, ""), http.StatusUnprocessableEntity)
	if got := text(doc.Find("#import-error")); got != i18n.T("zh", "imports.no_file") {
		t.Errorf("no file: %q", got)
	}
	big := append([]byte("season,style,color,size,qty\n"), bytes.Repeat([]byte("SS27,ST1001,BLK,M,1\n"), orderimport.MaxFileSize/20+1)...)
	doc = parse(t, impUpload(c, "big.csv", big, nil, ""), http.StatusRequestEntityTooLarge)
	if got := text(doc.Find("#import-error")); got != i18n.T("zh", "imports.reason.file_too_large", 5) {
		t.Errorf("too large: %q", got)
	}

	// A whole order refused: the season is closed.
	doc = parse(t, impUpload(c, "closed.csv", []byte("season,style,color,size,qty\nAW26,ST1001,BLK,M,6\n"), nil, ""), http.StatusConflict)
	if got := text(doc.Find("#import-error")); !strings.HasPrefix(got, i18n.T("zh", "imports.refused")) || !strings.Contains(got, "AW26") {
		t.Errorf("closed season: %q", got)
	}
	if n := impCount(t, e.db); n != 0 {
		t.Errorf("%d orders created by refused imports", n)
	}
}

func impEqual(a, b []impRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestImportPageHeadOffice(t *testing.T) {
	e := impEnv(t, documents.DroidSansFallbackFull)
	c := impAs(e, "planner@test.test", "ko")
	doc := c.page("/orders/import?dealer=d002", http.StatusOK)
	opts := doc.Find(`select[name="dealer"] option`)
	if opts.Length() != 6 || doc.Find(`select[name="dealer"] option[selected]`).AttrOr("value", "") != "D002" {
		t.Fatalf("dealer choice: %d options, %q selected", opts.Length(), doc.Find(`option[selected]`).AttrOr("value", ""))
	}
	if text(doc.Find("#columns tbody tr:first-child code")) != "dealer" {
		t.Error("the dealer column is not explained")
	}
	res := c.get("/orders/import/template.csv")
	tpl, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.HasPrefix(tpl, []byte("\xEF\xBB\xBFdealer,season,")) {
		t.Errorf("head office template: %q", tpl)
	}

	csv := []byte("season,style,color,size,qty\nSS27,ST1001,BLK,M,6\n")
	doc = parse(t, impUpload(c, "a.csv", csv, nil, ""), http.StatusUnprocessableEntity)
	if got := impProblems(doc); len(got) != 1 || got[0].Row != "1" || got[0].Column != "대리점" || got[0].Reason != i18n.T("ko", "imports.reason.dealer_column") {
		t.Errorf("without a dealer: %v", got)
	}
	// The same form posted twice (a reload) creates the order once.
	key := "portal-import-" + strings.Repeat("A", 24)
	for i := 0; i < 2; i++ {
		doc = parse(t, impUpload(c, "a.csv", csv, map[string]string{"dealer": "D002"}, key), http.StatusOK)
		if got := text(doc.Find("#created tbody tr td").Eq(1)); !strings.HasPrefix(got, "D002") {
			t.Errorf("created for %q", got)
		}
	}
	if n := impCount(t, e.db); n != 1 {
		t.Errorf("%d orders after a repeated post", n)
	}
}

func TestImportPageAccess(t *testing.T) {
	e := impEnv(t, documents.DroidSansFallbackFull)
	res := e.client().get("/orders/import")
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	s := impAs(e, "supplier01@test.test", "")
	for _, path := range []string{"/orders/import", "/orders/import/template.csv"} {
		res := s.get(path)
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("supplier %s: %d", path, res.StatusCode)
		}
	}
	// A post without the CSRF token is refused.
	c := impAs(e, "dealer01@test.test", "")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "a.csv")
	fw.Write([]byte("season,style,color,size,qty\nSS27,ST1001,BLK,M,6\n"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/orders/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res = c.do(req)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || impCount(t, e.db) != 0 {
		t.Errorf("without CSRF: %d", res.StatusCode)
	}
}

func TestConfirmationPage(t *testing.T) {
	e := impEnv(t, documents.DroidSansFallbackFull)
	c := impAs(e, "dealer01@test.test", "zh")
	doc := parse(t, impUpload(c, "a.csv", []byte("season,style,color,size,qty,reference\nSS27,ST1001,BLK,M,6,春季\n"), nil, ""), http.StatusOK)
	number := text(doc.Find("#created tbody tr td").First())
	path := "/orders/" + number + "/confirmation.pdf"

	res := c.get(path)
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="`+number+`.pdf"` || !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) > 500<<10 {
		t.Fatalf("pdf: %d %v %d bytes", res.StatusCode, res.Header, len(pdf))
	}
	if bin, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "c.pdf")
		os.WriteFile(f, pdf, 0o644)
		out, _ := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
		for _, w := range []string{"订单确认书", "上海时装", number, "春季", "774.00 CNY"} {
			if !strings.Contains(string(out), w) {
				t.Errorf("the PDF lacks %q:\n%s", w, out)
			}
		}
	}

	// Scope: another dealer's order is not found, suppliers are forbidden.
	for _, tc := range []struct {
		who    string
		status int
	}{{"dealer02@test.test", 404}, {"supplier01@test.test", 403}, {"planner@test.test", 200}} {
		res := impAs(e, tc.who, "").get(path)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.who, res.StatusCode, tc.status)
		}
	}
	res = c.get("/orders/SO-NOPE/confirmation.pdf")
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("unknown order: %d", res.StatusCode)
	}
}
