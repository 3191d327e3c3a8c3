package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sizerun/sizerun/i18n"
)

const (
	// step bounds every single browser action (a click, a page load, a query).
	step = 15 * time.Second
	// maxPageBytes is the most one page load may transfer: the document and
	// everything it loads, as sent over the wire (compressed).
	maxPageBytes = 300 * 1024
)

// tab is one browser tab in a browser context of its own (its own cookies),
// signed in as at most one user. Every request it makes is recorded: the
// test fails at its end when a page loaded anything from another host,
// weighed over maxPageBytes, or threw a script error.
type tab struct {
	t      *testing.T
	ctx    context.Context
	origin string
	net    *netlog
}

// newTab opens a tab on s with a 1280×800 viewport and the HTTP cache off,
// so that each page load is weighed whole.
func newTab(t *testing.T, s *site) *tab {
	t.Helper()
	rec := &netlog{origin: s.origin, reqs: map[network.RequestID]reqInfo{}, pages: map[cdp.LoaderID]*pageLoad{}}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(rec.handle))
	tb := &tab{t: t, ctx: ctx, origin: s.origin, net: rec}
	rec.dialog = func(ev *page.EventJavascriptDialogOpening) {
		// A dialog blocks the page and the action that opened it, so it is
		// answered from another goroutine: confirm() says yes; leaving a
		// page with unsaved changes is fine.
		go func() {
			cctx, ccancel := context.WithTimeout(ctx, step)
			defer ccancel()
			chromedp.Call(cctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}()
	}

	// The first Do opens the tab and ties it to ctx, so it gets no deadline
	// of its own; a watchdog bounds it instead.
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx) }()
	select {
	case err := <-opened:
		if err != nil {
			cancel()
			t.Fatalf("open a tab: %v", err)
		}
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("open a tab: no tab within 30s")
	}
	t.Cleanup(func() {
		if t.Failed() {
			tb.keepScreenshot()
		}
		cancel()
		rec.check(t)
		if u, n := rec.heaviest(); u != "" {
			t.Logf("heaviest page: %s, %.1f KB", u, n/1024)
		}
	})
	tb.do("turn the cache off and set the viewport",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
			return err
		}),
		chromedp.EmulateViewport(1280, 800))
	return tb
}

// do runs actions within step and fails the test on an error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v (on %s)", what, err, tb.where())
	}
}

// eval evaluates a JavaScript expression in the page (awaiting a promise)
// and decodes its value into a T.
func eval[T any](tb *tab, what, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: %v (on %s)", what, err, tb.where())
	}
	return v
}

// where is the tab's current URL without the origin, for messages.
func (tb *tab) where() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(loc, tb.origin)
}

// path is the current path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, "read the location", `location.pathname + location.search`)
}

// open loads path and requires a 200 answer.
func (tb *tab) open(path string) {
	tb.t.Helper()
	if st := tb.openStatus(path); st != 200 {
		tb.t.Fatalf("GET %s: status %d, want 200 (on %s)", path, st, tb.where())
	}
	tb.audit()
}

// openStatus loads path and returns the status of the document's answer
// (after redirects).
func (tb *tab) openStatus(path string) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	defer tb.timed("GET "+path, time.Now())
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.origin+path))
	if err != nil {
		tb.t.Fatalf("GET %s: %v", path, err)
	}
	if resp == nil {
		tb.t.Fatalf("GET %s: no response", path)
	}
	return int(resp.Status)
}

// follow clicks the element sel (a link or a submit button), waits for the
// page it leads to and requires a 200 answer.
func (tb *tab) follow(sel string) {
	tb.t.Helper()
	if st := tb.followStatus(sel); st != 200 {
		tb.t.Fatalf("click %s: status %d, want 200 (on %s)", sel, st, tb.where())
	}
	tb.audit()
}

// followStatus clicks sel, waits for the new page and returns its status.
func (tb *tab) followStatus(sel string) int {
	tb.t.Helper()
	if !tb.has(sel) {
		tb.t.Fatalf("click %s: no such element on %s", sel, tb.where())
	}
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	defer tb.timed("click "+sel, time.Now())
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("click %s: %v (on %s)", sel, err, tb.where())
	}
	if resp == nil {
		tb.t.Fatalf("click %s: no response (on %s)", sel, tb.where())
	}
	return int(resp.Status)
}

