package portal

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/web"
)

// dlAnnouncementsPage is the announcements page's Data.
type dlAnnouncementsPage struct {
	Items   []dealers.Announcement
	Office  bool
	Regions []dealers.Region
	Notice  string
	Error   *dlFormError
	Form    url.Values
}

func (h *dealerPages) announcements(c echo.Context) error {
	return h.renderAnnouncements(c, http.StatusOK, nil, nil)
}

func (h *dealerPages) renderAnnouncements(c echo.Context, status int, ferr *dlFormError, form url.Values) error {
	ctx, pr := c.Request().Context(), web.MustPrincipal(c)
	d := dlAnnouncementsPage{Office: pr.IsHeadOffice(), Error: ferr, Form: form}
	if ferr == nil {
		d.Notice = dlDoneNotice(c, h.p)
	}
	var err error
	if d.Items, err = h.svc.Announcements(ctx, pr); err != nil {
		return err
	}
	if d.Office {
		if d.Regions, err = h.svc.Regions(ctx, pr); err != nil {
			return err
		}
	}
	return h.p.Render(c, status, "announcements", d)
}

func (h *dealerPages) publish(c echo.Context) error {
	_, err := h.svc.Publish(c.Request().Context(), web.MustPrincipal(c), dealers.AnnouncementRequest{
		Title: c.FormValue("title"), Body: c.FormValue("body"), Region: c.FormValue("region")})
	if err != nil {
		ferr := h.dealerFormError(c, "publish", err)
		if ferr == nil {
			return err
		}
		f, _ := c.FormParams()
		return h.renderAnnouncements(c, http.StatusUnprocessableEntity, ferr, f)
	}
	return dlSeeOther(c, "/announcements", url.Values{"done": {"published"}})
}

func (h *dealerPages) markRead(c echo.Context) error {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil || id <= 0 {
		return apperr.New(apperr.NotFound, "announcement not found")
	}
	if _, err := h.svc.MarkRead(c.Request().Context(), web.MustPrincipal(c), id); err != nil {
		return err
	}
	return dlSeeOther(c, "/announcements", url.Values{"done": {"read"}})
}

// dlFeedbackPage is the feedback list's Data.
type dlFeedbackPage struct {
	Threads []dealers.Thread
	Dealer  bool
	Topics  []string
	Status  string
	Notice  string
	Error   *dlFormError
	Form    url.Values
}

func (h *dealerPages) feedback(c echo.Context) error {
	return h.renderFeedback(c, http.StatusOK, nil, nil)
}

func (h *dealerPages) renderFeedback(c echo.Context, status int, ferr *dlFormError, form url.Values) error {
	pr := web.MustPrincipal(c)
	d := dlFeedbackPage{Dealer: pr.Role == auth.RoleDealer, Topics: dealers.Topics, Status: c.QueryParam("status"),
		Error: ferr, Form: form}
	if ferr == nil {
		d.Notice = dlDoneNotice(c, h.p)
	}
	var err error
	if d.Threads, err = h.svc.Threads(c.Request().Context(), pr, dealers.ThreadFilter{Status: d.Status}); err != nil {
		if d.Error = h.dealerFormError(c, "filter", err); d.Error == nil {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	return h.p.Render(c, status, "feedback", d)
}

func (h *dealerPages) startThread(c echo.Context) error {
	req := dealers.ThreadRequest{Topic: c.FormValue("topic"), Style: c.FormValue("style"), Subject: c.FormValue("subject"),
		Body: c.FormValue("body")}
	if v := strings.TrimSpace(c.FormValue("rating")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = 0
		}
		req.Rating = &n
	}
	t, err := h.svc.StartThread(c.Request().Context(), web.MustPrincipal(c), req)
	if err != nil {
		ferr := h.dealerFormError(c, "thread", err)
		if ferr == nil {
			return err
		}
		f, _ := c.FormParams()
		return h.renderFeedback(c, http.StatusUnprocessableEntity, ferr, f)
	}
	return dlSeeOther(c, "/feedback/"+strconv.FormatInt(t.ID, 10), url.Values{"done": {"thread"}})
}

// dlThreadPage is a feedback thread's Data.
type dlThreadPage struct {
	dealers.Thread
	Dealer bool
	Notice string
	Error  *dlFormError
	Body   string
}

func dlThreadID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "feedback thread not found")
	}
	return id, nil
}

func (h *dealerPages) thread(c echo.Context) error {
	return h.renderThread(c, http.StatusOK, nil, "")
}

func (h *dealerPages) renderThread(c echo.Context, status int, ferr *dlFormError, body string) error {
	pr := web.MustPrincipal(c)
	id, err := dlThreadID(c)
	if err != nil {
		return err
	}
	t, err := h.svc.Thread(c.Request().Context(), pr, id)
	if err != nil {
		return err
	}
	d := dlThreadPage{Thread: t, Dealer: pr.Role == auth.RoleDealer, Error: ferr, Body: body}
	if ferr == nil {
		d.Notice = dlDoneNotice(c, h.p)
	}
	return h.p.Render(c, status, "feedback_thread", d)
}

func (h *dealerPages) reply(c echo.Context) error {
	id, err := dlThreadID(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	if _, err := h.svc.Reply(c.Request().Context(), web.MustPrincipal(c), id, dealers.MessageRequest{Body: body}); err != nil {
		ferr := h.dealerFormError(c, "reply", err)
		if ferr == nil {
			return err
		}
		status := http.StatusUnprocessableEntity
		if apperr.Is(err, apperr.InvalidState) {
			status = http.StatusConflict
		}
		return h.renderThread(c, status, ferr, body)
	}
	return dlSeeOther(c, "/feedback/"+strconv.FormatInt(id, 10), url.Values{"done": {"reply"}})
}
