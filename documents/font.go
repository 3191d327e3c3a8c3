// Package documents renders Sizerun's PDF documents with go-pdf/fpdf: the
// order confirmation a dealer downloads, and the fonts every PDF needs so
// that Chinese, Korean and Latin text all render.
//
// No single TrueType font in Debian covers the three: DroidSansFallbackFull
// (fonts-droid-fallback) has the CJK ideographs but neither Latin letters,
// digits nor Hangul; NanumGothic (fonts-nanum) has Hangul and Latin;
// DejaVuSans (fonts-dejavu-core) has Latin. So a FontSet draws each
// character with the first of its fonts that has it: the fonts named by
// SIZERUN_PDF_FONT (one path, or several separated by ":"), then those of
// Debian's companion fonts that are installed. fpdf embeds only the glyphs
// a document uses, so documents stay small. A configured font that is
// missing, or a letter no font has, is an error naming SIZERUN_PDF_FONT,
// never a document of empty boxes.
package documents

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// Debian's fonts that complete a set: Latin (fonts-dejavu-core), CJK
// ideographs (fonts-droid-fallback) and Hangul (fonts-nanum).
const (
	DejaVuSans            = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	DroidSansFallbackFull = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
	NanumGothic           = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
)

// companions are added, when installed, after the configured fonts.
func companions() []string { return []string{DejaVuSans, DroidSansFallbackFull, NanumGothic} }

// Font is a TrueType font read into memory, with the characters it has.
type Font struct {
	Path   string
	data   []byte
	ranges []runeRange // sorted, disjoint
}

type runeRange struct{ lo, hi rune }

// LoadFont reads the TrueType font at path. The error names the path and
// SIZERUN_PDF_FONT, the setting that chooses it.
func LoadFont(path string) (*Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("PDF font %s (SIZERUN_PDF_FONT) cannot be read: %w; install Debian's fonts-droid-fallback, fonts-nanum and fonts-dejavu-core, or point SIZERUN_PDF_FONT at TrueType fonts with Chinese, Korean and Latin glyphs", path, err)
	}
	if !bytes.HasPrefix(data, []byte{0, 1, 0, 0}) && !bytes.HasPrefix(data, []byte("true")) {
		return nil, fmt.Errorf("PDF font %s (SIZERUN_PDF_FONT) is not a TrueType font (.ttf)", path)
	}
	ranges, err := coverage(data)
	if err != nil {
		return nil, fmt.Errorf("PDF font %s (SIZERUN_PDF_FONT): %w", path, err)
	}
	return &Font{Path: path, data: data, ranges: ranges}, nil
}

// Has reports whether the font has a glyph for r.
func (f *Font) Has(r rune) bool {
	i := sort.Search(len(f.ranges), func(i int) bool { return f.ranges[i].hi >= r })
	return i < len(f.ranges) && f.ranges[i].lo <= r
}

// coverage reads the characters a font maps to a glyph from its cmap table:
// the Unicode format 12 subtable if there is one, else format 4.
func coverage(data []byte) ([]runeRange, error) {
	bad := errors.New("the font's character map cannot be read")
	u16 := func(b []byte, off int) (int, bool) {
		if off < 0 || off+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[off:])), true
	}
	u32 := func(b []byte, off int) (int, bool) {
		if off < 0 || off+4 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(b[off:])), true
	}
	n, ok := u16(data, 4)
	if !ok {
		return nil, bad
	}
	cmap := -1
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, bad
		}
		if string(data[rec:rec+4]) == "cmap" {
			cmap, _ = u32(data, rec+8)
		}
	}
	if cmap < 0 || cmap >= len(data) {
		return nil, bad
	}
	c := data[cmap:]
	nt, ok := u16(c, 2)
	if !ok {
		return nil, bad
	}
	f4, f12 := -1, -1
	for i := 0; i < nt; i++ {
		pid, _ := u16(c, 4+8*i)
		eid, _ := u16(c, 6+8*i)
		off, ok := u32(c, 8+8*i)
		format, ok2 := u16(c, off)
		if !ok || !ok2 || !(pid == 0 || (pid == 3 && (eid == 1 || eid == 10))) {
			continue
		}
		switch format {
		case 4:
			f4 = off
		case 12:
			f12 = off
		}
	}
	var out []runeRange
	add := func(lo, hi rune) {
		if n := len(out); n > 0 && out[n-1].hi+1 >= lo {
			out[n-1].hi = max(out[n-1].hi, hi)
			return
		}
		out = append(out, runeRange{lo, hi})
	}
	switch {
	case f12 >= 0:
		t := c[f12:]
		groups, ok := u32(t, 12)
		if !ok || groups > len(t)/12 {
			return nil, bad
		}
		type group struct{ lo, hi, glyph int }
		gs := make([]group, 0, groups)
		for g := 0; g < groups; g++ {
			lo, _ := u32(t, 16+12*g)
			hi, _ := u32(t, 20+12*g)
			glyph, ok := u32(t, 24+12*g)
			if !ok {
				return nil, bad
			}
			if glyph == 0 { // the first character maps to .notdef
				lo++
			}
			if lo <= hi {
				gs = append(gs, group{lo, hi, glyph})
			}
		}
		sort.Slice(gs, func(i, j int) bool { return gs[i].lo < gs[j].lo })
		for _, g := range gs {
			add(rune(g.lo), rune(g.hi))
		}
	case f4 >= 0:
		t := c[f4:]
		segX2, ok := u16(t, 6)
		if !ok {
			return nil, bad
		}
		ends, starts, deltas, offsets := 14, 16+segX2, 16+2*segX2, 16+3*segX2
		for s := 0; s < segX2/2; s++ {
			end, _ := u16(t, ends+2*s)
			start, _ := u16(t, starts+2*s)
			delta, _ := u16(t, deltas+2*s)
			ro, ok := u16(t, offsets+2*s)
			if !ok {
				return nil, bad
			}
			for ch := start; ch <= end && ch != 0xFFFF; ch++ {
				glyph := 0
				if ro == 0 {
					glyph = (ch + delta) & 0xFFFF
				} else if g, ok := u16(t, offsets+2*s+ro+2*(ch-start)); ok && g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
				if glyph != 0 {
					add(rune(ch), rune(ch))
				}
			}
		}
	default:
		return nil, errors.New("the font has no Unicode character map")
	}
	return out, nil
}

