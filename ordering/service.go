package ordering

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/catalog"
	"github.com/sizerun/sizerun/money"
)

// statusCreated is the HTTP status stored with an Idempotency-Key: every
// submission that succeeds creates its orders.
const statusCreated = 201

// List limits.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
	MaxConfirm       = 1000
)

// Service is the one place where orders are placed and changed. Every
// method takes the caller's principal and scopes by it: dealers see and
// change only their own dealer's orders (another dealer's order is
// not_found), suppliers are forbidden.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the ordering service. now is the clock that decides
// whether a season is open; nil means time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// scopeOf returns what p may see, or forbidden.
func scopeOf(p auth.Principal) (Scope, error) {
	switch p.Role {
	case auth.RoleDealer:
		if p.DealerID > 0 {
			return Scope{DealerID: p.DealerID}, nil
		}
	case auth.RolePlanner, auth.RoleAdmin:
		return Scope{}, nil
	}
	return Scope{}, apperr.New(apperr.Forbidden, "orders are for dealers and head office")
}

// Submit places one order (api.md POST /orders) in one transaction,
// enforcing every rule: the dealer (from the token for dealers, a different
// one is forbidden; required for head office) is active (else
// dealer_on_hold); the season exists and is open (else season_closed); every
// line names a style offered in the season, a colour and size of it (or a
// prepack, expanded), a quantity from 1 to MaxLineQty; lines for one SKU are
// summed; each style-colour reaches the style's minimum (else
// validation_failed naming each bad line); prices come from the dealer's
// price list and are frozen on the lines; exposure + order value stays
// within the credit limit (else credit_limit_exceeded with the three
// figures, or, for dealers whose policy is "hold", the order is stored as
// held).
//
// With an idempotency key (scoped to the caller), a repeat of the same
// request returns the first response with created false and creates
// nothing; the same key with a different request is idempotency_key_reused.
func (s *Service) Submit(ctx context.Context, p auth.Principal, req SubmitRequest, idemKey string) (Order, bool, error) {
	o, _, created, err := s.SubmitRecorded(ctx, p, req, idemKey)
	return o, created, err
}

// SubmitRecorded is Submit that also returns, with an idempotency key, the
// JSON of the order as recorded with the key (nil without a key): the API
// answers with those bytes, so that the first answer is encoded once and a
// repeat gets it byte for byte.
func (s *Service) SubmitRecorded(ctx context.Context, p auth.Principal, req SubmitRequest, idemKey string) (Order, []byte, bool, error) {
	orders, body, created, err := s.submit(ctx, p, []SubmitRequest{req}, idemKey, false)
	if err != nil {
		return Order{}, nil, false, err
	}
	return orders[0], body, created, nil
}

// SubmitMany places several orders in one transaction, all or nothing (the
// import). Details about lines are prefixed with "orders[i]." unless the
// lines carry a Label; other errors name the order in their message. The
// idempotency key covers the whole batch.
func (s *Service) SubmitMany(ctx context.Context, p auth.Principal, reqs []SubmitRequest, idemKey string) ([]Order, bool, error) {
	if len(reqs) == 0 {
		return nil, false, apperr.Field("orders", "there is nothing to submit")
	}
	orders, _, created, err := s.submit(ctx, p, reqs, idemKey, true)
	return orders, created, err
}

