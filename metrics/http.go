package metrics

import (
	"strconv"
	"time"
)

// Request counts an answered HTTP request and observes how long it took.
// path is reduced to its Route: the raw path is never a label.
func (m *Metrics) Request(path string, status int, d time.Duration) {
	route := Route(path)
	m.requests.WithLabelValues(route, statusCode(status)).Inc()
	m.requestDuration.WithLabelValues(route).Observe(d.Seconds())
}

// RateLimited counts a request refused with 429 by a credential's rate
// limit. path is reduced to its Route.
func (m *Metrics) RateLimited(path string) {
	m.rateLimited.WithLabelValues(Route(path)).Inc()
}

// statusCode is the label of an HTTP status: its three digits, or "other"
// for a value no HTTP server sends.
func statusCode(status int) string {
	if status < 100 || status > 599 {
		return other
	}
	return strconv.Itoa(status)
}
