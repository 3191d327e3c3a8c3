package e2e

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// shotLangs are the languages of the screenshots: a buyer in Shanghai sees
// the portal in Chinese first.
var shotLangs = []string{"en", "zh"}

// TestScreenshots takes 1280×800 PNGs of the main page of each role and of
// the order grid, the rollup matrix and the fabric forecast, in English and
// Chinese, into $SIZERUN_SCREENSHOTS (`make screenshots` sets it to
// docs/screenshots); without it, into a temporary directory, so that
// `go test ./...` still checks that they can be taken.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SIZERUN_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if !filepath.IsAbs(dir) {
		root, err := moduleRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := startSite(t)
	s.requirePage(t, "/rollups", "pages.RegisterPlanning(aggSvc)")
	s.requirePage(t, "/forecasts/fabric", "pages.RegisterPlanning(aggSvc)")

	shoot := func(tb *tab, name, lang string) {
		tb.t.Helper()
		tb.do("leave the focused field", blur())
		eval[bool](tb, "wait for the fonts", `document.fonts.ready.then(() => { window.scrollTo(0, 0); return true; })`)
		b := tb.screenshot()
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s-%s: not a PNG: %v", name, lang, err)
		}
		if r := img.Bounds(); r.Dx() != 1280 || r.Dy() != 800 {
			t.Errorf("%s-%s is %d×%d, want 1280×800", name, lang, r.Dx(), r.Dy())
		}
		file := filepath.Join(dir, name+"-"+lang+".png")
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s (%d KB)", file, len(b)/1024)
	}

	// The dealer's home and a grid being filled in.
	dealer := newTab(t, s)
	dealer.login("dealer01@demo.test")
	for _, lang := range shotLangs {
		dealer.setLang(lang)
		if dealer.path() != "/home" {
			dealer.open("/home")
		}
		shoot(dealer, "dealer-home", lang)
		dealer.open("/catalog")
		dealer.follow("#styles tbody tr:first-child a.code")
		typeGrid(dealer, []string{"6", kb.ArrowRight, "12", kb.ArrowRight, "18", kb.ArrowRight, "12", kb.ArrowRight, "6",
			kb.ArrowDown, "6", kb.ArrowLeft, "12", kb.ArrowLeft, "12", kb.ArrowLeft, "6"})
		shoot(dealer, "order-grid", lang)
		dealer.open("/home") // the unsaved grid asks before leaving; the tab says yes
	}

	// The planner's home, dashboard and rollup matrix.
	planner := newTab(t, s)
	planner.login("planner@demo.test")
	for _, lang := range shotLangs {
		planner.setLang(lang)
		shoot(planner, "planner-home", lang)
		if s.hasPage("/planning") {
			planner.open("/planning")
			shoot(planner, "planning-dashboard", lang)
		}
		planner.open("/rollups")
		shoot(planner, "rollup-matrix", lang)
		planner.open("/home")
	}

	// The supplier's home and its fabric forecast.
	supplier := newTab(t, s)
	supplier.login("supplier01@demo.test")
	for _, lang := range shotLangs {
		supplier.setLang(lang)
		shoot(supplier, "supplier-home", lang)
		supplier.open("/forecasts/fabric")
		shoot(supplier, "fabric-forecast", lang)
		supplier.open("/home")
	}

	// The sign-in page, as everyone first sees it.
	anon := newTab(t, s)
	anon.open("/login")
	for _, lang := range shotLangs {
		anon.setLang(lang)
		shoot(anon, "sign-in", lang)
	}
}

// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// blur takes the focus from the active element (no caret in a screenshot).
func blur() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`)
}