// submit places the orders; with a key it also returns the JSON recorded
// with the key (the first answer's, for a repeat).
func (s *Service) submit(ctx context.Context, p auth.Principal, reqs []SubmitRequest, key string, many bool) ([]Order, []byte, bool, error) {
	if _, err := scopeOf(p); err != nil {
		return nil, nil, false, err
	}
	if err := checkIdemKey(key); err != nil {
		return nil, nil, false, err
	}
	reqs = append([]SubmitRequest(nil), reqs...)
	var details []apperr.Detail
	for i := range reqs {
		r := &reqs[i]
		prefix := orderPrefix(many, i)
		r.Season, r.Dealer, r.Reference = normCode(r.Season), normCode(r.Dealer), strings.TrimSpace(r.Reference)
		if p.Role == auth.RoleDealer {
			if r.Dealer != "" && r.Dealer != p.DealerCode {
				return nil, nil, false, apperr.New(apperr.Forbidden, "you may only order for dealer %s", p.DealerCode)
			}
			r.Dealer = p.DealerCode
		} else if r.Dealer == "" {
			details = append(details, apperr.Detail{Field: prefix + "dealer", Message: "dealer is required when head office enters an order"})
		}
		if r.Season == "" {
			details = append(details, apperr.Detail{Field: prefix + "season", Message: "season is required"})
		}
		if utf8.RuneCountInString(r.Reference) > MaxReference {
			details = append(details, apperr.Detail{Field: prefix + "reference", Message: fmt.Sprintf("reference may have at most %d characters", MaxReference)})
		}
	}
	if len(details) > 0 {
		return nil, nil, false, apperr.Invalid(details[0].Message, details...)
	}
	hash := requestHash(many, reqs)

	var (
		out     []Order
		body    []byte
		created = true
	)
	err := s.store.InTx(ctx, func(tx Tx) error {
		out, body, created = nil, nil, true
		// Every dealer of the request is locked first (in id order), so
		// that everything below reads a dealer that cannot change until
		// the orders are stored: its status, price list and credit, and
		// the orders and Idempotency-Keys that its other submissions
		// committed (a retry with the same key waits here for the first
		// and then finds its key).
		dealers, err := lockFor(ctx, tx, p, reqs, many)
		if err != nil {
			return err
		}
		var idem IdemKey
		if key != "" {
			stored, err := tx.FindIdempotencyKey(ctx, p.UserID, key)
			if err != nil {
				return err
			}
			if stored != nil {
				created, body = false, stored.Body
				out, err = replay(stored, key, hash, many)
				return err
			}
			idem = IdemKey{UserID: p.UserID, Key: key, DealerID: dealers[0].ID, Hash: hash}
		}
		// The orders of a batch are checked and stored one after the other,
		// as if each were submitted in turn; the first refusal ends the
		// transaction.
		seasons := map[string]catalog.Season{}
		for i, r := range reqs {
			o, err := s.place(ctx, tx, p, dealers[i], r, seasons, orderPrefix(many, i))
			if err != nil {
				if many {
					return inOrder(i, r, err)
				}
				return err
			}
			out = append(out, o)
		}
		if key != "" {
			if many {
				body, err = json.Marshal(storedMany{Items: out})
			} else {
				body, err = json.Marshal(out[0])
			}
			if err != nil {
				return fmt.Errorf("idempotent response: %w", err)
			}
			recorded, err := tx.RecordIdempotencyKey(ctx, idem, statusCreated, body)
			if err != nil {
				return err
			}
			if !recorded {
				return errKeyRecorded
			}
		}
		return nil
	})
	if err != nil && key != "" {
		// A request with the same key may have committed while this one
		// ran (one for other dealers, whose locks this one did not wait
		// for: this one then found the key taken at the end, or failed on
		// its own): the first response is the answer to both (api.md),
		// whatever this one met.
		var stored *StoredResponse
		if ferr := s.store.InTx(ctx, func(tx Tx) (err error) {
			stored, err = tx.FindIdempotencyKey(ctx, p.UserID, key)
			return err
		}); ferr != nil {
			return nil, nil, false, ferr
		}
		if stored != nil {
			out, err := replay(stored, key, hash, many)
			if err != nil {
				return nil, nil, false, err
			}
			return out, stored.Body, false, nil
		}
	}
	if err != nil {
		return nil, nil, false, err
	}
	return out, body, created, nil
}

// errKeyRecorded: another request recorded the Idempotency-Key first.
var errKeyRecorded = errors.New("ordering: the Idempotency-Key was recorded by a concurrent request")

// replay answers a repeated Idempotency-Key with its stored response, or
// refuses a key used for a different request.
func replay(stored *StoredResponse, key, hash string, many bool) ([]Order, error) {
	if stored.Hash != hash {
		return nil, apperr.New(apperr.IdempotencyReused, "Idempotency-Key %q was already used for a different request", key)
	}
	return decodeStored(stored.Body, many)
}

type storedMany struct {
	Items []Order `json:"items"`
}

func decodeStored(body []byte, many bool) ([]Order, error) {
	if many {
		var m storedMany
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("stored response: %w", err)
		}
		return m.Items, nil
	}
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, fmt.Errorf("stored response: %w", err)
	}
	return []Order{o}, nil
}

func orderPrefix(many bool, i int) string {
	if many {
		return fmt.Sprintf("orders[%d].", i)
	}
	return ""
}

