package aggregation_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/aggregation/aggtest"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// pdfText extracts the text of a PDF with pdftotext (Debian poppler-utils).
// SIZERUN_KEEP_PDF=dir keeps the PDF there.
func pdfText(t *testing.T, name string, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (Debian poppler-utils) is needed to read the PDF")
	}
	dir := t.TempDir()
	if keep := os.Getenv("SIZERUN_KEEP_PDF"); keep != "" {
		dir = keep
	}
	f := filepath.Join(dir, name)
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// Production orders and forecasts print Chinese and Korean names in their
// own glyphs (no boxes, no "?"), with Latin text and digits beside them.
func TestPDFsInChineseAndKorean(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE styles SET name = '男士府绸衬衫 셔츠' WHERE code = 'ST01'`,
		`UPDATE colors SET name = '네이비' WHERE code = 'NVY'`,
		`UPDATE colors SET name = '黑色' WHERE code = 'BLK'`,
		`UPDATE fabrics SET name = '코튼 포플린 Poplin' WHERE code = 'FAB-POP'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var lines []aggtest.Line
	for i, sz := range []string{"XS", "S", "M", "L", "XL"} {
		lines = append(lines, aggtest.Line{SKU: f.FindSKU(t, "ST01", "NVY", sz), Qty: 6 * (i + 1)},
			aggtest.Line{SKU: f.FindSKU(t, "ST01", "BLK", sz), Qty: 12})
	}
	lines = append(lines, aggtest.Line{SKU: f.FindSKU(t, "ST04", "NVY", "38"), Qty: 3})
	f.CreateOrder(t, db, "SS27", "D01", "submitted", lines)

	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	planner := auth.Principal{UserID: f.Users["planner"], Role: auth.RolePlanner, Email: "planner@fixture.test"}
	po, err := svc.CreateProductionOrder(ctx, planner, aggregation.ProductionRequest{Season: "SS27", OveragePct: "0"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Release(ctx, planner, po.Number); err != nil {
		t.Fatal(err)
	}
	doc, err := svc.ProductionOrderDocument(ctx, planner, po.Number, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if doc.ContentType != aggregation.ContentPDF || len(doc.Body) > 500<<10 {
		t.Errorf("%s, %d bytes (are the fonts subset?)", doc.ContentType, len(doc.Body))
	}
	text := pdfText(t, "production.pdf", doc.Body)
	for _, want := range []string{"Production order " + po.Number, "ST01 男士府绸衬衫 셔츠", "NVY 네이비", "BLK 黑色",
		"ST04 款式 ST04", "코튼 포플린 Poplin", "page 1/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the production order PDF lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "?") {
		t.Errorf("the production order PDF has a \"?\":\n%s", text)
	}

	doc, err = svc.ForecastDocument(ctx, planner, "SS27", "pdf")
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, "forecast.pdf", doc.Body)
	for _, want := range []string{"Fabric forecast SS27", "FAB-POP", "코튼 포플린 Poplin", "FAB-DEN 面料", "Supplier"} {
		if !strings.Contains(text, want) {
			t.Errorf("the forecast PDF lacks %q:\n%s", want, text)
		}
	}
	if weeks := regexp.MustCompile(`S0[12]\s+\d{4}-\d{2}-\d{2}\s`).FindAllString(text, -1); len(weeks) != 3 || strings.Contains(text, "…") {
		t.Errorf("the forecast PDF's weeks are cut short:\n%s", text)
	}
}

// Without its font a PDF is an error naming SIZERUN_PDF_FONT and the path,
// never a document of boxes; the other formats still work.
func TestPDFWithoutFont(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx := context.Background()
	f.CreateOrder(t, db, "SS27", "D01", "submitted", []aggtest.Line{{SKU: f.FindSKU(t, "ST01", "NVY", "M"), Qty: 6}})
	missing := filepath.Join(t.TempDir(), "missing.ttf")
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{PDFFont: aggregation.DefaultPDFFont + ":" + missing})
	planner := auth.Principal{UserID: f.Users["planner"], Role: auth.RolePlanner, Email: "planner@fixture.test"}
	po, err := svc.CreateProductionOrder(ctx, planner, aggregation.ProductionRequest{Season: "SS27", OveragePct: "0"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, export := range map[string]func(format string) (aggregation.Document, error){
		"production order": func(format string) (aggregation.Document, error) {
			return svc.ProductionOrderDocument(ctx, planner, po.Number, format)
		},
		"forecast": func(format string) (aggregation.Document, error) {
			return svc.ForecastDocument(ctx, planner, "SS27", format)
		},
	} {
		doc, err := export("pdf")
		if err == nil || !strings.Contains(err.Error(), "SIZERUN_PDF_FONT") || !strings.Contains(err.Error(), missing) {
			t.Errorf("%s: err = %v, want one naming SIZERUN_PDF_FONT and %s", name, err, missing)
		}
		if len(doc.Body) != 0 {
			t.Errorf("%s: %d bytes of PDF", name, len(doc.Body))
		}
		if _, err := export("csv"); err != nil {
			t.Errorf("%s csv: %v", name, err)
		}
	}
}

// A style with more colours than a page holds continues on the next page:
// every row whole on one page, in its size, and "page n/N" in the footers.
func TestProductionPDFOverPages(t *testing.T) {
	db := pgtest.New(t)
	f := aggtest.New(t, db)
	ctx := context.Background()
	const q = `
WITH c AS (
    INSERT INTO colors (style_id, code, name)
    SELECT s.id, 'C' || lpad(g::text, 2, '0'), '색상 ' || g || ' 颜色'
    FROM styles s, generate_series(1, 60) g WHERE s.code = 'ST01'
    RETURNING id, style_id, code)
INSERT INTO skus (style_id, color_id, size_id)
SELECT c.style_id, c.id, z.id FROM c JOIN styles s ON s.id = c.style_id JOIN sizes z ON z.size_scale_id = s.size_scale_id
WHERE z.code = 'M'
RETURNING id, style_id, color_id, size_id`
	rows, err := db.QueryxContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var lines []aggtest.Line
	for rows.Next() {
		k := aggtest.SKU{Style: "ST01", Size: "M"}
		if err := rows.Scan(&k.ID, &k.StyleID, &k.ColorID, &k.SizeID); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, aggtest.Line{SKU: k, Qty: 6})
	}
	if err := rows.Err(); err != nil || len(lines) != 60 {
		t.Fatalf("%d SKUs: %v", len(lines), err)
	}
	lines = append(lines, aggtest.Line{SKU: f.FindSKU(t, "ST03", "KHK", "40"), Qty: 10})
	f.CreateOrder(t, db, "SS27", "D01", "submitted", lines)
	svc := aggregation.NewService(aggdb.New(db), aggregation.Options{})
	planner := auth.Principal{UserID: f.Users["planner"], Role: auth.RolePlanner, Email: "planner@fixture.test"}
	po, err := svc.CreateProductionOrder(ctx, planner, aggregation.ProductionRequest{Season: "SS27", OveragePct: "0"}, "")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := svc.ProductionOrderDocument(ctx, planner, po.Number, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdfText(t, "production-long.pdf", doc.Body), "\f")
	if len(pages) < 3 || strings.TrimSpace(pages[len(pages)-1]) != "" {
		t.Fatalf("%d pages, want 2 and an empty end:\n%s", len(pages)-1, strings.Join(pages, "\n=== page ===\n"))
	}
	pages = pages[:len(pages)-1]
	all := strings.Join(pages, "\n")
	for i := 1; i <= 60; i++ {
		// "C07 색상 7 颜色" and its quantity 6, on one line of one page.
		row := regexp.MustCompile(fmt.Sprintf(`C%02d 색상 %d 颜色\s+6\s+6\n`, i, i))
		if n := len(row.FindAllString(all, -1)); n != 1 {
			t.Errorf("colour C%02d: %d whole rows", i, n)
		}
	}
	for i, p := range pages {
		if want := fmt.Sprintf("page %d/%d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q:\n%s", i+1, want, p)
		}
	}
	if !strings.Contains(all, "ST03 款式 ST03") || !strings.Contains(all, "FAB-DEN 面料") {
		t.Errorf("the second style is missing:\n%s", all)
	}
}
