package overviewdb_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
	"github.com/sizerun/sizerun/overview"
	"github.com/sizerun/sizerun/overview/overviewdb"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// fixtures: two dealers in two currencies, two suppliers, a closed, an open
// and an upcoming season, and orders in every interesting state.
const fixtures = `
INSERT INTO regions (id, code, name) VALUES (1, 'EAST', '华东'), (2, 'KR', '한국');
INSERT INTO price_lists (id, code, name, currency) VALUES (1, 'CN', 'China', 'CNY'), (2, 'KR', 'Korea', 'KRW');
INSERT INTO dealers (id, code, name, region_id, price_list_id, status) VALUES
  (1, 'D001', '上海锦绣服饰有限公司', 1, 1, 'active'),
  (2, 'D002', '서울패션상사', 2, 2, 'active'),
  (3, 'D039', '杭州暂停商贸', 1, 1, 'on_hold');
INSERT INTO suppliers (id, code, name) VALUES (1, 'S01', '苏州面料厂'), (2, 'S02', 'Daegu Textile');
INSERT INTO fabrics (code, name, supplier_id, unit, lead_time_weeks) VALUES
  ('FB-SLK-01', 'Silk crepe', 1, 'm', 8),
  ('FB-POP-120', 'Cotton poplin 120', 1, 'm', 6),
  ('FB-WOOL-9', 'Merino jersey', 2, 'kg', 5);
INSERT INTO seasons (id, code, name, starts_on, order_opens_at, order_cutoff_at, closed) VALUES
  (1, 'AW26', 'Autumn/Winter 2026', '2026-08-01', now() - interval '400 days', now() - interval '300 days', true),
  (2, 'SS27', 'Spring/Summer 2027', '2027-02-01', now() - interval '30 days', now() + interval '20 days', false),
  (3, 'AW27', 'Autumn/Winter 2027', '2027-08-01', now() + interval '60 days', now() + interval '120 days', false);
INSERT INTO orders (number, dealer_id, season_id, status, currency, total_qty, total_amount, submitted_at, created_at) VALUES
  ('SO-1003', 1, 1, 'closed',    'CNY',  800,   99000.00, now() - interval '330 days', now() - interval '331 days'),
  ('SO-1006', 2, 1, 'shipped',   'KRW',   40, 3600000.00, now() - interval '320 days', now() - interval '320 days'),
  ('SO-1005', 1, 2, 'cancelled', 'CNY',   10,    1290.00, now() - interval '5 days',   now() - interval '5 days'),
  ('SO-1004', 2, 2, 'submitted', 'KRW',   60, 5400000.00, now() - interval '3 days',   now() - interval '3 days'),
  ('SO-1001', 1, 2, 'submitted', 'CNY',  120,   15480.00, now() - interval '2 days',   now() - interval '2 days'),
  ('SO-1002', 1, 2, 'confirmed', 'CNY', 1300,  167700.50, now() - interval '1 days',   now() - interval '1 days'),
  ('SO-1008', 3, 2, 'held',      'CNY',   50,    6450.00, now() - interval '1 hours',  now() - interval '1 hours'),
  ('SO-1007', 1, 2, 'draft',     'CNY',    5,     645.00, NULL,                        now());
`

func newStore(t *testing.T) (*overviewdb.Store, *sqlx.DB) {
	t.Helper()
	db := pgtest.New(t)
	if _, err := db.Exec(fixtures); err != nil {
		t.Fatal(err)
	}
	return overviewdb.New(db), db
}

