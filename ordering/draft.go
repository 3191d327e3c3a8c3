package ordering

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/catalog"
)

// The draft is the server-side basket of a dealer for one season: an order
// in state draft (at most one per dealer and season), filled style by style
// from the order grid, kept across logins, and submitted with every rule of
// Submit. Drafts belong to dealers' users; head office enters orders for a
// dealer with Submit.

func dealerOnly(p auth.Principal) error {
	if p.Role == auth.RoleDealer && p.DealerID > 0 {
		return nil
	}
	if p.IsHeadOffice() {
		return apperr.New(apperr.Forbidden, "drafts belong to dealers; head office enters orders for a dealer directly")
	}
	return apperr.New(apperr.Forbidden, "orders are for dealers and head office")
}

// Draft returns the caller's draft for a season with its lines (priced at
// the current price list). When there is none it returns an empty draft
// (no number, no lines). Returns not_found for an unknown season,
// forbidden for anyone but a dealer.
func (s *Service) Draft(ctx context.Context, p auth.Principal, season string) (Order, error) {
	if err := dealerOnly(p); err != nil {
		return Order{}, err
	}
	se, err := s.store.Season(ctx, normCode(season))
	if err != nil {
		return Order{}, err
	}
	number, ok, err := s.store.DraftNumber(ctx, p.DealerID, se.ID)
	if err != nil {
		return Order{}, err
	}
	if ok {
		return s.store.Order(ctx, Scope{DealerID: p.DealerID}, number)
	}
	d, err := s.store.DealerByID(ctx, p.DealerID)
	if err != nil {
		return Order{}, err
	}
	return emptyDraft(d, se), nil
}

func emptyDraft(d Dealer, se catalog.Season) Order {
	return Order{DealerID: d.ID, Dealer: d.Code, DealerName: d.Name, SeasonID: se.ID, Season: se.Code,
		SeasonName: se.Name, Status: StatusDraft, Currency: d.Currency, Lines: []Line{},
		DeliveryWindows: []catalog.DeliveryWindow{}, History: []Event{}}
}

// SaveDraftLines replaces the lines of one style in the caller's draft for a
// season (creating the draft if needed): the grid of that style. Lines with
// qty (or packs) 0 are cleared cells; lines without a style are for style;
// deliveryWindow applies to lines that name none (default: the style's
// current window, else the season's first). Colours, sizes, prepacks and
// quantities are checked as in Submit; the minimum order quantity and
// credit are checked when the draft is submitted. Returns the draft;
// season_closed when the season is not open; not_found for an unknown
// season.
func (s *Service) SaveDraftLines(ctx context.Context, p auth.Principal, season, style string, reqs []LineRequest, deliveryWindow string) (Order, error) {
	if err := dealerOnly(p); err != nil {
		return Order{}, err
	}
	code := normCode(style)
	if code == "" {
		return Order{}, apperr.Field("style", "style is required")
	}
	reqs = append([]LineRequest(nil), reqs...)
	var details []apperr.Detail
	for i := range reqs {
		switch c := normCode(reqs[i].Style); {
		case c == "":
			reqs[i].Style = code
		case c != code:
			details = append(details, apperr.Detail{Field: fmt.Sprintf("lines[%d].style", i), Message: fmt.Sprintf("every line must be for style %s", code)})
		}
		if strings.TrimSpace(reqs[i].DeliveryWindow) == "" {
			reqs[i].DeliveryWindow = deliveryWindow
		}
	}
	if len(details) > 0 {
		return Order{}, invalidLines(details)
	}
	now := s.now()
	var out Order
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := tx.LockDealer(ctx, p.DealerID)
		if err != nil {
			return err
		}
		se, err := tx.Season(ctx, normCode(season))
		if err != nil {
			return err
		}
		if err := seasonOpen(se, now); err != nil {
			return err
		}
		styles, err := tx.StyleInfos(ctx, se.ID, d.PriceListID, []string{code}, usesPrepacks(reqs))
		if err != nil {
			return err
		}
		si, ok := styles[code]
		if !ok {
			return apperr.Field("style", "style %s is not offered in season %s", code, se.Code)
		}
		draft, exists, err := tx.LockDraft(ctx, d.ID, se.ID)
		if err != nil {
			return err
		}
		var before []Line
		windows := map[int]int{}
		if exists {
			all, err := tx.Lines(ctx, draft.ID)
			if err != nil {
				return err
			}
			for _, l := range all {
				if l.StyleID == si.ID {
					before = append(before, l)
					windows[l.StyleID] = l.DeliveryWindowID
				}
			}
		}
		lines, details := Resolve(se, styles, reqs, ResolveOptions{AllowZero: true, Windows: windows})
		if len(details) > 0 {
			return invalidLines(details)
		}
		added, removed, changed := DiffLines(before, lines)
		if len(added)+len(removed)+len(changed) == 0 {
			if exists {
				out, err = tx.OrderByID(ctx, draft.ID)
			} else {
				out = emptyDraft(d, se)
			}
			return err
		}
		kind, from := EventDraftUpdated, StatusDraft
		if !exists {
			kind, from = EventDraftCreated, ""
			ins, err := tx.InsertOrder(ctx, NewOrder{Season: se.Code, DealerID: d.ID, SeasonID: se.ID,
				Status: StatusDraft, Currency: d.Currency, CreatedBy: p.UserID})
			if err != nil {
				return err
			}
			draft = Order{ID: ins.ID, Status: StatusDraft}
		}
		if err := applyLines(ctx, tx, draft.ID, d.ID, before, lines, map[int]bool{si.ID: true}); err != nil {
			return err
		}
		if err := tx.UpdateOrder(ctx, draft.ID, OrderUpdate{Status: StatusDraft, Reference: draft.Reference}); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, NewEvent{OrderID: draft.ID, DealerID: d.ID, UserID: p.UserID, Kind: kind,
			From: from, To: StatusDraft, Detail: EventDetail{Added: added, Removed: removed, Changed: changed}}); err != nil {
			return err
		}
		out, err = tx.OrderByID(ctx, draft.ID)
		return err
	})
	return out, err
}