// FontSet is the fonts a document draws with, in order of preference.
type FontSet struct {
	Spec  string // SIZERUN_PDF_FONT as configured
	Fonts []*Font
}

// LoadFonts loads the fonts of spec (SIZERUN_PDF_FONT: a path, or paths
// separated by ":"), each of which must exist, followed by Debian's
// companion fonts that are installed.
func LoadFonts(spec string) (*FontSet, error) {
	paths := filepath.SplitList(spec)
	if len(paths) == 0 {
		return nil, fmt.Errorf("no PDF font: set SIZERUN_PDF_FONT to TrueType fonts with Chinese, Korean and Latin glyphs (Debian: fonts-droid-fallback, fonts-nanum)")
	}
	fs := &FontSet{Spec: spec}
	for _, p := range paths {
		f, err := LoadFont(p)
		if err != nil {
			return nil, err
		}
		fs.Fonts = append(fs.Fonts, f)
	}
	for _, p := range companions() {
		if slices.Contains(paths, p) {
			continue
		}
		if f, err := LoadFont(p); err == nil {
			fs.Fonts = append(fs.Fonts, f)
		}
	}
	return fs, nil
}

// fontFor returns the index of the first font that has r, or -1.
func (fs *FontSet) fontFor(r rune) int {
	for i, f := range fs.Fonts {
		if f.Has(r) {
			return i
		}
	}
	return -1
}

// FontLoader loads a font set on first use and keeps it. A failed load is
// tried again on the next use, so installing a font needs no restart.
type FontLoader struct {
	spec string
	mu   sync.Mutex
	set  *FontSet
}

// NewFontLoader returns a loader of the fonts of spec (SIZERUN_PDF_FONT).
func NewFontLoader(spec string) *FontLoader { return &FontLoader{spec: spec} }

// Fonts returns the font set, loading it the first time.
func (l *FontLoader) Fonts() (*FontSet, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.set != nil {
		return l.set, nil
	}
	fs, err := LoadFonts(l.spec)
	if err != nil {
		return nil, err
	}
	l.set = fs
	return fs, nil
}

// NewDoc returns an A4 portrait document that writes with the font set,
// loading it the first time; the error names SIZERUN_PDF_FONT.
func (l *FontLoader) NewDoc() (*Doc, error) {
	fs, err := l.Fonts()
	if err != nil {
		return nil, err
	}
	return fs.NewDoc(), nil
}

// Doc is an fpdf document that writes text with a FontSet: each run of
// characters in the first font that has them.
type Doc struct {
	*fpdf.Fpdf
	fonts      *FontSet
	size       float64
	registered map[int]bool
	err        error
}

// NewDoc returns an A4 portrait document in millimetres.
func (fs *FontSet) NewDoc() *Doc {
	return &Doc{Fpdf: fpdf.New("P", "mm", "A4", ""), fonts: fs, size: 10, registered: map[int]bool{}}
}

// Err returns the first problem met while writing: a font fpdf could not
// read, or a letter or digit no font has.
func (d *Doc) Err() error {
	if d.err != nil {
		return d.err
	}
	return d.Fpdf.Error()
}

// TextSize sets the size of the text that follows, in points.
func (d *Doc) TextSize(pt float64) { d.size = pt }

