package apikey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// CreateParams are the properties of a new key. Zero fields take defaults:
// a child key inherits its parent's owner, teams, roles, scopes, expiry,
// rate limit and skill list.
type CreateParams struct {
	Name        string
	Description string
	// User or Org own the key; one is required for a root key. A child
	// key always has its parent's owner.
	User string
	Org  string
	// Teams name the team skill drives the key sees.
	Teams []string
	Roles []string
	// Scopes nil means whatever the roles allow (for a child: its
	// parent's scopes).
	Scopes []string
	Claims map[string]string
	// ExpiresAt zero means never (or the policy's maximum lifetime, or
	// the parent's expiry).
	ExpiresAt          time.Time
	MonthlyQuota       int64
	RateLimitPerMinute int
	// AllowedSkillIDs nil means every skill the persona gives.
	AllowedSkillIDs []string
	// ParentID makes the key a child of that key.
	ParentID string
}

// Create makes a new key and returns it with its plain secret, which is
// not kept anywhere and cannot be shown again.
//
// A managed key without the admin scope can only mint children of itself
// (or of its descendants): with scopes within its own, an expiry no later
// than its own, and a monthly budget carved out of its own quota.
func (m *Manager) Create(ctx context.Context, a Actor, p CreateParams) (c Created, err error) {
	defer func() { m.record(ctx, a, "key.create", c.Key.ID, err, "") }()
	if err := a.need(auth.ScopeKeysWrite); err != nil {
		return Created{}, err
	}
	if err := p.validate(); err != nil {
		return Created{}, err
	}
	now := m.clock()
	if p.ParentID == "" && !a.admin() && a.ownKeyID() != "" {
		p.ParentID = a.ownKeyID()
	}
	k := store.APIKey{
		ID: NewID(), Name: p.Name, Description: p.Description,
		User: p.User, Org: p.Org, Teams: p.Teams, Roles: p.Roles, Scopes: p.Scopes,
		Claims: p.Claims, CreatedAt: now, ExpiresAt: storeTime(p.ExpiresAt),
		MonthlyQuota: p.MonthlyQuota, RateLimitPerMinute: p.RateLimitPerMinute,
		AllowedSkillIDs: p.AllowedSkillIDs, ParentID: p.ParentID, CreatedBy: a.Identity(),
	}
	if k.ParentID != "" {
		lineage, err := m.visible(ctx, a, k.ParentID)
		if err != nil {
			return Created{}, err
		}
		if err := m.mayManage(a, lineage); err != nil {
			return Created{}, err
		}
		if err := m.inherit(&k, lineage, now); err != nil {
			return Created{}, err
		}
	} else if err := m.root(a, &k); err != nil {
		return Created{}, err
	}
	if err := m.checkExpiry(&k, now); err != nil {
		return Created{}, err
	}
	plain := Generate(m.policy.Prefix)
	sec := store.Secret{Hash: Hash(plain), KeyID: k.ID, Prefix: DisplayPrefix(plain, m.policy.Prefix), CreatedAt: now}
	check := func(k store.APIKey, f store.Family) error {
		if f.Parent.State(now) != store.StateActive {
			return conflictf("parent key %s is %s", f.Parent.ID, f.Parent.State(now))
		}
		return checkBudget(k, *f.Parent, f.Siblings)
	}
	if err := m.store.CreateKey(ctx, k, sec, check); err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return Created{}, e
		}
		return Created{}, fmt.Errorf("create key: %w", err)
	}
	return Created{Key: NewView(k, []store.Secret{sec}, now), Secret: plain}, nil
}

// root checks a key without a parent. Administrators may give it any
// owner, roles and scopes; anyone else creates keys for their own user
// within their own roles, scopes and teams.
func (m *Manager) root(a Actor, k *store.APIKey) error {
	if a.admin() {
		if k.User == "" && k.Org == "" {
			return invalidf("a key needs an owner: a user, an org or both")
		}
		if len(k.Roles) == 0 {
			return invalidf("a key needs at least one role")
		}
		return nil
	}
	p := a.Principal
	if p.User == "" {
		return forbidden(auth.ScopeAdmin, "Only an administrator can create a key for another owner")
	}
	if (k.User != "" && k.User != p.User) || (k.Org != "" && k.Org != p.Org) {
		return forbidden(auth.ScopeAdmin, "Only an administrator can create a key for another owner")
	}
	k.User, k.Org = p.User, p.Org
	if k.Roles == nil {
		k.Roles = p.Roles
	}
	if r, ok := notSubset(k.Roles, p.Roles); !ok {
		return forbidden(auth.ScopeAdmin, fmt.Sprintf("role %q is not one of yours", r))
	}
	if k.Teams == nil {
		k.Teams = p.Teams
	}
	if t, ok := notSubset(k.Teams, p.Teams); !ok {
		return forbidden(auth.ScopeAdmin, fmt.Sprintf("team %q is not one of yours", t))
	}
	if k.Scopes == nil {
		k.Scopes = a.Scopes
	}
	for _, s := range k.Scopes {
		if !auth.Grants(a.Scopes, s) {
			return forbidden(s, fmt.Sprintf("scope %q is beyond your own scopes", s))
		}
	}
	return nil
}

