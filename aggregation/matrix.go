package aggregation

import (
	"context"
	"slices"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

var errNoSeason = apperr.New(apperr.NotFound, "no season has been set up yet")

func errUnknownSeason(code string) error {
	return apperr.New(apperr.NotFound, "season %q not found", code)
}

// StyleLayout is a style of a season with the colours and sizes it is made
// in (its SKUs), colours by code, sizes by position.
type StyleLayout struct {
	Style    string
	Name     string
	Category string
	Scale    string
	Colors   []Named
	Sizes    []string
}

// Named is a code with its display name.
type Named struct {
	Code string
	Name string
}

// Choices are the values the rollup filters offer.
type Choices struct {
	Regions    []Named
	Dealers    []Named
	Categories []Named
}

// MatrixCell is one style × colour × size of the rollup matrix.
type MatrixCell struct {
	Size   string
	Qty    int64
	Amount money.Amount
}

// MatrixColor is one colour group of a style's row.
type MatrixColor struct {
	Code   string
	Name   string
	Cells  []MatrixCell // one per size of the style, in its order
	Qty    int64
	Amount money.Amount
}

// MatrixStyle is one row of the matrix: a style with its colour groups and
// its totals.
type MatrixStyle struct {
	Style    string
	Name     string
	Category string
	Scale    string
	Sizes    []string
	Colors   []MatrixColor
	Qty      int64
	Amount   money.Amount
}

// ScaleTotals are the column totals of the styles on one size scale.
type ScaleTotals struct {
	Scale string
	Sizes []MatrixCell // per size, in position order
	Qty   int64
}

// Matrix is the rollup as planners read it: styles down, colour × size
// across, with row and column totals. Its totals are the rollup's.
type Matrix struct {
	Rollup
	Seasons []SeasonInfo
	Choices Choices
	Styles  []MatrixStyle
	Scales  []ScaleTotals
	MaxQty  int64 // the largest cell, for heat shading
	Empty   int   // styles of the season without demand (listed only with includeEmpty)
}

// BuildMatrix lays the rows of a style × colour × size rollup out on the
// season's styles. Styles without demand are left out unless includeEmpty;
// every colour and size a style is made in has its cell, zero or not. A row
// naming a style, colour or size the layout lacks still gets its cell, so
// that the matrix always adds up to the rollup.
func BuildMatrix(layout []StyleLayout, r Rollup, includeEmpty bool) Matrix {
	m := Matrix{Rollup: r}
	idx := map[Key]int{}
	for i, k := range r.Query.By {
		idx[k] = i
	}
	type cellKey struct{ style, color, size string }
	cells := map[cellKey]RollupRow{}
	styleQty := map[string]int64{}
	for _, row := range r.Rows {
		k := cellKey{row.Keys[idx[KeyStyle]], row.Keys[idx[KeyColor]], row.Keys[idx[KeySize]]}
		cells[k] = row
		styleQty[k.style] += row.Qty
	}
	styles := slices.Clone(layout)
	pos := map[string]int{}
	for i, st := range styles {
		pos[st.Style] = i
	}
	// Rows outside the layout: add their style, colour or size.
	for _, row := range r.Rows {
		st, co, sz := row.Keys[idx[KeyStyle]], row.Keys[idx[KeyColor]], row.Keys[idx[KeySize]]
		i, ok := pos[st]
		if !ok {
			styles = append(styles, StyleLayout{Style: st, Name: st})
			i = len(styles) - 1
			pos[st] = i
		}
		l := &styles[i]
		if !slices.ContainsFunc(l.Colors, func(n Named) bool { return n.Code == co }) {
			l.Colors = append(slices.Clip(l.Colors), Named{Code: co, Name: co})
		}
		if !slices.Contains(l.Sizes, sz) {
			l.Sizes = append(slices.Clip(l.Sizes), sz)
		}
	}
	scaleIdx := map[string]int{}
	for _, l := range styles {
		if styleQty[l.Style] == 0 {
			m.Empty++
			if !includeEmpty {
				continue
			}
		}
		ms := MatrixStyle{Style: l.Style, Name: l.Name, Category: l.Category, Scale: l.Scale, Sizes: l.Sizes}
		si, ok := scaleIdx[l.Scale]
		if !ok {
			m.Scales = append(m.Scales, ScaleTotals{Scale: l.Scale})
			si = len(m.Scales) - 1
			scaleIdx[l.Scale] = si
		}
		sc := &m.Scales[si]
		for _, co := range l.Colors {
			mc := MatrixColor{Code: co.Code, Name: co.Name, Cells: make([]MatrixCell, len(l.Sizes))}
			for j, sz := range l.Sizes {
				row := cells[cellKey{l.Style, co.Code, sz}]
				mc.Cells[j] = MatrixCell{Size: sz, Qty: row.Qty, Amount: row.Amount}
				mc.Qty += row.Qty
				mc.Amount += row.Amount
				m.MaxQty = max(m.MaxQty, row.Qty)
				addScaleSize(sc, sz, row)
			}
			ms.Colors = append(ms.Colors, mc)
			ms.Qty += mc.Qty
			ms.Amount += mc.Amount
		}
		sc.Qty += ms.Qty
		m.Styles = append(m.Styles, ms)
	}
	return m
}

// addScaleSize adds a cell to its size's column total, keeping the sizes in
// the order styles list them (the scale's positions).
func addScaleSize(sc *ScaleTotals, size string, row RollupRow) {
	i := slices.IndexFunc(sc.Sizes, func(c MatrixCell) bool { return c.Size == size })
	if i < 0 {
		sc.Sizes = append(sc.Sizes, MatrixCell{Size: size})
		i = len(sc.Sizes) - 1
	}
	sc.Sizes[i].Qty += row.Qty
	sc.Sizes[i].Amount += row.Amount
}

// Matrix returns the style × colour × size rollup of params (By is ignored)
// laid out on the season's styles, with the seasons and filter choices the
// page offers. The season defaults as in PickSeason. Errors as Rollup.
func (s *Service) Matrix(ctx context.Context, p auth.Principal, params RollupParams, includeEmpty bool) (Matrix, error) {
	if err := headOffice(p); err != nil {
		return Matrix{}, err
	}
	se, seasons, err := s.pickSeason(ctx, params.Season)
	if err != nil {
		return Matrix{}, err
	}
	params.Season = se.Code
	params.By = "style,color,size"
	r, err := s.Rollup(ctx, p, params)
	if err != nil {
		return Matrix{}, err
	}
	layout, err := s.store.MatrixLayout(ctx, se.ID, r.Query.Categories)
	if err != nil {
		return Matrix{}, err
	}
	choices, err := s.store.Choices(ctx)
	if err != nil {
		return Matrix{}, err
	}
	m := BuildMatrix(layout, r, includeEmpty)
	m.Seasons, m.Choices = seasons, choices
	return m, nil
}
