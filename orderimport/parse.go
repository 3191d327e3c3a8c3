package orderimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/ordering"
)

// Limits of an import file.
const (
	MaxFileSize = 5 << 20 // bytes
	MaxRows     = 20000   // data rows (not counting the header and empty rows)
	MaxCodeLen  = 40      // characters of a code cell (season, style, colour, …)
	maxDetails  = 200     // problems reported in one error
	// xlsxUnzipLimit bounds what a workbook may unpack to (a zip bomb
	// guard); xlsxXMLMemory is how much of a sheet excelize keeps in memory.
	xlsxUnzipLimit = 64 << 20
	xlsxXMLMemory  = 16 << 20
)

// The columns of an import file (api.md: season, style, color, size, qty and
// optionally reference; also prepack and packs, dealer for head office and
// delivery_window).
const (
	ColSeason         = "season"
	ColStyle          = "style"
	ColColor          = "color"
	ColSize           = "size"
	ColQty            = "qty"
	ColReference      = "reference"
	ColPrepack        = "prepack"
	ColPacks          = "packs"
	ColDealer         = "dealer"
	ColDeliveryWindow = "delivery_window"
)

// Columns lists every column an import file may have, in the order of the
// template file.
var Columns = []string{ColDealer, ColSeason, ColStyle, ColColor, ColSize, ColQty,
	ColPrepack, ColPacks, ColReference, ColDeliveryWindow}

// aliases are other header names accepted for a column.
var aliases = map[string]string{
	"colour":   ColColor,
	"quantity": ColQty,
	"window":   ColDeliveryWindow,
}

// The messages of problems found in a file. The portal translates them by
// these formats (%s is a value, %d a number), so change them together with
// the portal's table of reasons.
const (
	MsgRequired         = "%s is required"
	MsgPositive         = "%s must be a positive integer"
	MsgAtMost           = "%s must be at most %d"
	MsgTooLong          = "%s may have at most %d characters"
	MsgControl          = "%s contains a control character"
	MsgNotUTF8          = "%s is not valid UTF-8 text; save the file as CSV UTF-8"
	MsgSizeOrPrepack    = "give either size and qty or prepack and packs, not both"
	MsgSizeNeeded       = "give a size and qty, or a prepack and packs"
	MsgExtraValues      = "row %d has a value in column %d, which has no header"
	MsgMissingColumn    = "the header row has no %s column"
	MsgDuplicateColumn  = "column %s appears twice in the header row"
	MsgUnknownColumn    = "unknown column %s; the columns are %s"
	MsgMalformedCSV     = "row %d is not valid CSV: %s"
	MsgTooManyRows      = "the file has more than %d rows; split it into several files"
	MsgEmpty            = "the file has no rows to import"
	MsgNoHeader         = "the file has a header row but no rows to import"
	MsgNotCSV           = "the file is neither CSV text nor an Excel workbook (.xlsx)"
	MsgUTF16            = "the file is UTF-16 text; save it as CSV UTF-8"
	MsgOldExcel         = "old Excel files (.xls) cannot be read; save the file as .xlsx or CSV UTF-8"
	MsgBadXLSX          = "the file is not a readable Excel workbook (.xlsx)"
	MsgFileTooLarge     = "the file is larger than %d MB; split it into several files"
	MsgDealerMismatch   = "you may only import orders for dealer %s"
	MsgDealerConflict   = "the row names dealer %s, but the import is for dealer %s"
	MsgDealerColumn     = "add a dealer column, or choose the dealer: head office imports orders on a dealer's behalf"
	msgMoreProblems     = "and %d more problems"
	msgRowsInvalid      = "%d rows are invalid"
	msgOneRowInvalid    = "1 row is invalid"
	msgHeaderInvalid    = "the header row is invalid"
	msgFileInvalid      = "the file cannot be imported"
	fileField           = "file"
	columnListSeparator = ", "
)

// Row is one data row of an import file, trimmed, with full-width digits
// and letters folded to ASCII in codes and numbers. Either Size and Qty or
// Prepack and Packs are set; Qty and Packs are positive integers of at most
// ordering.MaxLineQty.
type Row struct {
	Row            int // the row number in the file; the header is usually row 1
	Dealer         string
	Season         string
	Style          string
	Color          string
	Size           string
	Qty            int
	Prepack        string
	Packs          int
	Reference      string
	DeliveryWindow string
}

// File is a parsed import file.
type File struct {
	HeaderRow int
	Columns   []string // the columns of the header, in file order
	Rows      []Row
}

// Has reports whether the file has the column.
func (f File) Has(col string) bool {
	for _, c := range f.Columns {
		if c == col {
			return true
		}
	}
	return false
}

