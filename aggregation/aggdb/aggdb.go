// Package aggdb implements aggregation.Store on PostgreSQL: rollups from the
// trigger-maintained summary (migration 00010) or from the order lines,
// production orders with their coverage, and the fabric forecast.
package aggdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/sizerun/sizerun/aggregation"
	"github.com/sizerun/sizerun/postgres"
)

// Store implements aggregation.Store.
type Store struct{ db *sqlx.DB }

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

var _ aggregation.Store = (*Store)(nil)

// Season implements aggregation.Store.
func (s *Store) Season(ctx context.Context, code string) (aggregation.Season, error) {
	const q = `SELECT id, code, name FROM seasons WHERE code = $1`
	var se aggregation.Season
	err := s.db.QueryRowContext(ctx, q, code).Scan(&se.ID, &se.Code, &se.Name)
	if err != nil {
		return se, postgres.Error(err, fmt.Sprintf("season %q", code))
	}
	return se, nil
}

// UnknownCodes implements aggregation.Store.
func (s *Store) UnknownCodes(ctx context.Context, kind aggregation.Key, codes []string) ([]string, error) {
	table := map[aggregation.Key]string{
		aggregation.KeyRegion: "regions", aggregation.KeyDealer: "dealers",
		aggregation.KeyCategory: "categories", aggregation.KeyStyle: "styles",
	}[kind]
	if table == "" {
		return nil, fmt.Errorf("aggdb: no code table for %q", kind)
	}
	// table comes from the fixed map above, never from the caller.
	q := `SELECT c FROM unnest($1::text[]) WITH ORDINALITY AS x(c, n)
WHERE NOT EXISTS (SELECT 1 FROM ` + table + ` t WHERE t.code = x.c) ORDER BY n`
	var out []string
	if err := s.db.SelectContext(ctx, &out, q, pq.Array(codes)); err != nil {
		return nil, fmt.Errorf("unknown codes: %w", err)
	}
	return out, nil
}

// Currency implements aggregation.Store: the currency of the list price
// list (or of any price list). Sizerun assumes a brand trades in one
// currency; amounts of orders in several currencies would be added as is.
func (s *Store) Currency(ctx context.Context) (string, error) {
	const q = `SELECT currency FROM price_lists ORDER BY is_list DESC, id LIMIT 1`
	var c string
	err := s.db.GetContext(ctx, &c, q)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("currency: %w", err)
	}
	return c, nil
}

// nullInt is 0 → NULL, for optional user references.
func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}
