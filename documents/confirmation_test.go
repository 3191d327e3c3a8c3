package documents_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/config"
	"github.com/sizerun/sizerun/documents"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
)

// maxPDF is the size a confirmation must stay under: the font is subset.
const maxPDF = 500 << 10

func fontPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("SIZERUN_PDF_FONT")
	if p == "" {
		p = config.DefaultPDFFont
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the PDF font %s is missing (install Debian's fonts-droid-fallback or set SIZERUN_PDF_FONT): %v", p, err)
	}
	return p
}

func date(s string) catalog.Date {
	t, _ := time.Parse("2006-01-02", s)
	return catalog.Date{Time: t}
}

func line(window, style, styleName, color, colorName, size string, pos, qty int, price money.Amount) ordering.Line {
	return ordering.Line{Style: style, StyleName: styleName, Color: color, ColorName: colorName, Size: size, SizePosition: pos,
		Qty: qty, UnitPrice: price, Amount: price.Times(qty), DeliveryWindow: window}
}

// order is an order of two styles in two delivery windows.
func order(dealer string, windowName string) ordering.Order {
	created := time.Date(2026, 11, 3, 8, 30, 0, 0, time.UTC)
	submitted := created.Add(time.Hour)
	o := ordering.Order{
		Number: "SO-SS27-000123", Dealer: "D001", DealerName: dealer, Season: "SS27", SeasonName: "Spring/Summer 2027",
		Status: ordering.StatusSubmitted, Reference: "PO-2027-春季", Currency: "CNY",
		CreatedAt: created, UpdatedAt: submitted, SubmittedAt: &submitted, Version: 1,
		DeliveryWindows: []catalog.DeliveryWindow{
			{Code: "D1", Name: windowName, ShipsFrom: date("2027-01-15"), ShipsTo: date("2027-02-15")},
			{Code: "D2", Name: "Drop 2", ShipsFrom: date("2027-03-01"), ShipsTo: date("2027-03-31")},
		},
	}
	sizes := []string{"XS", "S", "M", "L", "XL", "XXL"}
	for i, sz := range sizes {
		o.Lines = append(o.Lines, line("D1", "ST1001", "男士府绸衬衫", "BLK", "黑色", sz, i+1, 10+i, 12900))
		if i > 0 {
			o.Lines = append(o.Lines, line("D1", "ST1001", "男士府绸衬衫", "NVY", "네이비", sz, i+1, 5*i, 12900))
		}
	}
	for i, sz := range []string{"36", "38", "40", "42"} {
		o.Lines = append(o.Lines, line("D2", "ST2001", "Chino 치노 팬츠", "KHA", "Khaki", sz, i+1, 4, 14900))
	}
	ordering.SortLines(o.Lines)
	o.TotalQty, o.TotalAmount = ordering.Totals(o.Lines)
	return o
}

func render(t *testing.T, o ordering.Order, lang string) []byte {
	t.Helper()
	var buf bytes.Buffer
	start := time.Now()
	if err := documents.OrderConfirmation(&buf, o, lang, fontPath(t)); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes in %v", lang, buf.Len(), time.Since(start))
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	if len(b) > maxPDF {
		t.Errorf("the PDF has %d bytes, more than %d: is the font subset?", len(b), maxPDF)
	}
	if os.Getenv("SIZERUN_KEEP_PDF") != "" {
		os.WriteFile(filepath.Join(os.Getenv("SIZERUN_KEEP_PDF"), t.Name()+"-"+lang+".pdf"), b, 0o644)
	}
	return b
}

// text extracts the text of a PDF with pdftotext (Debian poppler-utils).
// Without it, the font's embedding is checked instead: its glyphs and a
// ToUnicode map that covers want.
func text(t *testing.T, pdf []byte, want ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext (poppler-utils) not installed: checking the embedded font instead")
		checkEmbedded(t, pdf, want...)
		return ""
	}
	f := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	s := string(out)
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("the PDF's text lacks %q:\n%s", w, s)
		}
	}
	return s
}

var streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

