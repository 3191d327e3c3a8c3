package dealerdb

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/postgres"
)

// DefaultHandlingCost is the handling cost per order when the setting
// order_handling_cost is missing or not an amount.
var DefaultHandlingCost = money.MustParse("150.00")

// AnalysisFacts implements dealers.Queries.
func (c conn) AnalysisFacts(ctx context.Context) (dealers.AnalysisInput, error) {
	var in dealers.AnalysisInput
	seasons, err := c.Seasons(ctx)
	if err != nil {
		return in, err
	}
	in.Seasons = seasons
	index := make(map[string]int, len(seasons))
	for i, s := range seasons {
		index[s.Code] = i
	}
	in.HandlingCost = DefaultHandlingCost
	if v, ok, err := c.setting(ctx, "order_handling_cost"); err != nil {
		return in, err
	} else if ok {
		if a, err := money.Parse(v); err == nil && a >= 0 {
			in.HandlingCost = a
		}
	}

	const dq = `
SELECT d.id, d.code, d.name, r.code AS region, pl.currency,
       COALESCE((SELECT sum(t.rating) FROM feedback_threads t WHERE t.dealer_id = d.id AND t.rating IS NOT NULL), 0) AS rating_sum,
       (SELECT count(t.rating) FROM feedback_threads t WHERE t.dealer_id = d.id) AS ratings
FROM dealers d
JOIN regions r ON r.id = d.region_id
JOIN price_lists pl ON pl.id = d.price_list_id
ORDER BY d.code`
	var ds []struct {
		ID        int    `db:"id"`
		Code      string `db:"code"`
		Name      string `db:"name"`
		Region    string `db:"region"`
		Currency  string `db:"currency"`
		RatingSum int    `db:"rating_sum"`
		Ratings   int    `db:"ratings"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &ds, dq); err != nil {
		return in, postgres.Error(err, "dealers")
	}
	at := make(map[int]int, len(ds))
	for i, d := range ds {
		at[d.ID] = i
		in.Dealers = append(in.Dealers, dealers.DealerFacts{Code: d.Code, Name: d.Name, Region: d.Region, Currency: d.Currency,
			Seasons: make([]dealers.SeasonFacts, len(seasons)), RatingSum: d.RatingSum, Ratings: d.Ratings})
	}

	// Accepted orders per dealer and season: gross value, the credit notes
	// of approved returns on them, and the production cost of the goods
	// kept (ordered less approved returned quantities).
	const fq = `
WITH counted AS (
    SELECT o.id, o.dealer_id, o.season_id, o.total_amount FROM orders o
    WHERE o.status IN ('submitted', 'confirmed', 'in_production', 'shipped', 'closed')),
credits AS (
    SELECT r.order_id, sum(cn.amount) AS amount
    FROM returns r JOIN credit_notes cn ON cn.return_id = r.id GROUP BY r.order_id),
returned AS (
    SELECT rl.order_line_id, sum(rl.qty) AS qty
    FROM return_lines rl JOIN returns r ON r.id = rl.return_id WHERE r.status = 'approved' GROUP BY rl.order_line_id),
cost AS (
    SELECT l.order_id, sum(st.unit_cost * (l.qty - COALESCE(rt.qty, 0))) AS amount
    FROM order_lines l
    JOIN counted c ON c.id = l.order_id
    JOIN styles st ON st.id = l.style_id
    LEFT JOIN returned rt ON rt.order_line_id = l.id
    GROUP BY l.order_id)
SELECT c.dealer_id, s.code AS season, count(*) AS orders, sum(c.total_amount) AS gross,
       COALESCE(sum(cr.amount), 0) AS credits, COALESCE(sum(co.amount), 0) AS goods_cost
FROM counted c
JOIN seasons s ON s.id = c.season_id
LEFT JOIN credits cr ON cr.order_id = c.id
LEFT JOIN cost co ON co.order_id = c.id
GROUP BY c.dealer_id, s.code`
	var facts []struct {
		DealerID  int          `db:"dealer_id"`
		Season    string       `db:"season"`
		Orders    int          `db:"orders"`
		Gross     money.Amount `db:"gross"`
		Credits   money.Amount `db:"credits"`
		GoodsCost money.Amount `db:"goods_cost"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &facts, fq); err != nil {
		return in, postgres.Error(err, "analysis facts")
	}
	for _, f := range facts {
		d, ok := at[f.DealerID]
		s, ok2 := index[f.Season]
		if !ok || !ok2 {
			continue
		}
		in.Dealers[d].Seasons[s] = dealers.SeasonFacts{Orders: f.Orders, Gross: f.Gross, Credits: f.Credits, GoodsCost: f.GoodsCost}
	}
	return in, nil
}
