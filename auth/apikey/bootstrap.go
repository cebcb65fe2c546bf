package apikey

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

// BootstrapStore is what Bootstrap needs from storage.
type BootstrapStore interface {
	CreateBootstrapKey(ctx context.Context, k store.APIKey) (created bool, err error)
}

// Bootstrap creates the first admin key of a fresh installation. It returns
// the plain key (to be shown once, and never again) and created=true only
// the first time it is called on a store; later calls return created=false
// and no key.
func Bootstrap(ctx context.Context, s BootstrapStore, now time.Time) (plain string, k store.APIKey, created bool, err error) {
	plain = Generate()
	k = store.APIKey{
		ID:        NewID(),
		Hash:      Hash(plain),
		Prefix:    DisplayPrefix(plain),
		Name:      "bootstrap-admin",
		User:      "admin",
		Roles:     []string{"admin"},
		CreatedAt: now.UTC(),
	}
	created, err = s.CreateBootstrapKey(ctx, k)
	if err != nil {
		return "", store.APIKey{}, false, fmt.Errorf("create bootstrap admin key: %w", err)
	}
	if !created {
		return "", store.APIKey{}, false, nil
	}
	return plain, k, true, nil
}
