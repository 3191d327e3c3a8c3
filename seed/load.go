package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/money"
)

// loader writes a plan into the database inside one transaction and keeps the
// ids of what it wrote, by business key.
type loader struct {
	ctx  context.Context
	tx   *sqlx.Tx
	p    *plan
	hash string // the one password hash shared by every demo account

	region, priceList, season, category, scale, style, supplier, fabric, dealer, user map[string]int64

	window map[string]int64 // season/window
	size   map[string]int64 // scale/size
	color  map[string]int64 // style/color
	sku    map[string]int64 // style/color/size
}

type step struct {
	name string
	run  func() (done, total int, err error)
}

func (l *loader) steps() []step {
	s := []step{
		{"reference data", l.reference},
		{"styles", l.styles},
		{"skus", l.skus},
		{"prices", l.prices},
		{"fabrics", l.fabrics},
		{"bills of materials", l.bom},
		{"dealers", l.dealers},
		{"users", l.users},
		{"stock on hand", l.stock},
	}
	for _, se := range l.p.seasons {
		s = append(s, step{"orders " + se.def.code, func() (int, int, error) { return l.orders(se) }})
	}
	s = append(s,
		step{"invoices", l.invoices},
		step{"returns", l.returns},
		step{"feedback and announcements", l.feedback},
		step{"marker", l.marker},
	)
	return s
}

func (l *loader) lookup(dst *map[string]int64, query string) error {
	m, err := keyIDs(l.ctx, l.tx, query)
	if err != nil {
		return err
	}
	*dst = m
	return nil
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (l *loader) reference() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	done, total := 0, 0
	run := func(b *batch, suffix string) error {
		n, err := b.insert(ctx, tx, suffix)
		done += n
		total += len(b.rows)
		return err
	}

	regions := newBatch("regions", "code", "name")
	for _, r := range regionDefs {
		regions.add(r.code, r.name)
	}
	lists := newBatch("price_lists", "code", "name", "currency", "is_list")
	for _, pl := range priceListDefs {
		lists.add(pl.code, pl.name, "CNY", pl.isList)
	}
	seasons := newBatch("seasons", "code", "name", "starts_on", "order_opens_at", "order_cutoff_at", "closed")
	for _, s := range l.p.seasons {
		seasons.add(s.def.code, s.def.name, date(s.startsOn), s.opens, s.cutoff, s.def.closed)
	}
	cats := newBatch("categories", "code", "name")
	for _, c := range l.p.cats {
		cats.add(c.def.code, c.def.name)
	}
	scales := newBatch("size_scales", "code", "name")
	for _, s := range l.p.scales {
		scales.add(s.def.code, s.def.name)
	}
	for _, b := range []*batch{regions, lists, seasons, cats, scales} {
		if err := run(b, "ON CONFLICT (code) DO NOTHING"); err != nil {
			return done, total, err
		}
	}
	if err := l.lookup(&l.region, `SELECT code, id FROM regions`); err != nil {
		return done, total, err
	}
	if err := l.lookup(&l.priceList, `SELECT code, id FROM price_lists`); err != nil {
		return done, total, err
	}
	if err := l.lookup(&l.season, `SELECT code, id FROM seasons`); err != nil {
		return done, total, err
	}
	if err := l.lookup(&l.category, `SELECT code, id FROM categories`); err != nil {
		return done, total, err
	}
	if err := l.lookup(&l.scale, `SELECT code, id FROM size_scales`); err != nil {
		return done, total, err
	}

	windows := newBatch("delivery_windows", "season_id", "code", "name", "ships_from", "ships_to")
	for _, s := range l.p.seasons {
		for _, w := range s.windows {
			windows.add(l.season[s.def.code], w.code, w.name, date(w.from), date(w.to))
		}
	}
	sizes := newBatch("sizes", "size_scale_id", "code", "position")
	for _, s := range l.p.scales {
		for i, z := range s.sizes {
			sizes.add(l.scale[s.def.code], z, i+1)
		}
	}
	prepacks := newBatch("prepacks", "size_scale_id", "code", "name")
	for _, pp := range prepackDefs {
		prepacks.add(l.scale[pp.scale], pp.code, pp.name)
	}
	if err := run(windows, "ON CONFLICT (season_id, code) DO NOTHING"); err != nil {
		return done, total, err
	}
	if err := run(sizes, "ON CONFLICT DO NOTHING"); err != nil {
		return done, total, err
	}
	if err := run(prepacks, "ON CONFLICT (size_scale_id, code) DO NOTHING"); err != nil {
		return done, total, err
	}
	if err := l.lookup(&l.window, `SELECT s.code || '/' || w.code, w.id FROM delivery_windows w JOIN seasons s ON s.id = w.season_id`); err != nil {
		return done, total, err
	}
	if err := l.lookup(&l.size, `SELECT sc.code || '/' || z.code, z.id FROM sizes z JOIN size_scales sc ON sc.id = z.size_scale_id`); err != nil {
		return done, total, err
	}
	var prepack map[string]int64
	if err := l.lookup(&prepack, `SELECT sc.code || '/' || p.code, p.id FROM prepacks p JOIN size_scales sc ON sc.id = p.size_scale_id`); err != nil {
		return done, total, err
	}

	// Standard size curves, shares to 5 decimals summing exactly to 1.
	curves := newBatch("size_curves", "category_id", "size_id", "share")
	for _, c := range l.p.cats {
		for i, n := range split(100000, c.curve) {
			curves.add(l.category[c.def.code], l.size[c.scale.def.code+"/"+c.scale.sizes[i]], fmt.Sprintf("%d.%05d", n/100000, n%100000))
		}
	}
	items := newBatch("prepack_items", "prepack_id", "size_id", "qty")
	for _, pp := range prepackDefs {
		for _, it := range pp.items {
			items.add(prepack[pp.scale+"/"+pp.code], l.size[pp.scale+"/"+it.size], it.qty)
		}
	}
	for _, b := range []*batch{curves, items} {
		if err := run(b, "ON CONFLICT DO NOTHING"); err != nil {
			return done, total, err
		}
	}
	return done, total, nil
}

