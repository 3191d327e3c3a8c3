package api_test

import (
	"bufio"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/aggregation/aggdb"
	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/catalog/catalogdb"
	"github.com/sizerun/sizerun/config"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/dealers/dealerdb"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/orderimport/importdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/planreport"
	"github.com/sizerun/sizerun/planreport/plandb"
	"github.com/sizerun/sizerun/postgres"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
)

const (
	oaFile      = "../docs/openapi.yaml"
	oaServeFile = "../cmd/portal/serve.go"
)

// openAPIRegistrations are the api.Register* calls of cmd/portal/serve.go,
// one line each, in the same order and with the same services (options that
// come from the configuration, such as the PDF font, left at their
// defaults). When serve.go registers another group of endpoints, add its
// line here: TestOpenAPI fails until the two agree.
var openAPIRegistrations = []struct {
	name     string
	register func(g *echo.Group, db *sqlx.DB)
}{
	{"RegisterCatalog", func(g *echo.Group, db *sqlx.DB) { api.RegisterCatalog(g, catalog.NewService(catalogdb.New(db), nil)) }},
	{"RegisterOrders", func(g *echo.Group, db *sqlx.DB) { api.RegisterOrders(g, ordering.NewService(orderdb.New(db), nil)) }},
	{"RegisterImport", func(g *echo.Group, db *sqlx.DB) {
		api.RegisterImport(g, orderimport.NewService(ordering.NewService(orderdb.New(db), nil), importdb.New(db)))
	}},
	{"RegisterDocuments", func(g *echo.Group, db *sqlx.DB) {
		api.RegisterDocuments(g, ordering.NewService(orderdb.New(db), nil), config.DefaultPDFFont)
	}},
	{"RegisterAggregation", func(g *echo.Group, db *sqlx.DB) {
		api.RegisterAggregation(g, aggregation.NewService(aggdb.New(db), aggregation.Options{}))
	}},
	{"RegisterDealers", func(g *echo.Group, db *sqlx.DB) { api.RegisterDealers(g, dealers.NewService(dealerdb.New(db), nil)) }},
	{"RegisterPlanReport", func(g *echo.Group, db *sqlx.DB) { api.RegisterPlanReport(g, planreport.NewService(plandb.New(db))) }},
}

