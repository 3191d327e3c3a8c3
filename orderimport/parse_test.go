package orderimport_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/orderimport"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want orderimport.File
	}{
		{
			name: "api.md columns",
			in:   "season,style,color,size,qty\nSS27,ST1001,BLK,M,12\nSS27,ST1001,NVY,L,6\n",
			want: orderimport.File{HeaderRow: 1, Columns: []string{"season", "style", "color", "size", "qty"}, Rows: []orderimport.Row{
				{Row: 2, Season: "SS27", Style: "ST1001", Color: "BLK", Size: "M", Qty: 12},
				{Row: 3, Season: "SS27", Style: "ST1001", Color: "NVY", Size: "L", Qty: 6},
			}},
		},
		{
			name: "BOM, CRLF, header case and order, quotes, blank lines, spaces",
			in: "\xEF\xBB\xBFQty,Reference,SIZE, Colour ,Style,Season\r\n" +
				"12,\"PO 1, \"\"spring\"\"\",M,BLK,ST1001,ss27\r\n\r\n" +
				" 6 ,上海 订单,L, nvy ,ST1001,SS27\r\n,,,,,\r\n",
			want: orderimport.File{HeaderRow: 1, Columns: []string{"qty", "reference", "size", "color", "style", "season"}, Rows: []orderimport.Row{
				{Row: 2, Season: "ss27", Style: "ST1001", Color: "BLK", Size: "M", Qty: 12, Reference: `PO 1, "spring"`},
				{Row: 4, Season: "SS27", Style: "ST1001", Color: "nvy", Size: "L", Qty: 6, Reference: "上海 订单"},
			}},
		},
		{
			name: "semicolons, prepacks, dealer, delivery window, full-width digits",
			in: "dealer;season;style;color;size;qty;prepack;packs;delivery window\n" +
				"D001;SS27;ST1001;BLK;;;PP1;3;D2\n" +
				"D001;SS27;ＳＴ１００１;BLK;XL;１２;;;D2\n",
			want: orderimport.File{HeaderRow: 1, Columns: []string{"dealer", "season", "style", "color", "size", "qty", "prepack", "packs", "delivery_window"}, Rows: []orderimport.Row{
				{Row: 2, Dealer: "D001", Season: "SS27", Style: "ST1001", Color: "BLK", Prepack: "PP1", Packs: 3, DeliveryWindow: "D2"},
				{Row: 3, Dealer: "D001", Season: "SS27", Style: "ST1001", Color: "BLK", Size: "XL", Qty: 12, DeliveryWindow: "D2"},
			}},
		},
		{
			name: "header after blank lines, trailing empty columns, injection strings are data",
			in: "\n\nseason,style,color,size,qty,reference,\n" +
				"SS27,ST1001,BLK,M,1,=cmd|' /C calc'!A0,\n" +
				"SS27,ST1001,BLK,S,2,'; DROP TABLE orders; --\n" +
				"SS27,ST1001,BLK,L,3,<script>alert(1)</script>\n",
			want: orderimport.File{HeaderRow: 3, Columns: []string{"season", "style", "color", "size", "qty", "reference"}, Rows: []orderimport.Row{
				{Row: 4, Season: "SS27", Style: "ST1001", Color: "BLK", Size: "M", Qty: 1, Reference: "=cmd|' /C calc'!A0"},
				{Row: 5, Season: "SS27", Style: "ST1001", Color: "BLK", Size: "S", Qty: 2, Reference: "'; DROP TABLE orders; --"},
				{Row: 6, Season: "SS27", Style: "ST1001", Color: "BLK", Size: "L", Qty: 3, Reference: "<script>alert(1)</script>"},
			}},
		},
		{
			name: "tabs and leading zeros",
			in:   "season\tstyle\tcolor\tsize\tqty\nSS27\tST2001\tKHA\t36\t007\n",
			want: orderimport.File{HeaderRow: 1, Columns: []string{"season", "style", "color", "size", "qty"}, Rows: []orderimport.Row{
				{Row: 2, Season: "SS27", Style: "ST2001", Color: "KHA", Size: "36", Qty: 7},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := orderimport.Parse("orders.csv", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v %+v", err, details(err))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func details(err error) []apperr.Detail {
	if e, ok := apperr.As(err); ok {
		return e.Details
	}
	return nil
}

const head = "season,style,color,size,qty,reference\n"

// Every refusal names the row and column, or the file.
func TestParseRefusals(t *testing.T) {
	d := func(field, msg string) apperr.Detail { return apperr.Detail{Field: field, Message: msg} }
	tests := []struct {
		name    string
		file    string
		in      string
		code    apperr.Code
		message string
		want    []apperr.Detail
	}{
		{"missing column", "a.csv", "season,style,color,size\nSS27,ST1001,BLK,M\n", apperr.Validation,
			"the header row is invalid", []apperr.Detail{d("row 1.qty", "the header row has no qty column")}},
		{"missing season and packs", "a.csv", "style,color,prepack\n", apperr.Validation,
			"the header row is invalid", []apperr.Detail{
				d("row 1.season", "the header row has no season column"), d("row 1.packs", "the header row has no packs column")}},
		{"unknown column", "a.csv", "season,style,color,size,qty,notes\n", apperr.Validation,
			"the header row is invalid", []apperr.Detail{d("row 1.notes",
				"unknown column notes; the columns are dealer, season, style, color, size, qty, prepack, packs, reference, delivery_window")}},
		{"duplicate column", "a.csv", "season,style,color,size,qty,QTY\n", apperr.Validation,
			"the header row is invalid", []apperr.Detail{d("row 1.qty", "column qty appears twice in the header row")}},
		{"empty cell", "a.csv", head + "SS27,,BLK,M,1\nSS27,ST1001,BLK,,2\nSS27,ST1001,BLK,M,\n", apperr.Validation,
			"3 rows are invalid", []apperr.Detail{
				d("row 2.style", "style is required"), d("row 3.size", "size is required"), d("row 4.qty", "qty is required")}},
		{"non-integer qty", "a.csv", head + "SS27,ST1001,BLK,M,12.5\nSS27,ST1001,BLK,M,1e3\nSS27,ST1001,BLK,M,-3\n" +
			"SS27,ST1001,BLK,M,0\nSS27,ST1001,BLK,M,abc\nSS27,ST1001,BLK,M,+4\nSS27,ST1001,BLK,M,\"1,000\"\nSS27,ST1001,BLK,M,0x10\n",
			apperr.Validation, "8 rows are invalid", []apperr.Detail{
				d("row 2.qty", "qty must be a positive integer"), d("row 3.qty", "qty must be a positive integer"),
				d("row 4.qty", "qty must be a positive integer"), d("row 5.qty", "qty must be a positive integer"),
				d("row 6.qty", "qty must be a positive integer"), d("row 7.qty", "qty must be a positive integer"),
				d("row 8.qty", "qty must be a positive integer"), d("row 9.qty", "qty must be a positive integer")}},
		{"qty too large", "a.csv", head + "SS27,ST1001,BLK,M,10001\nSS27,ST1001,BLK,M,99999999999999999999999\n", apperr.Validation,
			"2 rows are invalid", []apperr.Detail{d("row 2.qty", "qty must be at most 10000"), d("row 3.qty", "qty must be at most 10000")}},
		{"packs", "a.csv", "season,style,color,prepack,packs\nSS27,ST1001,BLK,PP1,-1\nSS27,ST1001,BLK,,2\n", apperr.Validation,
			"2 rows are invalid", []apperr.Detail{d("row 2.packs", "packs must be a positive integer"), d("row 3.prepack", "prepack is required")}},
		{"size and prepack", "a.csv", "season,style,color,size,qty,prepack,packs\nSS27,ST1001,BLK,M,1,PP1,1\nSS27,ST1001,BLK,,,,\n", apperr.Validation,
			"2 rows are invalid", []apperr.Detail{
				d("row 2.prepack", "give either size and qty or prepack and packs, not both"),
				d("row 3.size", "give a size and qty, or a prepack and packs")}},
		{"too many columns", "a.csv", head + "SS27,ST1001,BLK,M,1,PO,extra\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2", "row 2 has a value in column 7, which has no header")}},
		{"invalid UTF-8", "a.csv", head + "SS27,ST1001,BLK,M,1,PO\xff\xfe\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2.reference", "reference is not valid UTF-8 text; save the file as CSV UTF-8")}},
		{"GBK text", "a.csv", head + "SS27,ST1001,BLK,M,1,\xc9\xcf\xba\xa3\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2.reference", "reference is not valid UTF-8 text; save the file as CSV UTF-8")}},
		{"control character", "a.csv", head + "SS27,ST1\x01,BLK,M,1\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2.style", "style contains a control character")}},
		{"long code and reference", "a.csv", head + "SS27," + strings.Repeat("X", 41) + ",BLK,M,1," + strings.Repeat("参", 101) + "\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2.style", "style may have at most 40 characters"), d("row 2.reference", "reference may have at most 100 characters")}},
		{"malformed CSV", "a.csv", head + "SS27,ST1001,BLK,M,1,\"PO\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2", "row 2 is not valid CSV: extraneous or missing \" in quoted-field")}},
		{"bare quote", "a.csv", head + "SS27,ST1001,BLK,M,1,P\"O\n", apperr.Validation,
			"1 row is invalid", []apperr.Detail{d("row 2", "row 2 is not valid CSV: bare \" in non-quoted-field")}},
		{"empty file", "a.csv", "", apperr.Validation, "the file has no rows to import",
			[]apperr.Detail{d("file", "the file has no rows to import")}},
		{"blank file", "a.csv", "\n ,, \n\n", apperr.Validation, "the file has no rows to import",
			[]apperr.Detail{d("file", "the file has no rows to import")}},
		{"header only", "a.csv", head, apperr.Validation, "the file has a header row but no rows to import",
			[]apperr.Detail{d("file", "the file has a header row but no rows to import")}},
		{"UTF-16", "a.csv", "\xff\xfes\x00e\x00", apperr.Validation, "the file is UTF-16 text; save it as CSV UTF-8",
			[]apperr.Detail{d("file", "the file is UTF-16 text; save it as CSV UTF-8")}},
		{"binary", "a.csv", "%PDF-1.4\x00\x01", apperr.Validation, "the file is neither CSV text nor an Excel workbook (.xlsx)",
			[]apperr.Detail{d("file", "the file is neither CSV text nor an Excel workbook (.xlsx)")}},
		{"old Excel", "orders.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", apperr.Validation, orderimport.MsgOldExcel,
			[]apperr.Detail{d("file", orderimport.MsgOldExcel)}},
		{"xlsx that is not", "../../etc/passwd.xlsx", head, apperr.Validation, orderimport.MsgBadXLSX,
			[]apperr.Detail{d("file", orderimport.MsgBadXLSX)}},
		{"broken zip", "orders.csv", "PK\x03\x04garbage", apperr.Validation, orderimport.MsgBadXLSX,
			[]apperr.Detail{d("file", orderimport.MsgBadXLSX)}},
		{"too many rows", "a.csv", head + strings.Repeat("SS27,ST1001,BLK,M,1\n", orderimport.MaxRows+1), apperr.Validation,
			"the file has more than 20000 rows; split it into several files",
			[]apperr.Detail{d("file", "the file has more than 20000 rows; split it into several files")}},
		{"too large", "a.csv", head + strings.Repeat("x", orderimport.MaxFileSize), apperr.PayloadTooLarge,
			"the file is larger than 5 MB; split it into several files", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := orderimport.Parse(tt.file, []byte(tt.in))
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if e.Code != tt.code || e.Message != tt.message {
				t.Errorf("error = %s %q, want %s %q", e.Code, e.Message, tt.code, tt.message)
			}
			if diff := cmp.Diff(tt.want, e.Details); diff != "" {
				t.Errorf("details (-want +got):\n%s", diff)
			}
		})
	}
}

