package portal

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/i18n"
	"github.com/sizerun/sizerun/web"
)

// DealerRelations is what the dealer pages need from the dealers service.
// Every method scopes by the principal and enforces every rule.
type DealerRelations interface {
	List(ctx context.Context, p auth.Principal, f dealers.ListFilter) ([]dealers.Summary, error)
	Regions(ctx context.Context, p auth.Principal) ([]dealers.Region, error)
	Get(ctx context.Context, p auth.Principal, code string) (dealers.Record, error)
	Update(ctx context.Context, p auth.Principal, code string, req dealers.UpdateRequest) (dealers.Record, error)
	AddNote(ctx context.Context, p auth.Principal, code string, req dealers.NoteRequest) (dealers.Note, error)
	SweepHolds(ctx context.Context, p auth.Principal) (dealers.HoldSweepResult, error)
	Ship(ctx context.Context, p auth.Principal, number string, req dealers.ShipRequest) (dealers.Shipment, error)
	RecordPayment(ctx context.Context, p auth.Principal, number string, req dealers.PaymentRequest) (dealers.Invoice, error)

	Returns(ctx context.Context, p auth.Principal, f dealers.ReturnFilter) ([]dealers.Return, error)
	Return(ctx context.Context, p auth.Principal, number string) (dealers.Return, error)
	ReturnableOrders(ctx context.Context, p auth.Principal) ([]dealers.OrderSummary, error)
	ReturnableLines(ctx context.Context, p auth.Principal, number string) (dealers.OrderSummary, []dealers.Returnable, error)
	RequestReturn(ctx context.Context, p auth.Principal, req dealers.ReturnRequest) (dealers.Return, error)
	Approve(ctx context.Context, p auth.Principal, number string, req dealers.DecisionRequest) (dealers.Return, error)
	Reject(ctx context.Context, p auth.Principal, number string, req dealers.DecisionRequest) (dealers.Return, error)

	Seasons(ctx context.Context, p auth.Principal) ([]dealers.SeasonRef, error)
	Analysis(ctx context.Context, p auth.Principal, ap dealers.AnalysisParams) (dealers.Analysis, error)
	AnalysisXLSX(ctx context.Context, p auth.Principal, ap dealers.AnalysisParams) (dealers.Document, error)

	Announcements(ctx context.Context, p auth.Principal) ([]dealers.Announcement, error)
	Publish(ctx context.Context, p auth.Principal, req dealers.AnnouncementRequest) (dealers.Announcement, error)
	MarkRead(ctx context.Context, p auth.Principal, id int) (dealers.Announcement, error)
	Threads(ctx context.Context, p auth.Principal, f dealers.ThreadFilter) ([]dealers.Thread, error)
	Thread(ctx context.Context, p auth.Principal, id int64) (dealers.Thread, error)
	StartThread(ctx context.Context, p auth.Principal, req dealers.ThreadRequest) (dealers.Thread, error)
	Reply(ctx context.Context, p auth.Principal, id int64, req dealers.MessageRequest) (dealers.Thread, error)
}

var _ DealerRelations = (*dealers.Service)(nil)

// dealerPages serves the dealer record, returns, the value analysis,
// announcements and feedback. Handlers bind the form, call one service
// method and render (or redirect after a change).
type dealerPages struct {
	p   *Portal
	svc DealerRelations
}

