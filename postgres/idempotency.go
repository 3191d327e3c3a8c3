package postgres

import (
	"context"
	"database/sql"
	"errors"

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
	s, err := FindKey(ctx, q, userID, key)
	if err == nil && s == nil { // the conflicting row is committed: it cannot be missing
		err = errors.New("idempotency key: taken but not found")
	}
	return s, err
}

// SaveResponse records the response (a JSON body) of a key claimed in the
// same transaction.
func SaveResponse(ctx context.Context, q Queryer, userID int, key string, status int, body []byte) error {
	const upd = `UPDATE idempotency_keys SET status_code = $3, response_body = $4 WHERE user_id = $1 AND key = $2`
	_, err := q.ExecContext(ctx, upd, userID, key, status, string(body))
	return Error(err, "idempotency key")
}

// FindKey and RecordKey are the one-write protocol of the order submission
// path, where ClaimKey's insert-then-update wrote every response twice
// (issue 6). FindKey looks the key up before the work; RecordKey inserts it
// with the response after the work, in the same transaction. A concurrent
// request with the same key is serialised by the work itself (order
// submissions lock their dealer): when RecordKey finds the key taken, the
// other request committed first, and the caller rolls its own work back
// and answers with the stored response (FindKey in a new transaction).

// FindKey returns the stored key of a user, or nil when the key is new.
func FindKey(ctx context.Context, q Queryer, userID int, key string) (*StoredKey, error) {
	const sel = `SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`
	var s StoredKey
	err := sqlx.GetContext(ctx, q, &s, sel, userID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, Error(err, "idempotency key")
	}
	return &s, nil
}

// RecordKey records a key with its request hash and response (a JSON body);
// it reports false, recording nothing, when the key is already recorded.
// dealerID 0 records no dealer.
func RecordKey(ctx context.Context, q Queryer, userID int, key string, dealerID int, hash string, status int, body []byte) (bool, error) {
	const ins = `
INSERT INTO idempotency_keys (user_id, key, dealer_id, request_hash, status_code, response_body)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6)
ON CONFLICT (user_id, key) DO NOTHING`
	res, err := q.ExecContext(ctx, ins, userID, key, dealerID, hash, status, string(body))
	if err != nil {
		return false, Error(err, "idempotency key")
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
