package apikey

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

// BootstrapStore is what Bootstrap needs from storage.
type BootstrapStore interface {
	CreateBootstrapKey(ctx context.Context, k store.APIKey, s store.Secret) (created bool, err error)
}

// Bootstrap creates the first admin key of a fresh installation: a managed
// key with the admin role, so it can be listed, rotated and revoked like
// any other. It returns the plain key (to be shown once, and never again)
// and created=true only the first time it is called on a store; later
// calls return created=false and no key.
func Bootstrap(ctx context.Context, s BootstrapStore, prefix string, now time.Time) (plain string, k store.APIKey, created bool, err error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	now = now.UTC()
	plain = Generate(prefix)
	k = store.APIKey{
		ID:          NewID(),
		Name:        "bootstrap-admin",
		Description: "First admin key, created at the first start.",
		User:        "admin",
		Roles:       []string{"admin"},
		CreatedAt:   now,
		CreatedBy:   "bootstrap",
	}
	sec := store.Secret{Hash: Hash(plain), KeyID: k.ID, Prefix: DisplayPrefix(plain, prefix), CreatedAt: now}
	created, err = s.CreateBootstrapKey(ctx, k, sec)
	if err != nil {
		return "", store.APIKey{}, false, fmt.Errorf("create bootstrap admin key: %w", err)
	}
	if !created {
		return "", store.APIKey{}, false, nil
	}
	return plain, k, true, nil
}
