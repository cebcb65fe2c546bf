// Package ratelimit limits how many requests a key (a credential, a client)
// may make per minute. Limiter keeps the state in memory for one server
// process, using the generic cell rate algorithm (GCRA): a limit of L
// requests per minute lets a fresh key make L requests at once and then one
// every minute/L, and each key costs a single int64 (its theoretical arrival
// time) in a map sharded to keep lock contention low. Memory is bounded: keys
// whose bucket has refilled are swept lazily, and when a shard is full of
// live keys the ones with the oldest arrival times are evicted, because
// their buckets are the most refilled and forgetting them forgives the
// least; refusing new keys instead would let anyone who can mint keys deny
// service to everyone else. Allow takes a context and returns an error so
// that a shared, networked backend can later sit behind the same consumer
// interface; the in-memory Limiter never fails.
package ratelimit