// slowPage is a page load worth a line in the log.
const slowPage = 2 * time.Second

// timed logs what took longer than slowPage since start.
func (tb *tab) timed(what string, start time.Time) {
	if d := time.Since(start); d > slowPage {
		tb.t.Logf("slow: %s took %v (reached %s)", what, d.Round(time.Millisecond), tb.where())
	}
}

// press sends keys to the focused element (see package kb for the keys).
func (tb *tab) press(keys string) {
	tb.t.Helper()
	tb.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// pressAndWait presses keys (Enter in a form) and waits for the page it leads to.
func (tb *tab) pressAndWait(keys string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(keys))
	if err != nil {
		tb.t.Fatalf("press %q: %v (on %s)", keys, err, tb.where())
	}
	if resp == nil {
		tb.t.Fatalf("press %q: no response (on %s)", keys, tb.where())
	}
	if resp.Status != 200 {
		tb.t.Fatalf("press %q: status %d, want 200 (on %s)", keys, resp.Status, tb.where())
	}
	tb.audit()
}

// typeInto empties the field sel, focuses it and types text into it, key by key.
func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.setValue(sel, "")
	tb.do("type into "+sel, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(text))
}

// setValue sets a field's value as a script would (for a date picker, whose
// keyboard entry depends on the locale), with its input and change events.
func (tb *tab) setValue(sel, value string) {
	tb.t.Helper()
	got := eval[*string](tb, "set "+sel, `(() => { const e = document.querySelector(`+js(sel)+`);
		if (!e) return null;
		e.value = `+js(value)+`;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return e.value; })()`)
	if got == nil {
		tb.t.Fatalf("no field %s on %s", sel, tb.where())
	}
	if *got != value {
		tb.t.Fatalf("field %s took the value %q, not %q", sel, *got, value)
	}
}

// has reports whether sel matches an element now (no waiting).
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, "query "+sel, `document.querySelector(`+js(sel)+`) !== null`)
}

// count is the number of elements sel matches now.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return eval[int](tb, "count "+sel, `document.querySelectorAll(`+js(sel)+`).length`)
}

