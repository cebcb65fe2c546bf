package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/skillgate/skillgate/store"
)

var _ store.Keys = (*DB)(nil)

// querier is what key reads need from a *sql.DB (the read pool) or a
// *sql.Tx (inside a write transaction).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const insertKey = `INSERT INTO api_keys (id, name, description, user_id,
	org_id, teams, roles, scopes, claims, created_at, expires_at, disabled,
	revoked_at, monthly_quota, rate_limit_per_minute, allowed_skill_ids,
	parent_id, created_by, last_used_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertSecret = `INSERT INTO api_key_secrets (` + secretColumns + `)
	VALUES (?, ?, ?, ?, ?)`

// CreateKey implements store.Keys. The parent, its children and the new
// key are read and written in one IMMEDIATE transaction, so check sees
// every sibling that any racing creation committed before it.
func (db *DB) CreateKey(ctx context.Context, k store.APIKey, s store.Secret, check func(store.APIKey, store.Family) error) error {
	if err := store.ValidateNew(k, s); err != nil {
		return fmt.Errorf("sqlite: create key: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if k.ParentID != "" {
			parent, err := keyByID(ctx, tx, k.ParentID)
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
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, translate(err))
	}
	return nil
}

// CreateBootstrapKey implements store.Keys. The marker row and the key are
// written in one IMMEDIATE transaction, so racing callers, in this process or
// another, are serialised by SQLite's write lock and the bootstrap table's
// single-row primary key lets only the first one in.
func (db *DB) CreateBootstrapKey(ctx context.Context, k store.APIKey, s store.Secret) (bool, error) {
	if err := store.ValidateNew(k, s); err != nil {
		return false, fmt.Errorf("sqlite: create bootstrap key: %w", err)
	}
	var created bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO bootstrap (id, key_id, created_at) VALUES (1, ?, ?)
			 ON CONFLICT (id) DO NOTHING`,
			k.ID, timeArg(k.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err // n == 0: a bootstrap already happened.
		}
		if err := insertKeyTx(ctx, tx, k, s); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: create bootstrap key %s: %w", k.ID, translate(err))
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
	if _, err := q.ExecContext(ctx, insertKey, args...); err != nil {
		return err
	}
	return insertSecretTx(ctx, q, s)
}

func insertSecretTx(ctx context.Context, q querier, s store.Secret) error {
	_, err := q.ExecContext(ctx, insertSecret,
		s.Hash[:], s.KeyID, s.Prefix, timeArg(s.CreatedAt), timeArg(s.ExpiresAt))
	return err
}

// keyArgs encodes k as arguments for insertKey.
func keyArgs(k store.APIKey) ([]any, error) {
	teams, err := listArg(k.Teams)
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	roles, err := listArg(k.Roles)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	scopes, err := nullListArg(k.Scopes)
	if err != nil {
		return nil, fmt.Errorf("scopes: %w", err)
	}
	claims, err := claimsArg(k.Claims)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	allowed, err := nullListArg(k.AllowedSkillIDs)
	if err != nil {
		return nil, fmt.Errorf("allowed skills: %w", err)
	}
	return []any{
		k.ID, k.Name, k.Description, k.User, k.Org, teams, roles, scopes, claims,
		timeArg(k.CreatedAt), timeArg(k.ExpiresAt), k.Disabled, timeArg(k.RevokedAt),
		k.MonthlyQuota, k.RateLimitPerMinute, allowed, parentArg(k.ParentID),
		k.CreatedBy, timeArg(k.LastUsedAt),
	}, nil
}
