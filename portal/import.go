package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/ordering"
	"github.com/sizerun/sizerun/web"
)

// ImportService is what the import pages need: orderimport.Service.
type ImportService interface {
	Import(ctx context.Context, p auth.Principal, u orderimport.Upload, idemKey string) ([]ordering.Order, bool, error)
	Dealers(ctx context.Context, p auth.Principal) ([]orderimport.Dealer, error)
}

var _ ImportService = (*orderimport.Service)(nil)

// RegisterImport adds the order import pages for dealers and head office.
// Call it after Register.
//
//	GET  /orders/import               the upload form, with the columns explained
//	GET  /orders/import/template.csv  a template file
//	POST /orders/import               the upload: the orders created, or every bad row
func (p *Portal) RegisterImport(svc ImportService) {
	h := &importPages{p: p, svc: svc}
	g := p.Pages(auth.RoleDealer, auth.RolePlanner, auth.RoleAdmin)
	g.GET("/orders/import", h.form)
	g.GET("/orders/import/template.csv", h.template)
	g.POST("/orders/import", h.upload)
}

type importPages struct {
	p   *Portal
	svc ImportService
}

// importPage is the Data of the order_import template.
type importPage struct {
	HeadOffice bool
	Dealers    []orderimport.Dealer
	Dealer     string // the chosen dealer
	Key        string // the form's Idempotency-Key: a repeated post creates nothing twice
	Columns    []importColumn
	MaxMB      int
	MaxRows    string

	Orders      []ordering.Order // created by the upload
	FileName    string
	Alert       string // why nothing was imported, translated
	AlertDetail string // the service's own words, where they add figures
	Problems    []importProblem
}

// importColumn explains a column of the file; the keys are i18n keys.
type importColumn struct {
	Name, LabelKey, RequiredKey, HelpKey, Example string
}

// importProblem is one refusal: the row, the column and why.
type importProblem struct {
	Row        string
	Column     string
	Reason     string
	Translated bool
}

func (h *importPages) page(c echo.Context) (*importPage, error) {
	pr := web.MustPrincipal(c)
	d := &importPage{
		HeadOffice: pr.IsHeadOffice(),
		Key:        importKey(),
		Columns:    importColumns(pr.IsHeadOffice()),
		MaxMB:      orderimport.MaxFileSize >> 20,
		MaxRows:    groupInt(orderimport.MaxRows),
	}
	if d.HeadOffice {
		ds, err := h.svc.Dealers(c.Request().Context(), pr)
		if err != nil {
			return nil, err
		}
		d.Dealers = ds
	}
	return d, nil
}

func (h *importPages) form(c echo.Context) error {
	d, err := h.page(c)
	if err != nil {
		return err
	}
	d.Dealer = strings.ToUpper(strings.TrimSpace(c.QueryParam("dealer")))
	return h.p.Render(c, http.StatusOK, "order_import", d)
}

// importKey is a random Idempotency-Key for one rendering of the form.
func importKey() string {
	b := make([]byte, 18)
	rand.Read(b)
	return "portal-import-" + base64.RawURLEncoding.EncodeToString(b)
}

var importKeyRE = regexp.MustCompile(`^portal-import-[A-Za-z0-9_-]{24}$`)

func (h *importPages) upload(c echo.Context) error {
	d, err := h.page(c)
	if err != nil {
		return err
	}
	lang := h.p.Lang(c)
	if d.HeadOffice {
		d.Dealer = strings.ToUpper(strings.TrimSpace(c.FormValue("dealer")))
	}
	key := c.FormValue("key")
	if !importKeyRE.MatchString(key) {
		key = ""
	}
	fh, err := c.FormFile("file")
	if err != nil {
		d.Alert = i18n.T(lang, "imports.no_file")
		return h.p.Render(c, http.StatusUnprocessableEntity, "order_import", d)
	}
	d.FileName = fh.Filename
	if fh.Size > orderimport.MaxFileSize {
		d.Alert = i18n.T(lang, "imports.reason.file_too_large", orderimport.MaxFileSize>>20)
		return h.p.Render(c, http.StatusRequestEntityTooLarge, "order_import", d)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, orderimport.MaxFileSize+1))
	f.Close()
	if err != nil {
		return err
	}
	orders, _, err := h.svc.Import(c.Request().Context(), web.MustPrincipal(c), orderimport.Upload{Name: fh.Filename, Data: data, Dealer: d.Dealer}, key)
	if err == nil {
		d.Orders = orders
		return h.p.Render(c, http.StatusOK, "order_import", d)
	}
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	switch e.Code {
	case apperr.Validation:
		d.Problems = importProblems(lang, e.Details)
		rows := map[string]bool{}
		for _, pr := range d.Problems {
			if pr.Row != "" {
				rows[pr.Row] = true
			}
		}
		switch len(rows) {
		case 0:
			d.Alert = i18n.T(lang, "imports.failed_file")
		case 1:
			d.Alert = i18n.T(lang, "imports.failed_one")
		default:
			d.Alert = i18n.T(lang, "imports.failed", len(rows))
		}
	case apperr.PayloadTooLarge:
		d.Alert = i18n.T(lang, "imports.reason.file_too_large", orderimport.MaxFileSize>>20)
	case apperr.SeasonClosed, apperr.CreditLimitExceeded, apperr.DealerOnHold, apperr.IdempotencyReused, apperr.Conflict, apperr.InvalidState:
		d.Alert = i18n.T(lang, "imports.refused") + " " + i18n.T(lang, "error."+string(e.Code)+".text")
		d.AlertDetail = e.Message
	default:
		return err // forbidden, not found, internal: the error page
	}
	return h.p.Render(c, apperr.Status(e.Code), "order_import", d)
}