func (l *loader) styles() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	b := newBatch("styles", "code", "name", "category_id", "size_scale_id", "min_order_qty", "cut_lot", "unit_cost", "created_at")
	for _, st := range l.p.styles {
		b.add(st.code, st.name, l.category[st.cat.def.code], l.scale[st.cat.scale.def.code], st.moq, st.cutLot, st.unitCost, st.created)
	}
	done, err := b.insert(ctx, tx, "ON CONFLICT (code) DO NOTHING")
	if err != nil {
		return done, len(b.rows), err
	}
	if err := l.lookup(&l.style, `SELECT code, id FROM styles`); err != nil {
		return done, len(b.rows), err
	}
	ss := newBatch("season_styles", "season_id", "style_id")
	for _, s := range l.p.seasons {
		for _, st := range s.styles {
			ss.add(l.season[s.def.code], l.style[st.code])
		}
	}
	if _, err := ss.insert(ctx, tx, "ON CONFLICT DO NOTHING"); err != nil {
		return done, len(b.rows), err
	}
	return done, len(b.rows), nil
}

func (l *loader) skus() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	colors := newBatch("colors", "style_id", "code", "name")
	for _, st := range l.p.styles {
		for _, c := range st.colors {
			colors.add(l.style[st.code], c, colorDefs[c].name)
		}
	}
	if _, err := colors.insert(ctx, tx, "ON CONFLICT (style_id, code) DO NOTHING"); err != nil {
		return 0, 0, err
	}
	if err := l.lookup(&l.color, `SELECT st.code || '/' || c.code, c.id FROM colors c JOIN styles st ON st.id = c.style_id`); err != nil {
		return 0, 0, err
	}
	skus := newBatch("skus", "style_id", "color_id", "size_id")
	for _, st := range l.p.styles {
		sc := st.cat.scale
		for _, c := range st.colors {
			for _, z := range sc.sizes {
				skus.add(l.style[st.code], l.color[st.code+"/"+c], l.size[sc.def.code+"/"+z])
			}
		}
	}
	done, err := skus.insert(ctx, tx, "ON CONFLICT DO NOTHING")
	if err != nil {
		return done, len(skus.rows), err
	}
	err = l.lookup(&l.sku, `SELECT st.code || '/' || c.code || '/' || z.code, k.id
		FROM skus k JOIN styles st ON st.id = k.style_id JOIN colors c ON c.id = k.color_id JOIN sizes z ON z.id = k.size_id`)
	return done, len(skus.rows), err
}

func (l *loader) skuID(st *style, color, size int) int64 {
	id := l.sku[st.code+"/"+st.colors[color]+"/"+st.cat.scale.sizes[size]]
	if id == 0 {
		panic("seed: no SKU for " + st.code)
	}
	return id
}