// SetHeaderFunc is fpdf's: fn draws each page's header. The text size fn
// sets is undone after it, as fpdf undoes its font, colours and line width.
func (d *Doc) SetHeaderFunc(fn func()) { d.Fpdf.SetHeaderFunc(d.keepSize(fn)) }

// SetFooterFunc is fpdf's: fn draws each page's footer, also when a cell
// breaks the page. The text size fn sets is undone after it, so the text
// that broke the page keeps its size.
func (d *Doc) SetFooterFunc(fn func()) { d.Fpdf.SetFooterFunc(d.keepSize(fn)) }

func (d *Doc) keepSize(fn func()) func() {
	if fn == nil {
		return nil
	}
	return func() {
		size := d.size
		fn()
		d.size = size
	}
}

type textRun struct {
	font int
	text string
}

// runs splits s into runs of one font each. A character no font has is
// drawn as "?"; for a letter or digit that is also an error (Err).
func (d *Doc) runs(s string) []textRun {
	var out []textRun
	var b strings.Builder
	cur := -1
	for _, r := range s {
		i := -1
		if cur >= 0 && unicode.IsSpace(r) && d.fonts.Fonts[cur].Has(r) {
			i = cur // spaces stay in the run
		} else {
			i = d.fonts.fontFor(r)
		}
		if i < 0 {
			if (unicode.IsLetter(r) || unicode.IsDigit(r)) && d.err == nil {
				d.err = fmt.Errorf("no PDF font has a glyph for %q (U+%04X): add a font that has it to SIZERUN_PDF_FONT (%s), e.g. from Debian's fonts-nanum or fonts-droid-fallback", r, r, d.fonts.Spec)
			}
			r = '?'
			if i = d.fonts.fontFor(r); i < 0 {
				continue
			}
		}
		if i != cur && b.Len() > 0 {
			out = append(out, textRun{cur, b.String()})
			b.Reset()
		}
		cur = i
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		out = append(out, textRun{cur, b.String()})
	}
	return out
}

// use selects font i at the current size, registering it on first use.
func (d *Doc) use(i int) {
	family := fmt.Sprintf("f%d", i)
	if !d.registered[i] {
		d.registered[i] = true
		d.AddUTF8FontFromBytes(family, "", d.fonts.Fonts[i].data)
	}
	d.SetFont(family, "", d.size)
}

// Width returns the width of s in the current size, in millimetres.
func (d *Doc) Width(s string) float64 {
	w := 0.0
	for _, r := range d.runs(s) {
		d.use(r.font)
		w += d.GetStringWidth(r.text)
	}
	return w
}

// Fit shortens s with an ellipsis until it fits w millimetres.
func (d *Doc) Fit(s string, w float64) string {
	if d.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.Width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Cell is fpdf's CellFormat for text in the font set: a w × h cell with
// border ("", "1", or sides "LTRB"), filled or not, the text aligned "L",
// "C" or "R" and centred vertically; ln moves to the right (0), the next
// line (1) or below (2).
//
// A cell that does not fit above the bottom margin goes, whole, to a new
// page when automatic page breaks are on.
func (d *Doc) Cell(w, h float64, s, border string, ln int, align string, fill bool) {
	if w == 0 {
		pw, _ := d.GetPageSize()
		_, _, right, _ := d.GetMargins()
		w = pw - right - d.GetX()
	}
	// The empty cell draws the border and fill, and breaks the page when
	// fpdf would; then the text goes where the cell went. fpdf wants a
	// font for it: the text's first, or any when there is no text yet.
	runs := d.runs(s)
	switch {
	case len(runs) > 0:
		d.use(runs[0].font)
	case len(d.registered) == 0 && len(d.fonts.Fonts) > 0:
		d.use(0)
	}
	d.CellFormat(w, h, "", border, 0, "", fill, 0, "")
	x, y := d.GetX()-w, d.GetY()
	if len(runs) > 0 {
		tw := 0.0
		widths := make([]float64, len(runs))
		for i, r := range runs {
			d.use(r.font)
			widths[i] = d.GetStringWidth(r.text)
			tw += widths[i]
		}
		pad := d.GetCellMargin()
		tx := x + pad
		switch align {
		case "R":
			tx = x + w - pad - tw
		case "C":
			tx = x + (w-tw)/2
		}
		d.SetCellMargin(0)
		for i, r := range runs {
			d.use(r.font)
			d.SetXY(tx, y)
			d.CellFormat(widths[i], h, r.text, "", 0, "L", false, 0, "")
			tx += widths[i]
		}
		d.SetCellMargin(pad)
	}
	switch ln {
	case 1:
		left, _, _, _ := d.GetMargins()
		d.SetXY(left, y+h)
	case 2:
		d.SetXY(x, y+h)
	default:
		d.SetXY(x+w, y)
	}
}