// Label is the error-detail name of a row: "row 7".
func Label(row int) string { return "row " + strconv.Itoa(row) }

// Parse reads an import file: an Excel workbook when data is a zip archive
// (starting with "PK\x03\x04"), otherwise CSV text. The name (never used
// as a path) only makes the error clearer when a file named .xlsx or .xls
// is something else. Returns payload_too_large above MaxFileSize, and
// validation_failed naming each bad row and column ("row 7.qty") or the
// file ("file").
func Parse(name string, data []byte) (File, error) {
	if len(data) > MaxFileSize {
		return File{}, apperr.New(apperr.PayloadTooLarge, MsgFileTooLarge, MaxFileSize>>20)
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return ParseXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xls":
		return File{}, fileError(MsgOldExcel)
	case ext == ".xlsx" || ext == ".xlsm":
		return File{}, fileError(MsgBadXLSX)
	}
	return ParseCSV(data)
}

// ParseCSV reads CSV text in UTF-8 (a byte-order mark is skipped) with a
// header row; the separator is a comma, or a semicolon or tab when the
// header row has more of those. Errors as Parse.
func ParseCSV(data []byte) (File, error) {
	if len(data) > MaxFileSize {
		return File{}, apperr.New(apperr.PayloadTooLarge, MsgFileTooLarge, MaxFileSize>>20)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return File{}, fileError(MsgUTF16)
	case bytes.IndexByte(data, 0) >= 0:
		return File{}, fileError(MsgNotCSV)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	p := newParser()
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p.problems.add(Label(pe.StartLine), fmt.Sprintf(MsgMalformedCSV, pe.StartLine, pe.Err))
			break
		}
		if err != nil {
			return File{}, fileError(MsgNotCSV)
		}
		line, _ := r.FieldPos(0)
		if p.row(line, rec) {
			break
		}
	}
	return p.finish()
}

// sniffComma picks the separator that occurs most often on the first line
// outside quotes: a comma unless a semicolon (European Excel) or a tab wins.
func sniffComma(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, b := range data {
		if b == '\n' && !quoted {
			if counts[','] > 0 || counts[';'] > 0 || counts['\t'] > 0 {
				break
			}
			continue
		}
		switch b {
		case '"':
			quoted = !quoted
		case ',', ';', '\t':
			if !quoted {
				counts[rune(b)]++
			}
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// ParseXLSX reads the sheet named "orders" of an Excel workbook, or its
// first sheet, with a header row; cells are read as their stored text (a
// number 12 is "12", never a formatted "12.00"). Errors as Parse.
func ParseXLSX(data []byte) (f File, err error) {
	if len(data) > MaxFileSize {
		return File{}, apperr.New(apperr.PayloadTooLarge, MsgFileTooLarge, MaxFileSize>>20)
	}
	// excelize must never take the server down, whatever the file holds.
	defer func() {
		if r := recover(); r != nil {
			f, err = File{}, fileError(MsgBadXLSX)
		}
	}()
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxXMLMemory,
	})
	if err != nil {
		return File{}, fileError(MsgBadXLSX)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return File{}, fileError(MsgEmpty)
	}
	sheet := sheets[0]
	for _, s := range sheets {
		if strings.EqualFold(strings.TrimSpace(s), "orders") {
			sheet = s
			break
		}
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		return File{}, fileError(MsgBadXLSX)
	}
	defer rows.Close()
	p := newParser()
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return File{}, fileError(MsgBadXLSX)
		}
		if p.row(n, cells) {
			break
		}
	}
	if rows.Error() != nil && !p.stopped {
		return File{}, fileError(MsgBadXLSX)
	}
	return p.finish()
}

// parser turns rows of cells, header first, into a File.
type parser struct {
	file     File
	header   []string       // column name per cell index; "" for none
	index    map[string]int // cell index per column
	problems problems
	data     int // data rows seen
	stopped  bool
	inHeader bool // the problems are the header's
}

func newParser() *parser { return &parser{index: map[string]int{}} }