func (l *loader) prices() (int, int, error) {
	b := newBatch("prices", "price_list_id", "style_id", "price")
	for _, st := range l.p.styles {
		for i, pl := range priceListDefs {
			b.add(l.priceList[pl.code], l.style[st.code], st.prices[i])
		}
	}
	n, err := b.insert(l.ctx, l.tx, "ON CONFLICT DO NOTHING")
	return n, len(b.rows), err
}

func (l *loader) fabrics() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	sup := newBatch("suppliers", "code", "name", "email")
	for _, s := range supplierDefs {
		sup.add(s.code, s.name, s.email)
	}
	if _, err := sup.insert(ctx, tx, "ON CONFLICT (code) DO NOTHING"); err != nil {
		return 0, 0, err
	}
	if err := l.lookup(&l.supplier, `SELECT code, id FROM suppliers`); err != nil {
		return 0, 0, err
	}
	fab := newBatch("fabrics", "code", "name", "supplier_id", "unit", "wastage_pct", "lead_time_weeks", "unit_cost")
	for _, f := range fabricDefs {
		fab.add(f.code, f.name, l.supplier[f.supplier], f.unit, f.wastagePct, f.leadWeeks, f.unitCost)
	}
	n, err := fab.insert(ctx, tx, "ON CONFLICT (code) DO NOTHING")
	if err != nil {
		return n, len(fab.rows), err
	}
	return n, len(fab.rows), l.lookup(&l.fabric, `SELECT code, id FROM fabrics`)
}

func fabricUnit(code string) string {
	for _, f := range fabricDefs {
		if f.code == code {
			return f.unit
		}
	}
	panic("unknown fabric " + code)
}

// bom gives every style and size its fabrics: the main fabric by the
// category's base consumption, 4% more per size step, and a lining or rib.
func (l *loader) bom() (int, int, error) {
	b := newBatch("bom_lines", "style_id", "size_id", "fabric_id", "consumption")
	for _, st := range l.p.styles {
		sc := st.cat.scale
		mult := st.def.fabricMult
		if mult == 0 {
			mult = 1
		}
		base := st.cat.def.baseM
		if fabricUnit(st.def.fab) == "kg" {
			base = st.cat.def.baseKg
		}
		for si, z := range sc.sizes {
			step := math.Pow(1.04, float64(si-sc.def.center))
			main := base * mult * step
			sizeID := l.size[sc.def.code+"/"+z]
			b.add(l.style[st.code], sizeID, l.fabric[st.def.fab], fmt.Sprintf("%.4f", main))
			switch st.def.fab2 {
			case "":
			case "FAB-RIB-01":
				b.add(l.style[st.code], sizeID, l.fabric[st.def.fab2], fmt.Sprintf("%.4f", 0.06*step))
			default: // lining: a little less than the shell
				b.add(l.style[st.code], sizeID, l.fabric[st.def.fab2], fmt.Sprintf("%.4f", main*0.8))
			}
		}
	}
	n, err := b.insert(l.ctx, l.tx, "ON CONFLICT DO NOTHING")
	return n, len(b.rows), err
}

func (l *loader) dealers() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	b := newBatch("dealers", "code", "name", "region_id", "price_list_id", "credit_limit", "credit_policy",
		"payment_terms_days", "status", "hold_reason", "address", "created_at", "updated_at")
	for _, d := range l.p.dealers {
		status, reason, updated := "active", "", d.created
		if d.def.code == "D039" {
			status, reason, updated = "on_hold", d039HoldReason, mustTime("2026-11-02T07:10:00Z")
		}
		b.add(d.def.code, d.def.name, l.region[d.def.region], l.priceList[d.def.priceList], d.limit, d.def.policy,
			d.def.terms, status, reason, d.def.address, d.created, updated)
	}
	n, err := b.insert(ctx, tx, "ON CONFLICT (code) DO NOTHING")
	if err != nil {
		return n, len(b.rows), err
	}
	if err := l.lookup(&l.dealer, `SELECT code, id FROM dealers`); err != nil {
		return n, len(b.rows), err
	}
	c := newBatch("dealer_contacts", "dealer_id", "name", "title", "email", "phone")
	for _, d := range l.p.dealers {
		c.add(l.dealer[d.def.code], d.def.contact, d.def.title, d.email, d.phone)
	}
	_, err = c.insert(ctx, tx, "")
	return n, len(b.rows), err
}

