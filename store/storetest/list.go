package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func testListKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	keys, err := s.ListKeys(ctx, store.KeyFilter{})
	if err != nil {
		t.Fatalf("ListKeys of empty store: %v", err)
	}
	if len(keys) != 0 {
		t.Fatalf("ListKeys of empty store: got %d keys, want 0", len(keys))
	}

	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []store.APIKey
	// Created out of order; two share a creation time and sort by ID.
	for i, d := range []time.Duration{2 * time.Hour, 0, time.Hour, time.Hour} {
		k, sec := NewKey(t)
		k.ID = fmt.Sprintf("key_%02d_%s", i, k.ID)
		k.CreatedAt = base.Add(d)
		sec.KeyID = k.ID
		create(t, s, k, sec)
		want = append(want, k)
	}
	want = []store.APIKey{want[1], want[2], want[3], want[0]}

	got, err := s.ListKeys(ctx, store.KeyFilter{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("ListKeys: got %d keys, want %d", len(got), len(want))
	}
	for i := range want {
		checkKey(t, got[i], want[i])
	}
}

// testListKeysFilters builds a small forest whose keys are named after
// their place and state, and checks each filter by the names it returns.
func testListKeysFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	base := now.Add(-24 * time.Hour)
	names := map[string]string{} // id -> name
	add := func(name, parent string, edit func(k *store.APIKey)) string {
		k, sec := newChild(t, parent)
		k.Name = name
		k.CreatedAt = base.Add(time.Duration(len(names)) * time.Minute)
		if edit != nil {
			edit(&k)
		}
		create(t, s, k, sec)
		names[k.ID] = name
		return k.ID
	}
	root := add("root", "", func(k *store.APIKey) { k.User, k.Org = "alice", "acme" })
	child := add("child", root, func(k *store.APIKey) { k.User, k.Org = "alice", "acme" })
	add("grandchild-disabled", child, func(k *store.APIKey) { k.Org, k.Disabled = "acme", true })
	add("child-expired", root, func(k *store.APIKey) { k.ExpiresAt = now })
	add("child-revoked", root, func(k *store.APIKey) {
		k.RevokedAt, k.ExpiresAt, k.Disabled = now.Add(-time.Hour), now.Add(-time.Hour), true
	})
	add("other", "", func(k *store.APIKey) { k.User, k.ExpiresAt = "bob", now.Add(time.Microsecond) })

	tests := []struct {
		name string
		f    store.KeyFilter
		want []string
	}{
		{"none", store.KeyFilter{}, []string{"root", "child", "grandchild-disabled", "child-expired", "child-revoked", "other"}},
		{"user", store.KeyFilter{User: "alice"}, []string{"root", "child"}},
		{"org", store.KeyFilter{Org: "acme"}, []string{"root", "child", "grandchild-disabled"}},
		{"parent", store.KeyFilter{ParentID: root}, []string{"child", "child-expired", "child-revoked"}},
		{"within root", store.KeyFilter{Within: root}, []string{"root", "child", "grandchild-disabled", "child-expired", "child-revoked"}},
		{"within child", store.KeyFilter{Within: child}, []string{"child", "grandchild-disabled"}},
		{"within unknown", store.KeyFilter{Within: "key_unknown"}, nil},
		{"active", store.KeyFilter{State: store.StateActive, Now: now}, []string{"root", "child", "other"}},
		// Expiry is checked before disabled, revocation before both.
		{"disabled", store.KeyFilter{State: store.StateDisabled, Now: now}, []string{"grandchild-disabled"}},
		{"expired at its expiry", store.KeyFilter{State: store.StateExpired, Now: now}, []string{"child-expired"}},
		{"expired a microsecond later", store.KeyFilter{State: store.StateExpired, Now: now.Add(time.Microsecond)}, []string{"child-expired", "other"}},
		{"revoked", store.KeyFilter{State: store.StateRevoked, Now: now}, []string{"child-revoked"}},
		{"combined", store.KeyFilter{Within: root, Org: "acme", State: store.StateActive, Now: now}, []string{"root", "child"}},
		{"limit", store.KeyFilter{Limit: 2}, []string{"root", "child"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := s.ListKeys(ctx, tc.f)
			if err != nil {
				t.Fatalf("ListKeys: %v", err)
			}
			var got []string
			for _, k := range keys {
				got = append(got, names[k.ID])
				// The store's filter must agree with APIKey.State.
				if tc.f.State != "" && k.State(tc.f.Now) != tc.f.State {
					t.Errorf("key %s: state %s, want %s", names[k.ID], k.State(tc.f.Now), tc.f.State)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// testListKeysPages pages through keys, several sharing a creation time,
// and checks that pages neither skip nor repeat a key.
func testListKeysPages(t *testing.T, s store.Store) {
	ctx := t.Context()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 11 {
		k, sec := NewKey(t)
		k.CreatedAt = base.Add(time.Duration(i/3) * time.Second)
		create(t, s, k, sec)
		want = append(want, k.ID)
	}
	all, err := s.ListKeys(ctx, store.KeyFilter{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	for _, size := range []int{1, 2, 3, 4, 11, 12} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			var got []string
			f := store.KeyFilter{Limit: size}
			for range 20 {
				page, err := s.ListKeys(ctx, f)
				if err != nil {
					t.Fatalf("ListKeys: %v", err)
				}
				got = append(got, ids(page)...)
				if len(page) < size {
					break
				}
				f.After = store.CursorOf(page[len(page)-1])
			}
			if !slices.Equal(got, ids(all)) {
				t.Errorf("got %q, want %q", got, ids(all))
			}
		})
	}
	slices.Sort(want)
	got := ids(all)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("ListKeys: got %q, want %q", got, want)
	}
}

func testSecrets(t *testing.T, s store.Store) {
	ctx := t.Context()
	k, first := NewKey(t)
	create(t, s, k, first)
	second := NewSecret(t, k.ID, first.CreatedAt.Add(time.Second))
	grace := second.CreatedAt.Add(time.Hour)
	if _, err := s.RotateKey(ctx, k.ID, second, grace, nil); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	got, err := s.Secrets(ctx, k.ID)
	if err != nil {
		t.Fatalf("Secrets: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("Secrets: got %d, want 2", len(got))
	}
	first.ExpiresAt = grace
	checkSecret(t, got[0], second)
	checkSecret(t, got[1], first)
	if got, err := s.Secrets(ctx, "key_unknown"); err != nil || len(got) != 0 {
		t.Errorf("Secrets of unknown key: got %d, %v; want none", len(got), err)
	}
}

func testLineage(t *testing.T, s store.Store) {
	ctx := t.Context()
	root, rs := NewKey(t)
	create(t, s, root, rs)
	child, cs := newChild(t, root.ID)
	create(t, s, child, cs)
	grand, gs := newChild(t, child.ID)
	create(t, s, grand, gs)
	tests := []struct {
		id   string
		want []string
	}{
		{grand.ID, []string{grand.ID, child.ID, root.ID}},
		{child.ID, []string{child.ID, root.ID}},
		{root.ID, []string{root.ID}},
	}
	for _, tc := range tests {
		got, err := s.Lineage(ctx, tc.id)
		if err != nil {
			t.Fatalf("Lineage %s: %v", tc.id, err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("Lineage %s: got %q, want %q", tc.id, ids(got), tc.want)
		}
	}
	got, err := s.Lineage(ctx, grand.ID)
	if err == nil && len(got) == 3 {
		checkKey(t, got[0], grand)
		checkKey(t, got[2], root)
	}
}
