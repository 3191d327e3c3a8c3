// Package authdb stores users and rate-limit counters in PostgreSQL for the
// auth service.
package authdb

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
	"github.com/sizerun/sizerun/postgres"
)

// Store implements auth.Store.
type Store struct{ db *sqlx.DB }

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

type userRow struct {
	ID           int     `db:"id"`
	Email        string  `db:"email"`
	PasswordHash string  `db:"password_hash"`
	Role         string  `db:"role"`
	DealerID     *int    `db:"dealer_id"`
	DealerCode   *string `db:"dealer_code"`
	SupplierID   *int    `db:"supplier_id"`
	SupplierCode *string `db:"supplier_code"`
	Name         string  `db:"display_name"`
	Locale       string  `db:"locale"`
	Active       bool    `db:"active"`
}

func toUser(r userRow) auth.User {
	u := auth.User{PasswordHash: r.PasswordHash, Active: r.Active}
	u.UserID, u.Email, u.Role, u.Name, u.Locale = r.ID, r.Email, auth.Role(r.Role), r.Name, r.Locale
	if r.DealerID != nil {
		u.DealerID, u.DealerCode = *r.DealerID, *r.DealerCode
	}
	if r.SupplierID != nil {
		u.SupplierID, u.SupplierCode = *r.SupplierID, *r.SupplierCode
	}
	return u
}

// UserByEmail implements auth.Store.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	const q = `
SELECT u.id, u.email, u.password_hash, u.role, u.dealer_id, d.code AS dealer_code,
       u.supplier_id, s.code AS supplier_code, u.display_name, u.locale, u.active
FROM users u
LEFT JOIN dealers d ON d.id = u.dealer_id
LEFT JOIN suppliers s ON s.id = u.supplier_id
WHERE u.email = $1`
	var r userRow
	if err := s.db.GetContext(ctx, &r, q, email); err != nil {
		return auth.User{}, postgres.Error(err, "user")
	}
	return toUser(r), nil
}

// CreateUser implements auth.Store.
func (s *Store) CreateUser(ctx context.Context, u auth.NewUser, hash string) (int, error) {
	var dealerID, supplierID *int
	if u.DealerCode != "" {
		var id int
		if err := s.db.GetContext(ctx, &id, `SELECT id FROM dealers WHERE code = $1`, u.DealerCode); err != nil {
			return 0, postgres.Error(err, "dealer "+u.DealerCode)
		}
		dealerID = &id
	}
	if u.SupplierCode != "" {
		var id int
		if err := s.db.GetContext(ctx, &id, `SELECT id FROM suppliers WHERE code = $1`, u.SupplierCode); err != nil {
			return 0, postgres.Error(err, "supplier "+u.SupplierCode)
		}
		supplierID = &id
	}
	const q = `
INSERT INTO users (email, password_hash, role, dealer_id, supplier_id, display_name, locale)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	var id int
	err := s.db.GetContext(ctx, &id, q, u.Email, hash, string(u.Role), dealerID, supplierID, u.Name, u.Locale)
	if postgres.IsUniqueViolation(err) {
		return 0, apperr.Field("email", "a user with email %s already exists", u.Email)
	}
	return id, postgres.Error(err, "user")
}

// Hit implements auth.Store with a fixed-window counter row per bucket.
func (s *Store) Hit(ctx context.Context, bucket string, window time.Duration) (int, error) {
	const q = `
INSERT INTO rate_limits (bucket, window_start, hits)
VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
RETURNING hits`
	var n int
	err := s.db.GetContext(ctx, &n, q, bucket, int(window.Seconds()))
	if err != nil {
		return 0, postgres.Error(err, "rate limit")
	}
	// Old windows are useless; prune now and then (cheap, indexed by primary key).
	if n == 1 {
		s.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'`)
	}
	return n, nil
}

// SetLocale implements auth.Store.
func (s *Store) SetLocale(ctx context.Context, userID int, locale string) error {
	if locale != "en" && locale != "zh" && locale != "ko" {
		return apperr.Field("locale", "locale must be en, zh or ko")
	}
	_, err := s.db.ExecContext(ctx, `UPDATE users SET locale = $2 WHERE id = $1`, userID, locale)
	return postgres.Error(err, "user")
}