// inOrder names order i of a batch in err's message.
func inOrder(i int, r SubmitRequest, err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	c := *e
	c.Message = fmt.Sprintf("order %d (dealer %s, season %s): %s", i+1, r.Dealer, r.Season, e.Message)
	return &c
}

// checkIdemKey checks an Idempotency-Key header value ("" means none).
func checkIdemKey(key string) error {
	if key == "" {
		return nil
	}
	if len(key) > 255 {
		return apperr.Field("Idempotency-Key", "Idempotency-Key may have at most 255 characters")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return apperr.Field("Idempotency-Key", "Idempotency-Key may not contain control characters")
		}
	}
	return nil
}

// requestHash is the sha256 of the canonical (normalised, re-encoded)
// request: the identity of a request for its Idempotency-Key.
func requestHash(many bool, reqs []SubmitRequest) string {
	b, _ := json.Marshal(struct {
		Many   bool            `json:"many"`
		Orders []SubmitRequest `json:"orders"`
	}{many, reqs})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// lockFor locks the dealers that the orders of a request are for and
// returns them, one per order: the caller's own for dealers, the named
// ones for head office (validation_failed naming the order if unknown).
func lockFor(ctx context.Context, tx Tx, p auth.Principal, reqs []SubmitRequest, many bool) ([]Dealer, error) {
	ids := make([]int, len(reqs))
	for i, r := range reqs {
		if p.Role == auth.RoleDealer {
			ids[i] = p.DealerID
			continue
		}
		d, err := tx.Dealer(ctx, r.Dealer)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Field(orderPrefix(many, i)+"dealer", "dealer %s does not exist", r.Dealer)
		}
		if err != nil {
			return nil, err
		}
		ids[i] = d.ID
	}
	locked, err := lockDealers(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Dealer, len(reqs))
	for i, id := range ids {
		out[i] = locked[id]
	}
	return out, nil
}

// lockDealers locks each distinct dealer, in id order (so concurrent
// batches cannot deadlock), and returns them fresh from the database.
func lockDealers(ctx context.Context, tx Tx, ids []int) (map[int]Dealer, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int]Dealer, len(ids))
	for _, id := range ids {
		d, err := tx.LockDealer(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = d
	}
	return out, nil
}

// resolveLines reads the styles of an order, priced from a price list, and
// resolves its lines (validation_failed naming every bad line).
func resolveLines(ctx context.Context, tx Tx, se catalog.Season, priceListID int, r SubmitRequest, prefix string) ([]Line, error) {
	styles, err := tx.StyleInfos(ctx, se.ID, priceListID, styleCodes(r.Lines), usesPrepacks(r.Lines))
	if err != nil {
		return nil, err
	}
	lines, details := Resolve(se, styles, r.Lines, ResolveOptions{CheckMinimum: true})
	if len(details) > 0 {
		return nil, invalidLines(prefixDetails(prefix, details))
	}
	return lines, nil
}

// place checks an order against its locked dealer (active), its season
// (exists, open now), the catalogue and prices (every line rule) and the
// dealer's credit, and stores it. seasons caches the seasons read in this
// transaction. It returns the order as stored, built from what it wrote.
func (s *Service) place(ctx context.Context, tx Tx, p auth.Principal, d Dealer, r SubmitRequest, seasons map[string]catalog.Season, prefix string) (Order, error) {
	if err := dealerActive(d); err != nil {
		return Order{}, err
	}
	se, ok := seasons[r.Season]
	if !ok {
		var err error
		se, err = tx.Season(ctx, r.Season)
		if apperr.Is(err, apperr.NotFound) {
			return Order{}, apperr.Field(prefix+"season", "season %s does not exist", r.Season)
		}
		if err != nil {
			return Order{}, err
		}
		seasons[r.Season] = se
	}
	if err := seasonOpen(se, s.now()); err != nil {
		return Order{}, err
	}
	lines, err := resolveLines(ctx, tx, se, d.PriceListID, r, prefix)
	if err != nil {
		return Order{}, err
	}
	qty, value := Totals(lines)
	held, fig, err := credit(ctx, tx, d, 0, value)
	if err != nil {
		return Order{}, err
	}
	status, kind := StatusSubmitted, EventSubmitted
	detail := EventDetail{Lines: len(lines), TotalQty: qty, TotalAmount: &value}
	if held {
		status, kind, detail.Credit = StatusHeld, EventHeld, &fig
	}
	ins, err := tx.InsertOrder(ctx, NewOrder{
		Season: se.Code, DealerID: d.ID, SeasonID: se.ID, Status: status,
		Reference: r.Reference, Currency: d.Currency, TotalQty: qty, TotalAmount: value, CreatedBy: p.UserID,
		Lines: lines, Event: &NewEvent{UserID: p.UserID, Kind: kind, To: status, Detail: detail},
	})
	if err != nil {
		return Order{}, err
	}
	o := Order{
		Number: ins.Number, DealerID: d.ID, Dealer: d.Code, DealerName: d.Name,
		SeasonID: se.ID, Season: se.Code, SeasonName: se.Name, Status: status, Reference: r.Reference,
		Currency: d.Currency, TotalQty: qty, TotalAmount: value, Lines: lines, DeliveryWindows: usedWindows(se, lines),
	}
	o.ID, o.Version, o.CreatedAt, o.UpdatedAt, o.SubmittedAt = ins.ID, ins.Version, ins.CreatedAt, ins.UpdatedAt, ins.SubmittedAt
	// The event's created_at is the transaction's now(), as the order's.
	o.History = []Event{{At: ins.CreatedAt, Kind: kind, To: status, User: ins.CreatedByEmail, Detail: detail}}
	return o, nil
}

