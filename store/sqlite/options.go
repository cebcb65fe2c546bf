package sqlite

import "time"

// Limits and defaults. They live together here so that they can be reviewed
// in one place.
const (
	// DefaultBusyTimeout is how long a connection waits for a lock held by
	// another connection or process before failing with SQLITE_BUSY.
	DefaultBusyTimeout = 5 * time.Second
	// DefaultReadConns is the size of the read pool.
	DefaultReadConns = 4
	// DefaultVersionMaxAge bounds how late a key change committed by
	// another process on the same file (the CLI, say) is seen: the keys
	// version is served from memory for at most this long. Changes made
	// through this DB are seen at once.
	DefaultVersionMaxAge = time.Second

	// dirMode and fileMode are the permissions of a data directory and
	// database file that Open creates: the database holds key hashes and
	// grants, readable by the server's user only. SQLite gives the -wal
	// and -shm files the mode of the database file.
	dirMode  = 0o700
	fileMode = 0o600
)

// Option configures Open.
type Option func(*options)

type options struct {
	busyTimeout   time.Duration
	readConns     int
	versionMaxAge time.Duration
}

func defaultOptions() options {
	return options{busyTimeout: DefaultBusyTimeout, readConns: DefaultReadConns, versionMaxAge: DefaultVersionMaxAge}
}

// WithVersionMaxAge sets how long the keys version may be served from
// memory; see DefaultVersionMaxAge. Values below one millisecond are
// ignored.
func WithVersionMaxAge(d time.Duration) Option {
	return func(o *options) {
		if d >= time.Millisecond {
			o.versionMaxAge = d
		}
	}
}

// WithBusyTimeout sets how long a statement waits for a lock held elsewhere.
// Values below one millisecond are ignored. Default DefaultBusyTimeout.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) {
		if d >= time.Millisecond {
			o.busyTimeout = d
		}
	}
}

// WithReadConns sets the maximum number of read connections. Values below
// one are ignored. Default DefaultReadConns.
func WithReadConns(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.readConns = n
		}
	}
}
