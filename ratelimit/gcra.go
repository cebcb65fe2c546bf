package ratelimit

import "time"

// The generic cell rate algorithm keeps, per key, one number: the
// theoretical arrival time (TAT), the instant at which the key's bucket
// will be full again if no more requests come. Each allowed request pushes
// it one interval further. A request at now is allowed if the TAT it would
// produce is at most one window (limit*interval) ahead of now. A TAT in the
// past means a full bucket, exactly as if the key were unknown, which is
// why expired entries can be forgotten.

// conform applies one request at now to a key whose TAT is tat (0 for an
// unknown key). It returns the TAT after the request and whether the
// request is allowed; a refused request leaves the TAT unchanged.
func conform(tat, now, interval, window int64) (next int64, allowed bool) {
	base := max(tat, now)
	if allowedAt(base, interval, window) > now {
		return tat, false
	}
	return base + interval, true
}

// allowedAt returns the earliest instant at which a key whose TAT is tat
// may make its next request.
func allowedAt(tat, interval, window int64) int64 {
	return tat + interval - window
}

// Rate is the GCRA arithmetic of one limit, for limiters that keep the TAT
// elsewhere (a database shared by several servers) but must decide exactly
// as Limiter does.
type Rate struct {
	// Limit is the limit in requests per minute, clamped to one per
	// nanosecond.
	Limit int
	// Interval is the time between requests at the limit, and Window how
	// far ahead of now a full burst pushes the TAT, both in nanoseconds.
	Interval, Window int64
}

// RateOf returns the Rate of a positive limit of requests per minute.
// Limits above one request per nanosecond are treated as one per
// nanosecond. The interval is time.Minute/limit rounded down, so a limit
// that does not divide a minute refills a few nanoseconds early rather than
// late.
func RateOf(limit int) Rate {
	// Clamping also keeps interval*limit from overflowing.
	lim := min(int64(max(limit, 1)), int64(time.Minute))
	interval := int64(time.Minute) / lim
	return Rate{Limit: int(lim), Interval: interval, Window: interval * lim}
}

// Decide returns the Decision for a request at now (unix nanoseconds) that
// left the key's TAT at tat: the TAT after an allowed request, or the
// unchanged TAT of a refused one.
func (r Rate) Decide(tat, now int64, allowed bool) Decision {
	d := Decision{Allowed: allowed, Limit: r.Limit, Reset: time.Duration(max(tat-now, 0))}
	if allowed {
		d.Remaining = int((now + r.Window - tat) / r.Interval)
	} else {
		d.RetryAfter = time.Duration(allowedAt(tat, r.Interval, r.Window) - now)
	}
	return d
}
