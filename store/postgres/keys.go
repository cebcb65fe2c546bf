package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

var _ store.Keys = (*DB)(nil)

const insertKey = `INSERT INTO api_keys (id, name, description, user_id,
	org_id, teams, roles, scopes, claims, created_at, expires_at, disabled,
	revoked_at, monthly_quota, rate_limit_per_minute, allowed_skill_ids,
	parent_id, created_by, last_used_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
	$16, $17, $18, $19)`

const insertSecret = `INSERT INTO api_key_secrets (` + secretColumns + `)
	VALUES ($1, $2, $3, $4, $5)`

// CreateKey implements store.Keys. The parent is read FOR UPDATE before
// its children, so racing creations under one parent run one after the
// other and check sees every sibling that any of them committed before it:
// a budget carved out of the parent cannot be overdrawn.
func (db *DB) CreateKey(ctx context.Context, k store.APIKey, s store.Secret, check func(store.APIKey, store.Family) error) error {
	if err := store.ValidateNew(k, s); err != nil {
		return fmt.Errorf("postgres: create key: %w", translate(err))
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if k.ParentID != "" {
			parent, err := keyByIDForUpdate(ctx, tx, k.ParentID)
			if err != nil {
				return fmt.Errorf("parent %s: %w", k.ParentID, translate(err))
			}
			siblings, err := children(ctx, tx, k.ParentID, "")
			if err != nil {
				return fmt.Errorf("siblings: %w", err)
			}
			if check != nil {
				if err := check(k, store.Family{Parent: &parent, Siblings: siblings}); err != nil {
					return err
				}
			}
		}
		return insertKeyTx(ctx, tx, k, s)
	})
	if err != nil {
		return fmt.Errorf("postgres: create key %s: %w", k.ID, translate(err))
	}
	return nil
}

// CreateBootstrapKey implements store.Keys. The marker row and the key are
// written in one transaction. Racing inserts of the marker, in this process
// or another, wait on the single-row primary key of the first one in and
// then do nothing once it commits; if the key cannot be stored the whole
// transaction rolls back, marker included, so the bootstrap stays open.
func (db *DB) CreateBootstrapKey(ctx context.Context, k store.APIKey, s store.Secret) (bool, error) {
	if err := store.ValidateNew(k, s); err != nil {
		return false, fmt.Errorf("postgres: create bootstrap key: %w", translate(err))
	}
	var created bool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`INSERT INTO bootstrap (id, key_id, created_at) VALUES (1, $1, $2)
			 ON CONFLICT (id) DO NOTHING`,
			k.ID, timeArg(k.CreatedAt))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil // A bootstrap already happened.
		}
		if err := insertKeyTx(ctx, tx, k, s); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: create bootstrap key %s: %w", k.ID, translate(err))
	}
	return created, nil
}

// insertKeyTx stores k and its first secret. Usage starts from zero
// whatever k.Usage says.
func insertKeyTx(ctx context.Context, q querier, k store.APIKey, s store.Secret) error {
	args, err := keyArgs(k)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, insertKey, args...); err != nil {
		return err
	}
	return insertSecretTx(ctx, q, s)
}

func insertSecretTx(ctx context.Context, q querier, s store.Secret) error {
	_, err := q.Exec(ctx, insertSecret,
		s.Hash[:], s.KeyID, s.Prefix, timeArg(s.CreatedAt), timeArg(s.ExpiresAt))
	return err
}

// keyArgs encodes k as arguments for insertKey.
func keyArgs(k store.APIKey) ([]any, error) {
	claims, err := claimsArg(k.Claims)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	return []any{
		k.ID, k.Name, k.Description, k.User, k.Org, listArg(k.Teams),
		listArg(k.Roles), nullListArg(k.Scopes), claims,
		timeArg(k.CreatedAt), timeArg(k.ExpiresAt), k.Disabled, timeArg(k.RevokedAt),
		k.MonthlyQuota, k.RateLimitPerMinute, nullListArg(k.AllowedSkillIDs),
		parentArg(k.ParentID), k.CreatedBy, timeArg(k.LastUsedAt),
	}, nil
}
