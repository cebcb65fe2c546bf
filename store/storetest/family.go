package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// budgetError is a caller's own error type, which must reach the caller
// through the store's wrapping.
type budgetError struct{ want, left int64 }

func (e *budgetError) Error() string { return "over budget" }

// budget is a check that lets a parent's children share its quota.
func budget(k store.APIKey, f store.Family) error {
	left := f.Parent.MonthlyQuota
	for _, sib := range f.Siblings {
		left -= sib.MonthlyQuota
	}
	if k.MonthlyQuota > left {
		return &budgetError{want: k.MonthlyQuota, left: left}
	}
	return nil
}

func testCreateChild(t *testing.T, s store.Store) {
	ctx := t.Context()
	parent, ps := NewKey(t)
	parent.MonthlyQuota = 100
	create(t, s, parent, ps)
	first, fs := newChild(t, parent.ID)
	first.MonthlyQuota = 60
	create(t, s, first, fs)
	revoked, rs := newChild(t, parent.ID)
	revoked.MonthlyQuota = 40
	revoked.RevokedAt = time.Now()
	create(t, s, revoked, rs)

	var seen store.Family
	check := func(k store.APIKey, f store.Family) error {
		seen = f
		return budget(k, f)
	}
	over, os := newChild(t, parent.ID)
	over.MonthlyQuota = 41
	err := s.CreateKey(ctx, over, os, check)
	var be *budgetError
	if !errors.As(err, &be) || be.left != 40 {
		t.Fatalf("CreateKey over budget: got %v, want the check's *budgetError with 40 left", err)
	}
	if _, err := s.KeyByID(ctx, over.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyByID of refused child: got %v, want ErrNotFound", err)
	}
	if _, _, err := s.KeyBySecret(ctx, os.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyBySecret of refused child: got %v, want ErrNotFound", err)
	}
	if seen.Parent == nil {
		t.Fatalf("check got no parent")
	}
	checkKey(t, *seen.Parent, parent)
	// The revoked sibling no longer holds a share.
	if got := ids(seen.Siblings); !slices.Equal(got, []string{first.ID}) {
		t.Errorf("check got siblings %q, want %q", got, []string{first.ID})
	}
	if len(seen.Children) != 0 {
		t.Errorf("check got %d children of a new key, want none", len(seen.Children))
	}

	fits, fis := newChild(t, parent.ID)
	fits.MonthlyQuota = 40
	if err := s.CreateKey(ctx, fits, fis, check); err != nil {
		t.Fatalf("CreateKey within budget: %v", err)
	}
	got, err := s.KeyByID(ctx, fits.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	checkKey(t, got, fits)
}

// testCreateChildConcurrent races creations that each take a share of a
// parent's quota: the check runs inside the creating transaction, so the
// shares never add up to more than the quota.
func testCreateChildConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	parent, ps := NewKey(t)
	parent.MonthlyQuota = 50
	create(t, s, parent, ps)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		k, sec := newChild(t, parent.ID)
		k.MonthlyQuota = 10
		wg.Go(func() { errs[i] = s.CreateKey(ctx, k, sec, budget) })
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		var be *budgetError
		switch {
		case err == nil:
			created++
		case !errors.As(err, &be):
			t.Errorf("CreateKey %d: %v", i, err)
		}
	}
	if created != 5 {
		t.Errorf("got %d children created, want 5", created)
	}
	children, err := s.ListKeys(ctx, store.KeyFilter{ParentID: parent.ID})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if len(children) != created {
		t.Errorf("ListKeys: got %d children, want %d", len(children), created)
	}
}

func testUpdateKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	parent, ps := NewKey(t)
	create(t, s, parent, ps)
	k, ks := newChild(t, parent.ID)
	k.Name, k.User, k.Roles = "before", "alice", []string{"reader"}
	create(t, s, k, ks)
	sib, ss := newChild(t, parent.ID)
	create(t, s, sib, ss)
	child, cs := newChild(t, k.ID)
	create(t, s, child, cs)
	before, err := s.KeysVersion(ctx)
	if err != nil {
		t.Fatalf("KeysVersion: %v", err)
	}

	expires := time.Date(2030, 1, 1, 0, 0, 0, 1500, time.UTC)
	var seen store.Family
	got, err := s.UpdateKey(ctx, k.ID, func(u store.APIKey, f store.Family) (store.APIKey, error) {
		seen = f
		u.Name, u.Description, u.Disabled, u.ExpiresAt = "after", "described", true, expires
		u.MonthlyQuota, u.RateLimitPerMinute = 10, 5
		u.AllowedSkillIDs = []string{}
		u.Claims = map[string]string{"a": "b"}
		// Not written: the store ignores changes to any other field.
		u.User, u.Roles, u.Scopes, u.ParentID = "mallory", []string{"admin"}, []string{"*"}, ""
		u.RevokedAt, u.Usage = time.Now(), store.Usage{Period: 1, Count: 1}
		return u, nil
	})
	if err != nil {
		t.Fatalf("UpdateKey: %v", err)
	}
	want := k
	want.Name, want.Description, want.Disabled, want.ExpiresAt = "after", "described", true, expires
	want.MonthlyQuota, want.RateLimitPerMinute = 10, 5
	want.AllowedSkillIDs = []string{}
	want.Claims = map[string]string{"a": "b"}
	checkKey(t, got, want)
	if stored, err := s.KeyByID(ctx, k.ID); err != nil {
		t.Errorf("KeyByID: %v", err)
	} else {
		checkKey(t, stored, want)
	}
	if seen.Parent == nil || seen.Parent.ID != parent.ID {
		t.Errorf("update got parent %v, want %s", seen.Parent, parent.ID)
	}
	if got := ids(seen.Siblings); !slices.Equal(got, []string{sib.ID}) {
		t.Errorf("update got siblings %q, want %q", got, []string{sib.ID})
	}
	if got := ids(seen.Children); !slices.Equal(got, []string{child.ID}) {
		t.Errorf("update got children %q, want %q", got, []string{child.ID})
	}
	if after, err := s.KeysVersion(ctx); err != nil || after == before {
		t.Errorf("KeysVersion after UpdateKey: got %d, %v; want a change from %d", after, err, before)
	}

	// An error from update aborts and reaches the caller.
	abort := &budgetError{}
	_, err = s.UpdateKey(ctx, k.ID, func(u store.APIKey, _ store.Family) (store.APIKey, error) {
		u.Name = "aborted"
		return u, abort
	})
	var be *budgetError
	if !errors.As(err, &be) || be != abort {
		t.Errorf("UpdateKey with failing update: got %v, want the update's error", err)
	}
	if stored, err := s.KeyByID(ctx, k.ID); err != nil || stored.Name != "after" {
		t.Errorf("after aborted update: got name %q, %v; want %q", stored.Name, err, "after")
	}
}
