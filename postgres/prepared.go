package postgres

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Statements keeps the queries a store runs on its hot path prepared, so
// that PostgreSQL parses and plans each once per connection instead of on
// every call, and lib/pq sends one message round trip per statement instead
// of two (issue 6: parsing and planning were a quarter of the database's
// work per order submission).
//
// A query is prepared the first time it is seen, in the background and on
// a connection of its own, never on the caller's: a transaction that held a
// connection while waiting for another from a full pool could wait forever.
// Until then, and for queries beyond the cache's size (dynamic SQL), calls
// run unprepared as before. database/sql prepares a statement on each
// further connection the first time a transaction on it uses the statement.
//
// Prepared statements keep their result columns: a migration that changes
// a table under a running server can make them fail until it restarts
// (migrate, then start the server, as `make run` and the README do).
type Statements struct {
	db  *sqlx.DB
	max int

	mu      sync.Mutex
	stmts   map[string]*sqlx.Stmt
	pending map[string]bool
	wg      sync.WaitGroup
}

// NewStatements returns an empty cache of at most max statements on db.
func NewStatements(db *sqlx.DB, max int) *Statements {
	return &Statements{db: db, max: max, stmts: map[string]*sqlx.Stmt{}, pending: map[string]bool{}}
}

// lookup returns query's prepared statement, or nil after starting to
// prepare it (at most once, while the cache has room).
func (s *Statements) lookup(query string) *sqlx.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st
	}
	if s.pending[query] || len(s.stmts)+len(s.pending) >= s.max {
		return nil
	}
	s.pending[query] = true
	s.wg.Add(1)
	go s.prepare(query)
	return nil
}

func (s *Statements) prepare(query string) {
	defer s.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s.db.PreparexContext(ctx, query)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pending, query)
	if err == nil {
		s.stmts[query] = st
	}
	// On error (a bad query, or the database unreachable) the query stays
	// unprepared; the next call tries again and reports its own error.
}

// Wait waits until the statements being prepared are (tests).
func (s *Statements) Wait() { s.wg.Wait() }

// Len is how many statements are prepared (tests).
func (s *Statements) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stmts)
}

// Tx returns a Queryer running queries in tx through the prepared
// statements.
func (s *Statements) Tx(tx *sqlx.Tx) Queryer { return preparedTx{s: s, tx: tx} }

type preparedTx struct {
	s  *Statements
	tx *sqlx.Tx
}

func (p preparedTx) stmt(ctx context.Context, query string) *sqlx.Stmt {
	if st := p.s.lookup(query); st != nil {
		return p.tx.StmtxContext(ctx, st)
	}
	return nil
}

func (p preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.tx.QueryContext(ctx, query, args...)
}

func (p preparedTx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryxContext(ctx, args...)
	}
	return p.tx.QueryxContext(ctx, query, args...)
}

func (p preparedTx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowxContext(ctx, args...)
	}
	return p.tx.QueryRowxContext(ctx, query, args...)
}

func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, query, args...)
}
