package ordering_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// benchSetup: the fixture plus 150 bulk styles × 6 colours × 6 sizes
// (5,400 SKUs) in SS27, and D001 with room for any number of orders.
func benchSetup(b *testing.B) (*ordering.Service, auth.Principal, []ordering.LineRequest) {
	b.Helper()
	db := pgtest.New(b)
	orderingtest.New(b, db)
	if err := orderingtest.AddBulkStyles(context.Background(), db, "SS27", 150, 6); err != nil {
		b.Fatal(err)
	}
	db.MustExec(`UPDATE dealers SET credit_limit = 900000000000 WHERE code = 'D001'`)
	var lines []ordering.LineRequest
	for s := 1; s <= 150; s++ {
		for c := 1; c <= 6; c++ {
			for _, size := range []string{"XS", "S", "M", "L", "XL", "XXL"} {
				lines = append(lines, ordering.LineRequest{Style: fmt.Sprintf("BK%04d", s), Color: fmt.Sprintf("C%d", c), Size: size, Qty: 1 + s%7})
			}
		}
	}
	return ordering.NewService(orderdb.New(db), nil), orderingtest.Principal(b, db, "dealer01@test.test"), lines
}

func benchSubmit(b *testing.B, n int) {
	svc, p, lines := benchSetup(b)
	req := ordering.SubmitRequest{Season: "SS27", Lines: lines[:n]}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		o, _, err := svc.Submit(ctx, p, req, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(o.Lines) != n {
			b.Fatalf("%d lines", len(o.Lines))
		}
	}
}

func BenchmarkSubmit50(b *testing.B)   { benchSubmit(b, 50) }
func BenchmarkSubmit5000(b *testing.B) { benchSubmit(b, 5000) }

func BenchmarkGet5000(b *testing.B) {
	svc, p, lines := benchSetup(b)
	ctx := context.Background()
	o, _, err := svc.Submit(ctx, p, ordering.SubmitRequest{Season: "SS27", Lines: lines[:5000]}, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Get(ctx, p, o.Number); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAmendOneLineOf5000(b *testing.B) {
	svc, p, lines := benchSetup(b)
	ctx := context.Background()
	o, _, err := svc.Submit(ctx, p, ordering.SubmitRequest{Season: "SS27", Lines: lines[:5000]}, "")
	if err != nil {
		b.Fatal(err)
	}
	edit := append([]ordering.LineRequest(nil), lines[:5000]...)
	version := o.Version
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		edit[0].Qty = 1 + i%50
		a, err := svc.Replace(ctx, p, o.Number, version, edit)
		if err != nil {
			b.Fatal(err)
		}
		version = a.Version
	}
}
