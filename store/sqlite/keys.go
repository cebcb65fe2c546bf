package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

// keyColumns is the column list every key query selects, in scanKey's order.
const keyColumns = `id, hash, prefix, name, user_id, teams, roles, scopes,
	created_at, expires_at, disabled, revoked_at`

const insertKey = `INSERT INTO api_keys (` + keyColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateKey implements store.Keys.
func (db *DB) CreateKey(ctx context.Context, k store.APIKey) error {
	if err := k.Validate(); err != nil {
		return fmt.Errorf("sqlite: create key: %w", err)
	}
	args, err := keyArgs(k)
	if err != nil {
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, err)
	}
	if _, err := db.write.ExecContext(ctx, insertKey, args...); err != nil {
		return fmt.Errorf("sqlite: create key %s: %w", k.ID, translate(err))
	}
	return nil
}

// CreateBootstrapKey implements store.Keys. The marker row and the key are
// written in one IMMEDIATE transaction, so racing callers, in this process or
// another, are serialised by SQLite's write lock and the bootstrap table's
// single-row primary key lets only the first one in.
func (db *DB) CreateBootstrapKey(ctx context.Context, k store.APIKey) (bool, error) {
	if err := k.Validate(); err != nil {
		return false, fmt.Errorf("sqlite: create bootstrap key: %w", err)
	}
	args, err := keyArgs(k)
	if err != nil {
		return false, fmt.Errorf("sqlite: create bootstrap key %s: %w", k.ID, err)
	}
	var created bool
	err = db.inTx(ctx, func(tx *sql.Tx) error {
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
		if _, err := tx.ExecContext(ctx, insertKey, args...); err != nil {
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

// KeyByHash implements store.Keys. The hash is left out of errors: it is
// not the key, but there is no reason to spread it.
func (db *DB) KeyByHash(ctx context.Context, hash [32]byte) (store.APIKey, error) {
	row := db.read.QueryRowContext(ctx,
		`SELECT `+keyColumns+` FROM api_keys WHERE hash = ?`, hash[:])
	k, err := scanKey(row)
	if err != nil {
		return store.APIKey{}, fmt.Errorf("sqlite: key by hash: %w", translate(err))
	}
	return k, nil
}

// KeyByID implements store.Keys.
func (db *DB) KeyByID(ctx context.Context, id string) (store.APIKey, error) {
	row := db.read.QueryRowContext(ctx,
		`SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id)
	k, err := scanKey(row)
	if err != nil {
		return store.APIKey{}, fmt.Errorf("sqlite: key %s: %w", id, translate(err))
	}
	return k, nil
}

// ListKeys implements store.Keys.
func (db *DB) ListKeys(ctx context.Context) ([]store.APIKey, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	defer rows.Close()
	var keys []store.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	return keys, nil
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
	scopes, err := listArg(k.Scopes)
	if err != nil {
		return nil, fmt.Errorf("scopes: %w", err)
	}
	return []any{
		k.ID, k.Hash[:], k.Prefix, k.Name, k.User, teams, roles, scopes,
		timeArg(k.CreatedAt), timeArg(k.ExpiresAt), k.Disabled, timeArg(k.RevokedAt),
	}, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanKey(s scanner) (store.APIKey, error) {
	var (
		k                         store.APIKey
		hash                      []byte
		teams, roles, scopes      string
		created, expires, revoked sql.NullInt64
	)
	if err := s.Scan(&k.ID, &hash, &k.Prefix, &k.Name, &k.User, &teams, &roles, &scopes,
		&created, &expires, &k.Disabled, &revoked); err != nil {
		return store.APIKey{}, err
	}
	if len(hash) != len(k.Hash) {
		return store.APIKey{}, fmt.Errorf("key %s: stored hash has %d bytes", k.ID, len(hash))
	}
	copy(k.Hash[:], hash)
	var err error
	if k.Teams, err = listValue(teams); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: teams: %w", k.ID, err)
	}
	if k.Roles, err = listValue(roles); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: roles: %w", k.ID, err)
	}
	if k.Scopes, err = listValue(scopes); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: scopes: %w", k.ID, err)
	}
	k.CreatedAt = timeValue(created)
	k.ExpiresAt = timeValue(expires)
	k.RevokedAt = timeValue(revoked)
	return k, nil
}

// timeArg stores t as unix microseconds, UTC, and the zero time as NULL.
// Microseconds match PostgreSQL's resolution and cover any year a
// time.Time can hold, where nanoseconds overflow after 2262.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func timeValue(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// listArg stores a list as a JSON array; nil and empty are both "[]".
func listArg(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// listValue decodes a JSON array, returning nil for an empty one.
func listValue(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}
