package orderdb

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/postgres"
)

// StyleInfos implements ordering.Tx: the styles of an order with their
// colours, sizes, SKUs, prepacks and price, in five queries whatever the
// number of styles.
func (t *txStore) StyleInfos(ctx context.Context, seasonID, priceListID int, codes []string) (map[string]ordering.StyleInfo, error) {
	out := map[string]ordering.StyleInfo{}
	if len(codes) == 0 {
		return out, nil
	}
	const qStyles = `
SELECT st.id, st.code, st.name, st.min_order_qty, st.size_scale_id, pr.price
FROM season_styles ss
JOIN styles st ON st.id = ss.style_id
LEFT JOIN prices pr ON pr.style_id = st.id AND pr.price_list_id = $2
WHERE ss.season_id = $1 AND st.code = ANY($3)`
	var styles []struct {
		ID          int           `db:"id"`
		Code        string        `db:"code"`
		Name        string        `db:"name"`
		MinOrderQty int           `db:"min_order_qty"`
		ScaleID     int64         `db:"size_scale_id"`
		Price       *money.Amount `db:"price"`
	}
	if err := sqlx.SelectContext(ctx, t.q, &styles, qStyles, seasonID, priceListID, pq.Array(codes)); err != nil {
		return nil, postgres.Error(err, "styles")
	}
	if len(styles) == 0 {
		return out, nil
	}
	byID := map[int]*ordering.StyleInfo{}
	styleIDs := make([]int64, len(styles))
	scaleStyles := map[int64][]int{}
	var scaleIDs []int64
	for i, s := range styles {
		si := &ordering.StyleInfo{ID: s.ID, Code: s.Code, Name: s.Name, MinOrderQty: s.MinOrderQty,
			Colors: map[string]ordering.ColorInfo{}, Sizes: map[string]ordering.SizeInfo{},
			SKUs: map[ordering.SKUKey]int{}, Prepacks: map[string][]ordering.PackItem{}}
		if s.Price != nil {
			si.Price, si.HasPrice = *s.Price, true
		}
		byID[s.ID] = si
		styleIDs[i] = int64(s.ID)
		if _, ok := scaleStyles[s.ScaleID]; !ok {
			scaleIDs = append(scaleIDs, s.ScaleID)
		}
		scaleStyles[s.ScaleID] = append(scaleStyles[s.ScaleID], s.ID)
	}

	const qColors = `SELECT id, style_id, code, name FROM colors WHERE style_id = ANY($1)`
	var colors []struct {
		ID      int    `db:"id"`
		StyleID int    `db:"style_id"`
		Code    string `db:"code"`
		Name    string `db:"name"`
	}
	if err := sqlx.SelectContext(ctx, t.q, &colors, qColors, pq.Array(styleIDs)); err != nil {
		return nil, postgres.Error(err, "colours")
	}
	for _, c := range colors {
		byID[c.StyleID].Colors[c.Code] = ordering.ColorInfo{ID: c.ID, Code: c.Code, Name: c.Name}
	}

	const qSizes = `SELECT id, size_scale_id, code, position FROM sizes WHERE size_scale_id = ANY($1)`
	var sizes []struct {
		ID       int    `db:"id"`
		ScaleID  int64  `db:"size_scale_id"`
		Code     string `db:"code"`
		Position int    `db:"position"`
	}
	if err := sqlx.SelectContext(ctx, t.q, &sizes, qSizes, pq.Array(scaleIDs)); err != nil {
		return nil, postgres.Error(err, "sizes")
	}
	for _, s := range sizes {
		for _, id := range scaleStyles[s.ScaleID] {
			byID[id].Sizes[s.Code] = ordering.SizeInfo{ID: s.ID, Code: s.Code, Position: s.Position}
		}
	}

	const qSKUs = `SELECT id, style_id, color_id, size_id FROM skus WHERE style_id = ANY($1)`
	rows, err := t.q.QueryContext(ctx, qSKUs, pq.Array(styleIDs))
	if err != nil {
		return nil, postgres.Error(err, "SKUs")
	}
	defer rows.Close()
	for rows.Next() {
		var id, style, color, size int
		if err := rows.Scan(&id, &style, &color, &size); err != nil {
			return nil, postgres.Error(err, "SKUs")
		}
		byID[style].SKUs[ordering.SKUKey{ColorID: color, SizeID: size}] = id
	}
	if err := rows.Err(); err != nil {
		return nil, postgres.Error(err, "SKUs")
	}

	const qPrepacks = `
SELECT p.size_scale_id, p.code, sz.code AS size, i.qty
FROM prepacks p
JOIN prepack_items i ON i.prepack_id = p.id
JOIN sizes sz ON sz.id = i.size_id
WHERE p.size_scale_id = ANY($1)
ORDER BY p.size_scale_id, p.code, sz.position`
	var packs []struct {
		ScaleID int64  `db:"size_scale_id"`
		Code    string `db:"code"`
		Size    string `db:"size"`
		Qty     int    `db:"qty"`
	}
	if err := sqlx.SelectContext(ctx, t.q, &packs, qPrepacks, pq.Array(scaleIDs)); err != nil {
		return nil, postgres.Error(err, "prepacks")
	}
	for _, p := range packs {
		for _, id := range scaleStyles[p.ScaleID] {
			si := byID[id]
			si.Prepacks[p.Code] = append(si.Prepacks[p.Code], ordering.PackItem{Size: p.Size, Qty: p.Qty})
		}
	}
	for _, si := range byID {
		out[si.Code] = *si
	}
	return out, nil
}
