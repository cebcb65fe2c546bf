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
// Each Allow is one statement: an INSERT … ON CONFLICT DO UPDATE whose
// WHERE applies the GCRA test to the newest row version, so that
// concurrent requests for one key, from any replica, queue on the row's
// lock and are each decided on the TAT the previous one left.
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
// $3 (nanoseconds). It returns the database's now, the new TAT when the
// request is allowed (NULL when refused) and the TAT before it.
const allowStatement = `WITH clock AS (
	SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000 AS now
), up AS (
	INSERT INTO rate_limits AS r (key, tat)
	SELECT $1, now + $2 FROM clock
	ON CONFLICT (key) DO UPDATE
		SET tat = GREATEST(r.tat, (SELECT now FROM clock)) + $2
		WHERE GREATEST(r.tat, (SELECT now FROM clock)) + $2 - $3 <= (SELECT now FROM clock)
	RETURNING tat
)
SELECT clock.now, up.tat, (SELECT tat FROM rate_limits WHERE key = $1)
FROM clock LEFT JOIN up ON true`

// Allow spends one request of key's budget of limit requests per minute
// and reports whether it is allowed. A limit of zero or less means no
// limit, and costs no query. An error means the database did not answer;
// callers fail closed.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit int) (ratelimit.Decision, error) {
	if limit <= 0 {
		return ratelimit.Decision{Allowed: true}, nil
	}
	r := ratelimit.RateOf(limit)
	var now int64
	var next, prev *int64
	if err := l.db.pool.QueryRow(ctx, allowStatement, key, r.Interval, r.Window).Scan(&now, &next, &prev); err != nil {
		return ratelimit.Decision{}, fmt.Errorf("postgres: rate limit: %w", translate(err))
	}
	l.sweep(ctx, now)
	if next != nil {
		return r.Decide(*next, now, true), nil
	}
	tat := now + r.Window // refused by a row this statement's snapshot missed
	if prev != nil {
		tat = *prev
	}
	return r.Decide(tat, now, false), nil
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
