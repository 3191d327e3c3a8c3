package orderdb

import (
	"slices"
	"testing"

	"github.com/lib/pq"
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