// SubmitDraft submits the caller's draft for a season with every rule of
// Submit (prices refreshed from the price list and frozen now). Returns the
// submitted (or held) order; not_found when there is no draft;
// validation_failed naming "STYLE COLOR SIZE.qty" for bad lines.
func (s *Service) SubmitDraft(ctx context.Context, p auth.Principal, season, reference string) (Order, error) {
	if err := dealerOnly(p); err != nil {
		return Order{}, err
	}
	reference = strings.TrimSpace(reference)
	if utf8.RuneCountInString(reference) > MaxReference {
		return Order{}, apperr.Field("reference", "reference may have at most %d characters", MaxReference)
	}
	now := s.now()
	var out Order
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := tx.LockDealer(ctx, p.DealerID)
		if err != nil {
			return err
		}
		se, err := tx.Season(ctx, normCode(season))
		if err != nil {
			return err
		}
		draft, ok, err := tx.LockDraft(ctx, d.ID, se.ID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.NotFound, "you have no draft for season %s", se.Code)
		}
		if err := dealerActive(d); err != nil {
			return err
		}
		if err := seasonOpen(se, now); err != nil {
			return err
		}
		before, err := tx.Lines(ctx, draft.ID)
		if err != nil {
			return err
		}
		if len(before) == 0 {
			return apperr.Field("lines", "the draft has no lines")
		}
		reqs := make([]LineRequest, len(before))
		for i, l := range before {
			reqs[i] = LineRequest{Style: l.Style, Color: l.Color, Size: l.Size, Qty: l.Qty, DeliveryWindow: l.DeliveryWindow,
				Label: fmt.Sprintf("%s %s %s", l.Style, l.Color, l.Size)}
		}
		styles, err := tx.StyleInfos(ctx, se.ID, d.PriceListID, styleCodes(reqs), usesPrepacks(reqs))
		if err != nil {
			return err
		}
		lines, details := Resolve(se, styles, reqs, ResolveOptions{CheckMinimum: true})
		if len(details) > 0 {
			return invalidLines(details)
		}
		qty, value := Totals(lines)
		held, fig, err := credit(ctx, tx, d, draft.ID, value)
		if err != nil {
			return err
		}
		status, kind := StatusSubmitted, EventSubmitted
		detail := EventDetail{Lines: len(lines), TotalQty: qty, TotalAmount: &value}
		if held {
			status, kind, detail.Credit = StatusHeld, EventHeld, &fig
		}
		if reference != draft.Reference {
			detail.Reference = &Change{From: draft.Reference, To: reference}
		}
		if err := applyLines(ctx, tx, draft.ID, d.ID, before, lines, nil); err != nil {
			return err
		}
		if err := tx.UpdateOrder(ctx, draft.ID, OrderUpdate{Status: status, Reference: reference, Stamp: status}); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, NewEvent{OrderID: draft.ID, DealerID: d.ID, UserID: p.UserID, Kind: kind,
			From: StatusDraft, To: status, Detail: detail}); err != nil {
			return err
		}
		out, err = tx.OrderByID(ctx, draft.ID)
		return err
	})
	return out, err
}
