package orderdb

import (
	"context"
	"database/sql"

	"github.com/lib/pq"

	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/postgres"
)

// StyleInfos implements ordering.Tx: the styles of an order with their
// colours, sizes, SKUs, prepacks and price, in two queries whatever the
// number of styles (each one a round trip on the dealer's submission path).
func (t *txStore) StyleInfos(ctx context.Context, seasonID, priceListID int, codes []string) (map[string]ordering.StyleInfo, error) {
	out := map[string]ordering.StyleInfo{}
	if len(codes) == 0 {
		return out, nil
	}
	// One row per style: its price, the sizes of its scale and the items of
	// its scale's prepacks (each in size order), as parallel arrays.
	const qStyles = `
SELECT st.id, st.code, st.name, st.min_order_qty, pr.price,
       z.ids, z.codes, z.positions, pk.codes, pk.sizes, pk.qtys
FROM season_styles ss
JOIN styles st ON st.id = ss.style_id
LEFT JOIN prices pr ON pr.style_id = st.id AND pr.price_list_id = $2
CROSS JOIN LATERAL (
    SELECT array_agg(sz.id ORDER BY sz.position) AS ids, array_agg(sz.code ORDER BY sz.position) AS codes,
           array_agg(sz.position ORDER BY sz.position) AS positions
    FROM sizes sz WHERE sz.size_scale_id = st.size_scale_id) z
CROSS JOIN LATERAL (
    SELECT array_agg(p.code ORDER BY p.code, sz.position) AS codes,
           array_agg(sz.code ORDER BY p.code, sz.position) AS sizes,
           array_agg(i.qty ORDER BY p.code, sz.position) AS qtys
    FROM prepacks p
    JOIN prepack_items i ON i.prepack_id = p.id
    JOIN sizes sz ON sz.id = i.size_id
    WHERE p.size_scale_id = st.size_scale_id) pk
WHERE ss.season_id = $1 AND st.code = ANY($3)`
	rows, err := t.q.QueryContext(ctx, qStyles, seasonID, priceListID, pq.Array(codes))
	if err != nil {
		return nil, postgres.Error(err, "styles")
	}
	defer rows.Close()
	byID := map[int]*ordering.StyleInfo{}
	var styleIDs []int64
	for rows.Next() {
		var (
			si                               ordering.StyleInfo
			price                            *money.Amount
			sizeIDs, sizePositions, packQtys pq.Int64Array
			sizeCodes, packCodes, packSizes  pq.StringArray
		)
		if err := rows.Scan(&si.ID, &si.Code, &si.Name, &si.MinOrderQty, &price,
			&sizeIDs, &sizeCodes, &sizePositions, &packCodes, &packSizes, &packQtys); err != nil {
			return nil, postgres.Error(err, "styles")
		}
		si.Colors, si.Sizes = map[string]ordering.ColorInfo{}, map[string]ordering.SizeInfo{}
		si.SKUs, si.Prepacks = map[ordering.SKUKey]int{}, map[string][]ordering.PackItem{}
		if price != nil {
			si.Price, si.HasPrice = *price, true
		}
		for i, id := range sizeIDs {
			si.Sizes[sizeCodes[i]] = ordering.SizeInfo{ID: int(id), Code: sizeCodes[i], Position: int(sizePositions[i])}
		}
		for i, code := range packCodes {
			si.Prepacks[code] = append(si.Prepacks[code], ordering.PackItem{Size: packSizes[i], Qty: int(packQtys[i])})
		}
		byID[si.ID] = &si
		styleIDs = append(styleIDs, int64(si.ID))
	}
	if err := rows.Err(); err != nil {
		return nil, postgres.Error(err, "styles")
	}
	rows.Close()
	if len(byID) == 0 {
		return out, nil
	}

	// One row per SKU with its colour, and one for each colour without SKUs.
	const qColors = `
SELECT c.style_id, c.id, c.code, c.name, k.id, k.size_id
FROM colors c
LEFT JOIN skus k ON k.color_id = c.id AND k.style_id = c.style_id
WHERE c.style_id = ANY($1)`
	crows, err := t.q.QueryContext(ctx, qColors, pq.Array(styleIDs))
	if err != nil {
		return nil, postgres.Error(err, "colours")
	}
	defer crows.Close()
	for crows.Next() {
		var (
			styleID, colorID int
			code, name       string
			skuID, sizeID    sql.NullInt64
		)
		if err := crows.Scan(&styleID, &colorID, &code, &name, &skuID, &sizeID); err != nil {
			return nil, postgres.Error(err, "colours")
		}
		si := byID[styleID]
		if _, ok := si.Colors[code]; !ok {
			si.Colors[code] = ordering.ColorInfo{ID: colorID, Code: code, Name: name}
		}
		if skuID.Valid {
			si.SKUs[ordering.SKUKey{ColorID: colorID, SizeID: int(sizeID.Int64)}] = int(skuID.Int64)
		}
	}
	if err := crows.Err(); err != nil {
		return nil, postgres.Error(err, "colours")
	}
	for _, si := range byID {
		out[si.Code] = *si
	}
	return out, nil
}
