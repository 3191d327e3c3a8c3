package dealers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/sizerun/sizerun/apperr"
	"github.com/sizerun/sizerun/auth"
)

// IdemClaim is a claim on an Idempotency-Key (api.md), scoped to the caller.
type IdemClaim struct {
	UserID   int
	Key      string
	DealerID int
	Hash     string // sha256 of what the request asks for
}

// IdemStored is the first answer given under a key.
type IdemStored struct {
	Hash string
	Body []byte
}

// statusCreated is the status stored with a key: these requests create.
const statusCreated = 201

// checkIdemKey refuses keys api.md does not allow ("" means none).
func checkIdemKey(key string) error {
	if key == "" {
		return nil
	}
	if len(key) > 255 {
		return apperr.Field("Idempotency-Key", "Idempotency-Key may have at most 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] == 0x7f {
			return apperr.Field("Idempotency-Key", "Idempotency-Key may not contain control characters")
		}
	}
	if textProblem(key, false) != "" {
		return apperr.Field("Idempotency-Key", "Idempotency-Key must be UTF-8 text")
	}
	return nil
}

// requestHash identifies a request for its key: what is done (e.g.
// "payment INV-000001") and the normalised request.
func requestHash(what string, req any) string {
	b, _ := json.Marshal(struct {
		What string `json:"what"`
		Req  any    `json:"req"`
	}{what, req})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// once runs create in tx under the caller's Idempotency-Key (none when key
// is ""): a repeat of the same request returns the first result with
// replayed true and creates nothing; the same key with another request is
// idempotency_key_reused. The key is claimed first in the transaction, so
// concurrent repeats wait for the first and then read its answer.
func once[T any](ctx context.Context, tx Tx, p auth.Principal, key, what string, req any, create func() (T, error)) (out T, replayed bool, err error) {
	if key == "" {
		out, err = create()
		return out, false, err
	}
	hash := requestHash(what, req)
	stored, err := tx.ClaimIdempotencyKey(ctx, IdemClaim{UserID: p.UserID, Key: key, DealerID: p.DealerID, Hash: hash})
	if err != nil {
		return out, false, err
	}
	if stored != nil {
		if stored.Hash != hash {
			return out, false, apperr.New(apperr.IdempotencyReused, "Idempotency-Key %q was already used for a different request", key)
		}
		if err := json.Unmarshal(stored.Body, &out); err != nil {
			return out, false, fmt.Errorf("stored response: %w", err)
		}
		return out, true, nil
	}
	if out, err = create(); err != nil {
		return out, false, err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return out, false, fmt.Errorf("idempotent response: %w", err)
	}
	return out, false, tx.SaveIdempotencyResponse(ctx, p.UserID, key, statusCreated, body)
}
