// Package activities implements the activities that workflows name in their contract: thin, idempotent calls
// to one channel method or one ledger method. Activities holds the dependencies; the worker registers one
// instance, so each exported method becomes an activity of the same name.
package activities

import (
	"github.com/jackc/pgx/v5/pgxpool"
)

// Activities holds what the activities need. Every exported method is registered as an activity.
type Activities struct {
	DB *pgxpool.Pool
}
