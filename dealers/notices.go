package dealers

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

// Announcement is a notice from head office to every dealer (Region nil)
// or to the dealers of one region.
type Announcement struct {
	ID          int       `json:"id"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Region      *Region   `json:"region"`
	Author      string    `json:"author"`
	PublishedAt time.Time `json:"published_at"`
	// For a dealer: whether the caller has read it (the dealer record shown
	// to head office: whether any user of the dealer has).
	Read   bool       `json:"read"`
	ReadAt *time.Time `json:"read_at,omitempty"`
	// For head office's list: how many dealers it reaches and how many of
	// them have read it.
	Audience int `json:"audience,omitempty"`
	Reads    int `json:"reads,omitempty"`
}

// AnnouncementQuery selects announcements, newest first: with DealerID
// those that dealer sees (and Read for UserID, or for any of the dealer's
// users when UserID is 0); without, all of them with read counts.
type AnnouncementQuery struct {
	DealerID int
	UserID   int
	Limit    int
}

// AnnouncementRequest is the body of POST /announcements.
type AnnouncementRequest struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Region string `json:"region"` // region code; "" for every dealer
	Key    string `json:"-"`      // the caller's Idempotency-Key; "" for none
}

// Limits of announcements and feedback.
const (
	MaxTitle         = 200
	MaxBody          = 10000
	MaxAnnouncements = 200
	MaxThreads       = 500
)

// Announcements lists the announcements the caller sees, newest first: a
// dealer those for every dealer or its region, with its read flag; head
// office all of them, with read counts.
func (s *Service) Announcements(ctx context.Context, p auth.Principal) ([]Announcement, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	q := AnnouncementQuery{Limit: MaxAnnouncements}
	if !scope.All() {
		q.DealerID, q.UserID = scope.DealerID, p.UserID
	}
	return s.store.Announcements(ctx, q)
}

// Publish publishes an announcement (head office only). Returns
// validation_failed naming the field: title and body required, an unknown
// region.
func (s *Service) Publish(ctx context.Context, p auth.Principal, req AnnouncementRequest) (Announcement, error) {
	if err := headOffice(p, "publish announcements"); err != nil {
		return Announcement{}, err
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Announcement{}, err
	}
	title, body, region := strings.TrimSpace(req.Title), strings.TrimSpace(req.Body), normCode(req.Region)
	var details []apperr.Detail
	bad := func(field, format string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case title == "":
		bad("title", "title is required")
	case utf8.RuneCountInString(title) > MaxTitle:
		bad("title", "title may have at most %d characters", MaxTitle)
	}
	switch {
	case body == "":
		bad("body", "body is required")
	case utf8.RuneCountInString(body) > MaxBody:
		bad("body", "body may have at most %d characters", MaxBody)
	}
	details = checkText(details, false, "title", title)
	details = checkText(details, true, "body", body)
	details = checkKey(details, "region", region)
	if len(details) > 0 {
		return Announcement{}, apperr.Invalid(details[0].Message, details...)
	}
	var out Announcement
	asked := AnnouncementRequest{Title: title, Body: body, Region: region}
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		out, _, err = once(ctx, tx, p, req.Key, "announcement", asked, func() (Announcement, error) {
			regionID := 0
			if region != "" {
				id, err := tx.RegionID(ctx, region)
				if apperr.Is(err, apperr.NotFound) {
					return Announcement{}, apperr.Field("region", "region %s does not exist", region)
				}
				if err != nil {
					return Announcement{}, err
				}
				regionID = id
			}
			id, err := tx.InsertAnnouncement(ctx, title, body, regionID, p.UserID)
			if err != nil {
				return Announcement{}, err
			}
			return tx.Announcement(ctx, id, AnnouncementQuery{})
		})
		return err
	})
	return out, err
}

// MarkRead records that the calling dealer user has read an announcement
// (a read receipt; reading twice keeps the first time). Only dealers read
// announcements (forbidden otherwise); one not meant for the dealer is
// not_found.
func (s *Service) MarkRead(ctx context.Context, p auth.Principal, id int) (Announcement, error) {
	if p.Role != auth.RoleDealer || p.DealerID <= 0 {
		return Announcement{}, apperr.New(apperr.Forbidden, "read receipts are for dealers")
	}
	q := AnnouncementQuery{DealerID: p.DealerID, UserID: p.UserID}
	var out Announcement
	err := s.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.Announcement(ctx, id, q); err != nil {
			return err
		}
		if err := tx.MarkRead(ctx, id, p.UserID, p.DealerID); err != nil {
			return err
		}
		var err error
		out, err = tx.Announcement(ctx, id, q)
		return err
	})
	return out, err
}

// Feedback topics and thread states (the feedback_threads table).
var Topics = []string{"product", "service", "delivery", "other"}

// Thread states.
const (
	ThreadOpen     = "open"
	ThreadAnswered = "answered"
	ThreadClosed   = "closed"
)

// Thread is a dealer's feedback thread about a product or the service.
type Thread struct {
	ID            int64     `json:"id"`
	DealerID      int       `json:"-"`
	Dealer        string    `json:"dealer"`
	DealerName    string    `json:"dealer_name"`
	Topic         string    `json:"topic"`
	Style         string    `json:"style,omitempty"`
	StyleName     string    `json:"style_name,omitempty"`
	Subject       string    `json:"subject"`
	Rating        *int      `json:"rating"`
	Status        string    `json:"status"`
	Author        string    `json:"author"`
	CreatedAt     time.Time `json:"created_at"`
	LastMessageAt time.Time `json:"last_message_at"`
	MessageCount  int       `json:"message_count"`
	Messages      []Message `json:"messages,omitempty"`
}

// Message is one message of a thread.
type Message struct {
	Body       string    `json:"body"`
	Author     string    `json:"author"`
	FromDealer bool      `json:"from_dealer"`
	CreatedAt  time.Time `json:"created_at"`
}

// ThreadQuery selects threads in a scope, latest activity first.
type ThreadQuery struct {
	Dealer string
	Status string
	Limit  int
}

// ThreadRequest starts a feedback thread (POST /feedback).
type ThreadRequest struct {
	Topic   string `json:"topic"`
	Style   string `json:"style"` // optional style code the feedback is about
	Subject string `json:"subject"`
	Rating  *int   `json:"rating"` // optional 1–5
	Body    string `json:"body"`
	Key     string `json:"-"` // the caller's Idempotency-Key; "" for none
}

// MessageRequest is the body of POST /feedback/{id}/messages.
type MessageRequest struct {
	Body string `json:"body"`
	Key  string `json:"-"` // the caller's Idempotency-Key; "" for none
}

// ThreadFilter is the caller's thread list filter.
type ThreadFilter struct {
	Dealer string
	Status string
}

// Threads lists feedback threads in scope. A dealer naming another dealer
// gets not_found; validation_failed for a bad status.
func (s *Service) Threads(ctx context.Context, p auth.Principal, f ThreadFilter) ([]Thread, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return nil, err
	}
	q := ThreadQuery{Dealer: normCode(f.Dealer), Status: strings.TrimSpace(strings.ToLower(f.Status)), Limit: MaxThreads}
	switch q.Status {
	case "", ThreadOpen, ThreadAnswered, ThreadClosed:
	default:
		return nil, apperr.Field("status", "status must be open, answered or closed")
	}
	if err := checkDealerFilter(p, q.Dealer); err != nil {
		return nil, err
	}
	return s.store.Threads(ctx, scope, q)
}

// Thread returns a thread in scope with its messages; not_found.
func (s *Service) Thread(ctx context.Context, p auth.Principal, id int64) (Thread, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Thread{}, err
	}
	return s.store.Thread(ctx, scope, id)
}

// StartThread starts a feedback thread with its first message (dealers
// only). Returns validation_failed naming each bad field: topic one of
// Topics, an unknown style, rating outside 1–5, subject and body required.
func (s *Service) StartThread(ctx context.Context, p auth.Principal, req ThreadRequest) (Thread, error) {
	if p.Role != auth.RoleDealer || p.DealerID <= 0 {
		return Thread{}, apperr.New(apperr.Forbidden, "feedback threads are started by dealers")
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Thread{}, err
	}
	topic := strings.TrimSpace(strings.ToLower(req.Topic))
	style := normCode(req.Style)
	subject, body := strings.TrimSpace(req.Subject), strings.TrimSpace(req.Body)
	var details []apperr.Detail
	bad := func(field, format string, args ...any) {
		details = append(details, apperr.Detail{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	okTopic := false
	for _, t := range Topics {
		okTopic = okTopic || t == topic
	}
	if !okTopic {
		bad("topic", "topic must be one of %s", strings.Join(Topics, ", "))
	}
	switch {
	case subject == "":
		bad("subject", "subject is required")
	case utf8.RuneCountInString(subject) > MaxTitle:
		bad("subject", "subject may have at most %d characters", MaxTitle)
	}
	switch {
	case body == "":
		bad("body", "body is required")
	case utf8.RuneCountInString(body) > MaxNote:
		bad("body", "body may have at most %d characters", MaxNote)
	}
	if req.Rating != nil && (*req.Rating < 1 || *req.Rating > 5) {
		bad("rating", "rating must be from 1 to 5")
	}
	details = checkText(details, false, "subject", subject)
	details = checkText(details, true, "body", body)
	details = checkKey(details, "style", style)
	if len(details) > 0 {
		return Thread{}, apperr.Invalid(details[0].Message, details...)
	}
	var out Thread
	asked := ThreadRequest{Topic: topic, Style: style, Subject: subject, Rating: req.Rating, Body: body}
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		out, _, err = once(ctx, tx, p, req.Key, "feedback", asked, func() (Thread, error) {
			styleID := 0
			if style != "" {
				id, err := tx.StyleID(ctx, style)
				if apperr.Is(err, apperr.NotFound) {
					return Thread{}, apperr.Field("style", "style %s does not exist", style)
				}
				if err != nil {
					return Thread{}, err
				}
				styleID = id
			}
			id, err := tx.InsertThread(ctx, NewThread{DealerID: p.DealerID, UserID: p.UserID, Topic: topic, StyleID: styleID,
				Subject: subject, Rating: req.Rating, Body: body})
			if err != nil {
				return Thread{}, err
			}
			return tx.Thread(ctx, Scope{DealerID: p.DealerID}, id)
		})
		return err
	})
	return out, err
}

// NewThread is a feedback thread to insert with its first message.
type NewThread struct {
	DealerID int
	UserID   int
	Topic    string
	StyleID  int
	Subject  string
	Rating   *int
	Body     string
}

// Reply adds a message to a thread: a dealer to its own threads (another
// dealer's is not_found), head office to any. A head-office answer marks
// the thread answered, a dealer's message opens it again. Returns
// validation_failed for an empty body, invalid_state for a closed thread.
func (s *Service) Reply(ctx context.Context, p auth.Principal, id int64, req MessageRequest) (Thread, error) {
	scope, err := scopeOf(p)
	if err != nil {
		return Thread{}, err
	}
	if err := checkIdemKey(req.Key); err != nil {
		return Thread{}, err
	}
	body := strings.TrimSpace(req.Body)
	switch {
	case body == "":
		return Thread{}, apperr.Field("body", "body is required")
	case utf8.RuneCountInString(body) > MaxNote:
		return Thread{}, apperr.Field("body", "body may have at most %d characters", MaxNote)
	}
	if p := textProblem(body, true); p != "" {
		return Thread{}, apperr.Field("body", "body %s", p)
	}
	var out Thread
	err = s.store.InTx(ctx, func(tx Tx) error {
		var err error
		out, _, err = once(ctx, tx, p, req.Key, fmt.Sprint("message ", id), body, func() (Thread, error) {
			t, err := tx.LockThread(ctx, scope, id)
			if err != nil {
				return Thread{}, err
			}
			if t.Status == ThreadClosed {
				return Thread{}, apperr.New(apperr.InvalidState, "feedback thread %d is closed", t.ID)
			}
			status := ThreadOpen
			if p.IsHeadOffice() {
				status = ThreadAnswered
			}
			if err := tx.InsertMessage(ctx, t.ID, t.DealerID, p.UserID, body, status); err != nil {
				return Thread{}, err
			}
			return tx.Thread(ctx, scope, t.ID)
		})
		return err
	})
	return out, err
}