// RegisterDealers adds the dealer-relationship pages. Call it after Register:
//
//	GET  /dealers                                  dealers with exposure (a dealer: its own record)
//	POST /dealers/sweep-holds                      apply the overdue-hold rule now (head office)
//	GET  /dealers/:code                            the record (read-only for the dealer)
//	POST /dealers/:code                            change credit, terms, status (head office)
//	POST /dealers/:code/notes                      add a note (head office)
//	POST /dealers/:code/orders/:number/ship        ship an order, raising its invoice (head office)
//	POST /dealers/:code/invoices/:number/payments  record a payment (head office)
//	GET  /returns, GET /returns/new, POST /returns/new, GET /returns/:number
//	POST /returns/:number/approve, /reject         (head office)
//	GET  /analytics, GET /analytics/dealers.xlsx   (head office)
//	GET  /announcements, POST /announcements (head office), POST /announcements/:id/read (dealer)
//	GET  /feedback, POST /feedback (dealer), GET /feedback/:id, POST /feedback/:id (reply)
func (p *Portal) RegisterDealers(svc DealerRelations) {
	h := &dealerPages{p: p, svc: svc}
	all := p.Pages(auth.RoleDealer, auth.RolePlanner, auth.RoleAdmin)
	office := p.Pages(auth.RolePlanner, auth.RoleAdmin)
	dealer := p.Pages(auth.RoleDealer)

	all.GET("/dealers", h.list)
	office.POST("/dealers/sweep-holds", h.sweep)
	all.GET("/dealers/:code", h.record)
	office.POST("/dealers/:code", h.update)
	office.POST("/dealers/:code/notes", h.addNote)
	office.POST("/dealers/:code/orders/:number/ship", h.ship)
	office.POST("/dealers/:code/invoices/:number/payments", h.pay)

	all.GET("/returns", h.returns)
	all.GET("/returns/new", h.returnForm)
	all.POST("/returns/new", h.requestReturn)
	all.GET("/returns/:number", h.returnDetail)
	office.POST("/returns/:number/approve", h.approve)
	office.POST("/returns/:number/reject", h.reject)

	office.GET("/analytics", h.analytics)
	office.GET("/analytics/dealers.xlsx", h.analyticsXLSX)

	all.GET("/announcements", h.announcements)
	office.POST("/announcements", h.publish)
	dealer.POST("/announcements/:id/read", h.markRead)
	all.GET("/feedback", h.feedback)
	dealer.POST("/feedback", h.startThread)
	all.GET("/feedback/:id", h.thread)
	all.POST("/feedback/:id", h.reply)
}

// dlFormError is a refused form, shown on the page in the user's language:
// a title, a sentence, and a message per field.
type dlFormError struct {
	Form   string            // which form on the page: "update", "note", "pay:INV-…", …
	Title  string            // translated
	Text   string            // translated
	Fields map[string]string // field → translated message
	Lines  []string          // translated messages for the list under the title
}

// Field returns the message for a field, if any.
func (f *dlFormError) Field(name string) string {
	if f == nil {
		return ""
	}
	return f.Fields[name]
}

// For reports whether the error belongs to the named form.
func (f *dlFormError) For(form string) bool { return f != nil && f.Form == form }

var (
	dlIndexRE  = regexp.MustCompile(`\[(\d+)\]`)
	dlAtMostRE = regexp.MustCompile(`at most (\d+)`)
)

// dealerFormError turns a refusal of the service into a dlFormError for the
// form, or returns nil when the error is not one a form can show (not
// found, forbidden, internal: those get the error page).
func (h *dealerPages) dealerFormError(c echo.Context, form string, err error) *dlFormError {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	switch e.Code {
	case apperr.Validation, apperr.InvalidState, apperr.Conflict:
	default:
		return nil
	}
	lang := h.p.Lang(c)
	f := &dlFormError{Form: form, Title: i18n.T(lang, "error."+string(e.Code)+".title"),
		Text: i18n.T(lang, "error."+string(e.Code)+".text"), Fields: map[string]string{}}
	if e.Code == apperr.InvalidState {
		key := "dealers.err.state." + strings.SplitN(form, ":", 2)[0]
		if i18n.Has(lang, key) {
			f.Text = i18n.T(lang, key)
		}
	}
	for _, d := range e.Details {
		msg := dlFieldMessage(lang, d)
		f.Fields[d.Field] = msg
		label := d.Field
		if k := "dealers.field." + dlBaseField(d.Field); i18n.Has(lang, k) {
			label = i18n.T(lang, k)
		}
		if m := dlIndexRE.FindStringSubmatch(d.Field); m != nil {
			label = i18n.T(lang, "dealers.field.line", dlAtoi(m[1])+1) + " · " + label
		}
		f.Lines = append(f.Lines, label+": "+msg)
	}
	return f
}

// dlBaseField is the last part of a field name without indexes:
// "lines[2].qty" → "qty", "lines[0]" → "lines".
func dlBaseField(field string) string {
	field = dlIndexRE.ReplaceAllString(field, "")
	if i := strings.LastIndex(field, "."); i >= 0 {
		field = field[i+1:]
	}
	return field
}