// row takes the cells of row n; it reports true when reading should stop.
func (p *parser) row(n int, cells []string) bool {
	if blank(cells) {
		return false
	}
	if p.header == nil {
		p.readHeader(n, cells)
		if len(p.problems.list) > 0 {
			p.stopped, p.inHeader = true, true
			return true
		}
		return false
	}
	p.data++
	if p.data > MaxRows {
		p.problems = problems{}
		p.problems.add(fileField, fmt.Sprintf(MsgTooManyRows, MaxRows))
		p.stopped = true
		return true
	}
	p.readRow(n, cells)
	return false
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (p *parser) readHeader(n int, cells []string) {
	p.file.HeaderRow = n
	p.header = make([]string, len(cells))
	label := Label(n)
	for i, c := range cells {
		name := headerName(c)
		if name == "" {
			continue
		}
		col, ok := canonical(name)
		if !ok {
			p.problems.add(label+"."+clip(name, MaxCodeLen), fmt.Sprintf(MsgUnknownColumn, clip(name, MaxCodeLen), strings.Join(Columns, columnListSeparator)))
			continue
		}
		if _, dup := p.index[col]; dup {
			p.problems.add(label+"."+col, fmt.Sprintf(MsgDuplicateColumn, col))
			continue
		}
		p.header[i] = col
		p.index[col] = i
		p.file.Columns = append(p.file.Columns, col)
	}
	if len(p.problems.list) > 0 {
		return
	}
	for _, col := range []string{ColSeason, ColStyle, ColColor} {
		if _, ok := p.index[col]; !ok {
			p.problems.add(label+"."+col, fmt.Sprintf(MsgMissingColumn, col))
		}
	}
	_, size := p.index[ColSize]
	_, qty := p.index[ColQty]
	_, prepack := p.index[ColPrepack]
	_, packs := p.index[ColPacks]
	switch {
	case size && !qty:
		p.problems.add(label+"."+ColQty, fmt.Sprintf(MsgMissingColumn, ColQty))
	case qty && !size:
		p.problems.add(label+"."+ColSize, fmt.Sprintf(MsgMissingColumn, ColSize))
	case !size && !prepack:
		p.problems.add(label+"."+ColSize, fmt.Sprintf(MsgMissingColumn, ColSize))
		p.problems.add(label+"."+ColQty, fmt.Sprintf(MsgMissingColumn, ColQty))
	}
	switch {
	case prepack && !packs:
		p.problems.add(label+"."+ColPacks, fmt.Sprintf(MsgMissingColumn, ColPacks))
	case packs && !prepack:
		p.problems.add(label+"."+ColPrepack, fmt.Sprintf(MsgMissingColumn, ColPrepack))
	}
}

// headerName normalises a header cell: "Delivery Window" → "delivery_window".
func headerName(s string) string {
	s = strings.ToLower(strings.TrimSpace(width.Fold.String(s)))
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '-' }), "_")
	return s
}

func canonical(name string) (string, bool) {
	if a, ok := aliases[name]; ok {
		return a, true
	}
	for _, c := range Columns {
		if c == name {
			return c, true
		}
	}
	return "", false
}

// clip shortens s to at most n runes, for messages that echo a value.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func (p *parser) readRow(n int, cells []string) {
	label := Label(n)
	for i, c := range cells {
		if (i >= len(p.header) || p.header[i] == "") && strings.TrimSpace(c) != "" {
			p.problems.add(label, fmt.Sprintf(MsgExtraValues, n, i+1))
			return
		}
	}
	before := len(p.problems.list)
	r := Row{Row: n}
	r.Dealer = p.code(label, cells, ColDealer, false)
	r.Season = p.code(label, cells, ColSeason, true)
	r.Style = p.code(label, cells, ColStyle, true)
	r.Color = p.code(label, cells, ColColor, true)
	r.Reference = p.text(label, cells, ColReference, ordering.MaxReference)
	r.DeliveryWindow = p.code(label, cells, ColDeliveryWindow, false)

	size := p.code(label, cells, ColSize, false)
	qty := p.cell(cells, ColQty)
	prepack := p.code(label, cells, ColPrepack, false)
	packs := p.cell(cells, ColPacks)
	bySize, byPack := size != "" || qty != "", prepack != "" || packs != ""
	switch {
	case bySize && byPack:
		p.problems.add(label+"."+ColPrepack, MsgSizeOrPrepack)
	case byPack:
		if prepack == "" {
			p.problems.add(label+"."+ColPrepack, fmt.Sprintf(MsgRequired, ColPrepack))
		}
		r.Prepack = prepack
		r.Packs = p.positive(label, ColPacks, packs)
	case bySize:
		if size == "" {
			p.problems.add(label+"."+ColSize, fmt.Sprintf(MsgRequired, ColSize))
		}
		r.Size = size
		r.Qty = p.positive(label, ColQty, qty)
	default:
		_, hasSize := p.index[ColSize]
		_, hasPack := p.index[ColPrepack]
		switch {
		case hasSize && hasPack:
			p.problems.add(label+"."+ColSize, MsgSizeNeeded)
		case hasSize:
			p.problems.add(label+"."+ColSize, fmt.Sprintf(MsgRequired, ColSize))
			p.problems.add(label+"."+ColQty, fmt.Sprintf(MsgRequired, ColQty))
		default:
			p.problems.add(label+"."+ColPrepack, fmt.Sprintf(MsgRequired, ColPrepack))
			p.problems.add(label+"."+ColPacks, fmt.Sprintf(MsgRequired, ColPacks))
		}
	}
	if len(p.problems.list) == before {
		p.file.Rows = append(p.file.Rows, r)
	}
}

