package postgres

import (
	"log/slog"
	"time"
)

// Limits and defaults, kept together so that they can be reviewed in one
// place.
const (
	// DefaultMaxConns is the size of a replica's connection pool. Every
	// request that authenticates with a managed key may touch the
	// database, so the pool is larger than pgxpool's default of four.
	DefaultMaxConns = 16
	// DefaultVersionMaxAge bounds how old the keys version a replica
	// serves from memory may be: a revocation committed by another
	// replica is seen within it, even if a notification is lost.
	DefaultVersionMaxAge = time.Second

	// versionPolls is how many times per max age the listener confirms
	// the version when no notification arrives, so that one slow poll
	// does not let the cached version expire.
	versionPolls = 4
	// versionReadTimeout bounds the listener's read of the version: long
	// enough for a busy database, short enough that a dead connection is
	// noticed and replaced well within a second.
	versionReadTimeout = 500 * time.Millisecond
	// listenBackoffMin and listenBackoffMax bound the wait between
	// attempts to re-open a lost listener connection.
	listenBackoffMin = 50 * time.Millisecond
	listenBackoffMax = 2 * time.Second
	// notifyChannel is the channel every change of the keys version is
	// announced on.
	notifyChannel = "skillgate_keys"
)

// Option configures Open.
type Option func(*options)

type options struct {
	maxConns      int32
	versionMaxAge time.Duration
	logger        *slog.Logger
}

func defaultOptions() options {
	return options{
		maxConns:      DefaultMaxConns,
		versionMaxAge: DefaultVersionMaxAge,
		logger:        slog.New(slog.DiscardHandler),
	}
}

// WithMaxConns sets the maximum number of pooled connections. Values below
// two are ignored: a transaction and the read it waits on may need one
// each. Default DefaultMaxConns.
func WithMaxConns(n int) Option {
	return func(o *options) {
		if n >= 2 {
			o.maxConns = int32(min(n, 1<<20))
		}
	}
}

// WithVersionMaxAge sets how long a keys version read from the database or
// announced by another replica may be served from memory. Values below ten
// milliseconds are ignored. Default DefaultVersionMaxAge.
func WithVersionMaxAge(d time.Duration) Option {
	return func(o *options) {
		if d >= 10*time.Millisecond {
			o.versionMaxAge = d
		}
	}
}

// WithLogger sets where the backend reports a lost and re-opened listener
// connection. Default: nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}
