package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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

// scanner is a pgx.Row or pgx.Rows.
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
	k            *store.APIKey
	teams, roles []string
	// scopes and allowed are scanned through a pointer, nil for NULL, so
	// that NULL and '{}' stay apart without relying on how pgx fills an
	// empty array (today a non-nil empty slice).
	scopes, allowed                     *[]string
	parent                              *string
	claims                              []byte
	created, expires, revoked, lastUsed *time.Time
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
		&d.parent, &k.CreatedBy, &d.lastUsed, &k.Usage.Period, &k.Usage.Count}
}

func (d *keyScan) finish(k *store.APIKey) (store.APIKey, error) {
	k.Teams = listValue(d.teams)
	k.Roles = listValue(d.roles)
	k.Scopes = nullList(d.scopes)
	k.AllowedSkillIDs = nullList(d.allowed)
	if err := json.Unmarshal(d.claims, &k.Claims); err != nil {
		return store.APIKey{}, fmt.Errorf("key %s: claims: %w", k.ID, err)
	}
	if len(k.Claims) == 0 {
		k.Claims = nil
	}
	if d.parent != nil {
		k.ParentID = *d.parent
	}
	k.CreatedAt = timeValue(d.created)
	k.ExpiresAt = timeValue(d.expires)
	k.RevokedAt = timeValue(d.revoked)
	k.LastUsedAt = timeValue(d.lastUsed)
	return *k, nil
}

// nullList is a nullable text[] scanned through a pointer, as
// nullListValue wants it.
func nullList(p *[]string) []string {
	if p == nil {
		return nullListValue(nil, false)
	}
	return nullListValue(*p, true)
}

// scanKeys reads every row of rows as a key and closes rows.
func scanKeys(rows pgx.Rows) ([]store.APIKey, error) {
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
	created, expires *time.Time
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

// claimsArg is claims as a jsonb argument; nil and empty are both "{}".
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
