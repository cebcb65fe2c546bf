package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

const signingKeyColumns = `id, algorithm, private_key, created_at, retires_at, expires_at`

// SigningKeys implements store.OAuth.
func (db *DB) SigningKeys(ctx context.Context, now time.Time) ([]store.SigningKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+signingKeyColumns+`
		FROM oauth_signing_keys WHERE expires_at IS NULL OR expires_at > ?
		ORDER BY created_at DESC, id DESC`, now.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("sqlite: signing keys: %w", err)
	}
	defer rows.Close()
	var keys []store.SigningKey
	for rows.Next() {
		var (
			k                         store.SigningKey
			created, retires, expires sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &created, &retires, &expires); err != nil {
			return nil, fmt.Errorf("sqlite: signing keys: %w", err)
		}
		k.CreatedAt, k.RetiresAt, k.ExpiresAt = timeValue(created), timeValue(retires), timeValue(expires)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: signing keys: %w", err)
	}
	return keys, nil
}

// AddSigningKey implements store.OAuth. The check for a key newer than
// notBefore and the insert share one IMMEDIATE transaction, so replicas
// rotating at once are serialised and the later ones find the new key.
// Every other key still signing at k.CreatedAt is retired, so k is the only
// one that signs.
func (db *DB) AddSigningKey(ctx context.Context, k store.SigningKey, notBefore time.Time, keepPublished time.Duration) (bool, error) {
	if err := k.Validate(); err != nil {
		return false, fmt.Errorf("sqlite: add signing key: %w", err)
	}
	if keepPublished < 0 {
		return false, fmt.Errorf("sqlite: add signing key %s: negative keepPublished: %w", k.ID, store.ErrInvalid)
	}
	var added bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM oauth_signing_keys
			WHERE created_at > ? LIMIT 1`, notBefore.UnixMicro()).Scan(&one)
		if err == nil {
			return nil // Another rotation got there first.
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		retire := k.CreatedAt.UnixMicro()
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_signing_keys
			SET retires_at = ?1, expires_at = ?2
			WHERE retires_at IS NULL OR retires_at > ?1`,
			retire, k.CreatedAt.Add(keepPublished).UnixMicro()); err != nil {
			return fmt.Errorf("retire older keys: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_signing_keys (`+signingKeyColumns+`)
			VALUES (?, ?, ?, ?, ?, ?)`, k.ID, k.Algorithm, k.PrivateKey,
			timeArg(k.CreatedAt), timeArg(k.RetiresAt), timeArg(k.ExpiresAt)); err != nil {
			return err
		}
		added = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: add signing key %s: %w", k.ID, translate(err))
	}
	return added, nil
}

// ServerSecret implements store.OAuth. A secret that exists is read from
// the read pool; otherwise generate runs outside any transaction and its
// bytes are inserted unless another caller's got in first, then read back
// in the same transaction, so every caller returns the bytes that won.
func (db *DB) ServerSecret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	if name == "" {
		return nil, fmt.Errorf("sqlite: server secret: empty name: %w", store.ErrInvalid)
	}
	var v []byte
	err := db.read.QueryRowContext(ctx, `SELECT value FROM oauth_server_secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: server secret %s: %w", name, err)
	}
	if generate == nil {
		return nil, fmt.Errorf("sqlite: server secret %s: no generator: %w", name, store.ErrInvalid)
	}
	b, err := generate()
	if err != nil {
		return nil, fmt.Errorf("sqlite: server secret %s: generate: %w", name, err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("sqlite: server secret %s: generated nothing: %w", name, store.ErrInvalid)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_server_secrets (name, value)
			VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, b); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM oauth_server_secrets WHERE name = ?`, name).Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: server secret %s: %w", name, translate(err))
	}
	return v, nil
}
