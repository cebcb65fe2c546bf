package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// inTx runs fn in a transaction on the writer connection, which begins
// IMMEDIATE, and commits if fn returns nil. fn's error is returned as is,
// so that callers can translate it.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Should fn panic (a caller's check or update function), roll back
	// all the same: otherwise the single writer connection stays in its
	// transaction and every later write waits for it forever. After a
	// commit or rollback this is a no-op returning sql.ErrTxDone.
	defer func() { _ = tx.Rollback() }()
	defer db.bumped.Delete(tx)
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	err = tx.Commit()
	if _, ok := db.bumped.Load(tx); ok {
		// Also when the commit failed: its outcome may be unknown.
		db.version.cache.Invalidate()
	}
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
