package seed

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// batch collects rows for one table.
type batch struct {
	table string
	cols  []string
	rows  [][]any
}

func newBatch(table string, cols ...string) *batch { return &batch{table: table, cols: cols} }

func (b *batch) add(vals ...any) {
	if len(vals) != len(b.cols) {
		panic(fmt.Sprintf("seed: %s: %d values for %d columns", b.table, len(vals), len(b.cols)))
	}
	b.rows = append(b.rows, vals)
}

// insert writes the rows with multi-row INSERTs, each under PostgreSQL's
// limit of 65535 parameters, with an optional suffix such as
// "ON CONFLICT DO NOTHING". It returns the number of rows inserted.
func (b *batch) insert(ctx context.Context, tx *sqlx.Tx, suffix string) (int, error) {
	per := min(1000, 65535/len(b.cols))
	head := "INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES "
	n := 0
	for start := 0; start < len(b.rows); start += per {
		chunk := b.rows[start:min(start+per, len(b.rows))]
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, len(chunk)*len(b.cols))
		for i, row := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := range row {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteByte('$')
				q.WriteString(strconv.Itoa(len(args) + j + 1))
			}
			q.WriteByte(')')
			args = append(args, row...)
		}
		if suffix != "" {
			q.WriteString(" " + suffix)
		}
		res, err := tx.ExecContext(ctx, q.String(), args...)
		if err != nil {
			return n, fmt.Errorf("insert %s: %w", b.table, err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}

// copy streams the rows with COPY FROM STDIN (inside the transaction).
func (b *batch) copy(ctx context.Context, tx *sqlx.Tx) (int, error) {
	if len(b.rows) == 0 {
		return 0, nil
	}
	stmt, err := tx.PrepareContext(ctx, "COPY "+b.table+" ("+strings.Join(b.cols, ", ")+") FROM STDIN")
	if err != nil {
		return 0, fmt.Errorf("copy %s: %w", b.table, err)
	}
	defer stmt.Close()
	for _, row := range b.rows {
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return 0, fmt.Errorf("copy %s: %w", b.table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, fmt.Errorf("copy %s: %w", b.table, err)
	}
	return len(b.rows), nil
}

// reserveIDs takes n values of a table's id sequence, so that rows can be
// written with COPY and still be referred to.
func reserveIDs(ctx context.Context, tx *sqlx.Tx, table string, n int) ([]int64, error) {
	return nextvals(ctx, tx, "pg_get_serial_sequence('"+table+"', 'id')", n)
}

// nextvals takes n values of a sequence (an SQL expression naming it), in order.
func nextvals(ctx context.Context, tx *sqlx.Tx, seqExpr string, n int) ([]int64, error) {
	var ids []int64
	if n == 0 {
		return ids, nil
	}
	err := tx.SelectContext(ctx, &ids, `SELECT nextval(`+seqExpr+`) FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("nextval %s: %w", seqExpr, err)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	return ids, nil
}

// keyIDs runs a query returning (key text, id) rows into a map.
func keyIDs(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		m[k] = id
	}
	return m, rows.Err()
}
