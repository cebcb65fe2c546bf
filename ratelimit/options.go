package ratelimit

import "time"

// Limits and tuning of a Limiter, kept together so they can be reviewed in
// one place.
const (
	// DefaultMaxKeys is how many keys a Limiter tracks by default. At
	// roughly 100 bytes per key (map slot, string header and key bytes)
	// this bounds the state to about 100 MiB.
	DefaultMaxKeys = 1 << 20

	// maxShards is the shard count of a large Limiter: enough that the
	// few cores of a small server rarely wait on one another's lock.
	maxShards = 32
	// minShardKeys is the fewest keys a shard is given. A Limiter with
	// fewer than maxShards*minShardKeys keys uses fewer shards, so that
	// each shard's eviction still has entries to choose from and the
	// total bound stays exact.
	minShardKeys = 64
	// minSweep is the size below which a shard never sweeps expired
	// entries: scanning a tiny map to save a few slots is not worth it.
	minSweep = 64
	// evictDivisor sets how much a full shard evicts at once: 1/evictDivisor
	// of its capacity. Evicting in batches pays for the scan and sort once
	// per capacity/evictDivisor new keys instead of once per new key,
	// which would let a flood of new keys hold a shard's lock for a full
	// scan on every request.
	evictDivisor = 16
)

// Option configures New.
type Option func(*options)

type options struct {
	now     func() time.Time
	maxKeys int
}

func defaultOptions() options {
	return options{now: time.Now, maxKeys: DefaultMaxKeys}
}

// WithClock sets the clock the Limiter reads; tests use it to control time.
// A nil clock is ignored. Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithMaxKeys bounds the number of keys the Limiter tracks at once. When
// the bound is reached, keys whose buckets have refilled are forgotten
// first, then the keys with the oldest arrival times (see the package
// documentation). Values below one are ignored. Default DefaultMaxKeys.
func WithMaxKeys(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.maxKeys = n
		}
	}
}
