package postgres

import (
	"context"
	"fmt"

	"github.com/skillgate/skillgate/store"
)

// KeyByID implements store.Keys.
func (db *DB) KeyByID(ctx context.Context, id string) (store.APIKey, error) {
	k, err := keyByID(ctx, db.pool, id)
	if err != nil {
		return store.APIKey{}, fmt.Errorf("postgres: key %s: %w", id, translate(err))
	}
	return k, nil
}

// KeyBySecret implements store.Keys, in one query so that the key and the
// secret come from one snapshot. The hash is left out of errors: it is not
// the key, but there is no reason to spread it.
func (db *DB) KeyBySecret(ctx context.Context, hash [32]byte) (store.APIKey, store.Secret, error) {
	row := db.pool.QueryRow(ctx, `SELECT `+keyColumnsK+`,
		s.hash, s.key_id, s.prefix, s.created_at, s.expires_at
		FROM api_key_secrets s JOIN api_keys k ON k.id = s.key_id
		WHERE s.hash = $1`, hash[:])
	k, kd := keyDest()
	sec := secretDest{}
	if err := row.Scan(append(kd.ptrs(), sec.ptrs()...)...); err != nil {
		return store.APIKey{}, store.Secret{}, fmt.Errorf("postgres: key by secret: %w", translate(err))
	}
	key, err := kd.finish(k)
	if err != nil {
		return store.APIKey{}, store.Secret{}, fmt.Errorf("postgres: key by secret: %w", translate(err))
	}
	s, err := sec.finish()
	if err != nil {
		return store.APIKey{}, store.Secret{}, fmt.Errorf("postgres: key by secret: %w", translate(err))
	}
	return key, s, nil
}

// Secrets implements store.Keys.
func (db *DB) Secrets(ctx context.Context, keyID string) ([]store.Secret, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+secretColumns+`
		FROM api_key_secrets WHERE key_id = $1
		ORDER BY created_at DESC, hash`, keyID)
	if err != nil {
		return nil, fmt.Errorf("postgres: secrets of key %s: %w", keyID, translate(err))
	}
	defer rows.Close()
	var secrets []store.Secret
	for rows.Next() {
		s, err := scanSecret(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: secrets of key %s: %w", keyID, translate(err))
		}
		secrets = append(secrets, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: secrets of key %s: %w", keyID, translate(err))
	}
	return secrets, nil
}

// Lineage implements store.Keys. One statement reads one snapshot.
func (db *DB) Lineage(ctx context.Context, id string) ([]store.APIKey, error) {
	keys, err := lineage(ctx, db.pool, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: lineage of key %s: %w", id, translate(err))
	}
	return keys, nil
}

// lineageQuery selects a key and its ancestors, the key first. The depth
// cap only guards against a cycle that no API can create.
const lineageQuery = `WITH RECURSIVE line(id, depth) AS (
		SELECT id, 0 FROM api_keys WHERE id = $1
		UNION ALL
		SELECT k.parent_id, line.depth + 1 FROM api_keys k JOIN line ON k.id = line.id
		WHERE k.parent_id IS NOT NULL AND line.depth < 1000
	)
	SELECT ` + keyColumnsK + ` FROM line JOIN api_keys k ON k.id = line.id
	ORDER BY line.depth`

// lineage returns the key and its ancestors, or store.ErrNotFound.
func lineage(ctx context.Context, q querier, id string) ([]store.APIKey, error) {
	rows, err := q.Query(ctx, lineageQuery, id)
	if err != nil {
		return nil, err
	}
	keys, err := scanKeys(rows)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, store.ErrNotFound
	}
	return keys, nil
}

func keyByID(ctx context.Context, q querier, id string) (store.APIKey, error) {
	return scanKey(q.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, id))
}

// keyByIDForUpdate reads the key and locks its row until the transaction
// ends, for a decision that must not race a change of the key or, for a
// parent, the creation of a sibling.
func keyByIDForUpdate(ctx context.Context, q querier, id string) (store.APIKey, error) {
	return scanKey(q.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1 FOR UPDATE`, id))
}

// children returns the unrevoked children of parent, except the key
// except (which may be empty), in list order.
func children(ctx context.Context, q querier, parent, except string) ([]store.APIKey, error) {
	rows, err := q.Query(ctx, `SELECT `+keyColumns+` FROM api_keys
		WHERE parent_id = $1 AND id <> $2 AND revoked_at IS NULL
		ORDER BY created_at, id`, parent, except)
	if err != nil {
		return nil, err
	}
	return scanKeys(rows)
}