func dealerEmail(d *dealer) string         { return fmt.Sprintf("dealer%02d@demo.test", d.idx+1) }
func supplierEmail(i int) string           { return fmt.Sprintf("supplier%02d@demo.test", i+1) }
func supplierDisplay(s supplierDef) string { return s.contact + " (" + s.code + ")" }

const (
	adminEmail   = "admin@demo.test"
	plannerEmail = "planner@demo.test"
)

func (l *loader) users() (int, int, error) {
	// Every demo account shares one hash (and so one salt) of demo-pass-27:
	// argon2id costs ~30 ms a hash and these are public demo credentials.
	b := newBatch("users", "email", "password_hash", "role", "dealer_id", "supplier_id", "display_name", "locale", "created_at")
	b.add(adminEmail, l.hash, "admin", nil, nil, "Demo Admin", "en", mustTime("2024-10-01T02:00:00Z"))
	b.add(plannerEmail, l.hash, "planner", nil, nil, "Lin Wei (Planning)", "en", mustTime("2024-10-01T02:05:00Z"))
	for _, d := range l.p.dealers {
		b.add(dealerEmail(d), l.hash, "dealer", l.dealer[d.def.code], nil, d.def.contact, d.region.locale, d.created.Add(time.Hour))
	}
	for i, s := range supplierDefs {
		b.add(supplierEmail(i), l.hash, "supplier", nil, l.supplier[s.code], supplierDisplay(s), "en", mustTime("2024-10-20T02:00:00Z").Add(time.Duration(i)*time.Minute))
	}
	n, err := b.insert(l.ctx, l.tx, "ON CONFLICT (email) DO NOTHING")
	if err != nil {
		return n, len(b.rows), err
	}
	return n, len(b.rows), l.lookup(&l.user, `SELECT email, id FROM users`)
}

func (l *loader) dealerUser(d *dealer) int64 { return l.user[dealerEmail(d)] }

func (l *loader) stock() (int, int, error) {
	b := newBatch("stock_on_hand", "sku_id", "qty", "updated_at")
	at := mustTime("2026-11-16T01:00:00Z")
	for _, s := range l.p.stock {
		b.add(l.skuID(s.style, s.color, s.size), s.qty, at)
	}
	n, err := b.insert(l.ctx, l.tx, "ON CONFLICT DO NOTHING")
	return n, len(b.rows), err
}

// orders writes one season's orders with their lines and history. Order
// numbers come from order_number_seq in submission order.
func (l *loader) orders(s *season) (int, int, error) {
	ctx, tx := l.ctx, l.tx
	var os []*order
	nLines := 0
	for _, o := range l.p.orders {
		if o.season == s {
			os = append(os, o)
			nLines += len(o.lines)
		}
	}
	ids, err := reserveIDs(ctx, tx, "orders", len(os))
	if err != nil {
		return 0, len(os), err
	}
	nums, err := nextvals(ctx, tx, "'order_number_seq'", len(os))
	if err != nil {
		return 0, len(os), err
	}
	lineIDs, err := reserveIDs(ctx, tx, "order_lines", nLines)
	if err != nil {
		return 0, len(os), err
	}
	planner := l.user[plannerEmail]
	ob := newBatch("orders", "id", "number", "dealer_id", "season_id", "status", "reference", "currency",
		"total_qty", "total_amount", "version", "created_by", "submitted_at", "confirmed_at", "shipped_at",
		"created_at", "updated_at")
	lb := newBatch("order_lines", "id", "order_id", "dealer_id", "sku_id", "style_id", "color_id", "size_id",
		"qty", "unit_price", "amount", "delivery_window_id")
	eb := newBatch("order_events", "order_id", "dealer_id", "user_id", "kind", "from_status", "to_status", "detail", "created_at")
	k := 0
	for i, o := range os {
		o.id = ids[i]
		o.number = fmt.Sprintf("SO-%s-%06d", s.def.code, nums[i])
		dealerID := l.dealer[o.dealer.def.code]
		creator := l.dealerUser(o.dealer)
		if o.byPlanner {
			creator = planner
		}
		last := o.events[len(o.events)-1].at
		ob.add(o.id, o.number, dealerID, l.season[s.def.code], o.status, o.reference, "CNY",
			o.totalQty, o.total, len(o.events), creator, ts(o.submitted), ts(o.confirmed), ts(o.shipped),
			o.submitted, last)
		for _, ln := range o.lines {
			ln.id = lineIDs[k]
			k++
			st := ln.style
			lb.add(ln.id, o.id, dealerID, l.skuID(st, ln.color, ln.size), l.style[st.code],
				l.color[st.code+"/"+st.colors[ln.color]], l.size[st.cat.scale.def.code+"/"+st.cat.scale.sizes[ln.size]],
				ln.qty, ln.price, ln.amount, l.window[s.def.code+"/"+s.windows[st.drop[s.idx]].code])
		}
		for _, e := range o.events {
			user := planner
			if e.byDealer {
				user = creator
			}
			detail := "{}"
			if e.kind == "submitted" {
				js, _ := json.Marshal(map[string]any{"lines": len(o.lines), "total_qty": o.totalQty, "total_amount": o.total})
				detail = string(js)
			}
			var from any
			if e.from != "" {
				from = e.from
			}
			eb.add(o.id, dealerID, user, e.kind, from, e.to, detail, e.at)
		}
	}
	// Orders first, with their final status: the rollup triggers on
	// order_lines count the lines of submitted and confirmed orders.
	for _, b := range []*batch{ob, lb, eb} {
		if _, err := b.copy(ctx, tx); err != nil {
			return 0, len(os), err
		}
	}
	return len(os), len(os), nil
}

