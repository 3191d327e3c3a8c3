package postgres_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sizerun/sizerun/postgres"
	"github.com/sizerun/sizerun/postgres/pgtest"
)

// preparedHere counts the statements with query's text prepared on the
// connection of tx.
func preparedHere(t *testing.T, ctx context.Context, tx *sqlx.Tx, query string) int {
	t.Helper()
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM pg_prepared_statements WHERE statement = $1`, query); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatements(t *testing.T) {
	db := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const (
		qa = `SELECT $1::int + 1`
		qb = `SELECT $1::text || 'b'`
		qc = `SELECT $1::text || 'c'`
		qe = `CREATE TEMP TABLE IF NOT EXISTS prep_t (v int)`
	)
	st := postgres.NewStatements(db, 2)
	run := func(fn func(q postgres.Queryer, tx *sqlx.Tx)) {
		t.Helper()
		err := postgres.Transact(ctx, db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
			fn(st.Tx(tx), tx)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// First use: runs unprepared, prepares in the background.
	run(func(q postgres.Queryer, tx *sqlx.Tx) {
		var n int
		if err := sqlx.GetContext(ctx, q, &n, qa, 41); err != nil || n != 42 {
			t.Fatalf("first call: %d, %v", n, err)
		}
	})
	st.Wait()
	if st.Len() != 1 {
		t.Fatalf("%d statements prepared, want 1", st.Len())
	}
	// Then every way of calling it runs the prepared statement, on the
	// transaction's own connection.
	run(func(q postgres.Queryer, tx *sqlx.Tx) {
		var n int
		if err := sqlx.GetContext(ctx, q, &n, qa, 1); err != nil || n != 2 {
			t.Fatalf("QueryRowx: %d, %v", n, err)
		}
		var ns []int
		if err := sqlx.SelectContext(ctx, q, &ns, qa, 2); err != nil || len(ns) != 1 || ns[0] != 3 {
			t.Fatalf("Queryx: %v, %v", ns, err)
		}
		rows, err := q.QueryContext(ctx, qa, 3)
		if err != nil {
			t.Fatal(err)
		}
		rows.Next()
		if err := rows.Scan(&n); err != nil || n != 4 {
			t.Fatalf("Query: %d, %v", n, err)
		}
		rows.Close()
		if got := preparedHere(t, ctx, tx, qa); got != 1 {
			t.Fatalf("%d statements %q prepared on the transaction's connection, want 1", got, qa)
		}
	})
	// Exec, and the size bound: qe and qb fill the cache, qc stays unprepared.
	run(func(q postgres.Queryer, tx *sqlx.Tx) {
		if _, err := q.ExecContext(ctx, qe); err != nil {
			t.Fatal(err)
		}
	})
	st.Wait()
	run(func(q postgres.Queryer, tx *sqlx.Tx) {
		for _, qq := range []string{qb, qc} {
			var s string
			if err := sqlx.GetContext(ctx, q, &s, qq, "x"); err != nil {
				t.Fatal(err)
			}
		}
	})
	st.Wait()
	if st.Len() != 2 {
		t.Fatalf("%d statements prepared, want the cache's size 2", st.Len())
	}
	run(func(q postgres.Queryer, tx *sqlx.Tx) {
		var s string
		if err := sqlx.GetContext(ctx, q, &s, qc, "x"); err != nil || s != "xc" {
			t.Fatalf("unprepared query beyond the bound: %q, %v", s, err)
		}
		if got := preparedHere(t, ctx, tx, qc); got != 0 {
			t.Fatalf("%q prepared beyond the cache's bound", qc)
		}
	})
}

// TestStatementsFullPool: a transaction holding the pool's only connection
// meets a new query. Preparing it must not wait for a second connection.
func TestStatementsFullPool(t *testing.T) {
	db := pgtest.New(t)
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := postgres.NewStatements(db, 8)
	err := postgres.Transact(ctx, db, sql.LevelReadCommitted, func(tx *sqlx.Tx) error {
		var n int
		return sqlx.GetContext(ctx, st.Tx(tx), &n, `SELECT 7`)
	})
	if err != nil {
		t.Fatalf("query with the pool full: %v", err)
	}
	st.Wait()
	if st.Len() != 1 {
		t.Fatalf("%d statements prepared after the pool freed, want 1", st.Len())
	}
}
