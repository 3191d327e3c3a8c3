package dealers

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/money"
)

// DefaultOverdueHoldDays is used when the setting overdue_hold_days is
// missing or not a whole number of days.
const DefaultOverdueHoldDays = 30

// HoldState is what the overdue rule needs to know about a dealer.
// Overdue is the unpaid balance of its invoices due before the cut-off day
// (today − overdue_hold_days); Credits are its credit notes, which are set
// off against what it owes, oldest debts first, as in its exposure.
type HoldState struct {
	DealerID  int
	Code      string
	Status    string
	AutoHold  bool
	Overdue   money.Amount
	Credits   money.Amount
	OldestDue Date // of the overdue invoices; zero when none
}

// NetOverdue is what stays overdue after the dealer's credits.
func (h HoldState) NetOverdue() money.Amount { return h.Overdue - h.Credits }

// holdAction is what the overdue rule does to a dealer.
type holdAction int

const (
	holdNone holdAction = iota
	holdPut
	holdRelease
)

// decideHold is the overdue rule: an active dealer with anything overdue
// by more than the allowed days (net of its credits) goes on hold
// automatically; a dealer on an automatic hold comes off it once nothing is
// overdue beyond the limit. Holds put by head office are left alone.
func decideHold(h HoldState) holdAction {
	switch {
	case h.Status == StatusActive && h.NetOverdue() > 0:
		return holdPut
	case h.Status == StatusOnHold && h.AutoHold && h.NetOverdue() <= 0:
		return holdRelease
	}
	return holdNone
}

// HoldSweepResult lists the dealers (codes) put on hold and released.
type HoldSweepResult struct {
	Held     []string `json:"held"`
	Released []string `json:"released"`
}

// ApplyOverdueHolds applies the overdue rule (see decideHold) to every
// dealer as of now: it finds the dealers whose state must change, then locks
// and re-checks each in one transaction, and audits every hold and release
// as an automatic change (no user) with the overdue figures as the reason.
func (s *Service) ApplyOverdueHolds(ctx context.Context, now time.Time) (HoldSweepResult, error) {
	today := DateOf(now)
	days, err := s.store.OverdueHoldDays(ctx)
	if err != nil {
		return HoldSweepResult{}, err
	}
	states, err := s.store.HoldStates(ctx, today.AddDays(-days), nil)
	if err != nil {
		return HoldSweepResult{}, err
	}
	var ids []int
	for _, h := range states {
		if decideHold(h) != holdNone {
			ids = append(ids, h.DealerID)
		}
	}
	if len(ids) == 0 {
		return HoldSweepResult{Held: []string{}, Released: []string{}}, nil
	}
	var out HoldSweepResult
	err = s.store.InTx(ctx, func(tx Tx) error {
		sort.Ints(ids)
		for _, id := range ids {
			if _, err := tx.LockDealerByID(ctx, id); err != nil {
				return err
			}
		}
		var err error
		out, err = s.applyHolds(ctx, tx, today, ids)
		return err
	})
	return out, err
}

// SweepHolds is the planner's button for ApplyOverdueHolds, as of the
// service's clock. Head office only.
func (s *Service) SweepHolds(ctx context.Context, p auth.Principal) (HoldSweepResult, error) {
	if err := headOffice(p, "apply overdue holds"); err != nil {
		return HoldSweepResult{}, err
	}
	return s.ApplyOverdueHolds(ctx, s.now())
}

// applyHolds applies the overdue rule to the given dealers, whose rows the
// transaction has already locked.
func (s *Service) applyHolds(ctx context.Context, tx Tx, today Date, ids []int) (HoldSweepResult, error) {
	out := HoldSweepResult{Held: []string{}, Released: []string{}}
	days, err := tx.OverdueHoldDays(ctx)
	if err != nil {
		return out, err
	}
	states, err := tx.HoldStates(ctx, today.AddDays(-days), ids)
	if err != nil {
		return out, err
	}
	for _, h := range states {
		var kind, reason, to string
		switch decideHold(h) {
		case holdPut:
			kind, to = EventAutoHold, StatusOnHold
			reason = fmt.Sprintf("Automatic hold: %s overdue by more than %d days (oldest due %s), net of credits.",
				h.NetOverdue(), days, h.OldestDue)
			out.Held = append(out.Held, h.Code)
		case holdRelease:
			kind, to = EventAutoRelease, StatusActive
			reason = fmt.Sprintf("Automatic release: nothing is overdue by more than %d days any more.", days)
			out.Released = append(out.Released, h.Code)
		default:
			continue
		}
		holdReason := ""
		if to == StatusOnHold {
			holdReason = reason
		}
		if err := tx.SetHold(ctx, h.DealerID, to, holdReason, to == StatusOnHold); err != nil {
			return out, err
		}
		changes := map[string]Change{
			"status":    {From: str(h.Status), To: str(to)},
			"auto_hold": {From: str(fmt.Sprint(h.AutoHold)), To: str(fmt.Sprint(to == StatusOnHold))},
		}
		if err := tx.InsertEvent(ctx, NewEvent{DealerID: h.DealerID, Kind: kind, Reason: reason, Changes: changes}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// RunHoldSweeper applies the overdue rule now and then every interval until
// ctx ends, logging what changed and any error (a failed sweep is retried
// at the next tick). Run it in its own goroutine.
func (s *Service) RunHoldSweeper(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = time.Hour
	}
	sweep := func() {
		res, err := s.ApplyOverdueHolds(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("overdue hold sweep failed", "err", err)
		case err == nil && len(res.Held)+len(res.Released) > 0:
			log.Info("overdue hold sweep", "held", res.Held, "released", res.Released)
		}
	}
	sweep()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sweep()
		}
	}
}