// cell returns the raw, trimmed value of col in cells ("" when absent).
func (p *parser) cell(cells []string, col string) string {
	i, ok := p.index[col]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// text returns a free-text cell, checked: UTF-8, no control characters, at
// most max characters.
func (p *parser) text(label string, cells []string, col string, max int) string {
	v := p.cell(cells, col)
	field := label + "." + col
	switch {
	case !utf8.ValidString(v):
		p.problems.add(field, fmt.Sprintf(MsgNotUTF8, col))
		return ""
	case strings.IndexFunc(v, isControl) >= 0:
		p.problems.add(field, fmt.Sprintf(MsgControl, col))
		return ""
	case utf8.RuneCountInString(v) > max:
		p.problems.add(field, fmt.Sprintf(MsgTooLong, col, max))
		return ""
	}
	return v
}

// code returns a code cell, checked like text and folded to ASCII width;
// required codes must not be empty.
func (p *parser) code(label string, cells []string, col string, required bool) string {
	before := len(p.problems.list)
	v := p.text(label, cells, col, MaxCodeLen)
	if len(p.problems.list) > before {
		return ""
	}
	v = strings.TrimSpace(width.Fold.String(v))
	if v == "" && required {
		p.problems.add(label+"."+col, fmt.Sprintf(MsgRequired, col))
	}
	return v
}

// positive parses a quantity: digits only (no sign, decimals, exponent or
// separators), from 1 to ordering.MaxLineQty.
func (p *parser) positive(label, col, v string) int {
	field := label + "." + col
	if !utf8.ValidString(v) {
		p.problems.add(field, fmt.Sprintf(MsgNotUTF8, col))
		return 0
	}
	v = strings.TrimSpace(width.Fold.String(v))
	if v == "" {
		p.problems.add(field, fmt.Sprintf(MsgRequired, col))
		return 0
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			p.problems.add(field, fmt.Sprintf(MsgPositive, col))
			return 0
		}
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n > ordering.MaxLineQty:
		p.problems.add(field, fmt.Sprintf(MsgAtMost, col, ordering.MaxLineQty))
		return 0
	case n <= 0:
		p.problems.add(field, fmt.Sprintf(MsgPositive, col))
		return 0
	}
	return n
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xFFFE || r == 0xFFFF
}

func (p *parser) finish() (File, error) {
	if len(p.problems.list) > 0 {
		summary := ""
		if p.inHeader {
			summary = msgHeaderInvalid
		}
		return File{}, p.problems.err(summary)
	}
	switch {
	case p.header == nil:
		return File{}, fileError(MsgEmpty)
	case len(p.file.Rows) == 0:
		return File{}, fileError(MsgNoHeader)
	}
	return p.file, nil
}

func fileError(msg string) error { return apperr.Field(fileField, "%s", msg) }

// problems collects the details of a validation error, at most maxDetails.
type problems struct {
	list  []apperr.Detail
	extra int
}

func (ps *problems) add(field, msg string) {
	if len(ps.list) >= maxDetails {
		ps.extra++
		return
	}
	ps.list = append(ps.list, apperr.Detail{Field: field, Message: msg})
}

func (ps *problems) err(summary string) error {
	details := ps.list
	if ps.extra > 0 {
		details = append(details, apperr.Detail{Field: fileField, Message: fmt.Sprintf(msgMoreProblems, ps.extra)})
	}
	if summary == "" {
		summary = Summary(details)
	}
	return apperr.Invalid(summary, details...)
}

// Summary is the message of a validation error about rows: how many rows
// are invalid (or the one message, when it is about the file).
func Summary(details []apperr.Detail) string {
	rows := map[string]bool{}
	for _, d := range details {
		if key, _, _ := strings.Cut(d.Field, "."); strings.HasPrefix(key, "row ") {
			rows[key] = true
		}
	}
	switch {
	case len(rows) == 1:
		return msgOneRowInvalid
	case len(rows) > 1:
		return fmt.Sprintf(msgRowsInvalid, len(rows))
	case len(details) == 1:
		return details[0].Message
	}
	return msgFileInvalid
}
