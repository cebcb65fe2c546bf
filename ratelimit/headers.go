package ratelimit

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/skillgate/skillgate/internal/apierror"
)

// SetHeaders sets the RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset headers (draft-ietf-httpapi-ratelimit-headers) of a
// response that d governs. Reset is in whole seconds, rounded up, so a
// client that waits that long is never early.
func SetHeaders(h http.Header, d Decision) {
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(d.Remaining, 0)))
	h.Set("RateLimit-Reset", strconv.FormatInt(ceilSeconds(d.Reset), 10))
}

// WriteLimited answers a request that d refused: 429 with the RateLimit
// headers, Retry-After (whole seconds, at least 1) and a structured body
// saying when to retry.
func WriteLimited(w http.ResponseWriter, d Decision) {
	h := w.Header()
	SetHeaders(h, d)
	retry := SetRetryAfter(h, d)
	unit := "seconds"
	if retry == 1 {
		unit = "second"
	}
	apierror.Write(w, apierror.New(http.StatusTooManyRequests, apierror.CodeRateLimited,
		fmt.Sprintf("Rate limit exceeded: this credential may make %d requests per minute", d.Limit),
		fmt.Sprintf("Retry in %d %s (see the Retry-After header), or ask for a higher rate_limit_per_minute.", retry, unit)))
}

// SetRetryAfter sets the Retry-After header of a response to a request d
// refused, in whole seconds and at least 1, and returns it.
func SetRetryAfter(h http.Header, d Decision) int64 {
	retry := max(ceilSeconds(d.RetryAfter), 1)
	h.Set("Retry-After", strconv.FormatInt(retry, 10))
	return retry
}

// ceilSeconds returns d in whole seconds, rounded up; 0 for d <= 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}
