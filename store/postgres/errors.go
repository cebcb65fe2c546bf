package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/skillgate/skillgate/store"
)

// PostgreSQL error codes the backend tells apart.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// translate maps driver errors to the store's sentinels, keeping the
// driver's message (which names the constraint, never a value) for
// debugging. Other errors are returned unchanged.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case uniqueViolation:
			return fmt.Errorf("%w: %s (%s)", store.ErrExists, pe.Message, pe.ConstraintName)
		case foreignKeyViolation:
			return fmt.Errorf("%w: %s (%s)", store.ErrNotFound, pe.Message, pe.ConstraintName)
		}
	}
	return err
}
