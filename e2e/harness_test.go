package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// badPage breaks every rule the other tests check: an unlabelled field, an
// error far from its field, a raw message key, a script and an image from
// another host, a script error, and a block wider than a tablet.
const badPage = `<!doctype html><html lang="en"><head><title>bad</title>
<script src="http://localhost:1/cdn.js"></script></head><body>
<main>
<form><div class="field"><label for="a">Name</label><input id="a" aria-invalid="true" aria-describedby="a-err"></div>
<input id="nolabel" name="q"><button type="submit"></button></form>
<p class="field-error" id="a-err">far away</p>
<p>Total: orders.grid.total</p>
<div style="width: 1200px">wide</div>
<img src="http://localhost:1/logo.png" alt="">
<script>undefinedFunction();</script>
</main></body></html>`

// goodPage breaks none: a scrolling wide table, labelled fields, an error
// next to its field, an e-mail address and a file name that look dotted.
const goodPage = `<!doctype html><html lang="en"><head><title>good</title></head><body>
<main>
<form><div class="field"><label for="a">Name</label><input id="a" aria-invalid="true" aria-describedby="a-err">
<p class="field-error" id="a-err">Required</p></div>
<input type="hidden" name="csrf"><input aria-label="Search" name="q"><button type="submit">Go</button></form>
<p>planner@demo.test · orders.csv · order.pdf · home</p>
<div style="overflow-x: auto"><table style="width: 1200px"><tr><td>wide, in its own box</td></tr></table></div>
</main></body></html>`

// TestHarness proves that the checks the browser tests rely on catch what
// they are meant to, on two pages served from a local server.
func TestHarness(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/bad":
			w.Write([]byte(badPage))
		case "/good":
			w.Write([]byte(goodPage))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	tb := newTab(t, &site{origin: srv.URL})
	tb.do("tablet viewport", chromedp.EmulateViewport(tabletWidth, 1024))

	if st := tb.openStatus("/bad"); st != 200 {
		t.Fatalf("GET /bad: %d", st)
	}
	audit := strings.Join(tb.auditProblems(), "\n")
	for _, want := range []string{"input#nolabel[name=q]", "button", "input#a", "orders.grid.total"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit of the bad page does not name %q:\n%s", want, audit)
		}
	}
	if p := tb.widthProblem(); !strings.Contains(p, "1200") && !strings.Contains(p, "div") {
		t.Errorf("the width check of the bad page says %q, want the 1200 px div", p)
	}
	net := strings.Join(tb.net.problems(), "\n")
	for _, want := range []string{"http://localhost:1/cdn.js", "http://localhost:1/logo.png", "undefinedFunction"} {
		if !strings.Contains(net, want) {
			t.Errorf("the network log of the bad page does not name %q:\n%s", want, net)
		}
	}

	if st := tb.openStatus("/good"); st != 200 {
		t.Fatalf("GET /good: %d", st)
	}
	if p := tb.auditProblems(); len(p) > 0 {
		t.Errorf("the audit finds fault with the good page: %v", p)
	}
	if p := tb.widthProblem(); p != "" {
		t.Errorf("the width check finds fault with the good page: %s", p)
	}
	if p := tb.net.problems(); len(p) > 0 {
		t.Errorf("the network log finds fault with the good page: %v", p)
	}

	for text, want := range map[string]string{
		"Qty: orders.grid.total.":                    "orders.grid.total",
		"see nav.home":                               "nav.home",
		"dealer01@demo.test, status.pdf, orders.csv": "",
		"https://x.test/orders.list/x":               "",
		"planning.po.status.released, fine":          "planning.po.status.released",
	} {
		if got := strings.Join(rawKeys(text), ","); got != want {
			t.Errorf("rawKeys(%q) = %q, want %q", text, got, want)
		}
	}
}
