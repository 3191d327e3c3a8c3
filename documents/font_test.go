package documents_test

import (
	"bytes"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sizerun/sizerun/documents"
)

// mixed is text that needs the three companion fonts.
const mixed = "ST1001 男士府绸衬衫 NVY 네이비 · 12 pcs"

// writeDoc writes a one-page document of mixed text with l's fonts.
func writeDoc(tb testing.TB, l *documents.FontLoader, w io.Writer) {
	tb.Helper()
	d, err := l.NewDoc()
	if err != nil {
		tb.Fatal(err)
	}
	d.AddPage()
	d.TextSize(11)
	d.Cell(0, 6, mixed, "1", 1, "L", false)
	if err := d.Err(); err != nil {
		tb.Fatal(err)
	}
	if err := d.Output(w); err != nil {
		tb.Fatal(err)
	}
}

// A loader reads its font files once: documents after the first are
// written from memory, by any number of goroutines.
func TestFontLoaderReadsOnce(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, p := range []string{documents.DejaVuSans, documents.DroidSansFallbackFull, documents.NanumGothic} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("install fonts-dejavu-core, fonts-droid-fallback and fonts-nanum: %v", err)
		}
		q := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(q, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, q)
	}
	l := documents.NewFontLoader(strings.Join(paths, string(filepath.ListSeparator)))
	first, err := l.Fonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		os.Remove(p)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if set, err := l.Fonts(); err != nil || set != first {
				t.Errorf("Fonts() = %p, %v; want the first set %p", set, err, first)
			}
			writeDoc(t, l, io.Discard)
		})
	}
	wg.Wait()

	// A new loader of the removed files fails, naming the setting.
	if _, err := documents.NewFontLoader(paths[0]).NewDoc(); err == nil || !strings.Contains(err.Error(), "SIZERUN_PDF_FONT") {
		t.Errorf("err = %v, want one naming SIZERUN_PDF_FONT", err)
	}
}

// A cell that does not fit above the bottom margin goes, border and text,
// to the next page in its own size, whatever size the footer writes in.
func TestCellBreaksPage(t *testing.T) {
	d, err := documents.NewFontLoader(fontPath(t)).NewDoc()
	if err != nil {
		t.Fatal(err)
	}
	d.SetAutoPageBreak(true, 15)
	d.SetFooterFunc(func() {
		d.SetY(-12)
		d.TextSize(6)
		d.Cell(0, 5, "footer 바닥글", "", 0, "C", false)
	})
	d.AddPage()
	d.TextSize(12)
	d.SetY(276)
	d.Cell(40, 8, "cell 네이비", "1", 0, "L", false)
	if d.PageNo() != 2 {
		t.Fatalf("page %d, want 2", d.PageNo())
	}
	if left, top, _, _ := d.GetMargins(); math.Abs(d.GetY()-top) > 1e-6 || math.Abs(d.GetX()-left-40) > 1e-6 {
		t.Errorf("cursor at %v, %v; want %v, %v", d.GetX(), d.GetY(), left+40, top)
	}
	if pt, _ := d.GetFontSize(); pt != 12 {
		t.Errorf("font size %.1f pt after the footer, want 12", pt)
	}
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed")
	}
	f := filepath.Join(t.TempDir(), "d.pdf")
	os.WriteFile(f, buf.Bytes(), 0o644)
	for page, want := range map[string]string{"1": "footer 바닥글", "2": "cell 네이비"} {
		out, err := exec.Command(bin, "-f", page, "-l", page, "-layout", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("page %s lacks %q:\n%s", page, want, out)
		}
		if page == "1" && strings.Contains(string(out), "cell") {
			t.Errorf("page 1 has the cell's text:\n%s", out)
		}
	}
}

// BenchmarkDoc writes a document of Latin, Chinese and Korean text: with
// one loader for all documents (the fonts read once), and with a loader per
// document (the fonts read from disk for each).
func BenchmarkDoc(b *testing.B) {
	spec := fontPath(b)
	b.Run("shared-loader", func(b *testing.B) {
		l := documents.NewFontLoader(spec)
		writeDoc(b, l, io.Discard)
		b.ReportAllocs()
		for b.Loop() {
			writeDoc(b, l, io.Discard)
		}
	})
	b.Run("loader-per-doc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			writeDoc(b, documents.NewFontLoader(spec), io.Discard)
		}
	})
}
