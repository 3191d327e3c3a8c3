package overview_test

import (
	"context"
	"testing"
	"time"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/overview"
)

func TestSeasonState(t *testing.T) {
	now := time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	s := func(opens, cutoff time.Duration, closed bool) overview.Season {
		return overview.Season{OpensAt: now.Add(opens), CutoffAt: now.Add(cutoff), Closed: closed}
	}
	tests := []struct {
		name      string
		season    overview.Season
		wantState string
		wantDays  int
	}{
		{"open, 20 days left", s(-30*day, 20*day, false), overview.StateOpen, 20},
		{"open, last day", s(-30*day, 3*time.Hour, false), overview.StateOpen, 0},
		{"open, one day and a bit", s(-30*day, 30*time.Hour, false), overview.StateOpen, 1},
		{"opens exactly now", s(0, day, false), overview.StateOpen, 1},
		{"not yet open", s(time.Hour, 90*day, false), overview.StateUpcoming, 0},
		{"cut-off exactly now", s(-30*day, 0, false), overview.StateCutoff, 0},
		{"past cut-off", s(-90*day, -day, false), overview.StateCutoff, 0},
		{"closed early by head office", s(-30*day, 20*day, true), overview.StateClosed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, days := overview.SeasonState(tt.season, now)
			if state != tt.wantState || days != tt.wantDays {
				t.Errorf("SeasonState = %s, %d; want %s, %d", state, days, tt.wantState, tt.wantDays)
			}
		})
	}
}

func TestChange(t *testing.T) {
	tests := []struct {
		cur, prev int
		want      *int
	}{
		{3, 2, ptr(50)},
		{1480, 840, ptr(76)}, // 76.19
		{2, 3, ptr(-33)},     // -33.3
		{1, 3, ptr(-67)},     // -66.7
		{5, 8, ptr(-38)},     // -37.5 rounds away from zero
		{3, 8, ptr(-63)},     // -62.5
		{13, 8, ptr(63)},     // 62.5
		{10, 10, ptr(0)},
		{0, 10, ptr(-100)},
		{10, 0, nil},
	}
	for _, tt := range tests {
		got := overview.Change(tt.cur, tt.prev)
		switch {
		case got == nil && tt.want == nil:
		case got == nil || tt.want == nil || *got != *tt.want:
			t.Errorf("Change(%d, %d) = %v, want %v", tt.cur, tt.prev, deref(got), deref(tt.want))
		}
	}
}

// The service refuses a role's home page to other roles before touching the
// store (which is nil here, so a read would panic).
func TestHomeRoleChecks(t *testing.T) {
	svc := overview.NewService(nil, nil)
	ctx := context.Background()
	dealer := auth.Principal{UserID: 1, Role: auth.RoleDealer, DealerID: 1}
	supplier := auth.Principal{UserID: 2, Role: auth.RoleSupplier, SupplierID: 1}
	planner := auth.Principal{UserID: 3, Role: auth.RolePlanner}
	checks := []struct {
		name string
		err  error
	}{
		{"dealer → planner home", second(svc.PlannerHome(ctx, dealer))},
		{"supplier → planner home", second(svc.PlannerHome(ctx, supplier))},
		{"planner → dealer home", second(svc.DealerHome(ctx, planner))},
		{"dealer without dealer id", second(svc.DealerHome(ctx, auth.Principal{UserID: 1, Role: auth.RoleDealer}))},
		{"dealer → supplier home", second(svc.SupplierHome(ctx, dealer))},
		{"planner → admin home", second(svc.AdminHome(ctx, planner))},
		{"no role", second(svc.Home(ctx, auth.Principal{UserID: 9}))},
	}
	for _, c := range checks {
		if !apperr.Is(c.err, apperr.Forbidden) {
			t.Errorf("%s: err = %v, want forbidden", c.name, c.err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func ptr(n int) *int { return &n }

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
