package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/store"
)

// descendantsCTE names tree(id): the key bound to it and all its
// descendants.
const descendantsCTE = `WITH RECURSIVE tree(id) AS (
		SELECT id FROM api_keys WHERE id = ?
		UNION
		SELECT k.id FROM api_keys k JOIN tree ON k.parent_id = tree.id
	) `

// ListKeys implements store.Keys.
func (db *DB) ListKeys(ctx context.Context, f store.KeyFilter) ([]store.APIKey, error) {
	query, args, err := listQuery(f)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	keys, err := scanKeys(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list keys: %w", err)
	}
	return keys, nil
}

// listQuery builds the query for f. Values are always bound, never
// spliced into the text.
func listQuery(f store.KeyFilter) (string, []any, error) {
	var (
		prefix string
		where  []string
		args   []any
	)
	if f.Within != "" {
		prefix = descendantsCTE
		args = append(args, f.Within)
		where = append(where, "id IN (SELECT id FROM tree)")
	}
	for _, eq := range []struct{ col, val string }{
		{"user_id", f.User}, {"org_id", f.Org}, {"parent_id", f.ParentID},
	} {
		if eq.val != "" {
			where = append(where, eq.col+" = ?")
			args = append(args, eq.val)
		}
	}
	if f.State != "" {
		cond, err := stateCond(f.State)
		if err != nil {
			return "", nil, err
		}
		now := f.Now
		if now.IsZero() {
			now = time.Now()
		}
		where = append(where, cond)
		// Every state condition binds now the number of times it names it.
		for range strings.Count(cond, "?") {
			args = append(args, now.UnixMicro())
		}
	}
	if c := f.After; c != nil {
		at := c.CreatedAt.UnixMicro()
		where = append(where, "(created_at > ? OR (created_at = ? AND id > ?))")
		args = append(args, at, at, c.ID)
	}
	query := prefix + `SELECT ` + keyColumns + ` FROM api_keys`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at, id"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return query, args, nil
}

// stateCond is the SQL form of store.APIKey.State, in its order: revoked,
// expired, disabled, active. Each ? is the time of the question. Times are
// whole microseconds, so expires_at <= now matches !now.Before(ExpiresAt).
func stateCond(s store.KeyState) (string, error) {
	const live = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"
	switch s {
	case store.StateRevoked:
		return "revoked_at IS NOT NULL", nil
	case store.StateExpired:
		return "(revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?)", nil
	case store.StateDisabled:
		return "(" + live + " AND disabled = 1)", nil
	case store.StateActive:
		return "(" + live + " AND disabled = 0)", nil
	}
	return "", fmt.Errorf("unknown key state %q: %w", s, store.ErrInvalid)
}
