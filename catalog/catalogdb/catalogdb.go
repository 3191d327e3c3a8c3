// Package catalogdb reads the catalogue (seasons, delivery windows, styles,
// colours, sizes, prepacks, prices, stock on hand) from PostgreSQL for the
// catalog service.
package catalogdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/postgres"
)

// Store implements catalog.Store.
type Store struct{ db *sqlx.DB }

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

type seasonRow struct {
	ID       int       `db:"id"`
	Code     string    `db:"code"`
	Name     string    `db:"name"`
	StartsOn time.Time `db:"starts_on"`
	OpensAt  time.Time `db:"order_opens_at"`
	CutoffAt time.Time `db:"order_cutoff_at"`
	Closed   bool      `db:"closed"`
}

func toSeason(r seasonRow) catalog.Season {
	return catalog.Season{
		ID: r.ID, Code: r.Code, Name: r.Name, StartsOn: catalog.DateOf(r.StartsOn),
		OrderOpensAt: r.OpensAt.UTC(), OrderDeadline: r.CutoffAt.UTC(), Closed: r.Closed,
		DeliveryWindows: []catalog.DeliveryWindow{},
	}
}

type windowRow struct {
	ID        int       `db:"id"`
	SeasonID  int       `db:"season_id"`
	Code      string    `db:"code"`
	Name      string    `db:"name"`
	ShipsFrom time.Time `db:"ships_from"`
	ShipsTo   time.Time `db:"ships_to"`
}

func toWindow(r windowRow) catalog.DeliveryWindow {
	return catalog.DeliveryWindow{ID: r.ID, Code: r.Code, Name: r.Name,
		ShipsFrom: catalog.DateOf(r.ShipsFrom), ShipsTo: catalog.DateOf(r.ShipsTo)}
}

const seasonCols = `id, code, name, starts_on, order_opens_at, order_cutoff_at, closed`

// Seasons implements catalog.Store.
func (s *Store) Seasons(ctx context.Context) ([]catalog.Season, error) {
	const q = `SELECT ` + seasonCols + ` FROM seasons ORDER BY starts_on DESC, code`
	var rows []seasonRow
	if err := s.db.SelectContext(ctx, &rows, q); err != nil {
		return nil, postgres.Error(err, "seasons")
	}
	ids := make([]int64, len(rows))
	out := make([]catalog.Season, len(rows))
	for i, r := range rows {
		ids[i] = int64(r.ID)
		out[i] = toSeason(r)
	}
	windows, err := loadWindows(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if w := windows[out[i].ID]; w != nil {
			out[i].DeliveryWindows = w
		}
	}
	return out, nil
}

// Season implements catalog.Store.
func (s *Store) Season(ctx context.Context, code string) (catalog.Season, error) {
	return LoadSeason(ctx, s.db, code, false)
}

// LoadSeason reads one season with its delivery windows through q (a
// database or a transaction); with share it takes a FOR SHARE lock on the
// season row so that a concurrent close waits. Returns apperr.NotFound.
//
// One statement (the windows as a JSON array): it runs on every order
// submission.
func LoadSeason(ctx context.Context, q sqlx.QueryerContext, code string, share bool) (catalog.Season, error) {
	query := `
SELECT ` + seasonCols + `,
       COALESCE((SELECT json_agg(json_build_object('id', w.id, 'code', w.code, 'name', w.name,
                                                   'ships_from', w.ships_from, 'ships_to', w.ships_to)
                                 ORDER BY w.ships_from, w.code)
                 FROM delivery_windows w WHERE w.season_id = seasons.id), '[]') AS windows
FROM seasons WHERE code = $1`
	if share {
		query += ` FOR SHARE`
	}
	var r struct {
		seasonRow
		Windows []byte `db:"windows"`
	}
	if err := sqlx.GetContext(ctx, q, &r, query, code); err != nil {
		return catalog.Season{}, postgres.Error(err, "season "+code)
	}
	se := toSeason(r.seasonRow)
	var ws []struct {
		ID        int    `json:"id"`
		Code      string `json:"code"`
		Name      string `json:"name"`
		ShipsFrom string `json:"ships_from"`
		ShipsTo   string `json:"ships_to"`
	}
	if err := json.Unmarshal(r.Windows, &ws); err != nil {
		return catalog.Season{}, fmt.Errorf("season %s: delivery windows: %w", code, err)
	}
	for _, w := range ws {
		from, err1 := time.Parse(time.DateOnly, w.ShipsFrom)
		to, err2 := time.Parse(time.DateOnly, w.ShipsTo)
		if err := errors.Join(err1, err2); err != nil {
			return catalog.Season{}, fmt.Errorf("season %s: delivery window %s: %w", code, w.Code, err)
		}
		se.DeliveryWindows = append(se.DeliveryWindows, toWindow(windowRow{ID: w.ID, SeasonID: se.ID, Code: w.Code,
			Name: w.Name, ShipsFrom: from, ShipsTo: to}))
	}
	return se, nil
}