// usedWindows returns the season's delivery windows that lines ship in, in
// the season's order (as an order read from the store has them).
func usedWindows(se catalog.Season, lines []Line) []catalog.DeliveryWindow {
	used := map[int]bool{}
	for _, l := range lines {
		used[l.DeliveryWindowID] = true
	}
	out := []catalog.DeliveryWindow{}
	for _, w := range se.DeliveryWindows {
		if used[w.ID] {
			out = append(out, w)
		}
	}
	return out
}

func prefixDetails(prefix string, ds []apperr.Detail) []apperr.Detail {
	if prefix == "" {
		return ds
	}
	out := make([]apperr.Detail, len(ds))
	for i, d := range ds {
		if strings.HasPrefix(d.Field, "lines") {
			d.Field = prefix + d.Field
		}
		out[i] = d
	}
	return out
}

func styleCodes(reqs []LineRequest) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range reqs {
		if c := normCode(r.Style); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// usesPrepacks: whether a line orders by prepack (StyleInfos then reads
// the prepacks too; most orders are by size, and reading them cost a
// third of the query).
func usesPrepacks(reqs []LineRequest) bool {
	for _, r := range reqs {
		if r.Prepack != "" {
			return true
		}
	}
	return false
}

func dealerActive(d Dealer) error {
	if d.Status == DealerActive {
		return nil
	}
	msg := fmt.Sprintf("dealer %s is on hold", d.Code)
	if d.HoldReason != "" {
		msg += ": " + d.HoldReason
	}
	return apperr.New(apperr.DealerOnHold, "%s; contact head office", msg)
}

// seasonOpen refuses a season that is not open for orders at now.
func seasonOpen(se catalog.Season, now time.Time) error {
	if se.OpenAt(now) {
		return nil
	}
	if !se.Closed && now.Before(se.OrderOpensAt) {
		return apperr.New(apperr.SeasonClosed, "season %s opens for orders at %s", se.Code, se.OrderOpensAt.UTC().Format(time.RFC3339))
	}
	return apperr.New(apperr.SeasonClosed, "season %s is closed for orders (cut-off %s)", se.Code, se.OrderDeadline.UTC().Format(time.RFC3339))
}

// credit decides whether an order of the given value fits the dealer's
// credit: held is true when it does not but the dealer's policy is to hold
// such orders; otherwise it is a credit_limit_exceeded error.
func credit(ctx context.Context, tx Tx, d Dealer, exclude int64, value money.Amount) (held bool, f CreditFigures, err error) {
	exp, err := tx.Exposure(ctx, d.ID, exclude)
	if err != nil {
		return false, f, err
	}
	f = CreditFigures{Limit: d.CreditLimit, Exposure: exp, OrderValue: value, Currency: d.Currency}
	if !f.Exceeded() {
		return false, f, nil
	}
	if d.CreditPolicy == PolicyHold {
		return true, f, nil
	}
	return false, f, CreditError(f)
}

// CreditError is the credit_limit_exceeded error with the three figures.
func CreditError(f CreditFigures) error {
	return &apperr.Error{
		Code: apperr.CreditLimitExceeded,
		Message: fmt.Sprintf("this order exceeds the credit limit: limit %s %s, exposure %s, order value %s",
			f.Currency, f.Limit, f.Exposure, f.OrderValue),
		Details: []apperr.Detail{
			{Field: "credit_limit", Message: f.Limit.String()},
			{Field: "exposure", Message: f.Exposure.String()},
			{Field: "order_value", Message: f.OrderValue.String()},
		},
	}
}

// Get returns an order with its lines, delivery windows and history.
// Returns not_found (also for another dealer's order) or forbidden.
func (s *Service) Get(ctx context.Context, p auth.Principal, number string) (Order, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Order{}, err
	}
	return s.store.Order(ctx, scope, strings.TrimSpace(number))
}

