package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/api"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/auth/authdb"
	"github.com/sizerun/sizerun/documents"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/orderimport/importdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
	"github.com/sizerun/sizerun/server"
)

// docsAPI is a server with the order, import and document endpoints on the
// orderingtest fixture.
type docsAPI struct {
	t      *testing.T
	e      *echo.Echo
	db     *sqlx.DB
	tokens *auth.Tokens
}

func newDocsAPI(t *testing.T, fontPath string) *docsAPI {
	t.Helper()
	db, _ := pgtest.NewFrom(t, "ordering", orderingtest.Build)
	tokens, err := auth.NewTokens(ordersSecret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	authSvc := auth.NewService(authdb.New(db), tokens, auth.DefaultLimits)
	e := server.New(server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyLimit: "8M"})
	g := api.Group(e, authSvc)
	orders := ordering.NewService(orderdb.New(db), nil)
	api.RegisterOrders(g, orders)
	api.RegisterImport(g, orderimport.NewService(orders, importdb.New(db)))
	api.RegisterDocuments(g, orders, fontPath)
	return &docsAPI{t: t, e: e, db: db, tokens: tokens}
}

func (a *docsAPI) token(email string) string {
	a.t.Helper()
	tok, _, err := a.tokens.Issue(orderingtest.Principal(a.t, a.db, email))
	if err != nil {
		a.t.Fatal(err)
	}
	return tok
}

