package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/splitpay/splitpay/starter"
)

// keyRequest is POST /v1/keys: a key for one caller, with the scopes it needs and no more.
type keyRequest struct {
	ID            string   `json:"id,omitempty"   maxlen:"40"`
	Scopes        []string `json:"scopes"`
	RatePerSecond float64  `json:"rate_per_second,omitempty"`
	Burst         int      `json:"burst,omitempty"`
	Note          string   `json:"note,omitempty" maxlen:"200" text:"free"`
}

// KeyView is a key as the API shows it; Secret only in the answer that made it.
type KeyView struct {
	ID            string     `json:"id"`
	Secret        string     `json:"secret,omitempty"`
	Scopes        []string   `json:"scopes"`
	RatePerSecond float64    `json:"rate_per_second"`
	Burst         int        `json:"burst"`
	Note          string     `json:"note,omitempty"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	Bootstrap     bool       `json:"bootstrap,omitempty"` // SPLITPAY_API_KEYS: every scope; removed from it to revoke
}

var keyID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// check validates the request field by field and fills the defaults: 50 requests a second, a burst of twice that.
func (k *keyRequest) check() error {
	switch {
	case k.ID != "" && !keyID.MatchString(k.ID):
		return &starter.InputError{Field: "id", Reason: "lower-case letters, digits and dashes, at most 40"}
	case len(k.Scopes) == 0:
		return &starter.InputError{Field: "scopes", Reason: fmt.Sprintf("name at least one of %v", Scopes)}
	case k.RatePerSecond < 0 || k.RatePerSecond > 10000 || math.IsNaN(k.RatePerSecond):
		return &starter.InputError{Field: "rate_per_second", Reason: "more than 0, at most 10000"}
	case k.Burst < 0 || k.Burst > 100000:
		return &starter.InputError{Field: "burst", Reason: "more than 0, at most 100000"}
	}
	for _, sc := range k.Scopes {
		if !slices.Contains(Scopes, sc) {
			return &starter.InputError{Field: "scopes", Reason: fmt.Sprintf("%q is not one of %v", sc, Scopes)}
		}
	}
	if k.ID == "" {
		k.ID = "k-" + randomHex(6)
	}
	if k.RatePerSecond == 0 {
		k.RatePerSecond = 50
	}
	if k.Burst == 0 {
		k.Burst = int(math.Ceil(2 * k.RatePerSecond))
	}
	return nil
}

// createKey answers POST /v1/keys: the new key's secret is in this answer only.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	var req keyRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := req.check(); err != nil {
		s.fail(w, r, err)
		return
	}
	slices.Sort(req.Scopes)
	req.Scopes = slices.Compact(req.Scopes)
	secret := "sk_" + req.ID + "_" + randomHex(24)
	digest := sha256.Sum256([]byte(secret))
	v := KeyView{ID: req.ID, Secret: secret, Scopes: req.Scopes, RatePerSecond: req.RatePerSecond, Burst: req.Burst,
		Note: req.Note, CreatedBy: callerOf(r).ID}
	err := s.DB.QueryRow(r.Context(), `INSERT INTO api_keys (id, digest, scopes, rate_per_second, burst, note, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING created_at`,
		v.ID, digest[:], v.Scopes, v.RatePerSecond, v.Burst, v.Note, v.CreatedBy).Scan(&v.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		err = &starter.ConflictError{Reason: "a key " + v.ID + " exists (revoked keys keep their ids)"}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

// listKeys answers GET /v1/keys: every key, revoked ones too, without secrets.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	rows, err := s.DB.Query(r.Context(), `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (KeyView, error) { return scanKey(row) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range s.keys.bootstrap {
		keys = append(keys, KeyView{ID: c.ID, Scopes: c.Scopes, RatePerSecond: c.Rate.PerSecond, Burst: c.Rate.Burst,
			Bootstrap: true, CreatedBy: "SPLITPAY_API_KEYS"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// revokeKey answers DELETE /v1/keys/{id}: the key is refused from the next request on (repeat-safe).
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, c := range s.keys.bootstrap {
		if c.ID == id {
			s.fail(w, r, &starter.ConflictError{Reason: "a bootstrap key is revoked by removing it from SPLITPAY_API_KEYS"})
			return
		}
	}
	v, err := scanKey(s.DB.QueryRow(r.Context(), `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
		WHERE id = $1 RETURNING `+keyColumns, id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = fmt.Errorf("key %s: %w", id, starter.ErrNotFound)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// keyColumns are what scanKey reads of an api_keys row.
const keyColumns = `id, scopes, rate_per_second::float8, burst, note, created_by, created_at, revoked_at`

func scanKey(row pgx.Row) (KeyView, error) {
	var v KeyView
	err := row.Scan(&v.ID, &v.Scopes, &v.RatePerSecond, &v.Burst, &v.Note, &v.CreatedBy, &v.CreatedAt, &v.RevokedAt)
	return v, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
