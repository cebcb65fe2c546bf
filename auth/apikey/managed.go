package apikey

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// KeyStore is what Managed needs from storage.
type KeyStore interface {
	KeyByHash(ctx context.Context, hash [32]byte) (store.APIKey, error)
	KeyByID(ctx context.Context, id string) (store.APIKey, error)
}

// Managed verifies keys stored in the database.
type Managed struct {
	Store KeyStore
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

var _ auth.Verifier = (*Managed)(nil)

// Verify looks the token up by its hash and checks the key's state. Tokens
// without Prefix are never managed keys and are not looked up.
func (m *Managed) Verify(ctx context.Context, token string) (auth.Principal, error) {
	if !strings.HasPrefix(token, Prefix) {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	k, err := m.Store.KeyByHash(ctx, Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("look up API key: %w", err)
	}
	if err := m.check(k); err != nil {
		return auth.Principal{}, err
	}
	return principal(k), nil
}

// Recheck reloads the key behind p and checks its state again.
func (m *Managed) Recheck(ctx context.Context, p auth.Principal) error {
	if p.Source != auth.SourceManagedKey {
		return auth.ErrUnknownCredential
	}
	k, err := m.Store.KeyByID(ctx, p.CredentialID)
	if errors.Is(err, store.ErrNotFound) {
		return auth.ErrRevoked
	}
	if err != nil {
		return fmt.Errorf("look up API key %s: %w", p.CredentialID, err)
	}
	return m.check(k)
}

func (m *Managed) check(k store.APIKey) error {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	switch {
	case !k.RevokedAt.IsZero():
		return auth.ErrRevoked
	case k.Disabled:
		return auth.ErrDisabled
	case !k.ExpiresAt.IsZero() && !now().Before(k.ExpiresAt):
		return auth.ErrExpired
	}
	return nil
}

func principal(k store.APIKey) auth.Principal {
	user := k.User
	if user == "" {
		user = k.Name
	}
	return auth.Principal{
		Subject:      k.Name,
		CredentialID: k.ID,
		User:         user,
		Teams:        k.Teams,
		Roles:        k.Roles,
		Scopes:       k.Scopes,
		Source:       auth.SourceManagedKey,
		ExpiresAt:    k.ExpiresAt,
	}
}