func (l *loader) invoices() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	ins := l.p.invoices
	ids, err := reserveIDs(ctx, tx, "invoices", len(ins))
	if err != nil {
		return 0, len(ins), err
	}
	nums, err := nextvals(ctx, tx, "'invoice_number_seq'", len(ins))
	if err != nil {
		return 0, len(ins), err
	}
	admin := l.user[adminEmail]
	ib := newBatch("invoices", "id", "number", "dealer_id", "order_id", "currency", "amount", "paid", "issued_on", "due_on", "created_at")
	pb := newBatch("payments", "invoice_id", "dealer_id", "amount", "paid_on", "reference", "user_id", "created_at")
	for i, in := range ins {
		in.id = ids[i]
		in.number = fmt.Sprintf("INV-%06d", nums[i])
		dealerID := l.dealer[in.order.dealer.def.code]
		ib.add(in.id, in.number, dealerID, in.order.id, "CNY", in.amount, in.paid(), date(in.issued), date(in.due), in.order.shipped)
		for _, pm := range in.payments {
			pb.add(in.id, dealerID, pm.amount, date(pm.on), pm.ref, admin, pm.on.Add(7*time.Hour))
		}
	}
	for _, b := range []*batch{ib, pb} {
		if _, err := b.copy(ctx, tx); err != nil {
			return 0, len(ins), err
		}
	}
	return len(ins), len(ins), nil
}

func (l *loader) returns() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	rs := l.p.rmas
	ids, err := reserveIDs(ctx, tx, "returns", len(rs))
	if err != nil {
		return 0, len(rs), err
	}
	nums, err := nextvals(ctx, tx, "'return_number_seq'", len(rs))
	if err != nil {
		return 0, len(rs), err
	}
	planner := l.user[plannerEmail]
	rb := newBatch("returns", "id", "number", "dealer_id", "order_id", "status", "reason", "decision_reason",
		"credit_amount", "requested_by", "decided_by", "created_at", "decided_at")
	lb := newBatch("return_lines", "return_id", "dealer_id", "order_line_id", "sku_id", "qty")
	cb := newBatch("credit_notes", "dealer_id", "return_id", "amount", "created_at")
	for i, x := range rs {
		x.id = ids[i]
		x.number = fmt.Sprintf("RMA-%06d", nums[i])
		dealerID := l.dealer[x.order.dealer.def.code]
		var decidedBy any
		if !x.decided.IsZero() {
			decidedBy = planner
		}
		rb.add(x.id, x.number, dealerID, x.order.id, x.status, x.reason, x.decision, x.credit,
			l.dealerUser(x.order.dealer), decidedBy, x.created, ts(x.decided))
		for _, rl := range x.lines {
			lb.add(x.id, dealerID, rl.line.id, l.skuID(rl.line.style, rl.line.color, rl.line.size), rl.qty)
		}
		if x.status == "approved" {
			cb.add(dealerID, x.id, x.credit, x.decided)
		}
	}
	for _, b := range []*batch{rb, lb, cb} {
		if _, err := b.copy(ctx, tx); err != nil {
			return 0, len(rs), err
		}
	}
	return len(rs), len(rs), nil
}

