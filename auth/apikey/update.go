package apikey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// UpdateParams are the changes to a key; nil fields stay as they are.
type UpdateParams struct {
	Name        *string
	Description *string
	Enabled     *bool
	// ExpiresAt set to the zero time means never.
	ExpiresAt          *time.Time
	MonthlyQuota       *int64
	RateLimitPerMinute *int
	// AllowedSkillIDs set to nil means every skill.
	AllowedSkillIDs *[]string
	Claims          *map[string]string
}

func (u UpdateParams) validate() error {
	if u.Name != nil {
		if *u.Name == "" {
			return invalidf("name cannot be empty")
		}
		if err := checkText("name", *u.Name, maxNameLen); err != nil {
			return err
		}
	}
	if u.Description != nil {
		if err := checkText("description", *u.Description, maxDescriptionLen); err != nil {
			return err
		}
	}
	if u.AllowedSkillIDs != nil {
		if err := checkList("allowed_skill_ids", *u.AllowedSkillIDs); err != nil {
			return err
		}
	}
	if u.Claims != nil {
		if err := checkClaims(*u.Claims); err != nil {
			return err
		}
	}
	var quota int64
	var rate int
	if u.MonthlyQuota != nil {
		quota = *u.MonthlyQuota
	}
	if u.RateLimitPerMinute != nil {
		rate = *u.RateLimitPerMinute
	}
	return checkLimits(quota, rate)
}

// Update changes a key's name, description, state or limits. The rules a
// child key was created under hold after the update too: its limits stay
// within its parent's, and a key's quota covers its children's budgets.
// A managed key may change the keys it minted, never itself.
func (m *Manager) Update(ctx context.Context, a Actor, id string, u UpdateParams) (v View, err error) {
	defer func() { m.record(ctx, a, "key.update", id, err, u.summary()) }()
	if err := a.need(auth.ScopeKeysWrite); err != nil {
		return View{}, err
	}
	if err := u.validate(); err != nil {
		return View{}, err
	}
	lineage, err := m.visible(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	if !a.admin() && id == a.ownKeyID() {
		return View{}, forbidden(auth.ScopeAdmin, "A key cannot change its own limits; its parent or an administrator can")
	}
	if err := m.mayManage(a, lineage); err != nil {
		return View{}, err
	}
	// Limits an administrator set on a user's key stay as they were: the
	// user may rename, describe or disable it, not lift them.
	if !a.admin() && a.ownKeyID() == "" && lineage[0].CreatedBy != a.Identity() && u.liftsLimits() {
		return View{}, forbidden(auth.ScopeAdmin, "Only an administrator can change the limits of a key an administrator created")
	}
	now := m.clock()
	k, err := m.store.UpdateKey(ctx, id, func(k store.APIKey, f store.Family) (store.APIKey, error) {
		return m.apply(k, f, u, now)
	})
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return View{}, e
		}
		return View{}, fmt.Errorf("update key %s: %w", id, err)
	}
	secrets, err := m.store.Secrets(ctx, id)
	if err != nil {
		return View{}, fmt.Errorf("update key %s: %w", id, err)
	}
	return NewView(k, secrets, now), nil
}

// apply runs inside the update's transaction, on the key as stored now.
func (m *Manager) apply(k store.APIKey, f store.Family, u UpdateParams, now time.Time) (store.APIKey, error) {
	if !k.RevokedAt.IsZero() {
		return k, conflictf("key %s is revoked; revoked keys cannot be changed", k.ID)
	}
	if u.Name != nil {
		k.Name = *u.Name
	}
	if u.Description != nil {
		k.Description = *u.Description
	}
	if u.Enabled != nil {
		k.Disabled = !*u.Enabled
	}
	if u.Claims != nil {
		k.Claims = *u.Claims
	}
	if u.MonthlyQuota != nil {
		k.MonthlyQuota = *u.MonthlyQuota
	}
	if u.RateLimitPerMinute != nil {
		k.RateLimitPerMinute = *u.RateLimitPerMinute
	}
	if u.AllowedSkillIDs != nil {
		k.AllowedSkillIDs = *u.AllowedSkillIDs
	}
	if u.ExpiresAt != nil {
		k.ExpiresAt = storeTime(*u.ExpiresAt)
		if err := m.checkExpiry(&k, now); err != nil {
			return k, err
		}
	}
	if f.Parent != nil {
		// The parent's own ancestors were checked when it was last
		// changed; the parent bounds this key.
		if err := checkChildLimits(k, []store.APIKey{*f.Parent}); err != nil {
			return k, err
		}
		if err := checkBudget(k, *f.Parent, f.Siblings); err != nil {
			return k, err
		}
	}
	if k.MonthlyQuota > 0 {
		var carved int64
		for _, c := range f.Children {
			carved += c.MonthlyQuota
		}
		if k.MonthlyQuota < carved {
			return k, conflictf("the key's children hold budgets of %d in all; its quota cannot go below that", carved)
		}
	}
	return k, nil
}

// liftsLimits reports whether u changes a limit or enables a key.
func (u UpdateParams) liftsLimits() bool {
	return u.MonthlyQuota != nil || u.RateLimitPerMinute != nil || u.AllowedSkillIDs != nil ||
		u.ExpiresAt != nil || (u.Enabled != nil && *u.Enabled)
}

// summary says what an update changes, for the audit log.
func (u UpdateParams) summary() string {
	var s string
	add := func(field string, set bool) {
		if set {
			if s != "" {
				s += ","
			}
			s += field
		}
	}
	add("name", u.Name != nil)
	add("description", u.Description != nil)
	add("enabled", u.Enabled != nil)
	add("expires_at", u.ExpiresAt != nil)
	add("monthly_execution_quota", u.MonthlyQuota != nil)
	add("rate_limit_per_minute", u.RateLimitPerMinute != nil)
	add("allowed_skill_ids", u.AllowedSkillIDs != nil)
	add("claims", u.Claims != nil)
	if s == "" {
		return ""
	}
	return "changed " + s
}
