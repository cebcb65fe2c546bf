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
			k.Description = "deploys from CI"
			k.User = "alice@example.com"
			k.Org = "acme"
			k.Teams = []string{"platform", "sre"}
			k.Roles = []string{"admin"}
			k.Scopes = []string{"skills:read", "skills:write"}
			k.Claims = map[string]string{"env": "prod", "tier": "gold"}
			// Not UTC and with nanoseconds: stored as UTC, to the microsecond.
			k.CreatedAt = time.Date(2025, 3, 30, 2, 30, 0, 123456789, paris)
			k.ExpiresAt = time.Date(2026, 1, 1, 0, 0, 0, 999, paris)
			k.Disabled = true
			k.RevokedAt = time.Date(2025, 6, 1, 12, 0, 0, 1000, time.UTC)
			k.MonthlyQuota = 1000
			k.RateLimitPerMinute = 60
			k.AllowedSkillIDs = []string{"skill_a", "skill_b"}
			k.CreatedBy = "cli:root"
			k.LastUsedAt = time.Date(2025, 5, 1, 0, 0, 0, 0, paris)
		}},
		{"optional fields zero", func(k *store.APIKey) {}},
		// nil and empty mean different things for these two.
		{"empty scopes and skills kept empty", func(k *store.APIKey) {
			k.Scopes, k.AllowedSkillIDs = []string{}, []string{}
		}},
		{"empty lists and claims read as nil", func(k *store.APIKey) {
			k.Teams, k.Roles, k.Claims = []string{}, []string{}, map[string]string{}
		}},
		{"usage ignored on create", func(k *store.APIKey) {
			k.Usage = store.Usage{Period: 202501, Count: 7}
		}},
		{"strings needing escapes", func(k *store.APIKey) {
			k.Name = `quote " backslash \ comma , emoji 🔑`
			k.User = "ünïcode"
			k.Teams = []string{`a"b`, "c,d", "[e]", ""}
			k.Claims = map[string]string{`k"`: `v\`}
		}},
		// Guards nanosecond-integer encodings, which overflow after 2262.
		{"far future expiry", func(k *store.APIKey) {
			k.ExpiresAt = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, sec := NewKey(t)
			tc.edit(&k)
			sec.CreatedAt = k.CreatedAt
			create(t, s, k, sec)
			bySecret, gotSec, err := s.KeyBySecret(ctx, sec.Hash)
			if err != nil {
				t.Fatalf("KeyBySecret: %v", err)
			}
			checkKey(t, bySecret, k)
			checkSecret(t, gotSec, sec)
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
	k, sec := NewKey(t)
	create(t, s, k, sec)
	other, otherSec := NewKey(t)
	tests := []struct {
		name string
		get  func() (string, error)
	}{
		{"by unknown id", func() (string, error) {
			k, err := s.KeyByID(ctx, other.ID)
			return k.ID, err
		}},
		{"by empty id", func() (string, error) {
			k, err := s.KeyByID(ctx, "")
			return k.ID, err
		}},
		{"by unknown secret", func() (string, error) {
			k, _, err := s.KeyBySecret(ctx, otherSec.Hash)
			return k.ID, err
		}},
		{"by zero hash", func() (string, error) {
			k, _, err := s.KeyBySecret(ctx, [32]byte{})
			return k.ID, err
		}},
		{"lineage of unknown id", func() (string, error) {
			l, err := s.Lineage(ctx, other.ID)
			return fmt.Sprint(ids(l)), err
		}},
		{"child of unknown parent", func() (string, error) {
			c, csec := newChild(t, other.ID)
			return "", s.CreateKey(ctx, c, csec, func(store.APIKey, store.Family) error { return nil })
		}},
		{"update unknown", func() (string, error) {
			k, err := s.UpdateKey(ctx, other.ID, func(k store.APIKey, _ store.Family) (store.APIKey, error) { return k, nil })
			return k.ID, err
		}},
		{"revoke unknown", func() (string, error) {
			r, err := s.RevokeKey(ctx, other.ID, time.Now())
			return fmt.Sprint(r), err
		}},
		{"rotate unknown", func() (string, error) {
			k, err := s.RotateKey(ctx, other.ID, NewSecret(t, other.ID, time.Now()), time.Now(), nil)
			return k.ID, err
		}},
		{"spend unknown", func() (string, error) {
			_, err := s.SpendExecution(ctx, other.ID, 202501)
			return "", err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.get()
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got err %v, want ErrNotFound", err)
			}
			if got != "" && got != "[]" {
				t.Errorf("got %q with the error, want nothing", got)
			}
		})
	}
}

func testKeyExists(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		dup  func(orig store.APIKey, sec store.Secret) (store.APIKey, store.Secret)
	}{
		{"same key", func(orig store.APIKey, sec store.Secret) (store.APIKey, store.Secret) {
			return orig, sec
		}},
		{"same id", func(orig store.APIKey, _ store.Secret) (store.APIKey, store.Secret) {
			k, _ := NewKey(t)
			k.ID = orig.ID
			return k, NewSecret(t, k.ID, k.CreatedAt)
		}},
		{"same hash", func(_ store.APIKey, sec store.Secret) (store.APIKey, store.Secret) {
			k, s := NewKey(t)
			s.Hash = sec.Hash
			return k, s
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig, sec := NewKey(t)
			orig.Name = "original"
			create(t, s, orig, sec)
			dup, dupSec := tc.dup(orig, sec)
			dup.Name = "duplicate"
			if err := s.CreateKey(ctx, dup, dupSec, nil); !errors.Is(err, store.ErrExists) {
				t.Fatalf("CreateKey of duplicate: got %v, want ErrExists", err)
			}
			got, err := s.KeyByID(ctx, orig.ID)
			if err != nil {
				t.Fatalf("KeyByID: %v", err)
			}
			checkKey(t, got, orig)
			if dup.ID != orig.ID {
				if _, err := s.KeyByID(ctx, dup.ID); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("KeyByID of refused duplicate: got %v, want ErrNotFound", err)
				}
			}
		})
	}
}

func testKeyInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name string
		edit func(k *store.APIKey, s *store.Secret)
	}{
		{"empty id", func(k *store.APIKey, s *store.Secret) { k.ID, s.KeyID = "", "" }},
		{"zero created time", func(k *store.APIKey, _ *store.Secret) { k.CreatedAt = time.Time{} }},
		{"negative quota", func(k *store.APIKey, _ *store.Secret) { k.MonthlyQuota = -1 }},
		{"negative rate limit", func(k *store.APIKey, _ *store.Secret) { k.RateLimitPerMinute = -1 }},
		{"own parent", func(k *store.APIKey, _ *store.Secret) { k.ParentID = k.ID }},
		{"zero hash", func(_ *store.APIKey, s *store.Secret) { s.Hash = [32]byte{} }},
		{"zero secret time", func(_ *store.APIKey, s *store.Secret) { s.CreatedAt = time.Time{} }},
		{"secret of another key", func(_ *store.APIKey, s *store.Secret) { s.KeyID = "key_other" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, sec := NewKey(t)
			tc.edit(&k, &sec)
			if err := s.CreateKey(ctx, k, sec, nil); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("CreateKey: got %v, want ErrInvalid", err)
			}
		})
	}
	if keys, err := s.ListKeys(ctx, store.KeyFilter{}); err != nil || len(keys) != 0 {
		t.Errorf("ListKeys after invalid creates: got %d keys, %v; want none", len(keys), err)
	}
}

// testCreateKeyConcurrent checks that concurrent writers queue rather than
// fail (no SQLITE_BUSY or similar leaking out), and that a key is readable
// as soon as CreateKey returns.
func testCreateKeyConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		k, sec := NewKey(t)
		wg.Go(func() {
			if err := s.CreateKey(ctx, k, sec, nil); err != nil {
				errs[i] = fmt.Errorf("CreateKey: %w", err)
				return
			}
			if _, _, err := s.KeyBySecret(ctx, sec.Hash); err != nil {
				errs[i] = fmt.Errorf("KeyBySecret after CreateKey: %w", err)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("key %d: %v", i, err)
		}
	}
	got, err := s.ListKeys(ctx, store.KeyFilter{})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if len(got) != n {
		t.Errorf("ListKeys: got %d keys, want %d", len(got), n)
	}
}
