package store

import (
	"context"
	"fmt"
	"time"
)

// APIKey is a managed API key. The plain key is never stored: only its
// SHA-256, so a leaked database does not leak usable credentials.
//
// Backends keep times in UTC with microsecond precision (the resolution of
// PostgreSQL's timestamptz); finer precision is truncated. A zero time is
// stored and returned as the zero time. Empty lists are returned as nil.
type APIKey struct {
	// ID is the stable public id, "key_" followed by 20 or more random
	// base32 or hex characters. Callers generate it. Required.
	ID string
	// Hash is the SHA-256 of the plain key. Required (non-zero) and unique.
	Hash [32]byte
	// Prefix is the first 12 characters of the plain key ("sk_live_abcd"),
	// kept so that people can recognise a key in listings.
	Prefix string
	// Name is a human label.
	Name string
	// User is the subject the key acts as, the owner of its personal skill
	// drive.
	User string
	// Teams, Roles and Scopes are the groups, roles and scopes the key
	// carries.
	Teams  []string
	Roles  []string
	Scopes []string
	// CreatedAt is when the key was created. Required (non-zero).
	CreatedAt time.Time
	// ExpiresAt is when the key stops working; zero means never.
	ExpiresAt time.Time
	// Disabled keys are kept but refused until enabled again.
	Disabled bool
	// RevokedAt is when the key was revoked; zero means not revoked.
	// Revocation is permanent.
	RevokedAt time.Time
}

// Validate reports, wrapping ErrInvalid, whether k misses a field that every
// stored key must have. Backends call it before writing.
func (k APIKey) Validate() error {
	switch {
	case k.ID == "":
		return fmt.Errorf("api key: empty id: %w", ErrInvalid)
	case k.Hash == [32]byte{}:
		return fmt.Errorf("api key %s: zero hash: %w", k.ID, ErrInvalid)
	case k.CreatedAt.IsZero():
		return fmt.Errorf("api key %s: zero created time: %w", k.ID, ErrInvalid)
	}
	return nil
}

// Keys stores managed API keys. Implementations MUST be safe for concurrent
// use, including by several processes sharing one database.
type Keys interface {
	// CreateKey stores k. It returns ErrExists if a key with the same ID or
	// the same Hash is already stored, and ErrInvalid if k.Validate fails.
	CreateKey(ctx context.Context, k APIKey) error
	// KeyByHash returns the key whose Hash is hash, or ErrNotFound.
	KeyByHash(ctx context.Context, hash [32]byte) (APIKey, error)
	// KeyByID returns the key with the given ID, or ErrNotFound.
	KeyByID(ctx context.Context, id string) (APIKey, error)
	// ListKeys returns every stored key ordered by CreatedAt, then ID.
	ListKeys(ctx context.Context) ([]APIKey, error)
	// CreateBootstrapKey stores k as the first admin key if, and only if,
	// no bootstrap key was ever created in this store. The fact is kept as
	// a marker separate from the key, so deleting or revoking keys later
	// never re-opens the bootstrap. It MUST be atomic: of any number of
	// callers racing, across processes too, at most one gets created=true.
	// It returns created=false and a nil error when a bootstrap already
	// happened, and the errors of CreateKey (with nothing stored) when k
	// cannot be stored.
	CreateBootstrapKey(ctx context.Context, k APIKey) (created bool, err error)
}
