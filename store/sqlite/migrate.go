package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateAttempts bounds how often Open retries a migration that found
// the file busy.
const migrateAttempts = 50

// migrateRetrying migrates, retrying while the file is busy. Two processes
// creating a new file at once can get SQLITE_BUSY without the busy timeout
// applying (while the first switches the file to WAL, the second's BEGIN
// fails at once); a moment later the file is ready.
func (db *DB) migrateRetrying(ctx context.Context) error {
	var err error
	for attempt := 1; attempt <= migrateAttempts; attempt++ {
		if err = db.migrate(ctx); err == nil || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt) * 5 * time.Millisecond):
		}
	}
	return err
}

// migrate brings the schema up to date in one write transaction. Because
// the transaction begins IMMEDIATE, processes opening the file at the same
// time migrate one after the other, and the later ones find nothing to do.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migration.Load(migrationFS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER NOT NULL PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		) STRICT`); err != nil {
			return fmt.Errorf("migrate: create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx,
			`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		if current > len(ms) {
			return fmt.Errorf("migrate: database at version %d, binary knows up to %d: %w",
				current, len(ms), store.ErrSchemaTooNew)
		}
		for _, m := range ms[current:] {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at)
				 VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UTC().UnixMicro()); err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
		}
		return nil
	})
}
