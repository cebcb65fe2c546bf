package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

const signingKeyColumns = `id, algorithm, private_key, created_at, retires_at, expires_at`

// SigningKeys implements store.OAuth.
func (db *DB) SigningKeys(ctx context.Context, now time.Time) ([]store.SigningKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+signingKeyColumns+`
		FROM oauth_signing_keys WHERE expires_at IS NULL OR expires_at > $1
		ORDER BY created_at DESC, id DESC`, boundArg(now))
	if err != nil {
		return nil, fmt.Errorf("postgres: signing keys: %w", translate(err))
	}
	defer rows.Close()
	var keys []store.SigningKey
	for rows.Next() {
		var (
			k                         store.SigningKey
			created, retires, expires *time.Time
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &created, &retires, &expires); err != nil {
			return nil, fmt.Errorf("postgres: signing keys: %w", translate(err))
		}
		k.CreatedAt, k.RetiresAt, k.ExpiresAt = timeValue(created), timeValue(retires), timeValue(expires)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: signing keys: %w", translate(err))
	}
	return keys, nil
}

// AddSigningKey implements store.OAuth. The transaction first takes a
// table lock that conflicts with itself (but not with readers), so that
// replicas rotating at once are serialised: the check for a key newer than
// notBefore runs after the previous rotation committed, and the later
// ones find the new key. Row locks would not do, as the row that matters
// is one not inserted yet. Every other key still signing at k.CreatedAt is
// retired, so k is the only one that signs.
func (db *DB) AddSigningKey(ctx context.Context, k store.SigningKey, notBefore time.Time, keepPublished time.Duration) (bool, error) {
	if err := k.Validate(); err != nil {
		return false, fmt.Errorf("postgres: add signing key: %w", err)
	}
	if keepPublished < 0 {
		return false, fmt.Errorf("postgres: add signing key %s: negative keepPublished: %w", k.ID, store.ErrInvalid)
	}
	var added bool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE oauth_signing_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock signing keys: %w", err)
		}
		var newer bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM oauth_signing_keys
			WHERE created_at > $1)`, boundArg(notBefore)).Scan(&newer); err != nil {
			return err
		}
		if newer {
			return nil // Another rotation got there first.
		}
		if _, err := tx.Exec(ctx, `UPDATE oauth_signing_keys
			SET retires_at = $1, expires_at = $2
			WHERE retires_at IS NULL OR retires_at > $1`,
			boundArg(k.CreatedAt), boundArg(k.CreatedAt.Add(keepPublished))); err != nil {
			return fmt.Errorf("retire older keys: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oauth_signing_keys (`+signingKeyColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6)`, k.ID, k.Algorithm, k.PrivateKey,
			timeArg(k.CreatedAt), timeArg(k.RetiresAt), timeArg(k.ExpiresAt)); err != nil {
			return err
		}
		added = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: add signing key %s: %w", k.ID, translate(err))
	}
	return added, nil
}

// ServerSecret implements store.OAuth. A secret that exists is read at
// once; otherwise generate runs outside any transaction and its bytes are
// inserted unless another caller's got in first, then read back, so every
// caller returns the bytes that won. An insert that conflicts with one not
// yet committed waits for it, so the read that follows sees the winner.
func (db *DB) ServerSecret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	if name == "" {
		return nil, fmt.Errorf("postgres: server secret: empty name: %w", store.ErrInvalid)
	}
	var v []byte
	err := db.pool.QueryRow(ctx, `SELECT value FROM oauth_server_secrets WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: server secret %s: %w", name, translate(err))
	}
	if generate == nil {
		return nil, fmt.Errorf("postgres: server secret %s: no generator: %w", name, store.ErrInvalid)
	}
	b, err := generate()
	if err != nil {
		return nil, fmt.Errorf("postgres: server secret %s: generate: %w", name, translate(err))
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("postgres: server secret %s: generated nothing: %w", name, store.ErrInvalid)
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO oauth_server_secrets (name, value)
			VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, b); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT value FROM oauth_server_secrets WHERE name = $1`, name).Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: server secret %s: %w", name, translate(err))
	}
	return v, nil
}
