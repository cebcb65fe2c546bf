package audit

import "time"

// Limits and defaults of a Log, kept together so they can be reviewed in
// one place.
const (
	// DefaultQueueSize is how many events a Log holds in memory waiting
	// for the writer. About a second of a busy server's events: enough to
	// ride out a slow fsync, small enough to lose little in a crash.
	DefaultQueueSize = 8192
	// DefaultBatchLinger is how long the writer waits for more events
	// after the first of a batch: long enough to gather a busy second's
	// events into a few transactions, short enough that an event is on
	// disk well within a second.
	DefaultBatchLinger = 20 * time.Millisecond
	// DefaultRetryBackoff is the wait before the first retry of a failed
	// append; it doubles before each further retry.
	DefaultRetryBackoff = 100 * time.Millisecond

	// maxBatch is the most events appended in one call (one transaction).
	maxBatch = 256
	// appendTries is how many times a batch is tried before it is
	// dropped: a bounded number, so that a broken store costs a few
	// seconds of retries, not an ever-growing backlog.
	appendTries = 3
	// dropWarnInterval is the least time between two warnings about
	// dropped events, so that a flood of drops does not flood the log.
	dropWarnInterval = time.Second
)

// Option configures NewLog.
type Option func(*options)

type options struct {
	queueSize int
	backoff   time.Duration
	linger    time.Duration
	now       func() time.Time
}

func defaultOptions() options {
	return options{queueSize: DefaultQueueSize, backoff: DefaultRetryBackoff, linger: DefaultBatchLinger, now: time.Now}
}

// WithBatchLinger sets how long the writer waits for more events before it
// appends a batch; zero appends what is queued at once. Negative values
// are ignored. Default DefaultBatchLinger.
func WithBatchLinger(d time.Duration) Option {
	return func(o *options) {
		if d >= 0 {
			o.linger = d
		}
	}
}

// WithQueueSize sets how many events may wait for the writer before Record
// drops them. Values below one are ignored. Default DefaultQueueSize.
func WithQueueSize(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.queueSize = n
		}
	}
}

// WithRetryBackoff sets the wait before the first retry of a failed append.
// Negative values are ignored. Default DefaultRetryBackoff.
func WithRetryBackoff(d time.Duration) Option {
	return func(o *options) {
		if d >= 0 {
			o.backoff = d
		}
	}
}

// WithClock sets the clock that stamps events recorded without a Time and
// paces the warnings about dropped events. A nil clock is ignored. Default
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}
