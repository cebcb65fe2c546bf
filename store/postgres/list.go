package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/store"
)

// descendantsCTE names tree(id): the key bound to $1 and all its
// descendants.
const descendantsCTE = `WITH RECURSIVE tree(id) AS (
		SELECT id FROM api_keys WHERE id = $1
		UNION
		SELECT k.id FROM api_keys k JOIN tree ON k.parent_id = tree.id
	) `

// ListKeys implements store.Keys.
func (db *DB) ListKeys(ctx context.Context, f store.KeyFilter) ([]store.APIKey, error) {
	query, args, err := listQuery(f)
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", translate(err))
	}
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", translate(err))
	}
	keys, err := scanKeys(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: list keys: %w", translate(err))
	}
	return keys, nil
}

// params collects the arguments of a query as it is built.
type params []any

// add binds v and returns its placeholder.
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// listQuery builds the query for f. Values are always bound, never
// spliced into the text.
func listQuery(f store.KeyFilter) (string, []any, error) {
	var (
		prefix string
		where  []string
		args   params
	)
	if f.Within != "" {
		// descendantsCTE names $1: this must be the first argument.
		args.add(f.Within)
		prefix = descendantsCTE
		where = append(where, "id IN (SELECT id FROM tree)")
	}
	for _, eq := range []struct{ col, val string }{
		{"user_id", f.User}, {"org_id", f.Org}, {"parent_id", f.ParentID},
	} {
		if eq.val != "" {
			where = append(where, eq.col+" = "+args.add(eq.val))
		}
	}
	if f.State != "" {
		now := f.Now
		if now.IsZero() {
			now = time.Now()
		}
		cond, err := stateCond(f.State, func() string { return args.add(now.UTC()) })
		if err != nil {
			return "", nil, err
		}
		where = append(where, cond)
	}
	if c := f.After; c != nil {
		where = append(where, fmt.Sprintf("(created_at, id) > (%s, %s)",
			args.add(c.CreatedAt.UTC()), args.add(c.ID)))
	}
	query := prefix + `SELECT ` + keyColumns + ` FROM api_keys`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at, id"
	if f.Limit > 0 {
		query += " LIMIT " + args.add(f.Limit)
	}
	return query, args, nil
}

// stateCond is the SQL form of store.APIKey.State, in its order: revoked,
// expired, disabled, active. now binds the time of the question and
// returns its placeholder; it is called only by the states that need it.
// timestamptz keeps whole microseconds, like the stored times, so
// expires_at <= now matches !now.Before(ExpiresAt).
func stateCond(s store.KeyState, now func() string) (string, error) {
	live := func() string {
		return "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > " + now() + ")"
	}
	switch s {
	case store.StateRevoked:
		return "revoked_at IS NOT NULL", nil
	case store.StateExpired:
		return "(revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= " + now() + ")", nil
	case store.StateDisabled:
		return "(" + live() + " AND disabled)", nil
	case store.StateActive:
		return "(" + live() + " AND NOT disabled)", nil
	}
	return "", fmt.Errorf("unknown key state %q: %w", s, store.ErrInvalid)
}
