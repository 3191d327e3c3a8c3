package catalogdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/catalog/catalogdb"
	"github.com/sizerun/sizerun/ordering/orderingtest"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

func TestCatalog(t *testing.T) {
	db := pgtest.New(t)
	orderingtest.New(t, db)
	svc := catalog.NewService(catalogdb.New(db), nil)
	ctx := context.Background()
	dealer := orderingtest.Principal(t, db, "dealer01@test.test")
	dealer2 := orderingtest.Principal(t, db, "dealer02@test.test")
	planner := orderingtest.Principal(t, db, "planner@test.test")
	supplier := orderingtest.Principal(t, db, "supplier01@test.test")

	t.Run("seasons", func(t *testing.T) {
		ss, err := svc.Seasons(ctx, dealer)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		for _, s := range ss {
			status[s.Code] = s.Status
		}
		want := map[string]string{"SS27": "open", "AW26": "closed", "FW27": "closed", "CL27": "closed"}
		if diff := cmp.Diff(want, status); diff != "" {
			t.Errorf("statuses (-want +got):\n%s", diff)
		}
		s, err := svc.Season(ctx, dealer, "SS27")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.DeliveryWindows) != 2 || s.DeliveryWindows[0].Code != "D1" || s.DeliveryWindows[1].ShipsTo.String() != "2027-03-31" {
			t.Errorf("windows %+v", s.DeliveryWindows)
		}
		if !s.OrderDeadline.After(time.Now()) {
			t.Errorf("deadline %v", s.OrderDeadline)
		}
		// An injected clock decides the status.
		later := catalog.NewService(catalogdb.New(db), func() time.Time { return time.Now().Add(45 * 24 * time.Hour) })
		if s, _ := later.Season(ctx, dealer, "SS27"); s.Status != "closed" {
			t.Errorf("after cut-off: %s", s.Status)
		}
		if s, _ := later.Season(ctx, dealer, "FW27"); s.Status != "open" {
			t.Errorf("FW27 later: %s", s.Status)
		}
		if _, err := svc.Season(ctx, dealer, "XX99"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown season: %v", err)
		}
	})

	t.Run("style with the dealer's price", func(t *testing.T) {
		st, err := svc.Style(ctx, dealer, "SS27", "ST1001")
		if err != nil {
			t.Fatal(err)
		}
		if st.Price == nil || st.Price.String() != "129.00" || st.Currency != "CNY" || st.Category != "SHIRT" ||
			st.MinOrderQty != 6 || st.CutLot != 12 {
			t.Errorf("style %+v", st)
		}
		if diff := cmp.Diff([]string{"XS", "S", "M", "L", "XL", "XXL"}, st.Sizes); diff != "" {
			t.Errorf("sizes: %s", diff)
		}
		if diff := cmp.Diff([]catalog.Color{{Code: "BLK", Name: "Black"}, {Code: "NVY", Name: "Navy"}, {Code: "WHT", Name: "White"}}, st.Colors); diff != "" {
			t.Errorf("colours: %s", diff)
		}
		if len(st.Prepacks) != 2 || st.Prepacks[0].Code != "PP1" ||
			!cmp.Equal(map[string]int{"S": 1, "M": 2, "L": 2, "XL": 1}, st.Prepacks[0].Ratio) ||
			!cmp.Equal([]string{"S", "M", "L", "XL"}, st.Prepacks[0].Sizes) {
			t.Errorf("prepacks %+v", st.Prepacks)
		}
		if diff := cmp.Diff(map[string]map[string]int{"BLK": {"M": 5}, "NVY": {"L": 2}}, st.Available); diff != "" {
			t.Errorf("available: %s", diff)
		}
		other, _ := svc.Style(ctx, dealer2, "SS27", "ST1001")
		list, _ := svc.Style(ctx, planner, "SS27", "ST1001")
		if other.Price.String() != "120.00" || list.Price.String() != "199.00" {
			t.Errorf("D002 %s, planner %s", other.Price, list.Price)
		}
		nop, _ := svc.Style(ctx, dealer, "SS27", "ST1003")
		if nop.Price != nil {
			t.Errorf("ST1003 has no dealer price, got %s", nop.Price)
		}
		if _, err := svc.Style(ctx, dealer, "SS27", "ST9001"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("style of another season: %v", err)
		}
	})

	t.Run("filters", func(t *testing.T) {
		codes := func(f catalog.StyleFilter) []string {
			t.Helper()
			st, err := svc.Styles(ctx, dealer, "SS27", f)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, s := range st {
				out = append(out, s.Code)
			}
			return out
		}
		tests := []struct {
			name string
			f    catalog.StyleFilter
			want []string
		}{
			{"all", catalog.StyleFilter{}, []string{"ST1001", "ST1002", "ST1003", "ST2001", "ST3001"}},
			{"category", catalog.StyleFilter{Category: "PANT"}, []string{"ST2001"}},
			{"unknown category", catalog.StyleFilter{Category: "HATS"}, []string{}},
			{"code", catalog.StyleFilter{Q: "st100"}, []string{"ST1001", "ST1002", "ST1003"}},
			{"name", catalog.StyleFilter{Q: "oxford"}, []string{"ST1002"}},
			{"percent is literal", catalog.StyleFilter{Q: "100%"}, []string{"ST3001"}},
			{"underscore is literal", catalog.StyleFilter{Q: "%_"}, []string{"ST3001"}},
			{"lone percent", catalog.StyleFilter{Q: "%"}, []string{"ST3001"}},
			{"lone underscore", catalog.StyleFilter{Q: "_"}, []string{"ST3001"}},
			{"sql injection", catalog.StyleFilter{Q: "' OR 1=1 --"}, []string{}},
			{"category and search", catalog.StyleFilter{Category: "SHIRT", Q: "shirt"}, []string{"ST1001", "ST1002"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, codes(tt.f)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		cats, err := svc.Categories(ctx, dealer, "SS27")
		if err != nil || !cmp.Equal([]catalog.Category{{Code: "SHIRT", Name: "Shirts"}, {Code: "PANT", Name: "Trousers"}}, cats) {
			t.Errorf("categories %v %v", cats, err)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		if _, err := svc.Seasons(ctx, supplier); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("supplier: %v", err)
		}
		if _, err := svc.Styles(ctx, supplier, "SS27", catalog.StyleFilter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("supplier: %v", err)
		}
		if _, err := svc.Styles(ctx, dealer, "XX99", catalog.StyleFilter{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown season: %v", err)
		}
		long := make([]byte, 101)
		for i := range long {
			long[i] = 'a'
		}
		if _, err := svc.Styles(ctx, dealer, "SS27", catalog.StyleFilter{Q: string(long)}); !apperr.Is(err, apperr.Validation) {
			t.Errorf("long search: %v", err)
		}
	})
}
