package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/skillgate/skillgate/store/internal/versioncache"
)

// keysVersion serves key_state.version from memory, as fresh as the
// configured max age, so that KeysVersion costs no round trip on the hot
// path while a revocation on another replica still reaches this one within
// the bound.
//
// A listener connection LISTENs on notifyChannel; every transaction that
// bumps the version NOTIFYs in the same transaction, so the notification
// arrives when the change commits, and the listener re-reads the version at
// once. Between notifications it re-reads the version several times per
// max age: a lost notification, or a listener connection that died without
// a word, then costs at most the max age, never a stale cache. Whenever the
// in-memory version is older than the max age, KeysVersion reads the
// database itself, and so fails, closed, while the database is away.
type keysVersion struct {
	pool  *pgxpool.Pool
	conn  *pgx.ConnConfig
	poll  time.Duration
	log   *slog.Logger
	cache *versioncache.Cache
}

func newKeysVersion(pool *pgxpool.Pool, conn *pgx.ConnConfig, o options) *keysVersion {
	return &keysVersion{
		pool: pool, conn: conn.Copy(), poll: o.versionMaxAge / versionPolls, log: o.logger,
		cache: versioncache.New(o.versionMaxAge),
	}
}

// KeysVersion implements store.Keys.
func (db *DB) KeysVersion(ctx context.Context) (uint64, error) {
	if v, ok := db.version.cache.Get(); ok {
		return v, nil
	}
	v, err := db.version.read(ctx, db.pool)
	if err != nil {
		return 0, fmt.Errorf("postgres: keys version: %w", translate(err))
	}
	return v, nil
}

// read reads the version through q and remembers it.
func (v *keysVersion) read(ctx context.Context, q querier) (uint64, error) {
	began := time.Now()
	var ver int64
	if err := q.QueryRow(ctx, `SELECT version FROM key_state WHERE id = 1`).Scan(&ver); err != nil {
		return 0, err
	}
	v.cache.Remember(uint64(ver), began)
	return uint64(ver), nil
}

// listen keeps a listener connection open until ctx ends, re-opening it
// with backoff when it is lost.
func (v *keysVersion) listen(ctx context.Context) {
	backoff := listenBackoffMin
	for ctx.Err() == nil {
		began := time.Now()
		err := v.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > listenBackoffMax {
			backoff = listenBackoffMin // it worked for a while
		}
		v.log.Warn("keys version listener lost; reading the version from the database until it is back",
			"err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, listenBackoffMax)
	}
}

// listenOnce opens a connection, LISTENs, and re-reads the version on
// every notification and at every poll interval, until the connection
// fails or ctx ends. Notifications only wake the loop: their payload is
// not needed, and a burst of them costs one read.
func (v *keysVersion) listenOnce(ctx context.Context) error {
	var announced atomic.Bool
	cfg := v.conn.Copy()
	// Set, so that pgx does not also buffer every notification for a
	// reader that never comes.
	cfg.OnNotification = func(*pgconn.PgConn, *pgconn.Notification) { announced.Store(true) }
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	for {
		// Read after LISTEN took effect, so that no change falls between.
		announced.Store(false)
		readCtx, cancel := context.WithTimeout(ctx, versionReadTimeout)
		_, err := v.read(readCtx, conn)
		cancel()
		if err != nil {
			return fmt.Errorf("read version: %w", err)
		}
		if announced.Load() {
			continue // a change was announced while the read ran
		}
		waitCtx, cancel := context.WithTimeout(ctx, v.poll)
		err = conn.PgConn().WaitForNotification(waitCtx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("wait: %w", err)
		}
	}
}

// bumpVersion changes the keys version inside tx and announces it to every
// replica when tx commits; inTx tells this process's keysVersion after the
// commit.
func (db *DB) bumpVersion(ctx context.Context, tx pgx.Tx) error {
	db.bumped.Store(tx, struct{}{})
	if _, err := tx.Exec(ctx, `UPDATE key_state SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump keys version: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, notifyChannel); err != nil {
		return fmt.Errorf("notify keys version: %w", err)
	}
	return nil
}
