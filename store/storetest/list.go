package storetest

import (
	"fmt"
	"slices"
	"strings"
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

// testListKeysPagesConcurrentInserts pages through keys created in the
// past while another goroutine creates keys "now". The cursor's order
// (CreatedAt, then ID) puts every new key after every old one, so the
// listing must return each old key exactly once, in order, whatever the
// inserts do; new keys may or may not appear, but never twice and never
// out of order.
func testListKeysPagesConcurrentInserts(t *testing.T, s store.Store) {
	ctx := t.Context()
	const (
		oldKeys  = 30
		newKeys  = 30
		pageSize = 4
		// Every key fits in (oldKeys+newKeys)/pageSize pages, plus the
		// last, short one; the rest is slack.
		maxPages = (oldKeys+newKeys)/pageSize + 5
	)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var old []store.APIKey
	for i := range oldKeys {
		k, sec := NewKey(t)
		// Three keys share each creation time and sort by ID.
		k.CreatedAt = base.Add(time.Duration(i/3) * time.Second)
		create(t, s, k, sec)
		old = append(old, k)
	}
	slices.SortFunc(old, compareListOrder)

	// The new keys and secrets are made here: t.Fatal must not be called
	// from the inserting goroutine.
	type newKey struct {
		k   store.APIKey
		sec store.Secret
	}
	fresh := make([]newKey, newKeys)
	for i := range fresh {
		fresh[i].k, fresh[i].sec = NewKey(t)
	}

	// inserted gets a value after each insert, so that the listing can
	// make sure inserts keep happening while it pages; it never blocks the
	// goroutine.
	inserted := make(chan struct{}, newKeys)
	errs := make(chan error, newKeys)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, nk := range fresh {
			// CreatedAt is set at the moment of insertion: "now", later
			// than every old key.
			nk.k.CreatedAt = time.Now().UTC()
			nk.sec.CreatedAt = nk.k.CreatedAt
			if err := s.CreateKey(ctx, nk.k, nk.sec, nil); err != nil {
				errs <- fmt.Errorf("concurrent CreateKey %s: %w", nk.k.ID, err)
			}
			inserted <- struct{}{}
		}
	}()

	var got []store.APIKey
	f := store.KeyFilter{Limit: pageSize}
	pages := 0
	for ; pages < maxPages; pages++ {
		// Wait for one more insert (unless they are all done) before each
		// page, so that the inserts interleave with the pages however
		// fast either side runs; the next insert runs alongside the read.
		select {
		case <-inserted:
		case <-done:
		}
		page, err := s.ListKeys(ctx, f)
		if err != nil {
			t.Errorf("ListKeys page %d: %v", pages, err)
			break
		}
		if len(page) > pageSize {
			t.Errorf("ListKeys page %d: got %d keys, limit %d", pages, len(page), pageSize)
		}
		got = append(got, page...)
		if len(page) < pageSize {
			break
		}
		f.After = store.CursorOf(page[len(page)-1])
	}
	<-done
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if pages == maxPages {
		t.Fatalf("listing did not end within %d pages of %d keys", maxPages, pageSize)
	}

	// No key twice, and the whole listing in list order.
	seen := map[string]int{}
	for i, k := range got {
		if j, ok := seen[k.ID]; ok {
			t.Errorf("key %s listed twice, at %d and %d", k.ID, j, i)
		}
		seen[k.ID] = i
		if i > 0 && compareListOrder(got[i-1], k) >= 0 {
			t.Errorf("key %s (%v) listed after %s (%v): out of list order",
				k.ID, k.CreatedAt, got[i-1].ID, got[i-1].CreatedAt)
		}
	}
	// Every old key, exactly once, in order, before any new key.
	if len(got) < len(old) {
		t.Fatalf("listed %d keys, want at least the %d created before the listing", len(got), len(old))
	}
	if g, w := ids(got[:len(old)]), ids(old); !slices.Equal(g, w) {
		t.Errorf("keys created before the listing:\n got %q\nwant %q", g, w)
	}
	for i, k := range got[:len(old)] {
		checkKey(t, k, old[i])
	}
	t.Logf("%d pages; %d of the %d keys inserted meanwhile were listed", pages+1, len(got)-len(old), newKeys)

	// Once the inserts are done, every key is there.
	all, err := s.ListKeys(ctx, store.KeyFilter{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if len(all) != oldKeys+newKeys {
		t.Errorf("ListKeys after the inserts: got %d keys, want %d", len(all), oldKeys+newKeys)
	}
}

// compareListOrder orders keys as ListKeys does: by CreatedAt, then ID.
func compareListOrder(a, b store.APIKey) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
