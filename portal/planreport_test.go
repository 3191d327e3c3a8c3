package portal_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/planreport/plandb"
	"github.com/sizerun/sizerun/planreport/plantest"
	"github.com/sizerun/sizerun/portal"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// newPlanReportEnv serves the portal over plantest's hand-computed season
// (its figures are worked out in planreport/plandb's test), with the demo
// password for its users.
func newPlanReportEnv(t *testing.T) *env {
	t.Helper()
	hashOnce.Do(func() {
		var err error
		if hash, err = auth.HashPassword(password); err != nil {
			panic(err)
		}
	})
	db := pgtest.New(t)
	plantest.HandSeason(t, db)
	db.MustExec(`UPDATE users SET password_hash = $1`, hash)
	svc := planreport.NewService(plandb.New(db))
	return startEnv(t, db, false, func(p *portal.Portal) { p.RegisterPlanReport(svc) })
}

func TestPlanReportPage(t *testing.T) {
	e := newPlanReportEnv(t)
	c := e.client()
	c.login("planner@plan.test")

	doc := c.page("/reports/plan-vs-demand?season=SS27&growth=1.25&level=sku", http.StatusOK)
	for sel, want := range map[string]string{
		"#pr-demand":         "113",
		"#pr-sizerun-excess": "50",
		"#pr-guessed-excess": "160",
		"#pr-avoided":        "3,534.00",
	} {
		if got := text(doc.Find(sel)); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	// Both plans side by side: Sizerun, guessed, avoided.
	for id, want := range map[string]string{
		"pr-m-made":               "144 258",
		"pr-m-stock":              "13 13",
		"pr-m-excess":             "50 160 110",
		"pr-m-rounding":           "33 68",
		"pr-m-other":              "17 92",
		"pr-m-shortage":           "6 2 -4",
		"pr-m-excess-cost":        "1,699.00 5,233.00 3,534.00",
		"pr-m-shortage-wholesale": "480.00 160.00 -320.00",
	} {
		if got := prCells(doc.Find("#" + id + " td")); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if n := doc.Find("#pr-rows tbody tr").Length(); n != 18 {
		t.Errorf("%d SKU rows, want 18", n)
	}
	if got := prCells(doc.Find("#pr-total").Children()); !strings.HasPrefix(got, "Total 113 144 13 50 33 17 6 200 258 160 2 5,233.00") {
		t.Errorf("total row %q", got)
	}
	svg := doc.Find("#pr-chart svg")
	if svg.Length() != 1 || !strings.Contains(text(svg.Find("desc")), "BOTTOMS: Sizerun excess 22, shortage 6; guessed plan excess 96, shortage 2") {
		t.Errorf("chart: %q", text(svg.Find("desc")))
	}
	if doc.Find("#pr-no-release").Length() != 0 || doc.Find("#pr-match").Length() != 1 {
		t.Error("a released season shows the no-release alert, or no link to the matched growth")
	}
	if href, _ := doc.Find("#pr-xlsx").Attr("href"); href != "/reports/plan-vs-demand.xlsx?growth=1.25&level=sku&season=SS27" {
		t.Errorf("xlsx link %q", href)
	}

	// Defaults: the open season, growth 1.00, rows by style.
	doc = c.page("/reports/plan-vs-demand", http.StatusOK)
	if got := text(doc.Find("h1")); !strings.Contains(got, "SS27") || doc.Find("#pr-rows tbody tr").Length() != 3 {
		t.Errorf("default page: %q with %d rows", got, doc.Find("#pr-rows tbody tr").Length())
	}
	if v, _ := doc.Find("#pr-growth").Attr("value"); v != "1.00" {
		t.Errorf("default growth %q", v)
	}

	// The matched growth.
	doc = c.page("/reports/plan-vs-demand?season=SS27&growth=match", http.StatusOK)
	if doc.Find("#pr-matched").Length() != 1 || !strings.Contains(text(doc.Find("#pr-matched")), "0.7063") {
		t.Errorf("matched note %q", text(doc.Find("#pr-matched")))
	}

	// A season without a release says so.
	doc = c.page("/reports/plan-vs-demand?season=AW26", http.StatusOK)
	if doc.Find("#pr-no-release").Length() != 1 {
		t.Error("no alert for a season without a released production order")
	}

	// Bad input: the form again with the field's error, nothing else.
	doc = c.page("/reports/plan-vs-demand?season=SS27&growth=abc", http.StatusUnprocessableEntity)
	if doc.Find("#pr-growth-err").Length() != 1 || doc.Find("#pr-kpis").Length() != 0 {
		t.Errorf("bad growth: error %q", text(doc.Find("#pr-growth-err")))
	}
	c.page("/reports/plan-vs-demand?season=NOPE", http.StatusNotFound)

	res := c.get("/reports/plan-vs-demand.xlsx?season=SS27&level=category")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.HasPrefix(string(body), "PK") {
		t.Errorf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// prCells joins the texts of cells with spaces.
func prCells(s *goquery.Selection) string {
	return strings.TrimSpace(strings.Join(s.Map(func(_ int, c *goquery.Selection) string { return text(c) }), " "))
}

func TestPlanReportPageRoles(t *testing.T) {
	e := newPlanReportEnv(t)
	for _, who := range []string{"d1@plan.test", "s1@plan.test"} {
		c := e.client()
		c.login(who)
		for _, path := range []string{"/reports/plan-vs-demand?season=SS27", "/reports/plan-vs-demand.xlsx?season=SS27"} {
			res := c.get(path)
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s → %d, want 403", who, path, res.StatusCode)
			}
		}
	}
	admin := e.client()
	admin.login("admin@plan.test")
	admin.page("/reports/plan-vs-demand?season=SS27", http.StatusOK)

	anon := e.client()
	res := anon.get("/reports/plan-vs-demand?season=SS27")
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("signed out → %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// The page speaks Chinese and Korean: no message key shows raw.
func TestPlanReportPageLanguages(t *testing.T) {
	e := newPlanReportEnv(t)
	for _, lang := range []string{"zh", "ko"} {
		c := e.client()
		c.login("planner@plan.test")
		c.setCookie(portal.LangCookie, lang)
		doc := c.page("/reports/plan-vs-demand?season=SS27&growth=1.25&level=sku", http.StatusOK)
		if body := text(doc.Find("main")); strings.Contains(body, "planreport.") {
			t.Errorf("%s: a raw key on the page: %.300s", lang, body[strings.Index(body, "planreport."):])
		}
		if lang == "zh" && !strings.Contains(text(doc.Find("h1")), "生产计划与需求对比") {
			t.Errorf("zh heading %q", text(doc.Find("h1")))
		}
	}
}