// oaServer builds the Echo instance as cmd/portal/serve.go does for the
// API: server.New, api.Group, then every registration.
func oaServer(t *testing.T) *echo.Echo {
	t.Helper()
	db := pgtest.New(t)
	tokens, err := auth.NewTokens("openapi-test-secret-openapi-test-secret-0", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	authSvc := auth.NewService(authdb.New(db), tokens, auth.DefaultLimits)
	e := server.New(server.Options{
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		BodyLimit: "8M",
		Ready:     func(ctx context.Context) error { return postgres.Ready(ctx, db) },
	})
	g := api.Group(e, authSvc)
	for _, r := range openAPIRegistrations {
		r.register(g, db)
	}
	return e
}

// TestOpenAPI checks docs/openapi.yaml against the routes the server really
// serves: every /api/v1 route is described, every described path and
// method is served, every $ref resolves, and the test's wiring is serve.go's.
func TestOpenAPI(t *testing.T) {
	doc := oaReadDoc(t)

	t.Run("wiring matches serve.go", func(t *testing.T) {
		served := oaRegisterCalls(t, oaServeFile, "api")
		var ours []string
		for _, r := range openAPIRegistrations {
			ours = append(ours, r.name)
		}
		if !slices.Equal(served, ours) {
			t.Errorf("cmd/portal/serve.go calls api.%v, openAPIRegistrations has %v: keep them the same",
				served, ours)
		}
		for _, name := range oaExportedRegisters(t, ".") {
			if !slices.Contains(served, name) {
				t.Logf("note: api.%s exists but cmd/portal/serve.go does not call it; its routes are not checked", name)
			}
		}
	})

	e := oaServer(t)
	// routes holds "method /path/{param}" for every route a request can reach,
	// without the catch-alls (/*) and Echo's internal not-found routes.
	routes := map[string]bool{}
	var apiRoutes []string
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound || strings.HasSuffix(r.Path, "/*") || r.Path == "*" {
			continue
		}
		key := strings.ToLower(r.Method) + " " + oaEchoPath(r.Path)
		routes[key] = true
		if r.Path == "/api/v1" || strings.HasPrefix(r.Path, "/api/v1/") {
			apiRoutes = append(apiRoutes, key)
		}
	}
	sort.Strings(apiRoutes)
	if len(apiRoutes) == 0 {
		t.Fatal("no /api/v1 routes registered")
	}

	t.Run("every route is described", func(t *testing.T) {
		for _, key := range apiRoutes {
			method, path, _ := strings.Cut(key, " ")
			switch {
			case doc.ops[key]:
			case doc.unwired[key]:
				t.Errorf("%s %s is served now: move its block in docs/openapi.yaml from x-unwired-paths: into paths:",
					strings.ToUpper(method), path)
			default:
				t.Errorf("%s %s is served but docs/openapi.yaml does not describe it", strings.ToUpper(method), path)
			}
		}
	})

	t.Run("every described path is served", func(t *testing.T) {
		for _, p := range doc.paths {
			if len(doc.methods[p]) == 0 {
				t.Errorf("docs/openapi.yaml: path %s has no operation", p)
			}
			for _, m := range doc.methods[p] {
				route, ok := oaFindRoute(e, m, p)
				if !ok || !routes[m+" "+route] {
					t.Errorf("docs/openapi.yaml describes %s %s, but no route serves it", strings.ToUpper(m), p)
				}
			}
		}
	})

	t.Run("every $ref resolves", func(t *testing.T) {
		if len(doc.refs) == 0 {
			t.Fatal("docs/openapi.yaml has no $ref at all")
		}
		for _, ref := range doc.refs {
			name, ok := strings.CutPrefix(ref.target, "#/components/")
			parts := strings.Split(name, "/")
			if !ok || len(parts) != 2 {
				t.Errorf("docs/openapi.yaml:%d: $ref %q is not of the form #/components/<kind>/<name>", ref.line, ref.target)
				continue
			}
			if !doc.components[parts[0]][parts[1]] {
				t.Errorf("docs/openapi.yaml:%d: $ref %q: no such component", ref.line, ref.target)
			}
		}
	})
}

// oaDoc is what a line-based reading of docs/openapi.yaml yields.
type oaDoc struct {
	paths      []string            // path keys, in file order
	methods    map[string][]string // path → lower-case methods
	ops        map[string]bool     // "get /api/v1/orders/{number}"
	unwired    map[string]bool     // the same, under x-unwired-paths: (handlers serve.go does not register yet)
	components map[string]map[string]bool
	refs       []oaDocRef
}

type oaDocRef struct {
	line   int
	target string
}

