package orderimport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/orderimport/importdb"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

type env struct {
	t   *testing.T
	db  *sqlx.DB
	svc *orderimport.Service
}

func setup(t *testing.T) *env {
	t.Helper()
	db, _ := pgtest.NewFrom(t, "ordering", orderingtest.Build)
	return &env{t: t, db: db, svc: orderimport.NewService(ordering.NewService(orderdb.New(db), nil), importdb.New(db))}
}

func (e *env) who(email string) auth.Principal { return orderingtest.Principal(e.t, e.db, email) }

func (e *env) orders() int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_lines)`); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) run(p auth.Principal, csv string, dealer, key string) ([]ordering.Order, bool, error) {
	return e.svc.Import(context.Background(), p, orderimport.Upload{Name: "orders.csv", Data: []byte(csv), Dealer: dealer}, key)
}

// wantRefusal checks the error and that nothing was written.
func (e *env) wantRefusal(err error, code apperr.Code, want []apperr.Detail) *apperr.Error {
	e.t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != code {
		e.t.Fatalf("err = %v, want %s", err, code)
	}
	if want != nil {
		if diff := cmp.Diff(want, ae.Details); diff != "" {
			e.t.Errorf("details (-want +got):\n%s", diff)
		}
	}
	if n := e.orders(); n != 0 {
		e.t.Errorf("%d orders and lines were written", n)
	}
	return ae
}

func TestImportByDealer(t *testing.T) {
	e := setup(t)
	dealer := e.who("dealer01@test.test")
	csv := "\xEF\xBB\xBFSeason,Style,Color,Size,Qty,Reference\r\n" +
		"SS27,ST1001,BLK,M,6,PO-A\r\n" +
		"SS27,ST1001,BLK,M,2,PO-A\r\n" + // summed with row 2
		"ss27,ST2001,KHA,36,4,PO-B\r\n" +
		"SS27,st1002,blu,s,1,PO-A\r\n"
	orders, created, err := e.run(dealer, csv, "", "")
	if err != nil || !created {
		t.Fatalf("import: %v (created %v)", err, created)
	}
	type sum struct {
		Dealer, Season, Reference string
		Qty                       int
		Amount                    string
		Lines                     int
	}
	var got []sum
	for _, o := range orders {
		got = append(got, sum{o.Dealer, o.Season, o.Reference, o.TotalQty, o.TotalAmount.String(), len(o.Lines)})
		if o.Status != ordering.StatusSubmitted {
			t.Errorf("%s is %s", o.Number, o.Status)
		}
	}
	want := []sum{
		{"D001", "SS27", "PO-A", 9, "1131.50", 2}, // 8 × 129.00 + 1 × 99.50
		{"D001", "SS27", "PO-B", 4, "596.00", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
}

func TestImportRefusals(t *testing.T) {
	const h = "season,style,color,size,qty,reference\n"
	d := func(field, msg string) apperr.Detail { return apperr.Detail{Field: field, Message: msg} }
	tests := []struct {
		name   string
		who    string
		dealer string
		csv    string
		code   apperr.Code
		msg    string
		want   []apperr.Detail
	}{
		{"unknown style, colour, size; minimum", "dealer01@test.test", "", h +
			"SS27,ST1001,BLK,M,6,A\nSS27,ST9999,BLK,M,1,A\nSS27,ST1001,RED,M,1,A\nSS27,ST1001,BLK,XXXL,1,A\nSS27,ST2001,KHA,36,1,A\n",
			apperr.Validation, "4 rows are invalid", []apperr.Detail{
				d("row 3.style", "style ST9999 is not offered in season SS27"),
				d("row 4.color", "color RED is not offered for style ST1001"),
				d("row 5.size", "size XXXL is not offered for style ST1001"),
				d("row 6.qty", "style ST2001 color KHA: 1 pieces ordered, the minimum per color is 4"),
			}},
		{"unknown season, in the second order", "dealer01@test.test", "", h + "SS27,ST1001,BLK,M,6,A\nXX99,ST1001,BLK,M,6,B\nXX99,ST1001,BLK,L,6,B\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 3.season", "season XX99 does not exist")}},
		{"a bad row among good ones", "dealer01@test.test", "", h + "SS27,ST1001,BLK,M,6,A\nSS27,ST1001,BLK,L,0,A\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 3.qty", "qty must be a positive integer")}},
		{"another dealer in the dealer column", "dealer01@test.test", "", "dealer," + h + "D001,SS27,ST1001,BLK,M,6,A\nD002,SS27,ST1001,BLK,M,6,A\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 3.dealer", "you may only import orders for dealer D001")}},
		{"dealer choosing another dealer", "dealer01@test.test", "D002", h + "SS27,ST1001,BLK,M,6,A\n", apperr.Forbidden, "", nil},
		{"supplier", "supplier01@test.test", "", h + "SS27,ST1001,BLK,M,6,A\n", apperr.Forbidden, "", nil},
		{"head office without a dealer column", "planner@test.test", "", h + "SS27,ST1001,BLK,M,6,A\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 1.dealer", orderimport.MsgDealerColumn)}},
		{"head office, empty dealer cell", "planner@test.test", "", "dealer," + h + "D001,SS27,ST1001,BLK,M,6,A\n,SS27,ST1001,BLK,M,6,A\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 3.dealer", "dealer is required")}},
		{"head office, row disagrees with the choice", "planner@test.test", "D001", "dealer," + h + "D002,SS27,ST1001,BLK,M,6,A\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 2.dealer", "the row names dealer D002, but the import is for dealer D001")}},
		{"head office, unknown dealer", "planner@test.test", "", "dealer," + h + "D001,SS27,ST1001,BLK,M,6,A\nD404,SS27,ST1001,BLK,M,6,A\n",
			apperr.Validation, "1 row is invalid", []apperr.Detail{d("row 3.dealer", "dealer D404 does not exist")}},
		{"season closed", "dealer01@test.test", "", h + "SS27,ST1001,BLK,M,6,A\nAW26,ST1001,BLK,M,6,A\n", apperr.SeasonClosed, "", nil},
		{"dealer on hold", "planner@test.test", "", "dealer," + h + "D001,SS27,ST1001,BLK,M,6,A\nD039,SS27,ST1001,BLK,M,6,A\n", apperr.DealerOnHold, "", nil},
		{"credit", "dealer40@test.test", "", h + "SS27,ST1001,BLK,M,200,A\nSS27,ST1001,BLK,L,200,B\n", apperr.CreditLimitExceeded, "", nil},
		{"parse error", "dealer01@test.test", "", "season,style\n", apperr.Validation, "the header row is invalid", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			_, _, err := e.run(e.who(tt.who), tt.csv, tt.dealer, "")
			ae := e.wantRefusal(err, tt.code, tt.want)
			if tt.msg != "" && ae.Message != tt.msg {
				t.Errorf("message %q, want %q", ae.Message, tt.msg)
			}
		})
	}
}

func TestImportByHeadOffice(t *testing.T) {
	e := setup(t)
	planner := e.who("planner@test.test")
	// The choice fills empty dealer cells; rows may name it too.
	orders, _, err := e.run(planner, "season,style,color,size,qty\nSS27,ST1001,BLK,M,6\n", "d002", "")
	if err != nil || len(orders) != 1 || orders[0].Dealer != "D002" || orders[0].TotalAmount.String() != "720.00" {
		t.Fatalf("import for D002: %v %+v", err, orders)
	}
	orders, _, err = e.run(planner, "Dealer,season,style,color,size,qty\nD001,SS27,ST1001,BLK,M,6\nD002,SS27,ST1001,NVY,M,6\nD001,SS27,ST1001,WHT,M,6\n", "", "")
	if err != nil || len(orders) != 2 || orders[0].Dealer != "D001" || orders[0].TotalQty != 12 || orders[1].Dealer != "D002" {
		t.Fatalf("import for two dealers: %v %+v", err, orders)
	}
	ds, err := e.svc.Dealers(context.Background(), planner)
	if err != nil || len(ds) != 5 || ds[0] != (orderimport.Dealer{Code: "D001", Name: "上海时装"}) || !ds[2].OnHold {
		t.Errorf("dealers: %v %+v", err, ds)
	}
	if _, err := e.svc.Dealers(context.Background(), e.who("dealer01@test.test")); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("dealer asking for dealers: %v", err)
	}
}

func TestImportIdempotency(t *testing.T) {
	e := setup(t)
	dealer := e.who("dealer01@test.test")
	csv := "season,style,color,size,qty\nSS27,ST1001,BLK,M,6\n"
	first, created, err := e.run(dealer, csv, "", "import-1")
	if err != nil || !created {
		t.Fatalf("first: %v", err)
	}
	again, created, err := e.run(dealer, strings.ReplaceAll(csv, ",", ";"), "", "import-1")
	if err != nil || created || len(again) != 1 || again[0].Number != first[0].Number {
		t.Fatalf("repeat: created %v, %v, %+v", created, err, again)
	}
	_, _, err = e.run(dealer, csv+"SS27,ST1001,BLK,L,6\n", "", "import-1")
	if !apperr.Is(err, apperr.IdempotencyReused) {
		t.Fatalf("different file, same key: %v", err)
	}
	var n int
	e.db.Get(&n, `SELECT count(*) FROM orders`)
	if n != 1 {
		t.Errorf("%d orders", n)
	}
}

// A big file goes through in one transaction, in reasonable time.
func TestImportBigFile(t *testing.T) {
	e := setup(t)
	if err := orderingtest.AddBulkStyles(context.Background(), e.db, "SS27", 150, 6); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("season,style,color,size,qty,reference\n")
	rows := 0
	for s := 1; s <= 150; s++ {
		for c := 1; c <= 6; c++ {
			for _, size := range []string{"XS", "S", "M", "L", "XL", "XXL"} {
				ref := "BIG-1"
				if s > 75 {
					ref = "BIG-2"
				}
				fmt.Fprintf(&b, "SS27,BK%04d,C%d,%s,2,%s\n", s, c, size, ref)
				rows++
			}
		}
	}
	start := time.Now()
	orders, _, err := e.run(e.who("dealer01@test.test"), b.String(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 2 || len(orders[0].Lines)+len(orders[1].Lines) != rows {
		t.Fatalf("%d orders", len(orders))
	}
	t.Logf("%d rows imported in %v", rows, time.Since(start))
}
