// Package importdb reads what the order import needs from PostgreSQL beyond
// ordering: the dealers head office may import orders for.
package importdb

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/orderimport"
	"github.com/sizerun/sizerun/postgres"
)

// Store implements orderimport.Store.
type Store struct{ db *sqlx.DB }

var _ orderimport.Store = (*Store)(nil)

// New returns a Store on db.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

type dealerRow struct {
	Code   string `db:"code"`
	Name   string `db:"name"`
	Status string `db:"status"`
}

func toDealer(r dealerRow) orderimport.Dealer {
	return orderimport.Dealer{Code: r.Code, Name: r.Name, OnHold: r.Status != "active"}
}

// Dealers implements orderimport.Store.
func (s *Store) Dealers(ctx context.Context) ([]orderimport.Dealer, error) {
	const q = `SELECT code, name, status FROM dealers ORDER BY code`
	var rows []dealerRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, q); err != nil {
		return nil, postgres.Error(err, "dealers")
	}
	out := make([]orderimport.Dealer, len(rows))
	for i, r := range rows {
		out[i] = toDealer(r)
	}
	return out, nil
}
