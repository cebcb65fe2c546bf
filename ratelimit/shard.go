package ratelimit

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// shard is one lock and the TATs (unix nanoseconds) of the keys that hash
// to it. It never holds more than capacity keys.
type shard struct {
	mu       sync.Mutex
	tats     map[string]int64
	capacity int
	// sweepAt is the size at which the next new key first sweeps expired
	// entries. It doubles with the live entries, so sweeping costs O(1)
	// per insertion amortised, and never exceeds capacity.
	sweepAt int
	// Shards sit next to each other in a slice; the padding keeps two
	// shards' locks off one cache line, so cores working on different
	// shards do not slow each other down.
	_ [64]byte
}

func (s *shard) init(capacity int) {
	s.tats = make(map[string]int64)
	s.capacity = capacity
	s.sweepAt = min(capacity, minSweep)
}

// take applies one request at now to key; see conform. It returns the
// key's TAT afterwards.
func (s *shard) take(key string, now, interval, window int64) (tat int64, allowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, found := s.tats[key]
	tat, allowed = conform(old, now, interval, window)
	if !allowed {
		return tat, false
	}
	if !found {
		s.makeRoom(now)
		// The caller's key may be a slice of a larger buffer (a
		// header, a request body); do not keep that alive.
		key = strings.Clone(key)
	}
	s.tats[key] = tat
	return tat, true
}

// makeRoom is called with s.mu held before a new key is inserted. It leaves
// fewer than capacity entries: first by forgetting the entries whose TAT is
// not in the future (equivalent to absent), then, if the shard is still
// full, by evicting the entries with the oldest TATs.
func (s *shard) makeRoom(now int64) {
	if len(s.tats) < s.sweepAt {
		return
	}
	for k, tat := range s.tats {
		if tat <= now {
			delete(s.tats, k)
		}
	}
	if len(s.tats) >= s.capacity {
		s.evictOldest(max(1, s.capacity/evictDivisor))
	}
	s.sweepAt = min(s.capacity, max(2*len(s.tats), minSweep))
}

// evictOldest forgets the n entries with the oldest TATs: their buckets
// are the most refilled, so forgetting them forgives the least.
func (s *shard) evictOldest(n int) {
	type entry struct {
		key string
		tat int64
	}
	entries := make([]entry, 0, len(s.tats))
	for k, tat := range s.tats {
		entries = append(entries, entry{k, tat})
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.tat, b.tat) })
	for _, e := range entries[:min(n, len(entries))] {
		delete(s.tats, e.key)
	}
}

func (s *shard) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tats)
}
