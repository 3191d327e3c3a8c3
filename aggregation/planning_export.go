package aggregation

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// The planner pages' other tables as workbooks (the rollup, production
// orders and the forecast have theirs in export.go): one sheet per table of
// the page, with number formats and a frozen header row.

// bpText writes basis points as a percentage with two decimals: 1767 → "17.67".
func bpText(bp int) string { return money.Amount(bp).String() }

func optDate(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(WeekLayout)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func qtyText(n int64) string { return strconv.FormatInt(n, 10) }

// DashboardXLSX is the season dashboard as a workbook: totals, categories,
// top styles, size curves, dealers without orders and held orders. Errors
// as Dashboard.
func (s *Service) DashboardXLSX(ctx context.Context, p auth.Principal, season string) (Document, error) {
	d, err := s.Dashboard(ctx, p, season)
	if err != nil {
		return Document{}, err
	}
	prev := "Previous"
	if d.Previous != nil {
		prev = d.Previous.Code
	}
	cur := d.Currency
	totals := table{Sheet: "Totals", Columns: []column{{Title: "Season", Width: 12}, {Title: "Units", Width: 12, Kind: kindQty},
		{Title: "Amount " + cur, Width: 18, Kind: kindMoney}, {Title: "Orders", Width: 10, Kind: kindQty},
		{Title: "Dealers", Width: 10, Kind: kindQty}}}
	row := func(code string, t Totals) []string {
		return []string{code, qtyText(t.Qty), t.Amount.String(), strconv.Itoa(t.Orders), strconv.Itoa(t.Dealers)}
	}
	totals.Rows = append(totals.Rows, row(d.Season.Code, d.Totals))
	if d.Previous != nil {
		totals.Rows = append(totals.Rows, row(d.Previous.Code, d.PrevTotals))
	}

	cats := table{Sheet: "Categories", Columns: []column{{Title: "Category", Width: 12}, {Title: "Name", Width: 20},
		{Title: "Styles", Width: 8, Kind: kindQty}, {Title: "Units", Width: 12, Kind: kindQty}, {Title: "Share %", Width: 9, Kind: kindMoney},
		{Title: "Amount " + cur, Width: 16, Kind: kindMoney}, {Title: "Dealers", Width: 9, Kind: kindQty},
		{Title: prev + " units", Width: 12, Kind: kindQty}, {Title: prev + " amount", Width: 16, Kind: kindMoney},
		{Title: "Units change %", Width: 14, Kind: kindQty}}}
	for _, c := range d.Categories {
		change := ""
		if c.QtyChange != nil {
			change = strconv.Itoa(*c.QtyChange)
		}
		cats.Rows = append(cats.Rows, []string{c.Category, c.Name, strconv.Itoa(c.Styles), qtyText(c.Qty), bpText(c.ShareBP),
			c.Amount.String(), strconv.Itoa(c.Dealers), qtyText(c.PrevQty), c.PrevAmount.String(), change})
	}
	cats.Total = []string{"Total", "", "", qtyText(d.Totals.Qty), "", d.Totals.Amount.String(), "", qtyText(d.PrevTotals.Qty),
		d.PrevTotals.Amount.String(), ""}

	top := table{Sheet: "Top styles", Columns: []column{{Title: "Rank", Width: 6, Kind: kindQty}, {Title: "Style", Width: 12},
		{Title: "Name", Width: 28}, {Title: "Category", Width: 12}, {Title: "Units", Width: 10, Kind: kindQty},
		{Title: "Share %", Width: 9, Kind: kindMoney}, {Title: "Amount " + cur, Width: 16, Kind: kindMoney},
		{Title: "Orders", Width: 8, Kind: kindQty}, {Title: "Dealers", Width: 8, Kind: kindQty}}}
	for _, st := range d.TopStyles {
		top.Rows = append(top.Rows, []string{strconv.Itoa(st.Rank), st.Style, st.Name, st.Category, qtyText(st.Qty),
			bpText(st.ShareBP), st.Amount.String(), strconv.Itoa(st.Orders), strconv.Itoa(st.Dealers)})
	}

	curves := table{Sheet: "Size curves", Columns: []column{{Title: "Category", Width: 12}, {Title: "Scale", Width: 10},
		{Title: "Size", Width: 8}, {Title: "Units", Width: 10, Kind: kindQty}, {Title: "Share %", Width: 9, Kind: kindMoney},
		{Title: "Standard %", Width: 11, Kind: kindMoney}}}
	for _, c := range d.Curves {
		for _, z := range c.Sizes {
			std := ""
			if z.HasStandard {
				std = bpText(z.StandardBP)
			}
			curves.Rows = append(curves.Rows, []string{c.Category, c.Scale, z.Size, qtyText(z.Qty), bpText(z.ShareBP), std})
		}
	}

	missing := table{Sheet: "Not ordered", Columns: []column{{Title: "Dealer", Width: 10}, {Title: "Name", Width: 30},
		{Title: "Region", Width: 8}, {Title: "On hold", Width: 8}, {Title: "Draft started", Width: 12},
		{Title: prev + " units", Width: 12, Kind: kindQty}, {Title: prev + " amount", Width: 16, Kind: kindMoney}}}
	for _, g := range d.Missing {
		missing.Rows = append(missing.Rows, []string{g.Dealer, g.Name, g.Region, yes(g.OnHold), yes(g.Draft), qtyText(g.PrevQty),
			g.PrevAmount.String()})
	}

	held := table{Sheet: "Held orders", Columns: []column{{Title: "Order", Width: 16}, {Title: "Dealer", Width: 10},
		{Title: "Name", Width: 30}, {Title: "Units", Width: 10, Kind: kindQty}, {Title: "Amount", Width: 16, Kind: kindMoney},
		{Title: "Currency", Width: 9}, {Title: "Credit limit", Width: 16, Kind: kindMoney}, {Title: "Submitted", Width: 12}}}
	for _, o := range d.Held {
		held.Rows = append(held.Rows, []string{o.Number, o.Dealer, o.Name, qtyText(o.Qty), o.Amount.String(), o.Currency,
			o.CreditLimit.String(), optDate(o.SubmittedAt)})
	}

	body, err := workbook(totals, cats, top, curves, missing, held)
	if err != nil {
		return Document{}, err
	}
	return Document{Filename: "dashboard-" + d.Season.Code + ".xlsx", ContentType: ContentXLSX, Body: body}, nil
}

// DrillXLSX is a rollup cell's drill-down as a workbook: its dealers and its
// orders. Errors as Drill.
func (s *Service) DrillXLSX(ctx context.Context, p auth.Principal, params DrillParams) (Document, error) {
	d, err := s.Drill(ctx, p, params)
	if err != nil {
		return Document{}, err
	}
	dealers := table{Sheet: "Dealers", Columns: []column{{Title: "Dealer", Width: 10}, {Title: "Name", Width: 30},
		{Title: "Region", Width: 8}, {Title: "Units", Width: 10, Kind: kindQty}, {Title: "Amount " + d.Currency, Width: 16, Kind: kindMoney},
		{Title: "Orders", Width: 8, Kind: kindQty}}}
	for _, x := range d.Dealers {
		dealers.Rows = append(dealers.Rows, []string{x.Dealer, x.Name, x.Region, qtyText(x.Qty), x.Amount.String(), strconv.Itoa(x.Orders)})
	}
	dealers.Total = []string{"Total", "", "", qtyText(d.Totals.Qty), d.Totals.Amount.String(), strconv.Itoa(d.Totals.Orders)}
	orders := table{Sheet: "Orders", Columns: []column{{Title: "Order", Width: 16}, {Title: "Dealer", Width: 10},
		{Title: "Status", Width: 14}, {Title: "Units", Width: 10, Kind: kindQty}, {Title: "Amount " + d.Currency, Width: 16, Kind: kindMoney},
		{Title: "Submitted", Width: 12}}}
	for _, o := range d.Orders {
		orders.Rows = append(orders.Rows, []string{o.Number, o.Dealer, o.Status, qtyText(o.Qty), o.Amount.String(), optDate(o.SubmittedAt)})
	}
	body, err := workbook(dealers, orders)
	if err != nil {
		return Document{}, err
	}
	name := []string{"drill", d.Season}
	for _, part := range []string{d.Query.Style, d.Query.Color, d.Query.Size} {
		if part != "" {
			name = append(name, part)
		}
	}
	return Document{Filename: strings.Join(name, "-") + ".xlsx", ContentType: ContentXLSX, Body: body}, nil
}

// ProductionListXLSX is the season's production orders (without lines) and
// its excess as a workbook. Errors as ProductionOrders and Excess.
func (s *Service) ProductionListXLSX(ctx context.Context, p auth.Principal, season string) (Document, error) {
	code, excess, err := s.Excess(ctx, p, season)
	if err != nil {
		return Document{}, err
	}
	list, err := s.ProductionOrders(ctx, p, code)
	if err != nil {
		return Document{}, err
	}
	pos := table{Sheet: "Production orders", Columns: []column{{Title: "Number", Width: 14}, {Title: "Status", Width: 10},
		{Title: "Drafted", Width: 12}, {Title: "Released", Width: 12}, {Title: "Lines", Width: 8, Kind: kindQty},
		{Title: "Demand qty", Width: 12, Kind: kindQty}, {Title: "Stock qty", Width: 12, Kind: kindQty},
		{Title: "Planned qty", Width: 12, Kind: kindQty}, {Title: "Overage %", Width: 10, Kind: kindMoney}}}
	for _, po := range list {
		created := po.CreatedAt
		pos.Rows = append(pos.Rows, []string{po.Number, po.Status, optDate(&created), optDate(po.ReleasedAt), strconv.Itoa(po.LineCount),
			strconv.Itoa(po.Totals.DemandQty), strconv.Itoa(po.Totals.StockQty), strconv.Itoa(po.Totals.PlannedQty), FormatOverage(po.OverageBP)})
	}
	ex := table{Sheet: "Excess", Columns: []column{{Title: "Style", Width: 12}, {Title: "Colour", Width: 10}, {Title: "Size", Width: 8},
		{Title: "Cancelled qty", Width: 13, Kind: kindQty}, {Title: "Reduced qty", Width: 12, Kind: kindQty},
		{Title: "Excess qty", Width: 11, Kind: kindQty}, {Title: "Orders", Width: 40}}}
	total := 0
	for _, x := range excess {
		ex.Rows = append(ex.Rows, []string{x.Style, x.Color, x.Size, strconv.Itoa(x.CancelledQty), strconv.Itoa(x.ReducedQty),
			strconv.Itoa(x.ExcessQty), strings.Join(x.Orders, ", ")})
		total += x.ExcessQty
	}
	ex.Total = []string{"Total", "", "", "", "", strconv.Itoa(total), ""}
	body, err := workbook(pos, ex)
	if err != nil {
		return Document{}, err
	}
	return Document{Filename: "production-orders-" + code + ".xlsx", ContentType: ContentXLSX, Body: body}, nil
}
