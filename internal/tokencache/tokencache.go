// Package tokencache remembers the principals of verified bearer tokens, so
// that a token presented on every request is checked in full once. Each
// entry belongs to one version of whatever the verification depended on (a
// store's keys version, an issuer's key set) and lasts until the
// principal's expiry; the caller passes the current version on every
// lookup, so a change of version makes every older entry a miss.
package tokencache

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/skillgate/skillgate/auth"
)

// DefaultSize bounds a Cache; when full it is emptied, which costs one full
// verification per token in use.
const DefaultSize = 10_000

// Cache is safe for concurrent use. Create it with New.
type Cache struct {
	mu      sync.RWMutex
	max     int
	entries map[[32]byte]entry
}

type entry struct {
	version   uint64
	principal auth.Principal
}

// New returns an empty Cache holding up to size tokens (DefaultSize when
// size < 1).
func New(size int) *Cache {
	if size < 1 {
		size = DefaultSize
	}
	return &Cache{max: size, entries: make(map[[32]byte]entry)}
}

// Key is what a token is cached under: its SHA-256, so that the cache
// holds no token.
func Key(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// Get returns the principal cached under k at version, if it has not
// expired at now.
func (c *Cache) Get(k [32]byte, version uint64, now time.Time) (auth.Principal, bool) {
	c.mu.RLock()
	e, ok := c.entries[k]
	c.mu.RUnlock()
	if !ok || e.version != version || !now.Before(e.principal.ExpiresAt) {
		return auth.Principal{}, false
	}
	return e.principal, true
}

// Put caches p under k as verified at version. A principal without an
// expiry is not cached: it could outlive what it was verified against.
func (c *Cache) Put(k [32]byte, version uint64, p auth.Principal) {
	if p.ExpiresAt.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok && old.version > version {
		return // a concurrent verification saw a newer version
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = entry{version: version, principal: p}
}
