package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tabletWidth is the viewport of a tablet held upright (an iPad's 768 CSS px).
const tabletWidth = 768

// TestTablet opens every page of every role's navigation, and a detail page
// behind each, in a 768 px wide viewport: nothing may stick out sideways
// (wide tables scroll in their own box), the top bar's controls do not
// overlap, and every page passes the audit of tab.audit (labels, errors next
// to fields, no raw message keys) and of the network log (no other host, at
// most 300 KB). The navigation's pages are also opened in the other two
// languages at 1280 px. A dealer pastes a row from a spreadsheet into the grid.
func TestTablet(t *testing.T) {
	s := startSite(t)
	roles := []struct {
		name, email string
		lang        string // the language of the tablet pass; the others get a quick pass at 1280 px
		// deeper: on the page at the key, follow the first link sel matches.
		deeper map[string]string
	}{
		{"Dealer", "dealer03@demo.test", "ko", map[string]string{
			"/catalog": "#styles tbody tr:first-child a.code",
			"/orders":  "#orders tbody tr:first-child a",
			"/returns": "main table tbody tr:first-child a",
		}},
		{"Planner", "planner@demo.test", "en", map[string]string{
			"/orders":            "#orders tbody tr:first-child td.code a",
			"/rollups":           "#matrix tr.mq td a",
			"/production-orders": "#production-orders tbody tr:first-child a",
			"/forecasts/fabric":  "#forecast tbody tr:first-child a",
			"/dealers":           "main table tbody tr:first-child a",
		}},
		{"Supplier", "supplier01@demo.test", "zh", map[string]string{
			"/forecasts/fabric": "#forecast tbody tr:first-child a",
		}},
		{"Admin", "admin@demo.test", "zh", nil},
	}
	for _, r := range roles {
		t.Run(r.name, func(t *testing.T) {
			tb := newTab(t, s)
			tb.do("tablet viewport", chromedp.EmulateViewport(tabletWidth, 1024, chromedp.EmulateTouch))
			tb.open("/login")
			tb.checkWidth()
			tb.login(r.email)
			tb.checkWidth()
			tb.checkTopBar()
			links := eval[[]string](tb, "read the navigation", `Array.from(document.querySelectorAll("nav.mainnav a"), a => a.getAttribute("href"))`)
			if len(links) < 1 {
				t.Fatalf("%s navigation has %d links", r.name, len(links))
			}
			if r.name == "Planner" && !contains(links, "/planning") && s.hasPage("/planning") {
				links = append(links, "/planning")
			}
			// At a desktop's 1280 px, the top bar holds together in every
			// language, and in the other two languages every page passes the
			// audit (no raw keys).
			tb.do("desktop viewport", chromedp.EmulateViewport(1280, 800))
			for _, lang := range []string{"zh", "ko", "en"} {
				tb.setLang(lang)
				tb.checkTopBar()
				if lang == r.lang {
					continue
				}
				for _, href := range links {
					tb.open(href)
				}
			}
			tb.do("tablet viewport", chromedp.EmulateViewport(tabletWidth, 1024, chromedp.EmulateTouch))
			tb.setLang(r.lang)
			tb.checkTopBar()
			for _, href := range links {
				tb.open(href)
				tb.checkWidth()
				if sel, ok := r.deeper[href]; ok && tb.has(sel) {
					tb.follow(sel)
					tb.checkWidth()
				}
			}
			// The user menu opens within the screen.
			tb.do("open the user menu", chromedp.Click(chromedp.CSS("details.usermenu summary")))
			tb.checkWidth()
		})
	}

	t.Run("PasteRow", func(t *testing.T) {
		tb := newTab(t, s)
		tb.do("tablet viewport", chromedp.EmulateViewport(tabletWidth, 1024, chromedp.EmulateTouch))
		tb.login("dealer04@demo.test")
		tb.follow(`nav.mainnav a[href="/catalog"]`)
		tb.follow("#styles tbody tr:first-child a.code")
		before := readGrid(tb)
		if len(before.Cells) < 2 || len(before.Cells[1]) < 3 {
			t.Fatalf("the grid has %v cells, want at least 2 colours × 3 sizes", before.Cells)
		}
		// Three sizes of the second colour, as a spreadsheet copies a row:
		// tab-separated, thousands grouped, a newline at the end.
		tb.paste("table.ordergrid tbody tr:nth-child(2) input.qty", "12\t1,008\t6\r\n")
		g := readGrid(tb)
		if got := g.Cells[1][:3]; strings.Join(got, " ") != "12 1008 6" {
			t.Fatalf("after pasting 12⇥1,008⇥6 into the second colour: cells %v, want [12 1008 6]", got)
		}
		checkTotals(t, g, []int{0, 1026}, 1026)
		tb.checkWidth()

		// A block of two rows fills two colours.
		tb.paste("table.ordergrid tbody tr:first-child input.qty", "1\t2\n3\t4\n")
		g = readGrid(tb)
		if got := fmt.Sprint(g.Cells[0][:2], g.Cells[1][:3]); got != "[1 2] [3 4 6]" {
			t.Fatalf("after pasting a 2×2 block in the first cell: %s, want [1 2] [3 4 6]", got)
		}
		checkTotals(t, g, []int{3, 13}, 16)
	})
}

// checkWidth fails when the page is wider than the viewport, naming the
// elements that stick out (and are not inside a box that scrolls).
func (tb *tab) checkWidth() {
	tb.t.Helper()
	if p := tb.widthProblem(); p != "" {
		tb.t.Error(p)
	}
}

// widthProblem describes how the page is wider than the tablet, or is "".
func (tb *tab) widthProblem() string {
	tb.t.Helper()
	type overflow struct {
		Width int      `json:"width"`
		View  int      `json:"view"`
		Wide  []string `json:"wide"`
	}
	o := eval[overflow](tb, "measure the page", `(() => {
  const view = document.documentElement.clientWidth;
  const width = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  const wide = [];
  if (width > view) {
    const scrolls = (e) => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX; if (ox === "auto" || ox === "scroll" || ox === "hidden") return true; } return false; };
    for (const e of document.body.querySelectorAll("*")) {
      const r = e.getBoundingClientRect();
      if (r.right > view + 1 && !scrolls(e)) {
        wide.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right));
        if (wide.length >= 8) break;
      }
    }
  }
  return {width, view, wide};
})()`)
	if o.View != tabletWidth {
		tb.t.Fatalf("viewport is %d px wide, want %d", o.View, tabletWidth)
	}
	if o.Width > o.View {
		return fmt.Sprintf("%s is %d px wide in a %d px viewport; sticking out: %s", tb.where(), o.Width, o.View, strings.Join(o.Wide, ", "))
	}
	return ""
}

// checkTopBar fails when the controls of the top bar (the brand, each
// navigation link, the language buttons, the user menu) overlap one another
// where they can be seen. A navigation that scrolls sideways in its own row
// is fine; links drawn over the language switch are not.
func (tb *tab) checkTopBar() {
	tb.t.Helper()
	if p := tb.topBarProblem(); p != "" {
		tb.t.Error(p)
	}
}

func (tb *tab) topBarProblem() string {
	tb.t.Helper()
	clashes := eval[[]string](tb, "measure the top bar", `(() => {
  const visible = (e) => {
    let r = e.getBoundingClientRect();
    let box = {l: r.left, t: r.top, r: r.right, b: r.bottom};
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX === "visible" && getComputedStyle(p).overflowY === "visible") continue;
      const c = p.getBoundingClientRect();
      box = {l: Math.max(box.l, c.left), t: Math.max(box.t, c.top), r: Math.min(box.r, c.right), b: Math.min(box.b, c.bottom)};
    }
    box = {l: Math.max(box.l, 0), t: box.t, r: Math.min(box.r, document.documentElement.clientWidth), b: box.b};
    return box.r - box.l > 1 && box.b - box.t > 1 ? box : null;
  };
  const name = (e) => (e.textContent || e.getAttribute("aria-label") || e.className).replace(/\s+/g, " ").trim();
  const items = [];
  const add = (sel) => document.querySelectorAll(sel).forEach(e => { const b = visible(e); if (b) items.push({e, b}); });
  add(".topbar a.brand");
  add("nav.mainnav a");
  add(".topbar .langswitch button");
  add(".topbar details.usermenu > summary");
  const out = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const a = items[i].b, b = items[j].b;
    const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (w > 1 && h > 1) out.push(JSON.stringify(name(items[i].e)) + " overlaps " + JSON.stringify(name(items[j].e)));
  }
  return out;
})()`)
	if len(clashes) > 0 {
		w := eval[int](tb, "measure the window", `document.documentElement.clientWidth`)
		return fmt.Sprintf("%s at %d px: the top bar's controls overlap: %s", tb.where(), w, strings.Join(clashes, "; "))
	}
	return ""
}

// paste puts text on the clipboard and pastes it into sel with Ctrl+V, as
// a user pasting from a spreadsheet does.
func (tb *tab) paste(sel, text string) {
	tb.t.Helper()
	bctx := chromedp.FromContext(tb.ctx).BrowserContextID
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	for _, p := range []*cdpbrowser.PermissionDescriptor{
		{Name: "clipboard-read"},
		{Name: "clipboard-write", AllowWithoutSanitization: true},
	} {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: p, Setting: cdpbrowser.PermissionSettingGranted, Origin: tb.origin, BrowserContextID: bctx})
		if err != nil {
			tb.t.Fatalf("allow the clipboard: %v", err)
		}
	}
	tb.do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	eval[chromedp.Void](tb, "copy to the clipboard", `navigator.clipboard.writeText(`+js(text)+`)`)
	tb.do("press Ctrl+V", chromedp.KeyEvent("v", chromedp.KeyModifiers(kb.ModifierCtrl)))
}
