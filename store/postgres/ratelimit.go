package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/skillgate/skillgate/ratelimit"
)

// RateLimiter is a per-key, per-minute rate limiter whose state is a row
// per key in the database, so that the limit holds for the sum of every
// replica's requests. It decides exactly as ratelimit.Limiter does (GCRA,
// see ratelimit.Rate), but against the database's clock, so that replicas
// whose clocks differ still share one timeline. Create it with
// DB.RateLimiter.
//
// Each Allow is one statement: an INSERT … ON CONFLICT DO UPDATE that
// applies the GCRA test to the newest row version, so that concurrent
// requests for one key, from any replica, queue on the row's lock and are
// each decided on the TAT the previous one left.
type RateLimiter struct {
	db *DB
	// lastSweep is the unix nanoseconds of the last deletion of rows whose
	// bucket has refilled.
	lastSweep atomic.Int64
}

// sweepInterval is how often a replica deletes rows whose TAT has passed:
// such a row means the same as no row.
const sweepInterval = time.Minute

// RateLimiter returns a limiter that keeps its state in db.
func (db *DB) RateLimiter() *RateLimiter {
	return &RateLimiter{db: db}
}

// allowStatement applies one request to key $1 with interval $2 and window
// $3 (nanoseconds) and returns the database's now, the key's TAT after the
// request and whether it was allowed. Every request writes the row, a
// refused one with its TAT unchanged: what it returns is then read under
// the row lock, never from a snapshot older than the decision.
const allowStatement = `WITH clock AS (
	SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000 AS now
)
INSERT INTO rate_limits AS r (key, tat, allowed)
SELECT $1, now + $2, true FROM clock
ON CONFLICT (key) DO UPDATE SET
	tat = CASE WHEN GREATEST(r.tat, (SELECT now FROM clock)) + $2 - $3 <= (SELECT now FROM clock)
		THEN GREATEST(r.tat, (SELECT now FROM clock)) + $2 ELSE r.tat END,
	allowed = GREATEST(r.tat, (SELECT now FROM clock)) + $2 - $3 <= (SELECT now FROM clock)
RETURNING (SELECT now FROM clock), tat, allowed`

// Allow spends one request of key's budget of limit requests per minute
// and reports whether it is allowed. A limit of zero or less means no
// limit, and costs no query. An error means the database did not answer;
// callers fail closed.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit int) (ratelimit.Decision, error) {
	if limit <= 0 {
		return ratelimit.Decision{Allowed: true}, nil
	}
	r := ratelimit.RateOf(limit)
	var now, tat int64
	var allowed bool
	if err := l.db.pool.QueryRow(ctx, allowStatement, key, r.Interval, r.Window).Scan(&now, &tat, &allowed); err != nil {
		return ratelimit.Decision{}, fmt.Errorf("postgres: rate limit: %w", translate(err))
	}
	l.sweep(ctx, now)
	return r.Decide(tat, now, allowed), nil
}

// sweep deletes, at most once per sweepInterval per replica, the rows
// whose bucket has refilled, so that the table holds only keys that made a
// request within the last minute or so. A failed sweep is retried at the
// next interval; it never fails the request.
func (l *RateLimiter) sweep(ctx context.Context, now int64) {
	last := l.lastSweep.Load()
	if now-last < int64(sweepInterval) || !l.lastSweep.CompareAndSwap(last, now) {
		return
	}
	if _, err := l.db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE tat < $1`, now); err != nil {
		l.db.log.WarnContext(ctx, "sweeping rate-limit rows", "err", err)
	}
}