// ListFilter selects orders for List. Status may be a comma-separated list;
// by default drafts are left out.
type ListFilter struct {
	Season string
	Status string
	Dealer string
	Cursor string
	Limit  int
}

// List returns a page of orders in scope, newest first, without lines.
// Returns validation_failed for a bad status, limit or cursor.
func (s *Service) List(ctx context.Context, p auth.Principal, f ListFilter) (Page, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Page{}, err
	}
	q := OrderQuery{Season: normCode(f.Season), Dealer: normCode(f.Dealer), Limit: f.Limit}
	var details []apperr.Detail
	if st := strings.TrimSpace(f.Status); st != "" {
		for _, part := range strings.Split(st, ",") {
			v := Status(strings.TrimSpace(strings.ToLower(part)))
			if !v.Valid() {
				details = append(details, apperr.Detail{Field: "status", Message: fmt.Sprintf("status %q is not one of %s", part, statusNames())})
				continue
			}
			q.Statuses = append(q.Statuses, v)
		}
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultListLimit
	case q.Limit < 0 || q.Limit > MaxListLimit:
		details = append(details, apperr.Detail{Field: "limit", Message: fmt.Sprintf("limit must be between 1 and %d", MaxListLimit)})
	}
	if f.Cursor != "" {
		id, ok := decodeCursor(f.Cursor)
		if !ok {
			details = append(details, apperr.Detail{Field: "cursor", Message: "cursor is not one this server gave out"})
		}
		q.BeforeID = id
	}
	if len(details) > 0 {
		return Page{}, apperr.Invalid(details[0].Message, details...)
	}
	limit := q.Limit
	q.Limit++
	items, err := s.store.Orders(ctx, scope, q)
	if err != nil {
		return Page{}, err
	}
	page := Page{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = encodeCursor(items[limit-1].ID)
	}
	if page.Items == nil {
		page.Items = []Order{}
	}
	return page, nil
}