// template sends a template import file: UTF-8 with a byte-order mark (so
// that Excel reads it as UTF-8), the header and example rows.
func (h *importPages) template(c echo.Context) error {
	head := web.MustPrincipal(c).IsHeadOffice()
	rows := [][]string{
		{"season", "style", "color", "size", "qty", "prepack", "packs", "reference"},
		{"SS27", "ST1001", "BLK", "M", "12", "", "", "PO-2027-001"},
		{"SS27", "ST1001", "BLK", "L", "12", "", "", "PO-2027-001"},
		{"SS27", "ST1001", "NVY", "", "", "PP1", "3", "PO-2027-001"},
	}
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBF")
	for i, r := range rows {
		if head {
			dealer := "D001"
			if i == 0 {
				dealer = "dealer"
			}
			r = append([]string{dealer}, r...)
		}
		b.WriteString(strings.Join(r, ","))
		b.WriteString("\r\n")
	}
	hd := c.Response().Header()
	hd.Set("Content-Disposition", `attachment; filename="sizerun-order-import.csv"`)
	hd.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

func importColumns(headOffice bool) []importColumn {
	col := func(name, req, example string) importColumn {
		return importColumn{Name: name, LabelKey: "imports.col." + name, RequiredKey: req, HelpKey: "imports.help." + name, Example: example}
	}
	var out []importColumn
	if headOffice {
		out = append(out, col(orderimport.ColDealer, "imports.req.yes", "D001"))
	}
	return append(out,
		col(orderimport.ColSeason, "imports.req.yes", "SS27"),
		col(orderimport.ColStyle, "imports.req.yes", "ST1001"),
		col(orderimport.ColColor, "imports.req.yes", "BLK"),
		col(orderimport.ColSize, "imports.req.size", "M"),
		col(orderimport.ColQty, "imports.req.size", "12"),
		col(orderimport.ColPrepack, "imports.req.optional", "PP1"),
		col(orderimport.ColPacks, "imports.req.optional", "3"),
		col(orderimport.ColReference, "imports.req.optional", "PO-2027-001"),
		col(orderimport.ColDeliveryWindow, "imports.req.optional", "D1"),
	)
}

var importRowField = regexp.MustCompile(`^row (\d+)(?:\.(.+))?$`)

// importProblems translates the details of a refused import: the row, the
// column's name in lang, and the reason.
func importProblems(lang string, ds []apperr.Detail) []importProblem {
	out := make([]importProblem, 0, len(ds))
	for _, d := range ds {
		pr := importProblem{}
		switch m := importRowField.FindStringSubmatch(d.Field); {
		case m != nil:
			pr.Row = m[1]
			if m[2] != "" {
				pr.Column = importColumnLabel(lang, m[2])
			}
		case d.Field == "file":
			pr.Column = i18n.T(lang, "imports.whole_file")
		default:
			pr.Column = importColumnLabel(lang, d.Field)
		}
		pr.Reason, pr.Translated = importReason(lang, d.Message)
		out = append(out, pr)
	}
	return out
}

// importColumnLabel names a column in lang ("qty" → "数量"); unknown names
// (from the file's header) stay as they are.
func importColumnLabel(lang, col string) string {
	key := "imports.col." + col
	if i18n.Has(i18n.Default, key) {
		return i18n.T(lang, key)
	}
	return col
}

// importReasonRule maps one message format of orderimport or ordering to
// its translation; cols lists the arguments that are column names.
type importReasonRule struct {
	re   *regexp.Regexp
	key  string
	ints []bool // per argument: a %d
	cols map[int]bool
}

// importReasonRules are built from the formats: %s matches any text, %d
// digits.
var importReasonRules = func() []importReasonRule {
	rules := []struct {
		format, key string
		cols        []int
	}{
		{orderimport.MsgRequired, "required", []int{0}},
		{orderimport.MsgPositive, "positive", []int{0}},
		{"%s must be a positive whole number", "positive", []int{0}},
		{orderimport.MsgAtMost, "at_most", []int{0}},
		{orderimport.MsgTooLong, "too_long", []int{0}},
		{orderimport.MsgControl, "control", []int{0}},
		{orderimport.MsgNotUTF8, "not_utf8", []int{0}},
		{orderimport.MsgSizeOrPrepack, "size_or_prepack", nil},
		{orderimport.MsgSizeNeeded, "size_needed", nil},
		{orderimport.MsgExtraValues, "extra_values", nil},
		{orderimport.MsgMissingColumn, "missing_column", nil},
		{orderimport.MsgDuplicateColumn, "duplicate_column", nil},
		{orderimport.MsgUnknownColumn, "unknown_column", nil},
		{orderimport.MsgMalformedCSV, "malformed_csv", nil},
		{orderimport.MsgTooManyRows, "too_many_rows", nil},
		{orderimport.MsgEmpty, "empty", nil},
		{orderimport.MsgNoHeader, "no_rows", nil},
		{orderimport.MsgNotCSV, "not_csv", nil},
		{orderimport.MsgUTF16, "utf16", nil},
		{orderimport.MsgOldExcel, "old_excel", nil},
		{orderimport.MsgBadXLSX, "bad_xlsx", nil},
		{orderimport.MsgFileTooLarge, "file_too_large", nil},
		{orderimport.MsgDealerMismatch, "dealer_mismatch", nil},
		{orderimport.MsgDealerConflict, "dealer_conflict", nil},
		{orderimport.MsgDealerColumn, "dealer_column", nil},
		{"and %d more problems", "more", nil},
		// ordering's refusals of lines and orders.
		{"style %s is not offered in season %s", "style_not_offered", nil},
		{"style %s has no price in your price list", "style_no_price", nil},
		{"color %s is not offered for style %s", "color_not_offered", nil},
		{"delivery window %s is not one of season %s's (%s)", "window_unknown", nil},
		{"style %s already ships in delivery window %s in this order; a style ships in one window", "window_twice", nil},
		{"prepack %s is not offered for style %s", "prepack_not_offered", nil},
		{"packs needs a prepack", "packs_need_prepack", nil},
		{"size is required (or a prepack and packs)", "size_required_or_prepack", nil},
		{"size %s is not offered for style %s", "size_not_offered", nil},
		{"size %s is not made in color %s of style %s", "sku_missing", nil},
		{"%s %s %s: %d pieces in all, at most %d per SKU", "sku_max", nil},
		{"style %s color %s: %d pieces ordered, the minimum per color is %d", "minimum", nil},
		{"season %s does not exist", "season_unknown", nil},
		{"dealer %s does not exist", "dealer_unknown", nil},
		{"dealer is required when head office enters an order", "dealer_head_office", nil},
	}
	verb := regexp.MustCompile(`%[sd]`)
	out := make([]importReasonRule, len(rules))
	for i, r := range rules {
		var ints []bool
		pattern := verb.ReplaceAllStringFunc(regexp.QuoteMeta(r.format), func(v string) string {
			ints = append(ints, v == "%d")
			if v == "%d" {
				return `(\d+)`
			}
			return `(.+?)`
		})
		cols := map[int]bool{}
		for _, c := range r.cols {
			cols[c] = true
		}
		out[i] = importReasonRule{re: regexp.MustCompile("^" + pattern + "$"), key: "imports.reason." + r.key, ints: ints, cols: cols}
	}
	return out
}()

// importReason translates a problem's message into lang; a message of an
// unknown shape is returned as it is, with translated false.
func importReason(lang, msg string) (string, bool) {
	for _, r := range importReasonRules {
		m := r.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, s := range m[1:] {
			switch {
			case r.ints[i]:
				n, err := strconv.Atoi(s)
				if err != nil {
					return msg, false
				}
				args[i] = n
			case r.cols[i]:
				args[i] = importColumnLabel(lang, s)
			default:
				args[i] = s
			}
		}
		return i18n.T(lang, r.key, args...), true
	}
	return msg, false
}
