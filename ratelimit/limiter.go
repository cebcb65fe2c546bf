package ratelimit

import (
	"context"
	"hash/maphash"
	"time"
)

// Decision is the outcome of one Allow call, with what the RateLimit-*
// headers need.
type Decision struct {
	// Allowed reports whether the request may proceed.
	Allowed bool
	// Limit is the limit applied, in requests per minute; 0 when the key
	// is unlimited.
	Limit int
	// Remaining is how many more requests would be allowed right now,
	// after this one.
	Remaining int
	// Reset is how long until the key's bucket is full again
	// (RateLimit-Reset).
	Reset time.Duration
	// RetryAfter is, when the request is refused, how long until the next
	// request would be allowed; 0 when it is allowed.
	RetryAfter time.Duration
}

// Limiter is an in-memory, per-key, per-minute rate limiter for one
// process. It is safe for concurrent use. Create it with New.
type Limiter struct {
	now    func() time.Time
	seed   maphash.Seed
	shards []shard
}

// New returns a Limiter with no keys.
func New(opts ...Option) *Limiter {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	n := min(maxShards, max(1, o.maxKeys/minShardKeys))
	l := &Limiter{now: o.now, seed: maphash.MakeSeed(), shards: make([]shard, n)}
	for i := range l.shards {
		// Spread the remainder so that the shards' capacities add up
		// to exactly maxKeys.
		capacity := o.maxKeys / n
		if i < o.maxKeys%n {
			capacity++
		}
		l.shards[i].init(capacity)
	}
	return l
}

// Allow spends one request of key's budget of limit requests per minute
// and reports whether it is allowed. A limit of zero or less means no
// limit: the request is allowed and Decision.Limit is 0. A change of limit
// for a key applies from this call on: the key's state is a point in time,
// from which the burst of the current limit is derived.
//
// Limits above one request per nanosecond are treated as one per
// nanosecond. The interval between requests is time.Minute/limit rounded
// down, so a limit that does not divide a minute refills a few
// nanoseconds early rather than late.
//
// The in-memory Limiter ignores ctx and never returns an error; both are
// part of the signature so that a networked backend can share it.
func (l *Limiter) Allow(_ context.Context, key string, limit int) (Decision, error) {
	if limit <= 0 {
		return Decision{Allowed: true}, nil
	}
	r := RateOf(limit)
	now := l.now().UnixNano()
	tat, allowed := l.shard(key).take(key, now, r.Interval, r.Window)
	return r.Decide(tat, now, allowed), nil
}

func (l *Limiter) shard(key string) *shard {
	return &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
}

// size returns the number of keys tracked, for tests.
func (l *Limiter) size() int {
	n := 0
	for i := range l.shards {
		n += l.shards[i].size()
	}
	return n
}