func statusNames() string {
	names := make([]string, len(Statuses))
	for i, s := range Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	s, ok := strings.CutPrefix(string(b), "o:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// Replace replaces the lines of an order (an amendment, api.md PUT
// /orders/{number} with If-Match: version). The order must still be at
// version (else conflict), submitted, held or confirmed (else
// invalid_state), and its season before cut-off (else season_closed). The
// lines go through every rule of Submit; SKUs already on the order keep
// their frozen price, new ones get the current price. An amendment that
// raises the order's value is checked against the credit limit (excluding
// the order's old value); for "hold" dealers it puts the order on hold.
func (s *Service) Replace(ctx context.Context, p auth.Principal, number string, version int, reqs []LineRequest) (Order, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Order{}, err
	}
	number = strings.TrimSpace(number)
	now := s.now()
	var out Order
	err = s.store.InTx(ctx, func(tx Tx) error {
		o, d, err := lockOrder(ctx, tx, scope, number)
		if err != nil {
			return err
		}
		if version != o.Version {
			return apperr.New(apperr.Conflict, "order %s has changed since version %d (it is at version %d); reload it and try again", o.Number, version, o.Version)
		}
		if !o.Status.Amendable() {
			if o.Status == StatusDraft {
				return apperr.New(apperr.InvalidState, "order %s is a draft; change it in the draft and submit it", o.Number)
			}
			return apperr.New(apperr.InvalidState, "order %s is %s; only submitted, held or confirmed orders can be amended", o.Number, o.Status)
		}
		se, err := tx.Season(ctx, o.Season)
		if err != nil {
			return err
		}
		if se.PastCutoff(now) {
			return apperr.New(apperr.SeasonClosed, "season %s is past its cut-off (%s); orders can no longer be amended", se.Code, se.OrderDeadline.UTC().Format(time.RFC3339))
		}
		before, err := tx.Lines(ctx, o.ID)
		if err != nil {
			return err
		}
		frozen := make(map[int]money.Amount, len(before))
		windows := map[int]int{}
		for _, l := range before {
			frozen[l.SKUID] = l.UnitPrice
			if l.DeliveryWindowID != 0 {
				windows[l.StyleID] = l.DeliveryWindowID
			}
		}
		styles, err := tx.StyleInfos(ctx, se.ID, d.PriceListID, styleCodes(reqs), usesPrepacks(reqs))
		if err != nil {
			return err
		}
		lines, details := Resolve(se, styles, reqs, ResolveOptions{CheckMinimum: true, Frozen: frozen, Windows: windows})
		if len(details) > 0 {
			return invalidLines(details)
		}
		_, oldValue := Totals(before)
		qty, newValue := Totals(lines)
		status := o.Status
		detail := EventDetail{Lines: len(lines), TotalQty: qty, TotalAmount: &newValue}
		if newValue > oldValue {
			if err := dealerActive(d); err != nil {
				return err
			}
			held, fig, err := credit(ctx, tx, d, o.ID, newValue)
			if err != nil {
				return err
			}
			if held {
				status, detail.Credit = StatusHeld, &fig
			}
		}
		detail.Added, detail.Removed, detail.Changed = DiffLines(before, lines)
		if len(detail.Added)+len(detail.Removed)+len(detail.Changed) == 0 && status == o.Status {
			out, err = tx.OrderByID(ctx, o.ID)
			return err
		}
		if err := applyLines(ctx, tx, o.ID, d.ID, before, lines, nil); err != nil {
			return err
		}
		stamp := Status("")
		if status != o.Status {
			stamp = status
		}
		if err := tx.UpdateOrder(ctx, o.ID, OrderUpdate{Status: status, Reference: o.Reference, Stamp: stamp}); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, NewEvent{OrderID: o.ID, DealerID: d.ID, UserID: p.UserID, Kind: EventAmended,
			From: o.Status, To: status, Detail: detail}); err != nil {
			return err
		}
		out, err = tx.OrderByID(ctx, o.ID)
		return err
	})
	return out, err
}

// lockOrder finds an order in scope, locks its dealer and then the order
// (in that order, like every order-changing transaction).
func lockOrder(ctx context.Context, tx Tx, scope Scope, number string) (Order, Dealer, error) {
	head, err := tx.OrderHead(ctx, scope, number)
	if err != nil {
		return Order{}, Dealer{}, err
	}
	d, err := tx.LockDealer(ctx, head.DealerID)
	if err != nil {
		return Order{}, Dealer{}, err
	}
	o, err := tx.LockOrder(ctx, scope, number)
	return o, d, err
}

// applyLines makes an order's stored lines (before) equal to after, writing
// only what changed. With styles, only lines of those styles are touched.
func applyLines(ctx context.Context, tx Tx, orderID int64, dealerID int, before, after []Line, styles map[int]bool) error {
	old := make(map[int]Line, len(before))
	for _, l := range before {
		old[l.SKUID] = l
	}
	keep := make(map[int]bool, len(after))
	var put []Line
	for _, l := range after {
		keep[l.SKUID] = true
		if o, ok := old[l.SKUID]; !ok || o.Qty != l.Qty || o.UnitPrice != l.UnitPrice || o.DeliveryWindowID != l.DeliveryWindowID {
			put = append(put, l)
		}
	}
	var drop []int
	for _, l := range before {
		if !keep[l.SKUID] && (styles == nil || styles[l.StyleID]) {
			drop = append(drop, l.SKUID)
		}
	}
	if len(drop) > 0 {
		if err := tx.DeleteLines(ctx, orderID, drop); err != nil {
			return err
		}
	}
	if len(put) > 0 {
		return tx.PutLines(ctx, orderID, dealerID, put)
	}
	return nil
}

