package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

// spendOne spends one execution of key $2 in period $1 if its quota
// allows, in one statement: a usage of an older period counts as zero and
// is replaced. No row back means the quota refused the spend. An UPDATE
// that waited for another transaction's lock on the row re-evaluates its
// WHERE on the row as that transaction left it (READ COMMITTED), so racing
// spends never take a quota past its limit.
const spendOne = `UPDATE api_keys
	SET usage_count = CASE WHEN usage_period = $1 THEN usage_count + 1 ELSE 1 END,
		usage_period = $1
	WHERE id = $2 AND (monthly_quota = 0
		OR (CASE WHEN usage_period = $1 THEN usage_count ELSE 0 END) < monthly_quota)
	RETURNING usage_period, usage_count`

// SpendExecution implements store.Keys. Keys are updated root first, the
// same order in which every transaction locks a line of keys, so that
// racing spends and updates on one line cannot deadlock.
func (db *DB) SpendExecution(ctx context.Context, id string, period int) (store.Usage, error) {
	var u store.Usage
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		line, err := lineage(ctx, tx, id)
		if err != nil {
			return err
		}
		slices.Reverse(line)
		for _, k := range line {
			var got store.Usage
			err := tx.QueryRow(ctx, spendOne, period, k.ID).Scan(&got.Period, &got.Count)
			if errors.Is(err, pgx.ErrNoRows) {
				return &store.QuotaError{KeyID: k.ID, Quota: k.MonthlyQuota}
			}
			if err != nil {
				return fmt.Errorf("spend on key %s: %w", k.ID, err)
			}
			u = got // The leaf comes last.
		}
		return nil
	})
	if err != nil {
		return store.Usage{}, fmt.Errorf("postgres: spend execution of key %s: %w", id, translate(err))
	}
	return u, nil
}

// TouchKey implements store.Keys. The write is skipped while LastUsedAt is
// less than a minute old, so that a busy key costs one write a minute, not
// one a request. It does not bump the keys version: nothing cached depends
// on LastUsedAt.
func (db *DB) TouchKey(ctx context.Context, id string, at time.Time) error {
	at = at.UTC()
	if _, err := db.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = $1
		WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`,
		at, id, at.Add(-time.Minute)); err != nil {
		return fmt.Errorf("postgres: touch key %s: %w", id, translate(err))
	}
	return nil
}
