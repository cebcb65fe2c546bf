package store

import (
	"context"
	"errors"
)

// Sentinel errors returned, possibly wrapped, by every backend. Match them
// with errors.Is.
var (
	// ErrNotFound means the requested record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists means a record with the same unique identity (an id, or a
	// key hash) is already stored.
	ErrExists = errors.New("already exists")
	// ErrInvalid means a record was rejected before reaching storage
	// because a required field is missing or malformed.
	ErrInvalid = errors.New("invalid")
	// ErrSchemaTooNew means a backend's Open found a database migrated by
	// a newer skillgate than this binary. The backend refuses it rather
	// than risk misreading or corrupting data it does not understand.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
	// ErrUnavailable means the database could not be reached or dropped
	// the connection: the caller answers "try again" rather than
	// "failed". Every write is one transaction, so it happened entirely
	// or not at all; only a connection lost during the commit itself
	// leaves which one unknown.
	ErrUnavailable = errors.New("database unavailable")
)

// Store is everything a backend provides: one interface per aggregate plus
// lifecycle methods. Later aggregates (OAuth) are embedded here as they are
// added, so a consumer keeps asking for the narrow interface it needs
// (Keys) rather than for Store.
//
// Implementations MUST be safe for concurrent use by multiple goroutines.
type Store interface {
	Keys
	Audit
	OAuth
	WebSessions

	// Ping reports whether the backend is reachable and usable.
	Ping(ctx context.Context) error
	// Close releases the backend's resources. The Store must not be used
	// afterwards.
	Close() error
}