func loadWindows(ctx context.Context, q sqlx.QueryerContext, seasonIDs []int64) (map[int][]catalog.DeliveryWindow, error) {
	const query = `
SELECT id, season_id, code, name, ships_from, ships_to
FROM delivery_windows
WHERE season_id = ANY($1)
ORDER BY season_id, ships_from, code`
	var rows []windowRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, pq.Array(seasonIDs)); err != nil {
		return nil, postgres.Error(err, "delivery windows")
	}
	out := map[int][]catalog.DeliveryWindow{}
	for _, r := range rows {
		out[r.SeasonID] = append(out[r.SeasonID], toWindow(r))
	}
	return out, nil
}

type styleRow struct {
	ID           int            `db:"id"`
	Code         string         `db:"code"`
	Name         string         `db:"name"`
	Category     string         `db:"category"`
	CategoryName string         `db:"category_name"`
	SizeScaleID  int            `db:"size_scale_id"`
	SizeScale    string         `db:"size_scale"`
	MinOrderQty  int            `db:"min_order_qty"`
	CutLot       int            `db:"cut_lot"`
	Price        *money.Amount  `db:"price"`
	Currency     sql.NullString `db:"currency"`
}

// Styles implements catalog.Store. The price list is the dealer's, or the
// list price list (is_list) when q.DealerID is 0.
func (s *Store) Styles(ctx context.Context, sq catalog.StyleQuery) ([]catalog.Style, error) {
	const base = `
WITH pl AS (
    SELECT id, currency FROM price_lists
    WHERE id = CASE WHEN $2 > 0 THEN (SELECT price_list_id FROM dealers WHERE id = $2)
                    ELSE (SELECT id FROM price_lists WHERE is_list) END
)
SELECT st.id, st.code, st.name, c.code AS category, c.name AS category_name,
       st.size_scale_id, sc.code AS size_scale, st.min_order_qty, st.cut_lot,
       pr.price, pl.currency
FROM season_styles ss
JOIN styles st ON st.id = ss.style_id
JOIN categories c ON c.id = st.category_id
JOIN size_scales sc ON sc.id = st.size_scale_id
LEFT JOIN pl ON true
LEFT JOIN prices pr ON pr.price_list_id = pl.id AND pr.style_id = st.id
WHERE ss.season_id = $1`
	where := []string{}
	args := []any{sq.SeasonID, sq.DealerID}
	if sq.Category != "" {
		args = append(args, sq.Category)
		where = append(where, fmt.Sprintf(`c.code = $%d`, len(args)))
	}
	if sq.Search != "" {
		args = append(args, "%"+catalog.EscapeLike(sq.Search)+"%")
		where = append(where, fmt.Sprintf(`(st.code ILIKE $%[1]d ESCAPE '\' OR st.name ILIKE $%[1]d ESCAPE '\')`, len(args)))
	}
	if sq.Style != "" {
		args = append(args, sq.Style)
		where = append(where, fmt.Sprintf(`st.code = $%d`, len(args)))
	}
	query := base
	for _, w := range where {
		query += "\n  AND " + w
	}
	query += "\nORDER BY st.code"

	var rows []styleRow
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, postgres.Error(err, "styles")
	}
	if len(rows) == 0 {
		return []catalog.Style{}, nil
	}
	styleIDs := make([]int64, len(rows))
	scaleSet := map[int64]bool{}
	var scaleIDs []int64
	for i, r := range rows {
		styleIDs[i] = int64(r.ID)
		if !scaleSet[int64(r.SizeScaleID)] {
			scaleSet[int64(r.SizeScaleID)] = true
			scaleIDs = append(scaleIDs, int64(r.SizeScaleID))
		}
	}
	colors, err := s.colors(ctx, styleIDs)
	if err != nil {
		return nil, err
	}
	sizes, err := s.sizes(ctx, scaleIDs)
	if err != nil {
		return nil, err
	}
	prepacks, err := s.prepacks(ctx, scaleIDs)
	if err != nil {
		return nil, err
	}
	stock, err := s.stock(ctx, styleIDs)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Style, len(rows))
	for i, r := range rows {
		st := catalog.Style{
			ID: r.ID, Code: r.Code, Name: r.Name, Category: r.Category, CategoryName: r.CategoryName,
			Price: r.Price, Currency: r.Currency.String, SizeScale: r.SizeScale,
			MinOrderQty: r.MinOrderQty, CutLot: r.CutLot,
			Colors: colors[r.ID], Sizes: sizes[r.SizeScaleID], Prepacks: prepacks[r.SizeScaleID],
			Available: stock[r.ID],
		}
		if st.Colors == nil {
			st.Colors = []catalog.Color{}
		}
		if st.Sizes == nil {
			st.Sizes = []string{}
		}
		if st.Prepacks == nil {
			st.Prepacks = []catalog.Prepack{}
		}
		if st.Available == nil {
			st.Available = map[string]map[string]int{}
		}
		out[i] = st
	}
	return out, nil
}