// dlFieldMessage translates a detail by its field (and the limit the message
// names, where there is one); unknown fields keep the service's words.
func dlFieldMessage(lang string, d apperr.Detail) string {
	base := dlBaseField(d.Field)
	if m := dlAtMostRE.FindStringSubmatch(d.Message); m != nil && i18n.Has(lang, "dealers.err."+base+".max") {
		key := "dealers.err." + base + ".max"
		if strings.Contains(i18n.T(i18n.Default, key), "%d") {
			return i18n.T(lang, key, dlAtoi(m[1]))
		}
		return i18n.T(lang, key)
	}
	if strings.Contains(d.Message, "is not on order") {
		return i18n.T(lang, "dealers.err.not_on_order")
	}
	if k := "dealers.err." + base; i18n.Has(lang, k) {
		return i18n.T(lang, k)
	}
	return d.Message
}

// dlStatus is the status of a page shown again after a refusal.
func dlStatus(err error) int {
	if apperr.Is(err, apperr.Validation) {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

func dlAtoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return n
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// dlDoneKeys are the success notices after a redirect: ?done=<key> names
// the message dealers.done.<key>; true when it names the document ?ref=.
var dlDoneKeys = map[string]bool{
	"updated": false, "note": false, "shipped": true, "payment": true, "swept": false, "requested": true,
	"approved": true, "rejected": true, "published": false, "read": false, "thread": false, "reply": false,
}

func dlDoneNotice(c echo.Context, p *Portal) string {
	d := c.QueryParam("done")
	withRef, ok := dlDoneKeys[d]
	switch {
	case !ok:
		return ""
	case withRef:
		ref := c.QueryParam("ref")
		if !dealersLookupKey(ref) {
			ref = "—"
		}
		return p.T(c, "dealers.done."+d, ref)
	}
	return p.T(c, "dealers.done."+d)
}

// dealersLookupKey reports whether s looks like a document number (shown
// back on the page only then).
func dealersLookupKey(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func dlSeeOther(c echo.Context, path string, q url.Values) error {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// dlListPage is the dealer list's Data.
type dlListPage struct {
	Dealers  []dealers.Summary
	Regions  []dealers.Region
	Filter   dealers.ListFilter
	Notice   string
	Held     []string
	Released []string
	Error    *dlFormError
}

func (h *dealerPages) list(c echo.Context) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	if pr.Role == auth.RoleDealer {
		return dlSeeOther(c, "/dealers/"+url.PathEscape(pr.DealerCode), nil)
	}
	f := dealers.ListFilter{Region: c.QueryParam("region"), Status: c.QueryParam("status"), Q: c.QueryParam("q")}
	d := dlListPage{Filter: f, Notice: dlDoneNotice(c, h.p)}
	status := http.StatusOK
	var err error
	if d.Dealers, err = h.svc.List(ctx, pr, f); err != nil {
		if d.Error = h.dealerFormError(c, "filter", err); d.Error == nil {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	if d.Regions, err = h.svc.Regions(ctx, pr); err != nil {
		return err
	}
	if c.QueryParam("done") == "swept" {
		d.Held = dlSplitCodes(c.QueryParam("held"))
		d.Released = dlSplitCodes(c.QueryParam("released"))
	}
	return h.p.Render(c, status, "dealers", d)
}

func dlSplitCodes(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" && len(out) < 100 {
			out = append(out, c)
		}
	}
	return out
}

func (h *dealerPages) sweep(c echo.Context) error {
	res, err := h.svc.SweepHolds(c.Request().Context(), web.MustPrincipal(c))
	if err != nil {
		return err
	}
	return dlSeeOther(c, "/dealers", url.Values{"done": {"swept"}, "held": {strings.Join(res.Held, ",")},
		"released": {strings.Join(res.Released, ",")}})
}

// dlRecordPage is the dealer record's Data.
type dlRecordPage struct {
	dealers.Record
	Office     bool
	Notice     string
	Error      *dlFormError
	Form       url.Values // the refused form's values, to show them again
	Today      string
	EventViews []dlEventView
}

// dlEventView is an audited change, translated.
type dlEventView struct {
	Label   string
	Changes []dlChangeView
	Reason  string
	User    string
	At      time.Time
}

type dlChangeView struct{ Field, From, To string }

// dlEvents translates the audit: kinds and field names by key (unknown
// ones as they are), status and policy values too.
func dlEvents(lang string, es []dealers.Event) []dlEventView {
	tr := func(key, fallback string) string {
		if i18n.Has(lang, key) {
			return i18n.T(lang, key)
		}
		return fallback
	}
	value := func(field string, v *string) string {
		switch {
		case v == nil:
			return "—"
		case field == "status":
			return tr("dealers.status."+*v, *v)
		case field == "credit_policy":
			return tr("dealers.policy."+*v, *v)
		case field == "auto_hold":
			return tr("dealers.bool."+*v, *v)
		}
		return *v
	}
	out := make([]dlEventView, len(es))
	for i, e := range es {
		v := dlEventView{Label: tr("dealers.event."+e.Kind, e.Kind), Reason: e.Reason, User: e.User, At: e.CreatedAt}
		fields := make([]string, 0, len(e.Changes))
		for f := range e.Changes {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			ch := e.Changes[f]
			v.Changes = append(v.Changes, dlChangeView{Field: tr("dealers.field."+f, f), From: value(f, ch.From), To: value(f, ch.To)})
		}
		out[i] = v
	}
	return out
}

func (h *dealerPages) record(c echo.Context) error {
	return h.renderRecord(c, http.StatusOK, c.Param("code"), nil, nil)
}

func (h *dealerPages) renderRecord(c echo.Context, status int, code string, ferr *dlFormError, form url.Values) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	r, err := h.svc.Get(ctx, pr, code)
	if err != nil {
		return err
	}
	d := dlRecordPage{Record: r, Office: pr.IsHeadOffice(), Error: ferr, Form: form, Notice: dlDoneNotice(c, h.p),
		Today: r.AsOf.String(), EventViews: dlEvents(h.p.Lang(c), r.Events)}
	if ferr != nil {
		d.Notice = ""
	}
	return h.p.Render(c, status, "dealer", d)
}

// afterForm redirects to the record with a notice, or shows the record
// again with the refusal next to the form.
func (h *dealerPages) afterForm(c echo.Context, form string, err error, done, ref string) error {
	code := c.Param("code")
	if err != nil {
		ferr := h.dealerFormError(c, form, err)
		if ferr == nil {
			return err
		}
		f, _ := c.FormParams()
		return h.renderRecord(c, dlStatus(err), code, ferr, f)
	}
	q := url.Values{"done": {done}}
	if ref != "" {
		q.Set("ref", ref)
	}
	return dlSeeOther(c, "/dealers/"+url.PathEscape(strings.ToUpper(code)), q)
}

func dlOptional(c echo.Context, name string) *string {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return nil
	}
	return &v
}

func (h *dealerPages) update(c echo.Context) error {
	req := dealers.UpdateRequest{CreditPolicy: dlOptional(c, "credit_policy"), Status: dlOptional(c, "status"),
		Reason: c.FormValue("reason")}
	if v := dlOptional(c, "credit_limit"); v != nil {
		dv := dealers.Decimal(*v)
		req.CreditLimit = &dv
	}
	if v := dlOptional(c, "payment_terms_days"); v != nil {
		n := dlAtoi(*v)
		if strings.Trim(*v, "0123456789") != "" || len(*v) > 4 {
			n = -1
		}
		req.PaymentTermsDays = &n
	}
	_, err := h.svc.Update(c.Request().Context(), web.MustPrincipal(c), c.Param("code"), req)
	return h.afterForm(c, "update", err, "updated", "")
}

func (h *dealerPages) addNote(c echo.Context) error {
	_, err := h.svc.AddNote(c.Request().Context(), web.MustPrincipal(c), c.Param("code"), dealers.NoteRequest{Body: c.FormValue("body")})
	return h.afterForm(c, "note", err, "note", "")
}

func (h *dealerPages) ship(c echo.Context) error {
	s, err := h.svc.Ship(c.Request().Context(), web.MustPrincipal(c), c.Param("number"),
		dealers.ShipRequest{ShippedOn: c.FormValue("shipped_on")})
	return h.afterForm(c, "ship:"+c.Param("number"), err, "shipped", s.Invoice.Number)
}

func (h *dealerPages) pay(c echo.Context) error {
	number := c.Param("number")
	_, err := h.svc.RecordPayment(c.Request().Context(), web.MustPrincipal(c), number, dealers.PaymentRequest{
		Amount: dealers.Decimal(strings.TrimSpace(c.FormValue("amount"))), PaidOn: c.FormValue("paid_on"),
		Reference: c.FormValue("reference")})
	return h.afterForm(c, "pay:"+number, err, "payment", number)
}
