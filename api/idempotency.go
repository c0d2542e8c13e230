package api

import (
	"bytes"
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// idempotencyStore keeps the first answer to each (caller, Idempotency-Key) in PostgreSQL's idempotency_keys
// table (created by the migrations), so a repeated request gets the same answer and changes nothing.
type idempotencyStore struct {
	db *pgxpool.Pool
}

// storedResponse is an answer kept under an idempotency key.
type storedResponse struct {
	RequestHash []byte
	Status      int
	Body        []byte
}

// errKeyReused: the idempotency key was used before with a different request.
var errKeyReused = errors.New("idempotency key reused with a different request")

// lookup returns the answer stored under (principal, key): found is false when there is none, and errKeyReused
// when the stored request differs from requestHash.
func (s idempotencyStore) lookup(
	ctx context.Context,
	principal, key string,
	requestHash []byte,
) (storedResponse, bool, error) {
	var r storedResponse
	err := s.db.QueryRow(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE principal = $1 AND key = $2`,
		principal, key).
		Scan(&r.RequestHash, &r.Status, &r.Body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return r, false, nil
	case err != nil:
		return r, false, err
	case !bytes.Equal(r.RequestHash, requestHash):
		return r, true, errKeyReused
	}
	return r, true, nil
}

// store keeps the first answer under (principal, key); a concurrent first answer wins.
func (s idempotencyStore) store(ctx context.Context, principal, key string, r storedResponse) error {
	_, err := s.db.Exec(ctx, `INSERT INTO idempotency_keys (principal, key, request_hash, status, body)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, principal, key, r.RequestHash, r.Status, r.Body)
	return err
}