// Cancel cancels an order (api.md POST /orders/{number}/cancel): a draft at
// any time; a submitted, held or confirmed order before its season's
// cut-off. Otherwise invalid_state.
func (s *Service) Cancel(ctx context.Context, p auth.Principal, number string) (Order, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Order{}, err
	}
	number = strings.TrimSpace(number)
	now := s.now()
	var out Order
	err = s.store.InTx(ctx, func(tx Tx) error {
		o, d, err := lockOrder(ctx, tx, scope, number)
		if err != nil {
			return err
		}
		if !o.Status.Cancellable() {
			return apperr.New(apperr.InvalidState, "order %s is %s and can no longer be cancelled", o.Number, o.Status)
		}
		if o.Status != StatusDraft {
			se, err := tx.Season(ctx, o.Season)
			if err != nil {
				return err
			}
			if se.PastCutoff(now) {
				return apperr.New(apperr.InvalidState, "season %s is past its cut-off; order %s can no longer be cancelled", se.Code, o.Number)
			}
		}
		if err := tx.UpdateOrder(ctx, o.ID, OrderUpdate{Status: StatusCancelled, Reference: o.Reference, Stamp: StatusCancelled}); err != nil {
			return err
		}
		amount := o.TotalAmount
		if err := tx.InsertEvent(ctx, NewEvent{OrderID: o.ID, DealerID: d.ID, UserID: p.UserID, Kind: EventCancelled,
			From: o.Status, To: StatusCancelled, Detail: EventDetail{TotalQty: o.TotalQty, TotalAmount: &amount}}); err != nil {
			return err
		}
		out, err = tx.OrderByID(ctx, o.ID)
		return err
	})
	return out, err
}

// Confirm confirms submitted or held orders (head office accepts them; a
// held order is thereby approved over the credit limit), all or nothing.
// Dealers and suppliers are forbidden; unknown numbers are
// validation_failed; orders in other states are invalid_state, each named
// in the details. The orders come back without lines.
func (s *Service) Confirm(ctx context.Context, p auth.Principal, numbers []string) ([]Order, error) {
	if !p.IsHeadOffice() {
		return nil, apperr.New(apperr.Forbidden, "only head office confirms orders")
	}
	var list []string
	seen := map[string]bool{}
	for _, n := range numbers {
		n = strings.TrimSpace(n)
		if n != "" && !seen[n] {
			seen[n] = true
			list = append(list, n)
		}
	}
	switch {
	case len(list) == 0:
		return nil, apperr.Field("numbers", "give at least one order number")
	case len(list) > MaxConfirm:
		return nil, apperr.Field("numbers", "at most %d orders can be confirmed at once", MaxConfirm)
	}
	var out []Order
	err := s.store.InTx(ctx, func(tx Tx) error {
		out = nil
		heads := make([]Order, len(list))
		var missing []apperr.Detail
		for i, n := range list {
			h, err := tx.OrderHead(ctx, Scope{}, n)
			if apperr.Is(err, apperr.NotFound) {
				missing = append(missing, apperr.Detail{Field: fmt.Sprintf("numbers[%d]", i), Message: fmt.Sprintf("order %s does not exist", n)})
				continue
			}
			if err != nil {
				return err
			}
			heads[i] = h
		}
		if len(missing) > 0 {
			return apperr.Invalid(fmt.Sprintf("%d of the orders do not exist", len(missing)), missing...)
		}
		ids := make([]int, len(heads))
		for i, h := range heads {
			ids[i] = h.DealerID
		}
		if _, err := lockDealers(ctx, tx, ids); err != nil {
			return err
		}
		var bad []apperr.Detail
		for i, n := range list {
			o, err := tx.LockOrder(ctx, Scope{}, n)
			if err != nil {
				return err
			}
			heads[i] = o
			if o.Status != StatusSubmitted && o.Status != StatusHeld {
				bad = append(bad, apperr.Detail{Field: fmt.Sprintf("numbers[%d]", i),
					Message: fmt.Sprintf("order %s is %s; only submitted or held orders can be confirmed", n, o.Status)})
			}
		}
		if len(bad) > 0 {
			e := apperr.New(apperr.InvalidState, "%d of the orders cannot be confirmed", len(bad))
			e.Details = bad
			return e
		}
		for _, o := range heads {
			if err := tx.UpdateOrder(ctx, o.ID, OrderUpdate{Status: StatusConfirmed, Reference: o.Reference, Stamp: StatusConfirmed}); err != nil {
				return err
			}
			if err := tx.InsertEvent(ctx, NewEvent{OrderID: o.ID, DealerID: o.DealerID, UserID: p.UserID, Kind: EventConfirmed,
				From: o.Status, To: StatusConfirmed}); err != nil {
				return err
			}
		}
		for _, n := range list {
			o, err := tx.OrderHead(ctx, Scope{}, n)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}
