package orderdb

import (
	"context"
	"slices"
	"testing"

	"github.com/lib/pq"

	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

func TestIntArrayScan(t *testing.T) {
	for _, c := range []struct {
		src     any
		want    []int64
		wantErr bool
	}{
		{nil, []int64{}, false},
		{[]byte("{}"), []int64{}, false},
		{[]byte("{7}"), []int64{7}, false},
		{[]byte("{1,22,-3,0}"), []int64{1, 22, -3, 0}, false},
		{"{4,5}", []int64{4, 5}, false},
		{[]byte("{999999999999999999}"), []int64{999999999999999999}, false},
		{[]byte(""), nil, true},
		{[]byte("{1,}"), nil, true},
		{[]byte("{,1}"), nil, true},
		{[]byte("{1,NULL}"), nil, true},
		{[]byte("{1.5}"), nil, true},
		{[]byte("{-}"), nil, true},
		{[]byte("1,2"), nil, true},
		{[]byte("{1234567890123456789}"), nil, true},
		{42, nil, true},
	} {
		a := intArray{9, 9} // a reused value must not leak into the result
		err := a.Scan(c.src)
		if c.wantErr {
			if err == nil {
				t.Errorf("Scan(%q) = %v, want an error", c.src, a)
			}
			continue
		}
		if err != nil || !slices.Equal([]int64(a), c.want) {
			t.Errorf("Scan(%q) = %v, %v; want %v", c.src, a, err, c.want)
		}
	}
}

// FuzzIntArray: on every input pq.Int64Array accepts without NULLs or
// out-of-range numbers, intArray reads the same numbers.
func FuzzIntArray(f *testing.F) {
	for _, s := range []string{"{}", "{1}", "{1,2,3}", "{-5,0,17}", "{ 1 }", "{1,NULL}", "{{1,2},{3,4}}", "{007}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want pq.Int64Array
		if err := want.Scan(b); err != nil {
			return
		}
		var got intArray
		if err := got.Scan(b); err != nil {
			return // stricter than pq (spaces, nesting, 19 digits): an error, never a wrong number
		}
		if !slices.Equal([]int64(got), []int64(want)) {
			t.Fatalf("%q: intArray %v, pq.Int64Array %v", b, got, want)
		}
	})
}

// TestStyleInfosPrepacks: the prepacks are read only when asked for; the
// rest of the style is the same either way.
func TestStyleInfosPrepacks(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	ctx := context.Background()
	var season, priceList int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT id FROM seasons WHERE code = 'SS27'), (SELECT price_list_id FROM dealers WHERE code = 'D001')`).Scan(&season, &priceList); err != nil {
		t.Fatal(err)
	}
	get := func(prepacks bool) ordering.StyleInfo {
		var out map[string]ordering.StyleInfo
		if err := New(db).InTx(ctx, func(tx ordering.Tx) (err error) {
			out, err = tx.StyleInfos(ctx, season, priceList, []string{"ST1001"}, prepacks)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out["ST1001"]
	}
	with, without := get(true), get(false)
	if len(with.Prepacks) == 0 || len(with.Prepacks["PP1"]) == 0 {
		t.Fatalf("with prepacks: %+v", with.Prepacks)
	}
	if len(without.Prepacks) != 0 {
		t.Errorf("without prepacks: %+v", without.Prepacks)
	}
	if with.ID == 0 || with.ID != without.ID || len(with.SKUs) == 0 || len(with.SKUs) != len(without.SKUs) ||
		len(with.Sizes) != len(without.Sizes) || len(with.Colors) != len(without.Colors) || with.Price != without.Price {
		t.Errorf("the style differs: %+v / %+v", with, without)
	}
}
