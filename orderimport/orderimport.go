// Package orderimport owns the import of orders from CSV and Excel files
// (api.md POST /orders/import): reading the file (parse.go), checking every
// row, grouping the rows into one order per dealer, season and reference,
// and submitting them all through ordering's one service, in one
// transaction, all or nothing. Every refusal names the row and column
// ("row 7.qty"). The dealer list for head office's upload form is read by
// orderimport/importdb.
package orderimport

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/ordering"
)

// Orders is what the import needs from ordering: ordering.Service.
type Orders interface {
	SubmitMany(ctx context.Context, p auth.Principal, reqs []ordering.SubmitRequest, idemKey string) ([]ordering.Order, bool, error)
}

// Store lists dealers for head office's upload form.
type Store interface {
	// Dealers returns every dealer, by code.
	Dealers(ctx context.Context) ([]Dealer, error)
}

// Dealer is a dealer head office may import orders for.
type Dealer struct {
	Code   string
	Name   string
	OnHold bool
}

var _ Orders = (*ordering.Service)(nil)

// Service imports order files.
type Service struct {
	orders Orders
	store  Store
}

// NewService returns the import service; store may be nil when no upload
// form needs the dealer list.
func NewService(orders Orders, store Store) *Service {
	return &Service{orders: orders, store: store}
}

// Upload is an uploaded file. Name is only used to tell formats apart; it
// is never a path.
type Upload struct {
	Name string
	Data []byte
	// Dealer is the dealer head office imports for (the upload form's
	// choice); rows may then leave the dealer column out. Dealers leave it
	// empty or give their own.
	Dealer string
}

// Import reads the file and submits its rows, grouped into one order per
// dealer, season and reference, through ordering in one transaction: all
// orders are created, or none. Dealers import for themselves (a row naming
// another dealer is invalid); head office needs a dealer column or
// Upload.Dealer. Returns the orders and whether they were created now
// (false: a repeat of an Idempotency-Key). Errors: forbidden (suppliers,
// or a dealer choosing another dealer), payload_too_large, and
// validation_failed with details naming "row N.column" or "file" (every
// problem of the file itself; of what ordering finds, unknown styles,
// sizes, minimums…, every problem of the first order that has any, as
// ordering checks the orders one after another); and
// ordering's refusals of a whole order (season_closed, dealer_on_hold,
// credit_limit_exceeded, idempotency_key_reused).
func (s *Service) Import(ctx context.Context, p auth.Principal, u Upload, idemKey string) ([]ordering.Order, bool, error) {
	if err := mayImport(p); err != nil {
		return nil, false, err
	}
	chosen := strings.ToUpper(strings.TrimSpace(u.Dealer))
	if p.Role == auth.RoleDealer && chosen != "" && chosen != p.DealerCode {
		return nil, false, apperr.New(apperr.Forbidden, "you may only import orders for dealer %s", p.DealerCode)
	}
	f, err := Parse(u.Name, u.Data)
	if err != nil {
		return nil, false, err
	}
	reqs, groups, err := Requests(p, f, chosen)
	if err != nil {
		return nil, false, err
	}
	orders, created, err := s.orders.SubmitMany(ctx, p, reqs, idemKey)
	if err != nil {
		return nil, false, rowErrors(err, groups)
	}
	return orders, created, nil
}

// Dealers returns the dealers head office may import for; forbidden for
// everyone else.
func (s *Service) Dealers(ctx context.Context, p auth.Principal) ([]Dealer, error) {
	if !p.IsHeadOffice() {
		return nil, apperr.New(apperr.Forbidden, "only head office imports orders for other dealers")
	}
	if s.store == nil {
		return nil, nil
	}
	return s.store.Dealers(ctx)
}

func mayImport(p auth.Principal) error {
	switch {
	case p.Role == auth.RoleDealer && p.DealerID > 0:
		return nil
	case p.IsHeadOffice():
		return nil
	}
	return apperr.New(apperr.Forbidden, "orders are imported by dealers and head office")
}

// Group is the rows of one order of an import.
type Group struct {
	Dealer, Season, Reference string
	Rows                      []int // row numbers, in file order
}

// Requests groups the rows of f into submit requests, one per dealer,
// season and reference, in the order they first appear; each line is
// labelled with its row ("row 7"), so ordering's details name it. dealer
// is head office's choice for rows without one. Rows naming a dealer other
// than the caller's (dealers) or the choice (head office) are invalid, and
// head office needs a dealer for every row.
func Requests(p auth.Principal, f File, dealer string) ([]ordering.SubmitRequest, []Group, error) {
	var ps problems
	type key struct{ dealer, season, ref string }
	index := map[key]int{}
	var reqs []ordering.SubmitRequest
	var groups []Group
	missingColumn := false
	for _, r := range f.Rows {
		label := Label(r.Row)
		d := strings.ToUpper(r.Dealer)
		switch {
		case p.Role == auth.RoleDealer:
			if d != "" && d != p.DealerCode {
				ps.add(label+"."+ColDealer, fmt.Sprintf(MsgDealerMismatch, p.DealerCode))
				continue
			}
			d = ""
		case d != "" && dealer != "" && d != dealer:
			ps.add(label+"."+ColDealer, fmt.Sprintf(MsgDealerConflict, d, dealer))
			continue
		case d == "" && dealer != "":
			d = dealer
		case d == "" && !f.Has(ColDealer):
			if !missingColumn {
				ps.add(Label(f.HeaderRow)+"."+ColDealer, MsgDealerColumn)
				missingColumn = true
			}
			continue
		case d == "":
			ps.add(label+"."+ColDealer, fmt.Sprintf(MsgRequired, ColDealer))
			continue
		}
		k := key{d, strings.ToUpper(r.Season), r.Reference}
		i, ok := index[k]
		if !ok {
			i = len(reqs)
			index[k] = i
			reqs = append(reqs, ordering.SubmitRequest{Season: k.season, Dealer: d, Reference: r.Reference})
			groups = append(groups, Group{Dealer: d, Season: k.season, Reference: r.Reference})
		}
		reqs[i].Lines = append(reqs[i].Lines, ordering.LineRequest{
			Style: r.Style, Color: r.Color, Size: r.Size, Qty: r.Qty, Prepack: r.Prepack, Packs: r.Packs,
			DeliveryWindow: r.DeliveryWindow, Label: label,
		})
		groups[i].Rows = append(groups[i].Rows, r.Row)
	}
	if len(ps.list) > 0 {
		return nil, nil, ps.err("")
	}
	return reqs, groups, nil
}

var orderField = regexp.MustCompile(`^orders\[(\d+)\]\.(.+)$`)

// rowErrors rewrites ordering's details about an order of the batch
// ("orders[2].season") to name the order's first row ("row 9.season"),
// and counts the rows in the message.
func rowErrors(err error, groups []Group) error {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Validation || len(e.Details) == 0 {
		return err
	}
	out := *e
	out.Details = make([]apperr.Detail, len(e.Details))
	for i, d := range e.Details {
		if m := orderField.FindStringSubmatch(d.Field); m != nil {
			if g, err := strconv.Atoi(m[1]); err == nil && g < len(groups) && len(groups[g].Rows) > 0 {
				d.Field = Label(groups[g].Rows[0]) + "." + m[2]
				if m[2] == "lines" {
					d.Field = fileField
				}
			}
		}
		out.Details[i] = d
	}
	out.Message = Summary(out.Details)
	return &out
}