// feedback writes feedback threads, announcements with who read them, and
// the dealer records' notes and events.
func (l *loader) feedback() (int, int, error) {
	ctx, tx := l.ctx, l.tx
	planner := l.user[plannerEmail]
	ids, err := reserveIDs(ctx, tx, "feedback_threads", len(feedbackDefs))
	if err != nil {
		return 0, 0, err
	}
	tb := newBatch("feedback_threads", "id", "dealer_id", "topic", "style_id", "subject", "rating", "status", "user_id", "created_at")
	mb := newBatch("feedback_messages", "thread_id", "dealer_id", "user_id", "body", "created_at")
	for i, f := range feedbackDefs {
		d := l.p.dealer(f.dealer)
		dealerID := l.dealer[f.dealer]
		var styleID, rating any
		if f.style != "" {
			styleID = l.style[l.p.styleNamed(f.style).code]
		}
		if f.rating > 0 {
			rating = f.rating
		}
		tb.add(ids[i], dealerID, f.topic, styleID, f.subject, rating, f.status, l.dealerUser(d), mustTime(f.messages[0].at))
		for _, m := range f.messages {
			user := planner
			if m.fromDealer {
				user = l.dealerUser(d)
			}
			mb.add(ids[i], dealerID, user, m.body, mustTime(m.at))
		}
	}

	aids, err := reserveIDs(ctx, tx, "announcements", len(announcementDefs))
	if err != nil {
		return 0, 0, err
	}
	ab := newBatch("announcements", "id", "title", "body", "region_id", "user_id", "published_at")
	rb := newBatch("announcement_reads", "announcement_id", "user_id", "dealer_id", "read_at")
	r := rng("announcements")
	for i, a := range announcementDefs {
		var region any
		if a.region != "" {
			region = l.region[a.region]
		}
		at := mustTime(a.at)
		ab.add(aids[i], a.title, a.body, region, planner, at)
		for _, code := range a.readers {
			d := l.p.dealer(code)
			rb.add(aids[i], l.dealerUser(d), l.dealer[code], at.Add(time.Duration(1+r.IntN(240))*time.Hour))
		}
	}

	nb := newBatch("dealer_notes", "dealer_id", "user_id", "body", "created_at")
	for _, n := range noteDefs {
		nb.add(l.dealer[n.dealer], planner, n.body, mustTime(n.at))
	}
	evb := newBatch("dealer_events", "dealer_id", "user_id", "kind", "reason", "changes", "created_at")
	evb.add(l.dealer["D001"], planner, "credit_limit_changed", "Annual credit review 2026",
		`{"credit_limit": {"from": "1500000.00", "to": "2000000.00"}}`, mustTime("2026-08-14T03:00:00Z"))
	evb.add(l.dealer["D039"], planner, "status_changed", d039HoldReason,
		`{"status": {"from": "active", "to": "on_hold"}}`, mustTime("2026-11-02T07:10:00Z"))
	evb.add(l.dealer["D040"], l.user[adminEmail], "created", "New select shop in Seongsu; starts with a small credit line.",
		`{"credit_limit": {"from": null, "to": "50000.00"}}`, mustTime("2026-10-12T03:20:00Z"))

	n := 0
	for _, b := range []*batch{tb, mb, ab, rb, nb, evb} {
		k, err := b.copy(ctx, tx)
		if err != nil {
			return n, n, err
		}
		n += k
	}
	return n, n, nil
}

func (l *loader) marker() (int, int, error) {
	// Head office holds dealers more than two weeks overdue, so that the demo
	// shows an automatic hold (D027's part-paid AW26 invoice) as soon as the
	// server's hold sweep runs, and its release when the planner records the payment.
	const hold = `INSERT INTO settings (key, value) VALUES ('overdue_hold_days', '14')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`
	if _, err := l.tx.ExecContext(l.ctx, hold); err != nil {
		return 0, 1, err
	}
	res, err := l.tx.ExecContext(l.ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, markerKey, markerValue)
	if err != nil {
		return 0, 1, err
	}
	n, _ := res.RowsAffected()
	return int(n), 1, nil
}

// describe summarises the plan for the last progress line.
func (p *plan) describe() string {
	lines := 0
	var value money.Amount
	for _, o := range p.orders {
		lines += len(o.lines)
		value += o.total
	}
	return fmt.Sprintf("%d styles, %d dealers, %d orders with %d lines (CNY %s)",
		len(p.styles), len(p.dealers), len(p.orders), lines, value.Grouped())
}
