package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"

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

// recorder keeps a handler's answer for the idempotency store.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) { r.status = status; r.ResponseWriter.WriteHeader(status) }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// idempotent honours the Idempotency-Key header on POSTs: the first answer below 500 is stored and replayed to
// repeats of the same request; the same key with another request is refused with 422.
func (s *Server) idempotent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost || key == "" {
			next(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h := sha256.New()
		fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
		h.Write(body)
		hash := h.Sum(nil)
		principal := callerOf(r).ID
		stored, found, err := idempotencyStore{s.DB}.lookup(r.Context(), principal, key, hash)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if found {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(stored.Status)
			_, _ = w.Write(stored.Body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		next(rec, r)
		if rec.status != 0 && rec.status < 500 {
			answer := storedResponse{RequestHash: hash, Status: rec.status, Body: rec.body.Bytes()}
			if err := (idempotencyStore{s.DB}).store(r.Context(), principal, key, answer); err != nil {
				s.Logger.Warn("idempotency key not stored", "error", err)
			}
		}
	}
}
