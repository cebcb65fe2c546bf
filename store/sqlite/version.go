package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/skillgate/skillgate/store/internal/versioncache"
)

// keysVersion caches key_state.version behind PRAGMA data_version, which
// is a per-connection counter that changes when any other connection (this
// process's writer included, or another process) commits. Asking it costs
// no table read, so KeysVersion can run on every request.
//
// data_version only compares values seen on one connection, so the
// connection is pinned for the DB's life, in a pool of its own so that it
// never starves the read pool.
type keysVersion struct {
	mu       sync.Mutex
	pool     *sql.DB
	conn     *sql.Conn
	dataVer  *sql.Stmt
	readVer  *sql.Stmt
	seen     int64 // last data_version
	version  uint64
	hasValue bool
	// cache serves the version without a query while it is fresh.
	cache *versioncache.Cache
}

func openKeysVersion(ctx context.Context, dsn string, maxAge time.Duration) (*keysVersion, error) {
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(1)
	v := &keysVersion{pool: pool, cache: versioncache.New(maxAge)}
	if v.conn, err = pool.Conn(ctx); err != nil {
		return nil, errors.Join(err, v.close())
	}
	if v.dataVer, err = v.conn.PrepareContext(ctx, "PRAGMA data_version"); err != nil {
		return nil, errors.Join(err, v.close())
	}
	if v.readVer, err = v.conn.PrepareContext(ctx, "SELECT version FROM key_state WHERE id = 1"); err != nil {
		return nil, errors.Join(err, v.close())
	}
	return v, nil
}

// KeysVersion implements store.Keys. A version younger than the max age,
// read after this process's last change, is served from memory; otherwise
// data_version is asked.
func (db *DB) KeysVersion(ctx context.Context) (uint64, error) {
	if v, ok := db.version.cache.Get(); ok {
		return v, nil
	}
	v, err := db.version.get(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: keys version: %w", err)
	}
	return v, nil
}

func (v *keysVersion) get(ctx context.Context) (uint64, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	began := time.Now()
	var dv int64
	if err := v.dataVer.QueryRowContext(ctx).Scan(&dv); err != nil {
		v.hasValue = false
		if errors.Is(err, driver.ErrBadConn) {
			return 0, fmt.Errorf("data_version: pinned connection lost: %w", err)
		}
		return 0, fmt.Errorf("data_version: %w", err)
	}
	if v.hasValue && dv == v.seen {
		v.cache.Remember(v.version, began)
		return v.version, nil
	}
	var ver int64
	if err := v.readVer.QueryRowContext(ctx).Scan(&ver); err != nil {
		v.hasValue = false
		return 0, fmt.Errorf("read: %w", err)
	}
	// data_version was read first: a commit landing between the two reads
	// changes it again, so the next call re-reads rather than keeping a
	// stale version.
	v.seen, v.version, v.hasValue = dv, uint64(ver), true
	v.cache.Remember(v.version, began)
	return v.version, nil
}

func (v *keysVersion) close() error {
	// Nothing read before the close is served after it.
	v.cache.Invalidate()
	var errs []error
	for _, s := range []*sql.Stmt{v.dataVer, v.readVer} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	if v.conn != nil {
		errs = append(errs, v.conn.Close())
	}
	errs = append(errs, v.pool.Close())
	return errors.Join(errs...)
}

// bumpVersion changes the keys version inside tx, so that caches see the
// change once tx commits; inTx tells this process's cache after the commit.
func (db *DB) bumpVersion(ctx context.Context, tx *sql.Tx) error {
	db.bumped.Store(tx, struct{}{})
	if _, err := tx.ExecContext(ctx, `UPDATE key_state SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump keys version: %w", err)
	}
	return nil
}
