// Package versioncache holds a database's keys version in memory for the
// backends of package store, so that a cache of verified keys can check it
// on every request for the price of two atomic loads. A version is served
// while it is younger than a maximum age, which bounds how late a change
// committed by another process is seen, and never when it was read before
// this process's own last change, so that a change is seen here as soon as
// the call that made it has returned.
package versioncache

import (
	"sync/atomic"
	"time"
)

// Cache is safe for concurrent use. Create it with New.
type Cache struct {
	maxAge time.Duration
	// epoch is the origin of the monotonic instants kept in changed.
	epoch time.Time
	// seen is the newest version read and when its read began: it holds
	// every commit made before that instant.
	seen atomic.Pointer[seen]
	// changed is when this process last committed a change, in
	// nanoseconds since epoch. It only grows.
	changed atomic.Int64
}

type seen struct {
	version uint64
	at      time.Time
}

// New returns an empty Cache that serves versions for up to maxAge.
func New(maxAge time.Duration) *Cache {
	return &Cache{maxAge: maxAge, epoch: time.Now()}
}

// Get returns the cached version if it is younger than the max age and was
// read after this process's last change.
func (c *Cache) Get() (uint64, bool) {
	s := c.seen.Load()
	if s == nil || time.Since(s.at) >= c.maxAge || int64(s.at.Sub(c.epoch)) <= c.changed.Load() {
		return 0, false
	}
	return s.version, true
}

// Remember keeps version, read by a read that began at began (take it with
// time.Now before sending the query), unless a newer read is kept. Versions
// only grow, so the larger one, or for equal versions the later read, wins.
func (c *Cache) Remember(version uint64, began time.Time) {
	next := &seen{version: version, at: began}
	for {
		old := c.seen.Load()
		if old != nil && (old.version > version || (old.version == version && !began.After(old.at))) {
			return
		}
		if c.seen.CompareAndSwap(old, next) {
			return
		}
	}
}

// Invalidate records that this process committed a change of the version
// (or may have: a commit whose outcome is unknown counts). Versions read
// before now are no longer served.
func (c *Cache) Invalidate() {
	now := int64(time.Since(c.epoch))
	for {
		old := c.changed.Load()
		if old >= now || c.changed.CompareAndSwap(old, now) {
			return
		}
	}
}
