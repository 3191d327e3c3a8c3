package portal

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/money"
)

// The ordering service explains each refusal in English, naming the field
// ("lines[3].qty", "ST1001 BLK M.qty", "dealer"). The pages show the
// explanation next to what it concerns, in the user's language: each known
// message shape maps to a message key, its variable parts becoming the
// arguments. A message of an unknown shape is shown as the service wrote it.

type detailRule struct {
	re  *regexp.Regexp
	key string
}

var detailRules = func() []detailRule {
	rules := []struct{ pattern, key string }{
		{`^qty must be a positive whole number$`, "orders.err.qty_positive"},
		{`^qty must be at most (\d+)$`, "orders.err.qty_max"},
		{`^packs must be a positive whole number$`, "orders.err.packs_positive"},
		{`^packs must be at most (\d+)$`, "orders.err.packs_max"},
		{`^packs needs a prepack$`, "orders.err.packs_needs_prepack"},
		{`^give either size and qty or prepack and packs, not both$`, "orders.err.size_or_prepack"},
		{`^style (\S+) color (\S+): (\d+) pieces ordered, the minimum per color is (\d+)$`, "orders.err.min_qty"},
		{`^(\S+) (\S+) (\S+): (\d+) pieces in all, at most (\d+) per SKU$`, "orders.err.sku_max"},
		{`^size (\S+) is not offered for style (\S+)$`, "orders.err.size_unknown"},
		{`^size (\S+) is not made in color (\S+) of style (\S+)$`, "orders.err.sku_missing"},
		{`^size is required \(or a prepack and packs\)$`, "orders.err.size_required"},
		{`^color (\S+) is not offered for style (\S+)$`, "orders.err.color_unknown"},
		{`^color is required$`, "orders.err.color_required"},
		{`^style (\S+) is not offered in season (\S+)$`, "orders.err.style_unknown"},
		{`^style (\S+) has no price in your price list$`, "orders.err.no_price"},
		{`^style is required$`, "orders.err.style_required"},
		{`^every line must be for style (\S+)$`, "orders.err.style_only"},
		{`^prepack (\S+) is not offered for style (\S+)$`, "orders.err.prepack_unknown"},
		{`^delivery window (\S+) is not one of season (\S+)'s \((.*)\)$`, "orders.err.window_unknown"},
		{`^style (\S+) already ships in delivery window (\S+) in this order; a style ships in one window$`, "orders.err.window_one"},
		{`^an order needs at least one line$`, "orders.err.no_lines"},
		{`^the draft has no lines$`, "orders.err.no_lines"},
		{`^an order may have at most (\d+) lines$`, "orders.err.too_many_lines"},
		{`^reference may have at most (\d+) characters$`, "orders.err.reference_long"},
		{`^dealer is required when head office enters an order$`, "orders.err.dealer_required"},
		{`^dealer (\S+) does not exist$`, "orders.err.dealer_unknown"},
		{`^season is required$`, "orders.err.season_required"},
		{`^season (\S+) does not exist$`, "orders.err.season_unknown"},
		{`^order (\S+) does not exist$`, "orders.err.order_unknown"},
		{`^order (\S+) is (\S+); only submitted or held orders can be confirmed$`, "orders.err.not_confirmable"},
		{`^give at least one order number$`, "orders.err.select_orders"},
		{`^at most (\d+) orders can be confirmed at once$`, "orders.err.confirm_max"},
		{`^and (\d+) more problems$`, "orders.err.more"},
	}
	out := make([]detailRule, len(rules))
	for i, r := range rules {
		out[i] = detailRule{re: regexp.MustCompile(r.pattern), key: r.key}
	}
	return out
}()

// trMessage translates one of the service's messages into lang.
func trMessage(lang, msg string) string {
	for _, r := range detailRules {
		m := r.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, s := range m[1:] {
			args[i] = s
		}
		return i18n.T(lang, r.key, args...)
	}
	return msg
}

// formError is a refusal shown at the top of a form: a translated summary
// and the translated details that belong to no particular cell or row.
type formError struct {
	Status  int
	Message string
	Items   []string
}

// rendersInPlace reports whether a service error is shown on the form that
// caused it (the user can fix or reconsider it there) rather than as an
// error page (not found, forbidden, internal).
func rendersInPlace(err error) bool {
	switch apperr.CodeOf(err) {
	case apperr.Validation, apperr.SeasonClosed, apperr.CreditLimitExceeded, apperr.DealerOnHold,
		apperr.InvalidState, apperr.Conflict, apperr.IdempotencyReused:
		return true
	}
	return false
}

// newFormError translates a service error for the top of a form. currency
// is the currency of the credit figures. Details are left to the caller,
// which places them; see addItems for those it could not place.
func newFormError(lang string, err error, currency string) *formError {
	e, ok := apperr.As(err)
	if !ok {
		return &formError{Status: 500, Message: i18n.T(lang, "error.internal.text")}
	}
	f := &formError{Status: apperr.Status(e.Code)}
	switch e.Code {
	case apperr.Validation:
		f.Message = i18n.T(lang, "orders.err.invalid")
	case apperr.CreditLimitExceeded:
		var limit, exposure, value string
		for _, d := range e.Details {
			a, perr := money.Parse(d.Message)
			if perr != nil {
				continue
			}
			switch d.Field {
			case "credit_limit":
				limit = a.Grouped()
			case "exposure":
				exposure = a.Grouped()
			case "order_value":
				value = a.Grouped()
			}
		}
		f.Message = i18n.T(lang, "orders.err.credit", currency, limit, exposure, value)
	case apperr.Conflict:
		f.Message = i18n.T(lang, "orders.err.conflict")
	case apperr.InvalidState:
		f.Message = i18n.T(lang, "error.invalid_state.text")
		for _, d := range e.Details {
			f.Items = append(f.Items, trMessage(lang, d.Message))
		}
	case apperr.NotFound:
		f.Message = i18n.T(lang, "orders.err.no_draft")
	default:
		if i18n.Has(lang, "error."+string(e.Code)+".text") {
			f.Message = i18n.T(lang, "error."+string(e.Code)+".text")
		} else {
			f.Message = e.Message
		}
	}
	return f
}

// detailsOf returns the details of a validation error.
func detailsOf(err error) []apperr.Detail {
	if e, ok := apperr.As(err); ok && e.Code == apperr.Validation {
		return e.Details
	}
	return nil
}

var lineField = regexp.MustCompile(`^lines\[(\d+)\]\.(\w+)$`)

// lineIndex parses "lines[3].qty" into 3 and "qty".
func lineIndex(field string) (int, string, bool) {
	m := lineField.FindStringSubmatch(field)
	if m == nil {
		return 0, "", false
	}
	i, err := strconv.Atoi(m[1])
	return i, m[2], err == nil
}

// labelField parses a draft line's label field, "ST1001 BLK M.qty", into
// the style, colour, size and column.
func labelField(field string) (style, color, size, col string, ok bool) {
	dot := strings.LastIndex(field, ".")
	if dot < 0 {
		return "", "", "", "", false
	}
	label, col := field[:dot], field[dot+1:]
	parts := strings.Fields(label)
	if len(parts) != 3 {
		return "", "", "", "", false
	}
	return parts[0], parts[1], parts[2], col, true
}
