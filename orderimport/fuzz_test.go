package orderimport_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/ordering"
)

// csvSeeds are the fuzz corpus: good files, a BOM, quotes, CRLF, other
// separators, injection strings, and some of the refusals.
var csvSeeds = []string{
	"season,style,color,size,qty\nSS27,ST1001,BLK,M,12\n",
	"\xEF\xBB\xBFseason,style,color,size,qty,reference\r\nSS27,ST1001,BLK,M,12,\"PO \"\"1\"\", A\"\r\n",
	"Qty;Size;Color;Style;Season\n3;L;NVY;ST1001;SS27\n",
	"season\tstyle\tcolor\tprepack\tpacks\nSS27\tST1001\tBLK\tPP1\t2\n",
	"dealer,season,style,color,size,qty,prepack,packs,reference,delivery_window\nD001,SS27,ST1001,BLK,M,1,,,R,D1\nD001,SS27,ST1001,BLK,,,PP1,1,R,D1\n",
	"season,style,color,size,qty,reference\nSS27,ST1001,BLK,M,1,=cmd|' /C calc'!A0\nSS27,ST1001,BLK,M,1,'; DROP TABLE orders; --\n",
	"season,style,color,size,qty\nSS27,ST1001,BLK,M,0\nSS27,ST1001,BLK,M,-1\nSS27,ST1001,BLK,M,12.5\nSS27,ST1001,BLK,M,1e3\n",
	"season,style,color,size,qty\nSS27,ST1001,BLK,M,１２\nSS27,ＳＴ１,BLK,M,9999999999999999999999\n",
	"season,style,color,size,qty\nSS27,\"ST1001\nX\",BLK,M,1\n\"unterminated\n",
	"season,style,color,size,qty\nSS27,ST1001,BLK,M,1,extra\n",
	"season,style,color,size,qty,reference\nSS27,ST1001,BLK,M,1,\xff\xfe\x01\n",
	"\xff\xfes\x00",
	"",
	"\n\n,,\n",
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := orderimport.ParseCSV(data)
		checkParse(t, file, err)
	})
}

func FuzzParseXLSX(f *testing.F) {
	f.Add(xlsx(f, sheet{"orders", [][]any{
		{"season", "style", "color", "size", "qty", "reference"},
		{"SS27", "ST1001", "BLK", "M", 12, "上海"},
		{"SS27", "ST1001", "NVY", "L", 12.5, "=1+1"},
		{"SS27", "ST1001", "NVY", nil, nil, nil},
	}}))
	f.Add(xlsx(f, sheet{"Sheet1", [][]any{{"season", "style", "color", "prepack", "packs"}, {"SS27", "ST1001", "BLK", "PP1", -3}}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := orderimport.Parse("orders.xlsx", data)
		checkParse(t, file, err)
	})
}

var detailField = regexp.MustCompile(`^(file|row [1-9][0-9]*(\..+)?)$`)

// checkParse checks what every parse promises: rows with positive
// quantities within the limits and clean text, or a validation error
// naming rows or the file.
func checkParse(t *testing.T, f orderimport.File, err error) {
	t.Helper()
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || (e.Code != apperr.Validation && e.Code != apperr.PayloadTooLarge) {
			t.Fatalf("error %v is not a validation error", err)
		}
		if e.Code == apperr.Validation && len(e.Details) == 0 {
			t.Fatalf("validation error without details: %v", err)
		}
		for _, d := range e.Details {
			if !detailField.MatchString(d.Field) || d.Message == "" {
				t.Fatalf("detail %+v does not name a row or the file", d)
			}
		}
		return
	}
	if len(f.Rows) == 0 || len(f.Rows) > orderimport.MaxRows {
		t.Fatalf("%d rows", len(f.Rows))
	}
	for _, r := range f.Rows {
		if r.Row <= f.HeaderRow {
			t.Fatalf("row %d is not after the header row %d", r.Row, f.HeaderRow)
		}
		bySize := r.Size != "" && r.Qty > 0 && r.Qty <= ordering.MaxLineQty && r.Prepack == "" && r.Packs == 0
		byPack := r.Prepack != "" && r.Packs > 0 && r.Packs <= ordering.MaxLineQty && r.Size == "" && r.Qty == 0
		if !bySize && !byPack {
			t.Fatalf("row %+v has no positive quantity", r)
		}
		if r.Season == "" || r.Style == "" || r.Color == "" {
			t.Fatalf("row %+v lacks a code", r)
		}
		for _, s := range []string{r.Dealer, r.Season, r.Style, r.Color, r.Size, r.Prepack, r.Reference, r.DeliveryWindow} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) || s != strings.TrimSpace(s) {
				t.Fatalf("row %+v has unclean text %q", r, s)
			}
		}
		if utf8.RuneCountInString(r.Reference) > ordering.MaxReference {
			t.Fatalf("reference too long: %q", r.Reference)
		}
	}
}
