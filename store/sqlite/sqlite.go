package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/skillgate/skillgate/store"

	// Registers the "sqlite" database/sql driver.
	_ "modernc.org/sqlite"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store backed by one SQLite file. It is safe for concurrent
// use, and several DBs, in one process or several, may share a file.
type DB struct {
	// write has exactly one connection, so writes from this process queue
	// in database/sql instead of contending for SQLite's lock; its
	// transactions begin IMMEDIATE (see writeDSN).
	write *sql.DB
	// read is a pool of query_only connections.
	read *sql.DB
	// version answers KeysVersion from its own pinned connection.
	version *keysVersion
	// bumped holds the write transactions in flight that changed the
	// keys version (see bumpVersion).
	bumped sync.Map
}

// Open opens the SQLite database at path, creating it (and its parent
// directory, mode 0700; the file mode 0600) when missing, and migrates its
// schema to the version this binary knows. It fails, wrapping
// store.ErrSchemaTooNew, when the database was migrated by a newer binary.
// ctx bounds the migration only; the DB outlives it.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := createFile(abs); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	write, err := sql.Open("sqlite", writeDSN(abs, o))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", readDSN(abs, o))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(o.readConns)
	read.SetMaxIdleConns(o.readConns)

	db := &DB{write: write, read: read}
	if err := db.migrateRetrying(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Opened after migrating, so that its statements find key_state.
	if db.version, err = openKeysVersion(ctx, readDSN(abs, o), o.versionMaxAge); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: keys version: %w", path, err)
	}
	return db, nil
}

// createFile creates the database file and its directory with private
// permissions before SQLite does, since SQLite would create them with the
// process umask (usually world-readable). Existing files keep their mode.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return err
	}
	return f.Close()
}

// writeDSN is the DSN of the writer connection. Every _pragma runs on each
// new connection, in order, busy_timeout first so that the others wait for
// locks too.
//
//   - journal_mode(WAL): readers do not block the writer nor it them, and
//     a commit is one append to the WAL.
//   - synchronous(FULL): WAL is fsynced at every commit. NORMAL is also
//     corruption-safe but may lose the last commits on power loss; a lost
//     revocation re-enables a key someone believed dead, and a lost counter
//     update can be replayed, so durability is worth one fsync per write.
//   - foreign_keys(1): SQLite leaves them off by default.
//   - _txlock=immediate: BEGIN takes the write lock at once (waiting up to
//     busy_timeout). A deferred transaction that reads and then writes can
//     instead fail with SQLITE_BUSY without waiting when another connection
//     wrote in between, which no retry inside SQLite fixes.
func writeDSN(path string, o options) string {
	return dsn(path, "_txlock=immediate",
		pragma("busy_timeout", strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)),
		pragma("journal_mode", "WAL"),
		pragma("synchronous", "FULL"),
		pragma("foreign_keys", "1"),
	)
}

// readDSN is the DSN of the read pool. query_only makes a write through it
// an error, so a write cannot bypass the writer's queue by mistake. The
// journal mode is persistent in the file and set by the writer.
func readDSN(path string, o options) string {
	return dsn(path,
		pragma("busy_timeout", strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)),
		pragma("foreign_keys", "1"),
		pragma("query_only", "1"),
	)
}

func pragma(name, value string) string {
	return "_pragma=" + url.QueryEscape(name+"("+value+")")
}

// dsn builds a file: URI so that any character in path (a '?' or '#'
// included) is escaped rather than read as the start of the parameters.
func dsn(path string, params ...string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	s := "file:" + u.EscapedPath()
	for i, p := range params {
		if i == 0 {
			s += "?"
		} else {
			s += "&"
		}
		s += p
	}
	return s
}

// Ping checks that both the writer and the read pool can reach the file.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping reader: %w", err)
	}
	return nil
}

// Close closes the connection pools. Writes already committed are durable.
func (db *DB) Close() error {
	var verr error
	if db.version != nil {
		verr = db.version.close()
	}
	return errors.Join(verr, db.read.Close(), db.write.Close())
}
