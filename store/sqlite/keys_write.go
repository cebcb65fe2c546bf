package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

// UpdateKey implements store.Keys.
func (db *DB) UpdateKey(ctx context.Context, id string, update func(store.APIKey, store.Family) (store.APIKey, error)) (store.APIKey, error) {
	var stored store.APIKey
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		k, err := keyByID(ctx, tx, id)
		if err != nil {
			return translate(err)
		}
		f, err := family(ctx, tx, k)
		if err != nil {
			return fmt.Errorf("family: %w", err)
		}
		u, err := update(k, f)
		if err != nil {
			return err
		}
		// Validate the fields written only: the others are ignored.
		if u.MonthlyQuota < 0 || u.RateLimitPerMinute < 0 {
			return fmt.Errorf("negative limit: %w", store.ErrInvalid)
		}
		allowed, err := nullListArg(u.AllowedSkillIDs)
		if err != nil {
			return fmt.Errorf("allowed skills: %w", err)
		}
		claims, err := claimsArg(u.Claims)
		if err != nil {
			return fmt.Errorf("claims: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET name = ?,
			description = ?, disabled = ?, expires_at = ?, monthly_quota = ?,
			rate_limit_per_minute = ?, allowed_skill_ids = ?, claims = ?
			WHERE id = ?`,
			u.Name, u.Description, u.Disabled, timeArg(u.ExpiresAt), u.MonthlyQuota,
			u.RateLimitPerMinute, allowed, claims, id); err != nil {
			return err
		}
		if err := db.bumpVersion(ctx, tx); err != nil {
			return err
		}
		stored, err = keyByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return store.APIKey{}, fmt.Errorf("sqlite: update key %s: %w", id, translate(err))
	}
	return stored, nil
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

// RevokeKey implements store.Keys.
func (db *DB) RevokeKey(ctx context.Context, id string, at time.Time) ([]string, error) {
	var revoked []string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx,
			`SELECT 1 FROM api_keys WHERE id = ?`, id).Scan(&one); err != nil {
			return translate(err)
		}
		rows, err := tx.QueryContext(ctx, descendantsCTE+`UPDATE api_keys
			SET revoked_at = ?
			WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL
			RETURNING id`, id, timeArg(at))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				return err
			}
			revoked = append(revoked, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: revoke key %s: %w", id, translate(err))
	}
	return revoked, nil
}

// RotateKey implements store.Keys. A zero graceUntil ends the old secrets
// at s.CreatedAt: a zero expiry would mean "current" and keep them forever.
func (db *DB) RotateKey(ctx context.Context, id string, s store.Secret, graceUntil time.Time, check func(store.APIKey) error) (store.APIKey, error) {
	if err := s.Validate(); err != nil {
		return store.APIKey{}, fmt.Errorf("sqlite: rotate key %s: %w", id, err)
	}
	if s.KeyID != id || !s.ExpiresAt.IsZero() {
		return store.APIKey{}, fmt.Errorf("sqlite: rotate key %s: new secret not current for this key: %w", id, store.ErrInvalid)
	}
	if graceUntil.IsZero() {
		graceUntil = s.CreatedAt
	}
	var k store.APIKey
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if k, err = keyByID(ctx, tx, id); err != nil {
			return translate(err)
		}
		if check != nil {
			if err := check(k); err != nil {
				return err
			}
		}
		until := graceUntil.UnixMicro()
		if _, err := tx.ExecContext(ctx, `UPDATE api_key_secrets SET expires_at = ?
			WHERE key_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
			until, id, until); err != nil {
			return err
		}
		if err := insertSecretTx(ctx, tx, s); err != nil {
			return err
		}
		return db.bumpVersion(ctx, tx)
	})
	if err != nil {
		return store.APIKey{}, fmt.Errorf("sqlite: rotate key %s: %w", id, translate(err))
	}
	return k, nil
}
