package ratelimit

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
