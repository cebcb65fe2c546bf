package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

// keyColumns is the column list every key query selects, in scanKey's order.
// Queries that alias api_keys as k use keyColumnsK.
const keyColumns = `id, name, description, user_id, org_id, teams, roles, scopes,
	claims, created_at, expires_at, disabled, revoked_at, monthly_quota,
	rate_limit_per_minute, allowed_skill_ids, parent_id, created_by,
	last_used_at, usage_period, usage_count`

const keyColumnsK = `k.id, k.name, k.description, k.user_id, k.org_id, k.teams,
	k.roles, k.scopes, k.claims, k.created_at, k.expires_at, k.disabled,
	k.revoked_at, k.monthly_quota, k.rate_limit_per_minute,
	k.allowed_skill_ids, k.parent_id, k.created_by, k.last_used_at,
	k.usage_period, k.usage_count`

// secretColumns is the column list of secret queries, in scanSecret's order.
const secretColumns = `hash, key_id, prefix, created_at, expires_at`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanKey(s scanner) (store.APIKey, error) {
	k, dest := keyDest()
	if err := s.Scan(dest.ptrs()...); err != nil {
		return store.APIKey{}, err
	}
	return dest.finish(k)
}

// keyScan holds the raw columns that need decoding after a Scan.
type keyScan struct {
	k                                   *store.APIKey
	teams, roles                        string
	scopes, allowed, parent             sql.NullString
	claims                              string
	created, expires, revoked, lastUsed sql.NullInt64
	period                              int64
}

func keyDest() (*store.APIKey, *keyScan) {
	k := &store.APIKey{}
	return k, &keyScan{k: k}
}

func (d *keyScan) ptrs() []any {
	k := d.k
	return []any{&k.ID, &k.Name, &k.Description, &k.User, &k.Org, &d.teams,
		&d.roles, &d.scopes, &d.claims, &d.created, &d.expires, &k.Disabled,
		&d.revoked, &k.MonthlyQuota, &k.RateLimitPerMinute, &d.allowed,
		&d.parent, &k.CreatedBy, &d.lastUsed, &d.period, &k.Usage.Count}
}

func (d *keyScan) finish(k *store.APIKey) (store.APIKey, error) {
	var err error
	if k.Teams, err = listValue(d.teams); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: teams: %w", k.ID, err)
	}
	if k.Roles, err = listValue(d.roles); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: roles: %w", k.ID, err)
	}
	if k.Scopes, err = nullListValue(d.scopes); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: scopes: %w", k.ID, err)
	}
	if k.AllowedSkillIDs, err = nullListValue(d.allowed); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: allowed skills: %w", k.ID, err)
	}
	if err := json.Unmarshal([]byte(d.claims), &k.Claims); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: claims: %w", k.ID, err)
	}
	if len(k.Claims) == 0 {
		k.Claims = nil
	}
	k.ParentID = d.parent.String
	k.CreatedAt = timeValue(d.created)
	k.ExpiresAt = timeValue(d.expires)
	k.RevokedAt = timeValue(d.revoked)
	k.LastUsedAt = timeValue(d.lastUsed)
	k.Usage.Period = int(d.period)
	return *k, nil
}

// scanKeys reads every row of rows as a key and closes rows.
func scanKeys(rows *sql.Rows) ([]store.APIKey, error) {
	defer rows.Close()
	var keys []store.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

func scanSecret(s scanner) (store.Secret, error) {
	var d secretDest
	if err := s.Scan(d.ptrs()...); err != nil {
		return store.Secret{}, err
	}
	return d.finish()
}

// secretDest holds a secret's raw columns during a Scan.
type secretDest struct {
	s                store.Secret
	hash             []byte
	created, expires sql.NullInt64
}

func (d *secretDest) ptrs() []any {
	return []any{&d.hash, &d.s.KeyID, &d.s.Prefix, &d.created, &d.expires}
}

func (d *secretDest) finish() (store.Secret, error) {
	if len(d.hash) != len(d.s.Hash) {
		return store.Secret{}, fmt.Errorf("secret of key %s: stored hash has %d bytes", d.s.KeyID, len(d.hash))
	}
	copy(d.s.Hash[:], d.hash)
	d.s.CreatedAt = timeValue(d.created)
	d.s.ExpiresAt = timeValue(d.expires)
	return d.s, nil
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

// nullListArg stores a list whose nil has its own meaning: nil as NULL,
// empty as "[]".
func nullListArg(l []string) (any, error) {
	if l == nil {
		return nil, nil
	}
	return listArg(l)
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

// nullListValue decodes a list stored by nullListArg: NULL as nil, an
// empty array as a non-nil empty list.
func nullListValue(v sql.NullString) ([]string, error) {
	if !v.Valid {
		return nil, nil
	}
	l := []string{}
	if err := json.Unmarshal([]byte(v.String), &l); err != nil {
		return nil, err
	}
	return l, nil
}

// claimsArg stores claims as a JSON object; nil and empty are both "{}".
func claimsArg(c map[string]string) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// parentArg stores an empty parent as NULL, so roots are "parent_id IS NULL".
func parentArg(id string) any {
	if id == "" {
		return nil
	}
	return id
}