// inherit fills a child key's defaults from its parent (lineage[0]) and
// checks that it holds no more than the parent.
func (m *Manager) inherit(k *store.APIKey, lineage []store.APIKey, now time.Time) error {
	parent := lineage[0]
	if len(lineage) >= m.policy.MaxDepth {
		return invalidf("key %s is %d generations deep; keys may nest at most %d deep", parent.ID, len(lineage), m.policy.MaxDepth)
	}
	if st := parent.State(now); st != store.StateActive {
		return conflictf("parent key %s is %s", parent.ID, st)
	}
	if (k.User != "" && k.User != parent.User) || (k.Org != "" && k.Org != parent.Org) {
		return invalidf("a child key has its parent's owner; leave user and org out")
	}
	k.User, k.Org = parent.User, parent.Org
	if k.Teams == nil {
		k.Teams = parent.Teams
	}
	if t, ok := notSubset(k.Teams, parent.Teams); !ok {
		return invalidf("team %q is not one of the parent key's teams", t)
	}
	if k.Roles == nil {
		k.Roles = parent.Roles
	}
	if r, ok := notSubset(k.Roles, parent.Roles); !ok {
		return invalidf("role %q is not one of the parent key's roles", r)
	}
	ceiling := m.ceiling(parent)
	if k.Scopes == nil {
		k.Scopes = ceiling
	}
	for _, s := range k.Scopes {
		if !auth.Grants(ceiling, s) {
			return invalidf("scope %q is beyond the parent key's scopes %v", s, ceiling)
		}
	}
	if k.ExpiresAt.IsZero() {
		k.ExpiresAt = earliestExpiry(lineage)
	}
	if k.RateLimitPerMinute == 0 {
		k.RateLimitPerMinute = parent.RateLimitPerMinute
	}
	if k.AllowedSkillIDs == nil {
		k.AllowedSkillIDs = parent.AllowedSkillIDs
	}
	if err := checkChildLimits(*k, lineage); err != nil {
		return err
	}
	return nil
}

// checkChildLimits checks what a parent may later change (expiry, rate,
// skills) against every ancestor, on creation and on update.
func checkChildLimits(k store.APIKey, ancestors []store.APIKey) error {
	if exp := earliestExpiry(ancestors); !exp.IsZero() && (k.ExpiresAt.IsZero() || k.ExpiresAt.After(exp)) {
		return invalidf("a child key must expire no later than its parent (%s)", exp.Format(time.RFC3339))
	}
	parent := ancestors[0]
	if parent.RateLimitPerMinute > 0 && (k.RateLimitPerMinute == 0 || k.RateLimitPerMinute > parent.RateLimitPerMinute) {
		return invalidf("a child key's rate limit must be between 1 and its parent's, %d per minute", parent.RateLimitPerMinute)
	}
	if parent.AllowedSkillIDs != nil {
		if k.AllowedSkillIDs == nil {
			return invalidf("the parent key may use only some skills; list the child's allowed skills among %v", parent.AllowedSkillIDs)
		}
		if s, ok := notSubset(k.AllowedSkillIDs, parent.AllowedSkillIDs); !ok {
			return invalidf("skill %q is not allowed to the parent key", s)
		}
	}
	return nil
}

// checkBudget checks, inside the transaction that creates or updates k,
// that k's quota fits in what its parent has left after its siblings'.
func checkBudget(k, parent store.APIKey, siblings []store.APIKey) error {
	if parent.MonthlyQuota == 0 {
		return nil
	}
	left := parent.MonthlyQuota
	for _, s := range siblings {
		left -= s.MonthlyQuota
	}
	if k.MonthlyQuota == 0 || k.MonthlyQuota > left {
		return &Error{Kind: KindConflict,
			Message: fmt.Sprintf("a child key's monthly quota must be between 1 and what its parent has left to carve out: %d of %d", max(left, 0), parent.MonthlyQuota),
			Hint:    "Lower the quota, or raise the parent's."}
	}
	return nil
}

// checkExpiry applies the maximum lifetime: a key without an expiry gets
// it, and none may exceed it.
func (m *Manager) checkExpiry(k *store.APIKey, now time.Time) error {
	if !k.ExpiresAt.IsZero() && !k.ExpiresAt.After(now) {
		return invalidf("expires_at must be in the future")
	}
	if m.policy.MaxLifetime <= 0 {
		return nil
	}
	limit := now.Add(m.policy.MaxLifetime)
	if k.ExpiresAt.IsZero() {
		k.ExpiresAt = limit
	}
	if k.ExpiresAt.After(limit) {
		return invalidf("expires_at is beyond the maximum key lifetime of %s (%s)", m.policy.MaxLifetime, limit.Format(time.RFC3339))
	}
	return nil
}

func earliestExpiry(keys []store.APIKey) time.Time {
	var t time.Time
	for _, k := range keys {
		if !k.ExpiresAt.IsZero() && (t.IsZero() || k.ExpiresAt.Before(t)) {
			t = k.ExpiresAt
		}
	}
	return t
}

// notSubset returns the first element of sub missing from super.
func notSubset(sub, super []string) (string, bool) {
	for _, s := range sub {
		if !slices.Contains(super, s) {
			return s, false
		}
	}
	return "", true
}

// storeTime is t in UTC at the store's resolution (microseconds), so that
// what an operation answers equals what a later read returns.
func storeTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
