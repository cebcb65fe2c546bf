package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/skillgate/skillgate/store"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store backed by a PostgreSQL database. It is safe for
// concurrent use, and any number of DBs, in one process or many, may share
// a database.
type DB struct {
	pool    *pgxpool.Pool
	log     *slog.Logger
	version *keysVersion
	// bumped holds the transactions in flight that changed the keys
	// version (see bumpVersion).
	bumped sync.Map
	// stop ends the listener goroutine; done is closed when it has.
	stop context.CancelFunc
	done chan struct{}
}

// Open connects to the database dsn names (a postgres:// URL or a
// key=value string, as libpq reads them), migrates its schema to the
// version this binary knows and starts listening for changes made by other
// replicas. It fails, wrapping store.ErrSchemaTooNew, when the database was
// migrated by a newer binary. ctx bounds the connection and the migration
// only; the DB outlives it.
//
// A search_path in dsn (…?search_path=tenant_a) confines the tables to
// that schema, which must exist.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password included.
		return nil, errors.New("postgres: open: storage.dsn is not a valid PostgreSQL connection string")
	}
	cfg.MaxConns = o.maxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", translate(err))
	}
	db := &DB{pool: pool, log: o.logger, done: make(chan struct{})}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: cannot reach the database: %w", target(cfg), translate(err))
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s: %w", target(cfg), err)
	}

	db.version = newKeysVersion(pool, cfg.ConnConfig, o)
	listenCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	db.stop = stop
	go func() {
		defer close(db.done)
		db.version.listen(listenCtx)
	}()
	return db, nil
}

// target names the database a config points at, for error messages:
// never the password.
func target(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", translate(err))
	}
	return nil
}

// Close stops the listener and closes the pool. Writes already committed
// are durable.
func (db *DB) Close() error {
	db.stop()
	<-db.done
	db.pool.Close()
	return nil
}