func checkEmbedded(t *testing.T, pdf []byte, want ...string) {
	t.Helper()
	if !bytes.Contains(pdf, []byte("/FontFile2")) || !bytes.Contains(pdf, []byte("/ToUnicode")) {
		t.Fatal("the font is not embedded with a ToUnicode map")
	}
	var maps strings.Builder
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r)
		if bytes.Contains(b, []byte("begincmap")) {
			maps.Write(b)
		}
	}
	cmap := strings.ToUpper(maps.String())
	for _, w := range want {
		for _, r := range w {
			if r < 0x2E80 {
				continue // only CJK glyphs are at stake
			}
			if !strings.Contains(cmap, fmt.Sprintf("<%04X>", r)) {
				t.Errorf("the ToUnicode map lacks %c (U+%04X) of %q", r, r, w)
			}
		}
	}
}

func TestConfirmationChinese(t *testing.T) {
	o := order("上海衣之源服饰有限公司", "第一批")
	pdf := render(t, o, "zh")
	s := text(t, pdf, "上海衣之源服饰有限公司", "订单确认书", "SO-SS27-000123", "PO-2027-春季", "已提交",
		"男士府绸衬衫", "黑色", "네이비", "交货批次 D1", "第一批", "ST2001", "Sizerun", "CNY")
	if s == "" {
		return
	}
	// The grid: BLK row, its total and value; the totals in CNY.
	for _, re := range []string{
		`BLK\s+黑色\s+10\s+11\s+12\s+13\s+14\s+15\s+75\s+129\.00\s+9,675\.00`,
		`NVY\s+네이비\s+5\s+10\s+15\s+20\s+25\s+75\s+129\.00\s+9,675\.00`,
		`合计\s+10\s+16\s+22\s+28\s+34\s+40\s+150\s+19,350\.00`,
		`KHA\s+Khaki\s+4\s+4\s+4\s+4\s+16\s+149\.00\s+2,384\.00`,
		`件数\s+166`,
		`金额\s+21,734\.00 CNY`,
		`第 1 页，共 1 页`,
	} {
		if !regexp.MustCompile(re).MatchString(s) {
			t.Errorf("the text does not match %s:\n%s", re, s)
		}
	}
}

func TestConfirmationKorean(t *testing.T) {
	o := order("서울패션상사", "1차")
	o.Status = ordering.StatusConfirmed
	confirmed := o.CreatedAt.Add(48 * time.Hour)
	o.ConfirmedAt = &confirmed
	pdf := render(t, o, "ko")
	text(t, pdf, "서울패션상사", "주문 확인서", "확정", "납품 차수 D1", "1차", "치노 팬츠", "2026-11-05 08:30 UTC", "21,734.00 CNY")
}

func TestConfirmationEnglishAndUnknownLanguage(t *testing.T) {
	o := order("上海时装", "Drop 1")
	text(t, render(t, o, "en"), "Order confirmation", "上海时装", "Delivery window D1", "page 1 of 1")
	text(t, render(t, o, "xx"), "Order confirmation")
}

// A big order (5,400 lines, many pages) stays small and repeats the
// table header on each new page.
func TestConfirmationBigOrder(t *testing.T) {
	o := order("上海衣之源服饰有限公司", "第一批")
	o.Lines = nil
	for s := 1; s <= 150; s++ {
		for c := 1; c <= 6; c++ {
			for i, sz := range []string{"XS", "S", "M", "L", "XL", "XXL"} {
				o.Lines = append(o.Lines, line([]string{"D1", "D2"}[s%2], fmt.Sprintf("BK%04d", s), fmt.Sprintf("针织衫 %d", s),
					fmt.Sprintf("C%d", c), fmt.Sprintf("颜色 %d", c), sz, i+1, 2, 1000+money.Amount(s)))
			}
		}
	}
	ordering.SortLines(o.Lines)
	o.TotalQty, o.TotalAmount = ordering.Totals(o.Lines)
	s := text(t, render(t, o, "zh"), "BK0150", "针织衫 150", "交货批次 D2 合计")
	if s != "" && !regexp.MustCompile(`第 \d+ 页，共 (\d\d) 页`).MatchString(s) {
		t.Errorf("no page numbers of a long document")
	}
}

