package store

import (
	"context"
	"fmt"
	"time"
)

// WebSession is a signed-in browser session of the dashboard. The
// browser's cookie holds a random token; only its SHA-256 is stored, so a
// copy of the database cannot sign anyone in.
type WebSession struct {
	// Hash is the SHA-256 of the cookie token (32 bytes). Required,
	// unique.
	Hash []byte
	// Identity is who signed in, stored as grants store theirs (see
	// EncodeIdentity). Its Source is required; its CredentialID, when
	// set, is what DeleteWebSessionsOf matches.
	Identity OAuthIdentity
	// CreatedAt and ExpiresAt bound its life; ExpiresAt must be after
	// CreatedAt.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// WebSessions stores the dashboard's browser sessions. A session is never
// changed once stored: signing in again makes a new one.
//
// Implementations MUST be safe for concurrent use.
type WebSessions interface {
	// CreateWebSession stores a new session. A hash already stored is
	// ErrExists; a session failing Validate is ErrInvalid, and nothing
	// is written.
	CreateWebSession(ctx context.Context, s WebSession) error
	// WebSession returns the session with this hash; ErrNotFound if there
	// is none or it expired at or before now.
	WebSession(ctx context.Context, hash []byte, now time.Time) (WebSession, error)
	// DeleteWebSession ends a session (sign-out), expired or not;
	// ErrNotFound if there is none.
	DeleteWebSession(ctx context.Context, hash []byte) error
	// DeleteWebSessionsOf ends every session signed in with the
	// credential (Identity.CredentialID), e.g. when that key is revoked,
	// and returns how many. An empty credentialID is ErrInvalid: it
	// names no credential, and must not match the sessions of
	// identity-provider users, which have none.
	DeleteWebSessionsOf(ctx context.Context, credentialID string) (int, error)
	// PruneWebSessions deletes sessions expired at or before now and
	// returns how many.
	PruneWebSessions(ctx context.Context, now time.Time) (int, error)
}

// Validate reports what makes s impossible to store. Every backend calls
// it before writing, so that they cannot drift apart on what they accept.
// Its messages never include the hash.
func (s WebSession) Validate() error {
	if err := CheckHash("web session: hash", s.Hash, true); err != nil {
		return err
	}
	switch {
	case s.Identity.Source == "":
		return fmt.Errorf("web session: identity without a source: %w", ErrInvalid)
	case s.CreatedAt.IsZero():
		return fmt.Errorf("web session: zero created time: %w", ErrInvalid)
	case !s.ExpiresAt.After(s.CreatedAt):
		return fmt.Errorf("web session: expires at %v, not after its creation at %v: %w",
			s.ExpiresAt, s.CreatedAt, ErrInvalid)
	}
	return nil
}
