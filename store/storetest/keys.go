package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func testKeyRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("UTC+2", 2*60*60)
	}
	tests := []struct {
		name string
		edit func(k *store.APIKey)
	}{
		{"every field", func(k *store.APIKey) {
			k.Name = "ci deploy"
			k.User = "alice@example.com"
			k.Teams = []string{"platform", "sre"}
			k.Roles = []string{"admin"}
			k.Scopes = []string{"skills:read", "skills:write"}
			// Not UTC and with nanoseconds: stored as UTC, to the microsecond.
			k.CreatedAt = time.Date(2025, 3, 30, 2, 30, 0, 123456789, paris)
			k.ExpiresAt = time.Date(2026, 1, 1, 0, 0, 0, 999, paris)
			k.Disabled = true
			k.RevokedAt = time.Date(2025, 6, 1, 12, 0, 0, 1000, time.UTC)
		}},
		{"optional fields zero", func(k *store.APIKey) {
			k.Prefix = ""
		}},
		{"empty lists read as nil", func(k *store.APIKey) {
			k.Teams, k.Roles, k.Scopes = []string{}, []string{}, []string{}
		}},
		{"strings needing escapes", func(k *store.APIKey) {
			k.Name = `quote " backslash \ comma , emoji 🔑`
			k.User = "ünïcode"
			k.Teams = []string{`a"b`, "c,d", "[e]", ""}
		}},
		// Guards nanosecond-integer encodings, which overflow after 2262.
		{"far future expiry", func(k *store.APIKey) {
			k.ExpiresAt = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := NewKey(t)
			tc.edit(&k)
			if err := s.CreateKey(ctx, k); err != nil {
				t.Fatalf("CreateKey: %v", err)
			}
			byHash, err := s.KeyByHash(ctx, k.Hash)
			if err != nil {
				t.Fatalf("KeyByHash: %v", err)
			}
			checkKey(t, byHash, k)
			byID, err := s.KeyByID(ctx, k.ID)
			if err != nil {
				t.Fatalf("KeyByID: %v", err)
			}
			checkKey(t, byID, k)
		})
	}
}

func testKeyNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	stored := NewKey(t)
	if err := s.CreateKey(ctx, stored); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	other := NewKey(t)
	tests := []struct {
		name string
		get  func() (store.APIKey, error)
	}{
		{"by unknown id", func() (store.APIKey, error) { return s.KeyByID(ctx, other.ID) }},
		{"by empty id", func() (store.APIKey, error) { return s.KeyByID(ctx, "") }},
		{"by unknown hash", func() (store.APIKey, error) { return s.KeyByHash(ctx, other.Hash) }},
		{"by zero hash", func() (store.APIKey, error) { return s.KeyByHash(ctx, [32]byte{}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got err %v, want ErrNotFound", err)
			}
			if got.ID != "" {
				t.Errorf("got key %q with the error, want the zero APIKey", got.ID)
			}
		})
	}
}

func testKeyExists(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		dup  func(orig store.APIKey) store.APIKey
	}{
		{"same key", func(orig store.APIKey) store.APIKey { return orig }},
		{"same id", func(orig store.APIKey) store.APIKey {
			k := NewKey(t)
			k.ID = orig.ID
			return k
		}},
		{"same hash", func(orig store.APIKey) store.APIKey {
			k := NewKey(t)
			k.Hash = orig.Hash
			return k
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := NewKey(t)
			orig.Name = "original"
			if err := s.CreateKey(ctx, orig); err != nil {
				t.Fatalf("CreateKey: %v", err)
			}
			dup := tc.dup(orig)
			dup.Name = "duplicate"
			if err := s.CreateKey(ctx, dup); !errors.Is(err, store.ErrExists) {
				t.Fatalf("CreateKey of duplicate: got %v, want ErrExists", err)
			}
			got, err := s.KeyByID(ctx, orig.ID)
			if err != nil {
				t.Fatalf("KeyByID: %v", err)
			}
			checkKey(t, got, orig)
		})
	}
}

func testKeyInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		edit func(k *store.APIKey)
	}{
		{"empty id", func(k *store.APIKey) { k.ID = "" }},
		{"zero hash", func(k *store.APIKey) { k.Hash = [32]byte{} }},
		{"zero created time", func(k *store.APIKey) { k.CreatedAt = time.Time{} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := NewKey(t)
			tc.edit(&k)
			if err := s.CreateKey(ctx, k); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("CreateKey: got %v, want ErrInvalid", err)
			}
		})
	}
	if keys, err := s.ListKeys(ctx); err != nil || len(keys) != 0 {
		t.Errorf("ListKeys after invalid creates: got %d keys, %v; want none", len(keys), err)
	}
}

func testListKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	keys, err := s.ListKeys(ctx)
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
		k := NewKey(t)
		k.ID = fmt.Sprintf("key_%02d_%s", i, k.ID)
		k.CreatedAt = base.Add(d)
		if err := s.CreateKey(ctx, k); err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		want = append(want, k)
	}
	want = []store.APIKey{want[1], want[2], want[3], want[0]}

	got, err := s.ListKeys(ctx)
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

// testCreateKeyConcurrent checks that concurrent writers queue rather than
// fail (no SQLITE_BUSY or similar leaking out), and that a key is readable
// as soon as CreateKey returns.
func testCreateKeyConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 50
	keys := make([]store.APIKey, n)
	for i := range keys {
		keys[i] = NewKey(t)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			if err := s.CreateKey(ctx, k); err != nil {
				errs[i] = fmt.Errorf("CreateKey: %w", err)
				return
			}
			if _, err := s.KeyByHash(ctx, k.Hash); err != nil {
				errs[i] = fmt.Errorf("KeyByHash after CreateKey: %w", err)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("key %d: %v", i, err)
		}
	}
	got, err := s.ListKeys(ctx)
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if len(got) != n {
		t.Errorf("ListKeys: got %d keys, want %d", len(got), n)
	}
}
