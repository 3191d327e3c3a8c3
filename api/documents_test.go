package api_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/documents"
)

func TestConfirmationPDFAPI(t *testing.T) {
	a := newDocsAPI(t, documents.DroidSansFallbackFull)
	dealer := a.token("dealer01@test.test")
	rec := a.upload(dealer, "a.csv", []byte("season,style,color,size,qty,reference\nSS27,ST1001,BLK,M,6,春季补货\nSS27,ST1001,NVY,L,6,春季补货\n"), nil)
	if rec.Code != 201 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	number := decodeJSON[api.List[importedOrder]](t, rec).Items[0].Number
	path := "/api/v1/orders/" + number + "/confirmation.pdf"

	for _, tc := range []struct {
		who, query, accept string
		want               []string
	}{
		{"dealer01@test.test", "?lang=zh", "", []string{"订单确认书", "上海时装", number, "春季补货", "1,548.00 CNY"}},
		{"planner@test.test", "?lang=ko", "zh-CN", []string{"주문 확인서", "上海时装"}},
		{"dealer01b@test.test", "?lang=xx", "", []string{"Order confirmation", "上海时装"}},
	} {
		rec := a.get(path+tc.query, a.token(tc.who), "Accept-Language", tc.accept)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", tc.who, rec.Code, rec.Body)
		}
		h := rec.Header()
		if h.Get("Content-Type") != "application/pdf" || h.Get("Content-Disposition") != `attachment; filename="`+number+`.pdf"` {
			t.Errorf("headers %v", h)
		}
		pdf := rec.Body.Bytes()
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) > 500<<10 {
			t.Fatalf("%d bytes starting %q", len(pdf), pdf[:min(8, len(pdf))])
		}
		if bin, err := exec.LookPath("pdftotext"); err == nil {
			f := filepath.Join(t.TempDir(), "c.pdf")
			os.WriteFile(f, pdf, 0o644)
			out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("%s: the PDF lacks %q:\n%s", tc.who, w, out)
				}
			}
		}
	}

	// Scope: another dealer's order is not found, suppliers are forbidden.
	wantAPIError(t, a.get(path, a.token("dealer02@test.test")), 404, "not_found")
	wantAPIError(t, a.get(path, a.token("supplier01@test.test")), 403, "forbidden")
	wantAPIError(t, a.get("/api/v1/orders/SO-NOPE-1/confirmation.pdf", dealer), 404, "not_found")
	wantAPIError(t, a.get(path, ""), 401, "unauthorized")
}

// Without its font the server answers 500 (logged with the reason naming
// SIZERUN_PDF_FONT), never a PDF of empty boxes.
func TestConfirmationPDFAPIWithoutFont(t *testing.T) {
	a := newDocsAPI(t, filepath.Join(t.TempDir(), "missing.ttf"))
	dealer := a.token("dealer01@test.test")
	rec := a.upload(dealer, "a.csv", []byte("season,style,color,size,qty\nSS27,ST1001,BLK,M,6\n"), nil)
	number := decodeJSON[api.List[importedOrder]](t, rec).Items[0].Number
	wantAPIError(t, a.get("/api/v1/orders/"+number+"/confirmation.pdf", dealer), 500, "internal")
}

func TestPDFName(t *testing.T) {
	for in, want := range map[string]string{"SO-SS27-000001": "SO-SS27-000001.pdf", `a"b/../c`: "a_b_.._c.pdf", "": "document.pdf"} {
		if got := api.PDFName(in); got != want {
			t.Errorf("PDFName(%q) = %q, want %q", in, got, want)
		}
	}
}
