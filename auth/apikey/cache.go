package apikey

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// touchInterval is how often a key's last use is written at most.
const touchInterval = time.Minute

// entry is a verified key: its secret, the key and its ancestors, and the
// principal they make. Entries are immutable once cached, but for
// lastTouch.
type entry struct {
	secret    store.Secret
	lineage   []store.APIKey
	principal auth.Principal
	// lastTouch is the unix nanos of the last recorded use.
	lastTouch atomic.Int64
}

func (e *entry) shouldTouch(now time.Time) bool {
	last := e.lastTouch.Load()
	if last == 0 {
		last = e.lineage[0].LastUsedAt.UnixNano()
	}
	if now.UnixNano()-last < int64(touchInterval) {
		return false
	}
	// One caller wins the right to write; the others skip.
	return e.lastTouch.CompareAndSwap(e.lastTouch.Load(), now.UnixNano())
}

// cache holds verified keys by secret hash, each valid for exactly one
// KeysVersion. It is bounded: when full it is emptied, which costs one
// database read per key in use and cannot serve anything stale.
type cache struct {
	mu      sync.RWMutex
	max     int
	entries map[[32]byte]cached
}

type cached struct {
	version uint64
	entry   *entry
}

func newCache(max int) *cache {
	return &cache{max: max, entries: make(map[[32]byte]cached)}
}

// get returns the entry for hash if it was filled at version. A nil cache
// has nothing.
func (c *cache) get(hash [32]byte, version uint64) (*entry, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[hash]
	c.mu.RUnlock()
	if !ok || e.version != version {
		return nil, false
	}
	return e.entry, true
}

// put stores e for hash, as read at version.
func (c *cache) put(hash [32]byte, version uint64, e *entry) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[hash]; ok && old.version > version {
		// A concurrent fill read a newer version; keep it.
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[hash] = cached{version: version, entry: e}
}