// upload posts a multipart import: the file under "file" and other fields.
func (a *docsAPI) upload(token, name string, data []byte, fields map[string]string, hdr ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" || data != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			a.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/orders/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

func (a *docsAPI) get(path, token string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

func (a *docsAPI) count() int {
	a.t.Helper()
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM orders`); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func wantAPIError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) apiError {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	b := decodeJSON[apiError](t, rec)
	if b.Error.Code != code {
		t.Fatalf("code %q, want %q: %s", b.Error.Code, code, rec.Body)
	}
	return b
}

type importedOrder struct {
	Number      string `json:"number"`
	Dealer      string `json:"dealer"`
	Season      string `json:"season"`
	Status      string `json:"status"`
	Reference   string `json:"reference"`
	Currency    string `json:"currency"`
	TotalQty    int    `json:"total_qty"`
	TotalAmount string `json:"total_amount"`
	Lines       []struct {
		Style     string `json:"style"`
		Color     string `json:"color"`
		Size      string `json:"size"`
		Qty       int    `json:"qty"`
		UnitPrice string `json:"unit_price"`
		Amount    string `json:"amount"`
	} `json:"lines"`
}

const impGoodCSV = "\xEF\xBB\xBFseason,style,color,size,qty,reference\r\n" +
	"SS27,ST1001,BLK,M,6,PO-A\r\n" +
	"SS27,ST1001,NVY,L,6,PO-A\r\n"

func TestImportAPI(t *testing.T) {
	a := newDocsAPI(t, documents.DroidSansFallbackFull)
	dealer := a.token("dealer01@test.test")

	// A good file: one order per reference, api.md's order objects.
	csv := "Reference,Qty,Size,Color,Style,Season\n" +
		"PO-A,6,M,BLK,ST1001,SS27\n" +
		"PO-A,2,M,BLK,ST1001,SS27\n" +
		"PO-B,4,36,KHA,ST2001,SS27\n"
	rec := a.upload(dealer, "../../etc/passwd.csv", []byte(csv), nil)
	if rec.Code != 201 {
		t.Fatalf("import = %d %s", rec.Code, rec.Body)
	}
	got := decodeJSON[api.List[importedOrder]](t, rec)
	if len(got.Items) != 2 {
		t.Fatalf("%d orders", len(got.Items))
	}
	a0, a1 := got.Items[0], got.Items[1]
	if a0.Dealer != "D001" || a0.Reference != "PO-A" || a0.Status != "submitted" || a0.TotalQty != 8 || a0.TotalAmount != "1032.00" ||
		a0.Currency != "CNY" || len(a0.Lines) != 1 || a0.Lines[0].UnitPrice != "129.00" {
		t.Errorf("first order %+v", a0)
	}
	if a1.Reference != "PO-B" || a1.TotalAmount != "596.00" || !strings.HasPrefix(a1.Number, "SO-SS27-") {
		t.Errorf("second order %+v", a1)
	}

	// XLSX, detected by its content.
	f := excelize.NewFile()
	for i, row := range [][]any{{"season", "style", "color", "size", "qty"}, {"SS27", "ST1002", "BLU", "S", 3}} {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	var xb bytes.Buffer
	f.Write(&xb)
	rec = a.upload(dealer, "orders.bin", xb.Bytes(), nil)
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"total_amount":"298.50"`) {
		t.Fatalf("xlsx import = %d %s", rec.Code, rec.Body)
	}

	// A bad row: 422 naming the row and column, nothing created.
	before := a.count()
	rec = a.upload(dealer, "bad.csv", []byte("season,style,color,size,qty\nSS27,ST1001,BLK,M,6\nSS27,ST1001,BLK,L,12.5\nSS27,ST1001,BLK,XXXL,1\n"), nil)
	b := wantAPIError(t, rec, 422, "validation_failed")
	want := []struct{ Field, Message string }{
		{"row 3.qty", "qty must be a positive integer"},
	}
	var gotD []struct{ Field, Message string }
	for _, d := range b.Error.Details {
		gotD = append(gotD, struct{ Field, Message string }{d.Field, d.Message})
	}
	if diff := cmp.Diff(want, gotD); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	rec = a.upload(dealer, "bad.csv", []byte("season,style,color,size,qty\nSS27,ST1001,BLK,M,6\nSS27,ST1001,BLK,XXXL,1\n"), nil)
	b = wantAPIError(t, rec, 422, "validation_failed")
	if len(b.Error.Details) != 1 || b.Error.Details[0].Field != "row 3.size" || b.Error.Message != "1 row is invalid" {
		t.Errorf("unknown size: %s", rec.Body)
	}
	if n := a.count(); n != before {
		t.Errorf("%d orders created by refused imports", n-before)
	}
}

func TestImportAPIRefusals(t *testing.T) {
	a := newDocsAPI(t, documents.DroidSansFallbackFull)
	dealer := a.token("dealer01@test.test")
	good := []byte(impGoodCSV)

	rec := a.upload("", "a.csv", good, nil)
	wantAPIError(t, rec, 401, "unauthorized")
	rec = a.upload(a.token("supplier01@test.test"), "a.csv", good, nil)
	wantAPIError(t, rec, 403, "forbidden")
	rec = a.upload(dealer, "a.csv", good, map[string]string{"dealer": "D002"})
	wantAPIError(t, rec, 403, "forbidden")

	// Not multipart, no file part.
	req := httptest.NewRequest("POST", "/api/v1/orders/import", strings.NewReader(impGoodCSV))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+dealer)
	r2 := httptest.NewRecorder()
	a.e.ServeHTTP(r2, req)
	if b := wantAPIError(t, r2, 422, "validation_failed"); b.Error.Details[0].Field != "file" {
		t.Errorf("not multipart: %s", r2.Body)
	}
	rec = a.upload(dealer, "", nil, map[string]string{"reference": "x"})
	if b := wantAPIError(t, rec, 422, "validation_failed"); b.Error.Details[0].Field != "file" {
		t.Errorf("no file: %s", rec.Body)
	}

	// Too large: the import's own limit, and the server's body limit.
	big := append([]byte("season,style,color,size,qty\n"), bytes.Repeat([]byte("SS27,ST1001,BLK,M,1\n"), orderimport.MaxFileSize/20+1)...)
	rec = a.upload(dealer, "big.csv", big, nil)
	wantAPIError(t, rec, 413, "payload_too_large")
	rec = a.upload(dealer, "huge.csv", bytes.Repeat([]byte("x"), 9<<20), nil)
	wantAPIError(t, rec, 413, "payload_too_large")

	// Too many rows.
	many := "season,style,color,size,qty\n" + strings.Repeat("SS27,ST1001,BLK,M,1\n", orderimport.MaxRows+1)
	rec = a.upload(dealer, "many.csv", []byte(many), nil)
	if b := wantAPIError(t, rec, 422, "validation_failed"); !strings.Contains(b.Error.Message, "20000 rows") {
		t.Errorf("too many rows: %s", rec.Body)
	}

	// Head office: a dealer column, or the dealer field.
	planner := a.token("planner@test.test")
	rec = a.upload(planner, "a.csv", good, nil)
	if b := wantAPIError(t, rec, 422, "validation_failed"); b.Error.Details[0].Field != "row 1.dealer" {
		t.Errorf("planner without dealer: %s", rec.Body)
	}
	rec = a.upload(planner, "a.csv", []byte(impGoodCSV), map[string]string{"dealer": "D002"})
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"dealer":"D002"`) {
		t.Errorf("planner for D002: %d %s", rec.Code, rec.Body)
	}
	if a.count() != 1 {
		t.Errorf("%d orders", a.count())
	}
}

func TestImportAPIIdempotency(t *testing.T) {
	a := newDocsAPI(t, documents.DroidSansFallbackFull)
	dealer := a.token("dealer01@test.test")
	csv := []byte("season,style,color,size,qty\nSS27,ST1001,BLK,M,6\n")
	first := a.upload(dealer, "a.csv", csv, nil, "Idempotency-Key", "imp-1")
	again := a.upload(dealer, "a.csv", csv, nil, "Idempotency-Key", "imp-1")
	if first.Code != 201 || again.Code != 201 || first.Body.String() != again.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("first %d, again %d %s", first.Code, again.Code, again.Body)
	}
	other := a.upload(dealer, "a.csv", append(csv, "SS27,ST1001,BLK,L,6\n"...), nil, "Idempotency-Key", "imp-1")
	wantAPIError(t, other, 409, "idempotency_key_reused")
	if a.count() != 1 {
		t.Errorf("%d orders", a.count())
	}
}