func TestConfirmationMixedPricesAndNoWindow(t *testing.T) {
	o := order("上海时装", "Drop 1")
	o.DeliveryWindows = nil
	for i := range o.Lines {
		o.Lines[i].DeliveryWindow = ""
	}
	o.Lines[0].UnitPrice, o.Lines[0].Amount = 10000, 10000*money.Amount(o.Lines[0].Qty)
	o.TotalQty, o.TotalAmount = ordering.Totals(o.Lines)
	text(t, render(t, o, "en"), "No delivery window", "varies", "Total without delivery window")

	o.Lines = nil
	text(t, render(t, o, "en"), "This order has no lines.")
}

func TestConfirmationWithoutFont(t *testing.T) {
	var buf bytes.Buffer
	err := documents.OrderConfirmation(&buf, order("上海时装", "D1"), "zh", filepath.Join(t.TempDir(), "missing.ttf"))
	if err == nil || !strings.Contains(err.Error(), "SIZERUN_PDF_FONT") || !strings.Contains(err.Error(), "missing.ttf") {
		t.Fatalf("err = %v, want one naming SIZERUN_PDF_FONT and the path", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written", buf.Len())
	}
	notFont := filepath.Join(t.TempDir(), "font.ttf")
	os.WriteFile(notFont, []byte("<html>"), 0o644)
	if err := documents.OrderConfirmation(&buf, order("上海时装", "D1"), "zh", notFont); err == nil || !strings.Contains(err.Error(), "not a TrueType") {
		t.Fatalf("err = %v", err)
	}
	if err := documents.OrderConfirmation(&buf, order("上海时装", "D1"), "zh", ""); err == nil || !strings.Contains(err.Error(), "SIZERUN_PDF_FONT") {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkConfirmation(b *testing.B) {
	c := documents.NewConfirmations(fontPath(b), nil)
	o := order("上海衣之源服饰有限公司", "第一批")
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Write(io.Discard, o, "zh"); err != nil {
			b.Fatal(err)
		}
	}
}

// Debian's fonts each lack a script: DroidSansFallbackFull has no Latin
// letters, digits or Hangul, so the set completes it with its companions.
func TestFontCoverage(t *testing.T) {
	droid, err := documents.LoadFont(documents.DroidSansFallbackFull)
	if err != nil {
		t.Fatal(err)
	}
	for r, want := range map[rune]bool{'上': true, '衣': true, 'A': false, '1': false, '서': false} {
		if droid.Has(r) != want {
			t.Errorf("DroidSansFallbackFull has %c: %v, want %v", r, !want, want)
		}
	}
	set, err := documents.LoadFonts(fontPath(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "Az09上海衣之源서울패션상사·–…" {
		covered := false
		for _, f := range set.Fonts {
			covered = covered || f.Has(r)
		}
		if !covered {
			t.Errorf("no font of the set has %c (U+%04X): install fonts-nanum and fonts-dejavu-core", r, r)
		}
	}

	// A set without Hangul refuses Korean text rather than drawing boxes.
	doc := (&documents.FontSet{Spec: documents.DroidSansFallbackFull, Fonts: []*documents.Font{droid}}).NewDoc()
	doc.AddPage()
	doc.Cell(50, 5, "上海 서울", "", 1, "L", false)
	if err := doc.Err(); err == nil || !strings.Contains(err.Error(), "SIZERUN_PDF_FONT") || !strings.Contains(err.Error(), "U+C11C") {
		t.Errorf("err = %v, want one naming the character and SIZERUN_PDF_FONT", err)
	}
	// Symbols no font has are drawn as "?" without failing.
	doc = set.NewDoc()
	doc.AddPage()
	doc.Cell(50, 5, "PO 🙂", "", 1, "L", false)
	if err := doc.Err(); err != nil {
		t.Errorf("symbol: %v", err)
	}
}

func TestLoadFontsList(t *testing.T) {
	set, err := documents.LoadFonts(documents.NanumGothic + string(filepath.ListSeparator) + documents.DroidSansFallbackFull)
	if err != nil {
		t.Fatal(err)
	}
	if set.Fonts[0].Path != documents.NanumGothic || set.Fonts[1].Path != documents.DroidSansFallbackFull {
		t.Errorf("order: %s, %s", set.Fonts[0].Path, set.Fonts[1].Path)
	}
	if _, err := documents.LoadFonts(documents.DroidSansFallbackFull + ":/nonexistent/font.ttf"); err == nil || !strings.Contains(err.Error(), "/nonexistent/font.ttf") {
		t.Errorf("missing second font: %v", err)
	}
}