// Exactly MaxRows rows are fine.
func TestParseMaxRows(t *testing.T) {
	f, err := orderimport.ParseCSV([]byte(head + strings.Repeat("SS27,ST1001,BLK,M,1\n", orderimport.MaxRows)))
	if err != nil || len(f.Rows) != orderimport.MaxRows {
		t.Fatalf("rows %d, err %v", len(f.Rows), err)
	}
}

// At most 200 problems are listed, then a count of the rest.
func TestParseManyProblems(t *testing.T) {
	_, err := orderimport.ParseCSV([]byte(head + strings.Repeat("SS27,ST1001,BLK,M,0\n", 250)))
	ds := details(err)
	if len(ds) != 201 || ds[200] != (apperr.Detail{Field: "file", Message: "and 50 more problems"}) {
		t.Fatalf("%d details, last %+v", len(ds), ds[len(ds)-1])
	}
	if e, _ := apperr.As(err); e.Message != "200 rows are invalid" {
		t.Errorf("message %q", e.Message)
	}
}

// xlsx builds a workbook: sheets in order, each a list of rows of cells
// (strings as text, ints and floats as numbers).
func xlsx(t testing.TB, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type sheet struct {
	name string
	rows [][]any
}

func TestParseXLSX(t *testing.T) {
	header := []any{"Season", "Style", "Color", "Size", "Qty", "Reference"}
	data := xlsx(t,
		sheet{"Notes", [][]any{{"read me"}}},
		sheet{"Orders", [][]any{
			header,
			{"SS27", "ST1001", "BLK", "M", 12, "PO-7"},
			nil, // an empty row keeps the numbering
			{"SS27", "ST2001", "KHA", 36, 4.0, 20270101},
			{"SS27", "ST1001", "NVY", "L", "6", "上海订单"},
		}},
	)
	got, err := orderimport.Parse("orders.XLSX", data)
	if err != nil {
		t.Fatalf("Parse: %v %+v", err, details(err))
	}
	want := orderimport.File{HeaderRow: 1, Columns: []string{"season", "style", "color", "size", "qty", "reference"}, Rows: []orderimport.Row{
		{Row: 2, Season: "SS27", Style: "ST1001", Color: "BLK", Size: "M", Qty: 12, Reference: "PO-7"},
		{Row: 4, Season: "SS27", Style: "ST2001", Color: "KHA", Size: "36", Qty: 4, Reference: "20270101"},
		{Row: 5, Season: "SS27", Style: "ST1001", Color: "NVY", Size: "L", Qty: 6, Reference: "上海订单"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Whatever the extension says, the content decides; the first sheet
	// is read when none is named "orders".
	first := xlsx(t, sheet{"Sheet A", [][]any{header, {"SS27", "ST1001", "BLK", "M", 12.5}, {"SS27", "ST1001", "BLK", "M", -2},
		{"SS27", "ST1001", "BLK", "M", "1e3"}, {"SS27", nil, "BLK", "M", 1}, {"SS27", "ST1001", "BLK", "M", 1, "", "x"}}})
	_, err = orderimport.Parse("upload.csv", first)
	wantD := []apperr.Detail{
		{Field: "row 2.qty", Message: "qty must be a positive integer"},
		{Field: "row 3.qty", Message: "qty must be a positive integer"},
		{Field: "row 4.qty", Message: "qty must be a positive integer"},
		{Field: "row 5.style", Message: "style is required"},
		{Field: "row 6", Message: "row 6 has a value in column 7, which has no header"},
	}
	if diff := cmp.Diff(wantD, details(err)); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}

func TestParseXLSXTooManyRows(t *testing.T) {
	rows := [][]any{{"season", "style", "color", "size", "qty"}}
	for i := 0; i <= orderimport.MaxRows; i++ {
		rows = append(rows, []any{"SS27", "ST1001", "BLK", "M", 1})
	}
	_, err := orderimport.ParseXLSX(xlsx(t, sheet{"orders", rows}))
	want := []apperr.Detail{{Field: "file", Message: fmt.Sprintf("the file has more than %d rows; split it into several files", orderimport.MaxRows)}}
	if diff := cmp.Diff(want, details(err)); diff != "" {
		t.Error(diff)
	}
}
