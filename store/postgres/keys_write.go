package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

// UpdateKey implements store.Keys. It locks the key's parent, if any, and
// then the key, in the order every writer locks a line of keys (top down),
// so that the family update sees cannot change before the commit: child
// creation locks the parent too, so budgets checked here hold.
func (db *DB) UpdateKey(ctx context.Context, id string, update func(store.APIKey, store.Family) (store.APIKey, error)) (store.APIKey, error) {
	var stored store.APIKey
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		k, err := lockKeyAndParent(ctx, tx, id)
		if err != nil {
			return err
		}
		f, err := family(ctx, tx, k)
		if err != nil {
			return fmt.Errorf("family: %w", err)
		}
		u, err := update(k, f)
		if err != nil {
			return err
		}
		if err := writeUpdate(ctx, tx, id, u); err != nil {
			return err
		}
		if err := db.bumpVersion(ctx, tx); err != nil {
			return err
		}
		stored, err = keyByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return store.APIKey{}, fmt.Errorf("postgres: update key %s: %w", id, translate(err))
	}
	return stored, nil
}

// lockKeyAndParent locks the key's parent (if any), then the key, and
// returns the key as locked. parent_id is written once, at creation, so
// reading it before taking the locks is safe.
func lockKeyAndParent(ctx context.Context, tx pgx.Tx, id string) (store.APIKey, error) {
	var parent *string
	if err := tx.QueryRow(ctx,
		`SELECT parent_id FROM api_keys WHERE id = $1`, id).Scan(&parent); err != nil {
		return store.APIKey{}, translate(err)
	}
	if parent != nil {
		if _, err := tx.Exec(ctx,
			`SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE`, *parent); err != nil {
			return store.APIKey{}, fmt.Errorf("lock parent %s: %w", *parent, err)
		}
	}
	k, err := keyByIDForUpdate(ctx, tx, id)
	if err != nil {
		return store.APIKey{}, translate(err)
	}
	return k, nil
}

// writeUpdate stores the fields of u that UpdateKey writes.
func writeUpdate(ctx context.Context, tx pgx.Tx, id string, u store.APIKey) error {
	// Validate the fields written only: the others are ignored.
	if u.MonthlyQuota < 0 || u.RateLimitPerMinute < 0 {
		return fmt.Errorf("negative limit: %w", store.ErrInvalid)
	}
	claims, err := claimsArg(u.Claims)
	if err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE api_keys SET name = $1,
		description = $2, disabled = $3, expires_at = $4, monthly_quota = $5,
		rate_limit_per_minute = $6, allowed_skill_ids = $7, claims = $8
		WHERE id = $9`,
		u.Name, u.Description, u.Disabled, timeArg(u.ExpiresAt), u.MonthlyQuota,
		u.RateLimitPerMinute, nullListArg(u.AllowedSkillIDs), claims, id)
	return err
}

// family reads k's parent, siblings and children.
func family(ctx context.Context, q querier, k store.APIKey) (store.Family, error) {
	var f store.Family
	if k.ParentID != "" {
		p, err := keyByID(ctx, q, k.ParentID)
		if err != nil {
			return f, fmt.Errorf("parent %s: %w", k.ParentID, translate(err))
		}
		f.Parent = &p
		if f.Siblings, err = children(ctx, q, k.ParentID, k.ID); err != nil {
			return f, fmt.Errorf("siblings: %w", err)
		}
	}
	var err error
	if f.Children, err = children(ctx, q, k.ID, ""); err != nil {
		return f, fmt.Errorf("children: %w", err)
	}
	return f, nil
}

// lockTree locks the key bound to $1 and its descendants, top down (the
// order every writer locks a line of keys in), and returns their ids.
const lockTree = `WITH RECURSIVE tree(id, depth) AS (
		SELECT id, 0 FROM api_keys WHERE id = $1
		UNION ALL
		SELECT k.id, tree.depth + 1 FROM api_keys k JOIN tree ON k.parent_id = tree.id
		WHERE tree.depth < 1000
	)
	SELECT k.id FROM tree JOIN api_keys k ON k.id = tree.id
	ORDER BY tree.depth, k.id
	FOR UPDATE OF k`

// RevokeKey implements store.Keys. A statement sees the rows committed
// when it began, so a child whose creation commits while the revocation
// waits for a lock would be missed by a single recursive UPDATE. RevokeKey
// therefore locks the tree again until it stops growing: once every key in
// it is locked, no child can be created under one (creation locks the
// parent) before this transaction ends.
func (db *DB) RevokeKey(ctx context.Context, id string, at time.Time) ([]string, error) {
	var revoked []string
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tree, err := lockWholeTree(ctx, tx, id)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE api_keys SET revoked_at = $2
			WHERE id = ANY($1) AND revoked_at IS NULL
			RETURNING id`, tree, timeArg(at))
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			revoked = ids // nil, not empty, when nothing was revoked now.
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: revoke key %s: %w", id, translate(err))
	}
	return revoked, nil
}

// lockWholeTree locks the key and its descendants and returns their ids,
// or store.ErrNotFound if the key does not exist.
func lockWholeTree(ctx context.Context, tx pgx.Tx, id string) ([]string, error) {
	seen := -1
	for {
		rows, err := tx.Query(ctx, lockTree, id)
		if err != nil {
			return nil, err
		}
		tree, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		if len(tree) == 0 {
			return nil, store.ErrNotFound
		}
		// Keys are never deleted, so an unchanged count is an unchanged tree.
		if len(tree) == seen {
			return tree, nil
		}
		seen = len(tree)
	}
}

// RotateKey implements store.Keys. The key is locked while check decides,
// so a rotation racing a revocation, which updates the key's row, cannot
// revive it. A zero graceUntil ends the old secrets at s.CreatedAt: a zero
// expiry would mean "current" and keep them forever.
func (db *DB) RotateKey(ctx context.Context, id string, s store.Secret, graceUntil time.Time, check func(store.APIKey) error) (store.APIKey, error) {
	if err := s.Validate(); err != nil {
		return store.APIKey{}, fmt.Errorf("postgres: rotate key %s: %w", id, translate(err))
	}
	if s.KeyID != id || !s.ExpiresAt.IsZero() {
		return store.APIKey{}, fmt.Errorf("postgres: rotate key %s: new secret not current for this key: %w", id, store.ErrInvalid)
	}
	if graceUntil.IsZero() {
		graceUntil = s.CreatedAt
	}
	var k store.APIKey
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if k, err = keyByIDForUpdate(ctx, tx, id); err != nil {
			return translate(err)
		}
		if check != nil {
			if err := check(k); err != nil {
				return err
			}
		}
		until := timeArg(graceUntil)
		if _, err := tx.Exec(ctx, `UPDATE api_key_secrets SET expires_at = $1
			WHERE key_id = $2 AND (expires_at IS NULL OR expires_at > $1)`,
			until, id); err != nil {
			return err
		}
		if err := insertSecretTx(ctx, tx, s); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return store.APIKey{}, fmt.Errorf("postgres: rotate key %s: %w", id, translate(err))
	}
	return k, nil
}
