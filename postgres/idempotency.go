package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// StoredKey is an Idempotency-Key already used: the hash of the request it
// came with and the response recorded for it.
type StoredKey struct {
	Hash   string `db:"request_hash"`
	Status int    `db:"status_code"`
	Body   []byte `db:"response_body"`
}

// ClaimKey claims an Idempotency-Key of a user inside the caller's
// transaction, before the work it guards: it returns nil when the key is
// new (and now held by this transaction until it ends), or the stored key
// when the user already used it. A concurrent request with the same key
// waits on the primary key until the first commits (then gets its stored
// response here) or rolls back (then claims the key itself). dealerID 0
// records no dealer.
func ClaimKey(ctx context.Context, q Queryer, userID int, key string, dealerID int, hash string) (*StoredKey, error) {
	const ins = `
INSERT INTO idempotency_keys (user_id, key, dealer_id, request_hash, status_code, response_body)
VALUES ($1, $2, NULLIF($3, 0), $4, 0, '{}')
ON CONFLICT (user_id, key) DO NOTHING`
	res, err := q.ExecContext(ctx, ins, userID, key, dealerID, hash)
	if err != nil {
		return nil, Error(err, "idempotency key")
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 1 {
		return nil, nil
	}
	const sel = `SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`
	var s StoredKey
	if err := sqlx.GetContext(ctx, q, &s, sel, userID, key); err != nil {
		return nil, Error(err, "idempotency key")
	}
	return &s, nil
}

// SaveResponse records the response (a JSON body) of a key claimed in the
// same transaction.
func SaveResponse(ctx context.Context, q Queryer, userID int, key string, status int, body []byte) error {
	const upd = `UPDATE idempotency_keys SET status_code = $3, response_body = $4::jsonb WHERE user_id = $1 AND key = $2`
	_, err := q.ExecContext(ctx, upd, userID, key, status, string(body))
	return Error(err, "idempotency key")
}
