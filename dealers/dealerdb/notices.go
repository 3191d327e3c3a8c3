package dealerdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/dealers"
	"github.com/sizerun/sizerun/postgres"
)

type announcementRow struct {
	ID          int        `db:"id"`
	Title       string     `db:"title"`
	Body        string     `db:"body"`
	RegionCode  string     `db:"region_code"`
	RegionName  string     `db:"region_name"`
	Author      string     `db:"author"`
	PublishedAt time.Time  `db:"published_at"`
	ReadAt      *time.Time `db:"read_at"`
	Audience    int        `db:"audience"`
	Reads       int        `db:"reads"`
}

func (r announcementRow) announcement(forDealer bool) dealers.Announcement {
	a := dealers.Announcement{ID: r.ID, Title: r.Title, Body: r.Body, Author: r.Author, PublishedAt: r.PublishedAt.UTC()}
	if r.RegionCode != "" {
		a.Region = &dealers.Region{Code: r.RegionCode, Name: r.RegionName}
	}
	if forDealer {
		if r.ReadAt != nil {
			t := r.ReadAt.UTC()
			a.Read, a.ReadAt = true, &t
		}
	} else {
		a.Audience, a.Reads = r.Audience, r.Reads
	}
	return a
}

// announcementSelect: $1 the dealer (0: head office's view of all), $2 the
// reading user (0: any user of the dealer).
var announcementSelect = `
SELECT a.id, a.title, a.body, COALESCE(r.code, '') AS region_code, COALESCE(r.name, '') AS region_name,
       ` + author("u") + ` AS author, a.published_at,
       (SELECT min(ar.read_at) FROM announcement_reads ar
        WHERE ar.announcement_id = a.id AND ar.dealer_id = $1 AND ($2 = 0 OR ar.user_id = $2)) AS read_at,
       (SELECT count(*) FROM dealers d WHERE a.region_id IS NULL OR d.region_id = a.region_id) AS audience,
       (SELECT count(DISTINCT ar.dealer_id) FROM announcement_reads ar WHERE ar.announcement_id = a.id) AS reads
FROM announcements a
JOIN users u ON u.id = a.user_id
LEFT JOIN regions r ON r.id = a.region_id
WHERE ($1 = 0 OR a.region_id IS NULL OR a.region_id = (SELECT region_id FROM dealers WHERE id = $1))`

// Announcements implements dealers.Queries.
func (c conn) Announcements(ctx context.Context, aq dealers.AnnouncementQuery) ([]dealers.Announcement, error) {
	q := announcementSelect + ` ORDER BY a.published_at DESC, a.id DESC LIMIT $3`
	var rows []announcementRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, aq.DealerID, aq.UserID, aq.Limit); err != nil {
		return nil, postgres.Error(err, "announcements")
	}
	out := make([]dealers.Announcement, len(rows))
	for i, r := range rows {
		out[i] = r.announcement(aq.DealerID != 0)
	}
	return out, nil
}

// Announcement implements dealers.Queries.
func (c conn) Announcement(ctx context.Context, id int, aq dealers.AnnouncementQuery) (dealers.Announcement, error) {
	q := announcementSelect + ` AND a.id = $3`
	var r announcementRow
	if err := sqlx.GetContext(ctx, c.q, &r, q, aq.DealerID, aq.UserID, id); err != nil {
		return dealers.Announcement{}, postgres.Error(err, "announcement")
	}
	return r.announcement(aq.DealerID != 0), nil
}

// InsertAnnouncement implements dealers.Tx.
func (t *txStore) InsertAnnouncement(ctx context.Context, title, body string, regionID, userID int) (int, error) {
	const q = `INSERT INTO announcements (title, body, region_id, user_id) VALUES ($1, $2, NULLIF($3, 0), $4) RETURNING id`
	var id int
	err := sqlx.GetContext(ctx, t.q, &id, q, title, body, regionID, userID)
	return id, postgres.Error(err, "announcement")
}

// MarkRead implements dealers.Tx.
func (t *txStore) MarkRead(ctx context.Context, announcementID, userID, dealerID int) error {
	const q = `
INSERT INTO announcement_reads (announcement_id, user_id, dealer_id) VALUES ($1, $2, $3)
ON CONFLICT (announcement_id, user_id) DO NOTHING`
	_, err := t.q.ExecContext(ctx, q, announcementID, userID, dealerID)
	return postgres.Error(err, "read receipt")
}

type threadRow struct {
	ID            int64         `db:"id"`
	DealerID      int           `db:"dealer_id"`
	Dealer        string        `db:"dealer"`
	DealerName    string        `db:"dealer_name"`
	Topic         string        `db:"topic"`
	Style         string        `db:"style"`
	StyleName     string        `db:"style_name"`
	Subject       string        `db:"subject"`
	Rating        sql.NullInt64 `db:"rating"`
	Status        string        `db:"status"`
	Author        string        `db:"author"`
	CreatedAt     time.Time     `db:"created_at"`
	LastMessageAt time.Time     `db:"last_message_at"`
	MessageCount  int           `db:"message_count"`
}

func (r threadRow) thread() dealers.Thread {
	t := dealers.Thread{ID: r.ID, DealerID: r.DealerID, Dealer: r.Dealer, DealerName: r.DealerName, Topic: r.Topic,
		Style: r.Style, StyleName: r.StyleName, Subject: r.Subject, Status: r.Status, Author: r.Author,
		CreatedAt: r.CreatedAt.UTC(), LastMessageAt: r.LastMessageAt.UTC(), MessageCount: r.MessageCount}
	if r.Rating.Valid {
		v := int(r.Rating.Int64)
		t.Rating = &v
	}
	return t
}

