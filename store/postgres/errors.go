package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/skillgate/skillgate/store"
)

// PostgreSQL error codes the backend tells apart.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// unavailableCodes are the PostgreSQL errors that mean the server cannot
// serve right now, rather than that the request was wrong: its class 08
// (connection exception) is matched by prefix.
var unavailableCodes = map[string]bool{
	"57P01": true, // admin_shutdown
	"57P02": true, // crash_shutdown
	"57P03": true, // cannot_connect_now
	"57P04": true, // database_dropped
	"57014": true, // query_canceled: a statement timeout
	"53000": true, // insufficient_resources
	"53100": true, // disk_full
	"53200": true, // out_of_memory
	"53300": true, // too_many_connections
	"40001": true, // serialization_failure
	"40P01": true, // deadlock_detected
	"25006": true, // read_only_sql_transaction: a standby, mid-failover
}

// translate maps driver errors to the store's sentinels, keeping the
// driver's message (which names the constraint, never a value) for
// debugging. Other errors are returned unchanged.
func translate(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if unavailable(err) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
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

// unavailable reports whether err means the database could not serve the
// request now, though it may in a moment: a failed connect, a network error
// or timeout, a connection pgx already knows is closed, or a server that is
// shutting down, full, timed the statement out or asks for a retry.
func unavailable(err error) bool {
	if errors.Is(err, store.ErrUnavailable) {
		return false // already translated
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case strings.Contains(err.Error(), "conn busy"):
		// pgx's "conn busy" is safe to retry but means one connection
		// was used by two goroutines: a bug to report, not an outage.
		return false
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pe):
		return strings.HasPrefix(pe.Code, "08") || unavailableCodes[pe.Code]
	}
	return false
}