func (s *Store) colors(ctx context.Context, styleIDs []int64) (map[int][]catalog.Color, error) {
	const q = `SELECT style_id, code, name FROM colors WHERE style_id = ANY($1) ORDER BY style_id, code`
	var rows []struct {
		StyleID int    `db:"style_id"`
		Code    string `db:"code"`
		Name    string `db:"name"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(styleIDs)); err != nil {
		return nil, postgres.Error(err, "colours")
	}
	out := map[int][]catalog.Color{}
	for _, r := range rows {
		out[r.StyleID] = append(out[r.StyleID], catalog.Color{Code: r.Code, Name: r.Name})
	}
	return out, nil
}

func (s *Store) sizes(ctx context.Context, scaleIDs []int64) (map[int][]string, error) {
	const q = `SELECT size_scale_id, code FROM sizes WHERE size_scale_id = ANY($1) ORDER BY size_scale_id, position`
	var rows []struct {
		ScaleID int    `db:"size_scale_id"`
		Code    string `db:"code"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(scaleIDs)); err != nil {
		return nil, postgres.Error(err, "sizes")
	}
	out := map[int][]string{}
	for _, r := range rows {
		out[r.ScaleID] = append(out[r.ScaleID], r.Code)
	}
	return out, nil
}

func (s *Store) prepacks(ctx context.Context, scaleIDs []int64) (map[int][]catalog.Prepack, error) {
	const q = `
SELECT p.size_scale_id, p.code, p.name, sz.code AS size, i.qty
FROM prepacks p
JOIN prepack_items i ON i.prepack_id = p.id
JOIN sizes sz ON sz.id = i.size_id
WHERE p.size_scale_id = ANY($1)
ORDER BY p.size_scale_id, p.code, sz.position`
	var rows []struct {
		ScaleID int    `db:"size_scale_id"`
		Code    string `db:"code"`
		Name    string `db:"name"`
		Size    string `db:"size"`
		Qty     int    `db:"qty"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(scaleIDs)); err != nil {
		return nil, postgres.Error(err, "prepacks")
	}
	out := map[int][]catalog.Prepack{}
	for _, r := range rows {
		list := out[r.ScaleID]
		if n := len(list); n == 0 || list[n-1].Code != r.Code {
			list = append(list, catalog.Prepack{Code: r.Code, Name: r.Name, Ratio: map[string]int{}})
		}
		pp := &list[len(list)-1]
		pp.Ratio[r.Size] = r.Qty
		pp.Sizes = append(pp.Sizes, r.Size)
		out[r.ScaleID] = list
	}
	return out, nil
}

func (s *Store) stock(ctx context.Context, styleIDs []int64) (map[int]map[string]map[string]int, error) {
	const q = `
SELECT k.style_id, c.code AS color, sz.code AS size, soh.qty
FROM stock_on_hand soh
JOIN skus k ON k.id = soh.sku_id
JOIN colors c ON c.id = k.color_id
JOIN sizes sz ON sz.id = k.size_id
WHERE k.style_id = ANY($1) AND soh.qty > 0`
	var rows []struct {
		StyleID int    `db:"style_id"`
		Color   string `db:"color"`
		Size    string `db:"size"`
		Qty     int    `db:"qty"`
	}
	if err := s.db.SelectContext(ctx, &rows, q, pq.Array(styleIDs)); err != nil {
		return nil, postgres.Error(err, "stock on hand")
	}
	out := map[int]map[string]map[string]int{}
	for _, r := range rows {
		byColor := out[r.StyleID]
		if byColor == nil {
			byColor = map[string]map[string]int{}
			out[r.StyleID] = byColor
		}
		if byColor[r.Color] == nil {
			byColor[r.Color] = map[string]int{}
		}
		byColor[r.Color][r.Size] = r.Qty
	}
	return out, nil
}

// Categories implements catalog.Store.
func (s *Store) Categories(ctx context.Context, seasonID int) ([]catalog.Category, error) {
	const q = `
SELECT DISTINCT c.code, c.name
FROM season_styles ss
JOIN styles st ON st.id = ss.style_id
JOIN categories c ON c.id = st.category_id
WHERE ss.season_id = $1
ORDER BY c.name, c.code`
	out := []catalog.Category{}
	if err := s.db.SelectContext(ctx, &out, q, seasonID); err != nil {
		return nil, postgres.Error(err, "categories")
	}
	return out, nil
}