var (
	oaTopKey    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*:`)
	oaPathKey   = regexp.MustCompile(`^  (/\S*):\s*$`)
	oaMethodKey = regexp.MustCompile(`^    (get|post|put|patch|delete|head|options):\s*$`)
	oaCompKind  = regexp.MustCompile(`^  ([A-Za-z][A-Za-z0-9]*):\s*$`)
	oaCompName  = regexp.MustCompile(`^    ([A-Za-z0-9_.-]+):\s*$`)
	oaRef       = regexp.MustCompile(`\$ref:\s*['"]?([^'"\s]+)['"]?`)
)

// oaReadDoc reads the paths, their methods, the component names and every
// $ref of docs/openapi.yaml, line by line (the repo has no YAML module).
// Path keys are lines matching `^  /` under `paths:`, methods lines matching
// `^    (get|post|put|patch|delete):` below them. `x-unwired-paths:` holds
// endpoints whose handlers exist but that serve.go does not register yet;
// they are read only to say where their description is once served.
func oaReadDoc(t *testing.T) oaDoc {
	t.Helper()
	f, err := os.Open(oaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := oaDoc{methods: map[string][]string{}, ops: map[string]bool{}, unwired: map[string]bool{},
		components: map[string]map[string]bool{}}
	section, path, kind := "", "", ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 && !strings.HasPrefix(line, "openapi: 3.1") {
			t.Errorf("docs/openapi.yaml: the first line is %q, want openapi: 3.1.x", line)
		}
		if strings.Contains(line, "\t") {
			t.Errorf("docs/openapi.yaml:%d: tab character (YAML indents with spaces)", n)
		}
		if m := oaRef.FindStringSubmatch(line); m != nil {
			doc.refs = append(doc.refs, oaDocRef{line: n, target: m[1]})
		}
		if oaTopKey.MatchString(line) {
			section = line[:strings.IndexByte(line, ':')]
			continue
		}
		switch section {
		case "paths", "x-unwired-paths":
			if m := oaPathKey.FindStringSubmatch(line); m != nil {
				path = m[1]
				if section == "x-unwired-paths" {
					continue
				}
				if _, dup := doc.methods[path]; dup {
					t.Errorf("docs/openapi.yaml:%d: path %s appears twice", n, path)
				}
				doc.paths = append(doc.paths, path)
				doc.methods[path] = []string{}
			} else if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && strings.TrimSpace(line) != "" &&
				!strings.HasPrefix(strings.TrimSpace(line), "#") {
				t.Errorf("docs/openapi.yaml:%d: %q under %s: is not a path key", n, line, section)
			} else if m := oaMethodKey.FindStringSubmatch(line); m != nil && path != "" {
				key := m[1] + " " + path
				if section == "x-unwired-paths" {
					doc.unwired[key] = true
					continue
				}
				if doc.ops[key] {
					t.Errorf("docs/openapi.yaml:%d: %s %s appears twice", n, m[1], path)
				}
				doc.ops[key] = true
				doc.methods[path] = append(doc.methods[path], m[1])
			}
		case "components":
			if m := oaCompKind.FindStringSubmatch(line); m != nil {
				kind = m[1]
				if doc.components[kind] == nil {
					doc.components[kind] = map[string]bool{}
				}
			} else if m := oaCompName.FindStringSubmatch(line); m != nil && kind != "" {
				doc.components[kind][m[1]] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(doc.paths) == 0 {
		t.Fatal("docs/openapi.yaml: no paths found")
	}
	return doc
}

// oaEchoPath turns Echo's /orders/:number into OpenAPI's /orders/{number}.
func oaEchoPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

var oaParam = regexp.MustCompile(`\{[^}/]+\}`)

// oaFindRoute asks Echo's router which route a request for the documented
// path (each {param} filled with a sample value) would reach, so that
// /production-orders/{number}.pdf is found served by /production-orders/:number.
func oaFindRoute(e *echo.Echo, method, path string) (string, bool) {
	concrete := oaParam.ReplaceAllString(path, "X1")
	m := strings.ToUpper(method)
	c := e.NewContext(httptest.NewRequest(m, concrete, nil), httptest.NewRecorder())
	e.Router().Find(m, concrete, c)
	if c.Path() == "" {
		return "", false
	}
	return oaEchoPath(c.Path()), true
}

// oaRegisterCalls returns the names of pkg.Register* functions called in file,
// in source order.
func oaRegisterCalls(t *testing.T, file, pkg string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg && strings.HasPrefix(sel.Sel.Name, "Register") {
			names = append(names, sel.Sel.Name)
		}
		return true
	})
	return names
}

// oaExportedRegisters lists the package-level Register* functions of the Go
// package in dir (tests excluded).
func oaExportedRegisters(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Register") {
				names = append(names, fd.Name.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}
