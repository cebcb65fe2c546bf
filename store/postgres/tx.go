package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what reads need from the pool or from a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a READ COMMITTED transaction and commits if fn returns
// nil. fn's error is returned as is, so that callers can translate it.
// When fn called bumpVersion, the keys version this process serves is
// invalidated once the commit is done.
//
// Methods whose decision depends on rows they read lock those rows (SELECT
// … FOR UPDATE) inside fn: PostgreSQL, unlike SQLite, runs writers side by
// side.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer db.bumped.Delete(tx)
	// Should fn panic (check and update are the caller's code), roll back
	// all the same: otherwise the pooled connection stays acquired with
	// its transaction, and the row locks it holds, open for good. After a
	// commit or rollback this is a no-op returning pgx.ErrTxClosed.
	defer func() { _ = tx.Rollback(ctx) }()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(ctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		if _, ok := db.bumped.Load(tx); ok {
			// The commit may have happened all the same (a connection
			// lost in flight): assume it did.
			db.version.cache.Invalidate()
		}
		return fmt.Errorf("commit: %w", err)
	}
	if _, ok := db.bumped.Load(tx); ok {
		db.version.cache.Invalidate()
	}
	return nil
}