var threadSelect = `
SELECT t.id, t.dealer_id, d.code AS dealer, d.name AS dealer_name, t.topic,
       COALESCE(st.code, '') AS style, COALESCE(st.name, '') AS style_name, t.subject, t.rating, t.status,
       ` + author("u") + ` AS author, t.created_at,
       COALESCE((SELECT max(m.created_at) FROM feedback_messages m WHERE m.thread_id = t.id), t.created_at) AS last_message_at,
       (SELECT count(*) FROM feedback_messages m WHERE m.thread_id = t.id) AS message_count
FROM feedback_threads t
JOIN dealers d ON d.id = t.dealer_id
JOIN users u ON u.id = t.user_id
LEFT JOIN styles st ON st.id = t.style_id`

// Threads implements dealers.Queries: latest activity first.
func (c conn) Threads(ctx context.Context, scope dealers.Scope, tq dealers.ThreadQuery) ([]dealers.Thread, error) {
	var a args
	q := threadSelect + ` WHERE true`
	if !scope.All() {
		q += ` AND t.dealer_id = ` + a.add(scope.DealerID)
	}
	if tq.Dealer != "" {
		q += ` AND d.code = ` + a.add(tq.Dealer)
	}
	if tq.Status != "" {
		q += ` AND t.status = ` + a.add(tq.Status)
	}
	q += ` ORDER BY last_message_at DESC, t.id DESC LIMIT ` + a.add(tq.Limit)
	var rows []threadRow
	if err := sqlx.SelectContext(ctx, c.q, &rows, q, a...); err != nil {
		return nil, postgres.Error(err, "feedback")
	}
	out := make([]dealers.Thread, len(rows))
	for i, r := range rows {
		out[i] = r.thread()
	}
	return out, nil
}

// Thread implements dealers.Queries.
func (c conn) Thread(ctx context.Context, scope dealers.Scope, id int64) (dealers.Thread, error) {
	q := threadSelect + ` WHERE t.id = $1 AND ($2 = 0 OR t.dealer_id = $2)`
	var r threadRow
	if err := sqlx.GetContext(ctx, c.q, &r, q, id, scope.DealerID); err != nil {
		return dealers.Thread{}, postgres.Error(err, "feedback thread")
	}
	t := r.thread()
	mq := `SELECT m.body, ` + author("u") + ` AS author, (u.role = 'dealer') AS from_dealer, m.created_at
FROM feedback_messages m JOIN users u ON u.id = m.user_id
WHERE m.thread_id = $1 ORDER BY m.created_at, m.id`
	var rows []struct {
		Body       string    `db:"body"`
		Author     string    `db:"author"`
		FromDealer bool      `db:"from_dealer"`
		CreatedAt  time.Time `db:"created_at"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, mq, t.ID); err != nil {
		return dealers.Thread{}, postgres.Error(err, "feedback messages")
	}
	t.Messages = make([]dealers.Message, len(rows))
	for i, m := range rows {
		t.Messages[i] = dealers.Message{Body: m.Body, Author: m.Author, FromDealer: m.FromDealer, CreatedAt: m.CreatedAt.UTC()}
	}
	return t, nil
}

// LockThread implements dealers.Tx.
func (t *txStore) LockThread(ctx context.Context, scope dealers.Scope, id int64) (dealers.Thread, error) {
	q := threadSelect + ` WHERE t.id = $1 AND ($2 = 0 OR t.dealer_id = $2) FOR NO KEY UPDATE OF t`
	var r threadRow
	if err := sqlx.GetContext(ctx, t.q, &r, q, id, scope.DealerID); err != nil {
		return dealers.Thread{}, postgres.Error(err, "feedback thread")
	}
	return r.thread(), nil
}

// InsertThread implements dealers.Tx: the thread and its first message.
func (t *txStore) InsertThread(ctx context.Context, nt dealers.NewThread) (int64, error) {
	const q = `
INSERT INTO feedback_threads (dealer_id, topic, style_id, subject, rating, status, user_id)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, 'open', $6) RETURNING id`
	var rating any
	if nt.Rating != nil {
		rating = *nt.Rating
	}
	var id int64
	if err := sqlx.GetContext(ctx, t.q, &id, q, nt.DealerID, nt.Topic, nt.StyleID, nt.Subject, rating, nt.UserID); err != nil {
		return 0, postgres.Error(err, "feedback thread")
	}
	const m = `INSERT INTO feedback_messages (thread_id, dealer_id, user_id, body) VALUES ($1, $2, $3, $4)`
	_, err := t.q.ExecContext(ctx, m, id, nt.DealerID, nt.UserID, nt.Body)
	return id, postgres.Error(err, "feedback message")
}

// InsertMessage implements dealers.Tx.
func (t *txStore) InsertMessage(ctx context.Context, threadID int64, dealerID, userID int, body, status string) error {
	const m = `INSERT INTO feedback_messages (thread_id, dealer_id, user_id, body) VALUES ($1, $2, $3, $4)`
	if _, err := t.q.ExecContext(ctx, m, threadID, dealerID, userID, body); err != nil {
		return postgres.Error(err, "feedback message")
	}
	_, err := t.q.ExecContext(ctx, `UPDATE feedback_threads SET status = $2 WHERE id = $1`, threadID, status)
	return postgres.Error(err, "feedback thread")
}
