package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLock is the advisory lock migrations run under, per schema, so
// that replicas starting at once migrate one after the other and the later
// ones find nothing to do. It is a transaction-level lock: it is released
// at commit or rollback, and by the server if this process dies.
const migrateLock = `SELECT pg_advisory_xact_lock(hashtextextended('skillgate.migrate.' || current_schema(), 0))`

// migrate brings the schema up to date in one transaction, holding the
// migration lock. DDL is transactional in PostgreSQL, so a migration that
// fails leaves nothing half-applied.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migration.Load(migrationFS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return fmt.Errorf("migrate: current schema: %w", err)
		}
		if schema == nil {
			return errors.New("migrate: no schema to create tables in: the search_path names none that exists")
		}
		if _, err := tx.Exec(ctx, migrateLock); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer     NOT NULL PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("migrate: create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx,
			`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		if current > len(ms) {
			return fmt.Errorf("migrate: database at version %d, binary knows up to %d: %w",
				current, len(ms), store.ErrSchemaTooNew)
		}
		for _, m := range ms[current:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx,
				`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
				m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
		}
		return nil
	})
}