func TestDealerHomeIsScoped(t *testing.T) {
	store, _ := newStore(t)
	svc := overview.NewService(store, nil)
	ctx := context.Background()

	h, err := svc.DealerHome(ctx, auth.Principal{UserID: 1, Role: auth.RoleDealer, DealerID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if h.Dealer != (overview.Dealer{Code: "D001", Name: "上海锦绣服饰有限公司"}) {
		t.Errorf("dealer = %+v", h.Dealer)
	}
	var numbers []string
	for _, o := range h.Orders {
		numbers = append(numbers, o.Number)
	}
	if diff := cmp.Diff([]string{"SO-1007", "SO-1002", "SO-1001", "SO-1005", "SO-1003"}, numbers); diff != "" {
		t.Errorf("D001's orders, newest first (-want +got):\n%s", diff)
	}
	if o := h.Orders[1]; o.Qty != 1300 || o.Amount != money.MustParse("167700.50") || o.Currency != "CNY" ||
		o.Status != "confirmed" || o.Season != "SS27" || o.Date.IsZero() {
		t.Errorf("SO-1002 = %+v", o)
	}
	if h.Orders[0].Date.IsZero() {
		t.Error("a draft's date is its creation")
	}
	var seasons []string
	for _, s := range h.Seasons {
		seasons = append(seasons, s.Code+":"+s.State)
	}
	if diff := cmp.Diff([]string{"SS27:open", "AW27:upcoming"}, seasons); diff != "" {
		t.Errorf("orderable seasons by cut-off (-want +got):\n%s", diff)
	}
	if d := h.Seasons[0].DaysLeft; d != 19 && d != 20 {
		t.Errorf("SS27 days left = %d, want 19 or 20", d)
	}

	h2, err := svc.DealerHome(ctx, auth.Principal{UserID: 2, Role: auth.RoleDealer, DealerID: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(h2.Orders) != 2 || h2.Orders[0].Number != "SO-1004" || h2.Orders[1].Number != "SO-1006" {
		t.Errorf("D002 sees %+v, want only SO-1004 and SO-1006", h2.Orders)
	}

	h3, err := svc.DealerHome(ctx, auth.Principal{UserID: 3, Role: auth.RoleDealer, DealerID: 3})
	if err != nil || !h3.Dealer.OnHold {
		t.Errorf("D039 on hold: %+v, %v", h3.Dealer, err)
	}

	_, err = svc.DealerHome(ctx, auth.Principal{UserID: 4, Role: auth.RoleDealer, DealerID: 999})
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("missing dealer: %v, want not_found", err)
	}
}

func TestPlannerHomeTotals(t *testing.T) {
	store, _ := newStore(t)
	svc := overview.NewService(store, nil)
	h, err := svc.PlannerHome(context.Background(), auth.Principal{UserID: 1, Role: auth.RolePlanner})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Code, State          string
		Orders, Dealers, Qty int
		Amounts              []overview.CurrencyAmount
	}
	var got []row
	for _, s := range h.Seasons {
		got = append(got, row{s.Code, s.State, s.Orders, s.Dealers, s.Qty, s.Amounts})
	}
	want := []row{
		{"AW27", overview.StateUpcoming, 0, 0, 0, nil},
		// SO-1001, SO-1002 (D001) and SO-1004 (D002); not the draft, the held or the cancelled order.
		{"SS27", overview.StateOpen, 3, 2, 1480, []overview.CurrencyAmount{
			{Currency: "CNY", Amount: money.MustParse("183180.50")},
			{Currency: "KRW", Amount: money.MustParse("5400000.00")},
		}},
		{"AW26", overview.StateClosed, 2, 2, 840, []overview.CurrencyAmount{
			{Currency: "CNY", Amount: money.MustParse("99000.00")},
			{Currency: "KRW", Amount: money.MustParse("3600000.00")},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("season totals (-want +got):\n%s", diff)
	}
	if h.Current == nil || h.Current.Code != "SS27" || h.Previous == nil || h.Previous.Code != "AW26" {
		t.Fatalf("current %+v, previous %+v", h.Current, h.Previous)
	}
	if *h.OrdersChange != 50 || *h.DealersChange != 0 || *h.QtyChange != 76 {
		t.Errorf("changes %d %d %d, want 50 0 76", *h.OrdersChange, *h.DealersChange, *h.QtyChange)
	}
}

func TestPlannerHomeWithoutSeasons(t *testing.T) {
	svc := overview.NewService(overviewdb.New(pgtest.New(t)), nil)
	h, err := svc.PlannerHome(context.Background(), auth.Principal{UserID: 1, Role: auth.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Seasons) != 0 || h.Current != nil || h.OrdersChange != nil {
		t.Errorf("empty database: %+v", h)
	}
}

func TestSupplierHomeIsScoped(t *testing.T) {
	store, _ := newStore(t)
	svc := overview.NewService(store, nil)
	h, err := svc.SupplierHome(context.Background(), auth.Principal{UserID: 5, Role: auth.RoleSupplier, SupplierID: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := overview.SupplierHome{
		Supplier: overview.Supplier{Code: "S01", Name: "苏州面料厂"},
		Fabrics: []overview.Fabric{
			{Code: "FB-POP-120", Name: "Cotton poplin 120", Unit: "m", LeadTimeWeeks: 6},
			{Code: "FB-SLK-01", Name: "Silk crepe", Unit: "m", LeadTimeWeeks: 8},
		},
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("S01's home (-want +got):\n%s", diff)
	}
}

func TestAdminHomeUsers(t *testing.T) {
	store, db := newStore(t)
	db.MustExec(`
INSERT INTO users (email, password_hash, role, dealer_id, supplier_id, display_name, locale, active) VALUES
  ('dealer@x.test', 'h', 'dealer', 1, NULL, '王经理', 'zh', true),
  ('admin@x.test', 'h', 'admin', NULL, NULL, 'Admin', 'en', true),
  ('supplier@x.test', 'h', 'supplier', NULL, 2, '', 'ko', false),
  ('planner@x.test', 'h', 'planner', NULL, NULL, 'Plan', 'en', true)`)
	svc := overview.NewService(store, nil)
	h, err := svc.AdminHome(context.Background(), auth.Principal{UserID: 1, Role: auth.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	want := []overview.User{
		{Email: "admin@x.test", Name: "Admin", Role: auth.RoleAdmin, Locale: "en", Active: true},
		{Email: "planner@x.test", Name: "Plan", Role: auth.RolePlanner, Locale: "en", Active: true},
		{Email: "supplier@x.test", Role: auth.RoleSupplier, Locale: "ko", SupplierCode: "S02", SupplierName: "Daegu Textile"},
		{Email: "dealer@x.test", Name: "王经理", Role: auth.RoleDealer, Locale: "zh", Active: true, DealerCode: "D001", DealerName: "上海锦绣服饰有限公司"},
	}
	if diff := cmp.Diff(want, h.Users); diff != "" || h.Truncated {
		t.Errorf("users (-want +got):\n%s truncated=%v", diff, h.Truncated)
	}
}