// text is the trimmed, whitespace-collapsed text of the first element sel
// matches; the test fails when there is none.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	v := eval[*string](tb, "read "+sel, `(() => { const e = document.querySelector(`+js(sel)+`);
		return e ? e.textContent.replace(/\s+/g, " ").trim() : null; })()`)
	if v == nil {
		tb.t.Fatalf("no %s on %s", sel, tb.where())
	}
	return *v
}

// texts are the texts of every element sel matches.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	return eval[[]string](tb, "read "+sel, `Array.from(document.querySelectorAll(`+js(sel)+`),
		e => e.textContent.replace(/\s+/g, " ").trim())`)
}

// attr is an attribute of the first element sel matches ("" if none).
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	return eval[string](tb, "read "+sel+"@"+name, `(() => { const e = document.querySelector(`+js(sel)+`);
		return (e && e.getAttribute(`+js(name)+`)) || ""; })()`)
}

// login signs in on the sign-in page with the demo password and requires
// the home page.
func (tb *tab) login(email string) {
	tb.t.Helper()
	tb.open("/login")
	tb.typeInto("#email", email)
	tb.typeInto("#password", password)
	tb.follow(`form[action="/login"] button[type=submit]`)
	if p := tb.path(); p != "/home" {
		tb.t.Fatalf("after signing in as %s: on %s, want /home (%s)", email, p, tb.text("main"))
	}
}

// setLang presses the language switch's button for lang and requires the
// page to come back in it, at the same path.
func (tb *tab) setLang(lang string) {
	tb.t.Helper()
	before := tb.path()
	tb.follow(`form.langswitch button[value="` + lang + `"]`)
	if got, want := tb.attr("html", "lang"), i18n.HTMLLang(lang); got != want {
		tb.t.Fatalf("after switching to %s: <html lang=%q>, want %q", lang, got, want)
	}
	if after := tb.path(); after != before {
		tb.t.Errorf("the language switch went from %s to %s, want back to the same page", before, after)
	}
}

// screenshot captures the viewport as a PNG.
func (tb *tab) screenshot() []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, step)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	return b
}

// keepScreenshot saves the page a failed test was on, for the person who
// reads the failure.
func (tb *tab) keepScreenshot() {
	dir := os.Getenv("SIZERUN_E2E_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return
	}
	name := filepath.Join(dir, "sizerun-e2e-"+strings.NewReplacer("/", "_", " ", "_").Replace(tb.t.Name())+".png")
	if os.WriteFile(name, b, 0o644) == nil {
		tb.t.Logf("the page at the failure (%s): %s", tb.where(), name)
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// auditJS reports, for the current page: form controls without a label,
// buttons without a name, fields marked invalid whose error is not next to
// them, and the visible text and labels (for the raw-key check).
const auditJS = `(() => {
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "");
  const nameOf = (e) => {
    const al = e.getAttribute("aria-label");
    if (al && al.trim()) return al;
    const lb = e.getAttribute("aria-labelledby");
    if (lb) {
      const s = lb.split(/\s+/).map(id => document.getElementById(id)).filter(Boolean).map(x => x.textContent).join(" ");
      if (s.trim()) return s;
    }
    if (e.labels && e.labels.length) {
      const s = Array.from(e.labels, l => l.textContent).join(" ");
      if (s.trim()) return s;
    }
    if (e.title && e.title.trim()) return e.title;
    return "";
  };
  const unlabelled = [];
  for (const e of document.querySelectorAll("input, select, textarea")) {
    if (e.type === "hidden" || e.closest("[hidden]")) continue;
    if (!nameOf(e).trim()) unlabelled.push(describe(e));
  }
  for (const b of document.querySelectorAll("button, a[href]")) {
    if (b.closest("[hidden]")) continue;
    if (!(b.textContent.trim() || nameOf(b).trim())) unlabelled.push(describe(b));
  }
  const misplaced = [];
  for (const e of document.querySelectorAll("[aria-invalid=true]")) {
    const ids = (e.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    const errs = ids.map(id => document.getElementById(id)).filter(Boolean);
    const near = e.closest(".field, tr, fieldset, form");
    const ok = errs.some(x => x.textContent.trim() && (near && (near.contains(x) ||
      (near.tagName === "TR" && near.nextElementSibling && near.nextElementSibling.contains(x)))));
    if (!ok) misplaced.push(describe(e));
  }
  const bits = [document.title, document.body.innerText];
  for (const e of document.querySelectorAll("[aria-label], [title], [placeholder], [alt], [data-confirm]")) {
    for (const a of ["aria-label", "title", "placeholder", "alt", "data-confirm"]) {
      const v = e.getAttribute(a);
      if (v) bits.push(v);
    }
  }
  return { unlabelled, misplaced, text: bits.join("\n") };
})()`

type auditResult struct {
	Unlabelled []string `json:"unlabelled"`
	Misplaced  []string `json:"misplaced"`
	Text       string   `json:"text"`
}

// audit checks the page the tab is on: every form control and button has an
// accessible name, an error sits next to its field, and no message key
// shows instead of its text. Every page load of every test goes through it.
func (tb *tab) audit() {
	tb.t.Helper()
	for _, p := range tb.auditProblems() {
		tb.t.Error(p)
	}
}

// auditProblems describes what is wrong with the page by tab.audit's rules.
func (tb *tab) auditProblems() []string {
	tb.t.Helper()
	a := eval[auditResult](tb, "audit the page", auditJS)
	where := tb.where()
	var out []string
	if len(a.Unlabelled) > 0 {
		out = append(out, fmt.Sprintf("%s: controls without a label or accessible name: %s", where, strings.Join(a.Unlabelled, ", ")))
	}
	if len(a.Misplaced) > 0 {
		out = append(out, fmt.Sprintf("%s: fields marked invalid without their error message next to them: %s", where, strings.Join(a.Misplaced, ", ")))
	}
	if keys := rawKeys(a.Text); len(keys) > 0 {
		out = append(out, fmt.Sprintf("%s: untranslated message keys on the page: %s", where, strings.Join(keys, ", ")))
	}
	return out
}

// rawKeyRE matches what looks like a message key ("orders.grid.total") whose
// first part is one of the catalogue's areas; built from the catalogue so
// that a new area is covered.
var rawKeyRE = sync.OnceValue(func() *regexp.Regexp {
	seen := map[string]bool{}
	var areas []string
	for _, k := range i18n.Keys("en") {
		a, _, _ := strings.Cut(k, ".")
		if !seen[a] {
			seen[a] = true
			areas = append(areas, regexp.QuoteMeta(a))
		}
	}
	sort.Strings(areas)
	return regexp.MustCompile(`(?:^|[^\w.@/-])((?:` + strings.Join(areas, "|") + `)(?:\.[a-z0-9_]+)+)(?:$|[^\w@/-])`)
})

// fileExt matches a file name, which looks like a key ("orders.csv") but is none.
var fileExt = regexp.MustCompile(`\.(csv|pdf|xlsx|png|svg|css|js|html|txt|json|zip)$`)

// rawKeys returns the message keys found in a page's text.
func rawKeys(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range rawKeyRE().FindAllStringSubmatch(text, -1) {
		k := strings.TrimSuffix(m[1], ".")
		if !strings.Contains(k, ".") || seen[k] || fileExt.MatchString(k) {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

// netlog records a tab's requests, per page load.
type netlog struct {
	origin string
	dialog func(*page.EventJavascriptDialogOpening)

	mu      sync.Mutex
	reqs    map[network.RequestID]reqInfo
	pages   map[cdp.LoaderID]*pageLoad
	order   []cdp.LoaderID
	foreign []string
	errors  []string
}

type reqInfo struct {
	loader cdp.LoaderID
	typ    network.ResourceType
}

type pageLoad struct {
	url   string
	bytes float64
	parts int
}

// handle runs in the tab's event loop: it must be quick and send no command.
func (n *netlog) handle(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		n.dialog(ev)
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		if !n.local(u) {
			n.foreign = append(n.foreign, u)
		}
		n.reqs[ev.RequestID] = reqInfo{loader: ev.LoaderID, typ: ev.Type}
		if ev.Type == network.ResourceTypeDocument {
			p := n.pages[ev.LoaderID]
			if p == nil {
				p = &pageLoad{}
				n.pages[ev.LoaderID] = p
				n.order = append(n.order, ev.LoaderID)
			}
			p.url = strings.TrimPrefix(u, n.origin) // the last URL of a redirect chain
		}
	case *network.EventLoadingFinished:
		r, ok := n.reqs[ev.RequestID]
		if !ok {
			return
		}
		// Downloads a script fetches (a PDF) are no part of the page's weight.
		if r.typ == network.ResourceTypeFetch || r.typ == network.ResourceTypeXHR {
			return
		}
		if p := n.pages[r.loader]; p != nil {
			p.bytes += ev.EncodedDataLength
			p.parts++
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		n.errors = append(n.errors, fmt.Sprintf("script error at %s:%d: %s", strings.TrimPrefix(d.URL, n.origin), d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		e := ev.Entry
		// Failed requests are the tests' business (some ask for a 404 on
		// purpose); a refused script or style (CSP) or a script error is not.
		if e.Level == log.EntryLevelError && e.Source != log.EntrySourceNetwork {
			n.errors = append(n.errors, fmt.Sprintf("console %s error on %s: %s", e.Source, strings.TrimPrefix(e.URL, n.origin), e.Text))
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			n.errors = append(n.errors, "console.error called")
		}
	}
}

// local reports whether a request URL stays on the test server.
func (n *netlog) local(u string) bool {
	if strings.HasPrefix(u, "data:") || u == "about:blank" {
		return true
	}
	p, err := url.Parse(u)
	return err == nil && p.Scheme+"://"+p.Host == n.origin
}

// check fails t for requests to other hosts, heavy pages and page errors.
func (n *netlog) check(t *testing.T) {
	for _, p := range n.problems() {
		t.Error(p)
	}
}

// problems lists requests to other hosts, heavy pages and page errors, and
// forgets them.
func (n *netlog) problems() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	if len(n.foreign) > 0 {
		out = append(out, fmt.Sprintf("requests to hosts other than %s: %s", n.origin, strings.Join(n.foreign, ", ")))
	}
	for _, id := range n.order {
		p := n.pages[id]
		if p.bytes > maxPageBytes {
			out = append(out, fmt.Sprintf("page %s weighs %.0f bytes in %d responses, over %d", p.url, p.bytes, p.parts, maxPageBytes))
			p.bytes = 0
		}
	}
	out = append(out, n.errors...)
	n.foreign, n.errors = nil, nil
	return out
}

// heaviest returns the heaviest page load so far, for the log.
func (n *netlog) heaviest() (string, float64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var url string
	var max float64
	for _, p := range n.pages {
		if p.bytes > max {
			url, max = p.url, p.bytes
		}
	}
	return url, max
}
