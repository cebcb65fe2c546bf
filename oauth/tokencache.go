package oauth

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/skillgate/skillgate/auth"
)

// Versions tells when anything a verified token depends on may have
// changed: store.Keys is one. Every revocation of a grant, and every
// revocation, rotation or update of a key, changes the version.
type Versions interface {
	KeysVersion(ctx context.Context) (uint64, error)
}

// maxCachedTokens bounds the token cache; when full it is emptied, which
// costs one full verification per token in use.
const maxCachedTokens = 10_000

// tokenCache holds the principals of verified access tokens by the token's
// SHA-256, each valid for exactly one keys version and until the
// principal's expiry: a revoked grant or a changed key changes the version,
// so a cached principal never outlives what it was verified against.
type tokenCache struct {
	mu      sync.RWMutex
	entries map[[32]byte]cachedToken
}

type cachedToken struct {
	version   uint64
	principal auth.Principal
}

func newTokenCache() *tokenCache {
	return &tokenCache{entries: make(map[[32]byte]cachedToken)}
}

// get returns the principal cached for token at version, if it has not
// expired at now.
func (c *tokenCache) get(h [32]byte, version uint64, now time.Time) (auth.Principal, bool) {
	c.mu.RLock()
	e, ok := c.entries[h]
	c.mu.RUnlock()
	if !ok || e.version != version || !now.Before(e.principal.ExpiresAt) {
		return auth.Principal{}, false
	}
	return e.principal, true
}

// put caches p for token as verified at version. A principal without an
// expiry is not cached: every access token has one.
func (c *tokenCache) put(h [32]byte, version uint64, p auth.Principal) {
	if p.ExpiresAt.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[h]; ok && old.version > version {
		return // a concurrent verification read a newer version
	}
	if len(c.entries) >= maxCachedTokens {
		clear(c.entries)
	}
	c.entries[h] = cachedToken{version: version, principal: p}
}

func tokenHash(token string) [32]byte { return sha256.Sum256([]byte(token)) }
