package ledger

import (
	"bytes"
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// StoredResponse is an answer kept under an idempotency key.
type StoredResponse struct {
	RequestHash []byte
	Status      int
	Body        []byte
}

// ErrKeyReused: the idempotency key was used before with a different request.
var ErrKeyReused = errors.New("idempotency key reused with a different request")

// LookupIdempotent returns the answer stored under (principal, key): found is false when there is none, and
// ErrKeyReused when the stored request differs from requestHash.
func (l *Ledger) LookupIdempotent(ctx context.Context, principal, key string, requestHash []byte) (StoredResponse, bool, error) {
	var r StoredResponse
	err := l.db.QueryRow(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE principal = $1 AND key = $2`,
		principal, key).Scan(&r.RequestHash, &r.Status, &r.Body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return r, false, nil
	case err != nil:
		return r, false, err
	case !bytes.Equal(r.RequestHash, requestHash):
		return r, true, ErrKeyReused
	}
	return r, true, nil
}

// StoreIdempotent keeps the first answer under (principal, key); a concurrent first answer wins.
func (l *Ledger) StoreIdempotent(ctx context.Context, principal, key string, r StoredResponse) error {
	if err := first(required("principal", principal), required("key", key)); err != nil {
		return err
	}
	_, err := l.db.Exec(ctx, `INSERT INTO idempotency_keys (principal, key, request_hash, status, body) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, principal, key, r.RequestHash, r.Status, r.Body)
	return err
}
