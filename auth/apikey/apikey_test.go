package apikey

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		k := Generate()
		if !strings.HasPrefix(k, Prefix) || len(k) != len(Prefix)+43 {
			t.Fatalf("Generate() = %q, want %s + 43 base64url characters", k, Prefix)
		}
		if seen[k] {
			t.Fatal("Generate returned the same key twice")
		}
		seen[k] = true
		if id := NewID(); !strings.HasPrefix(id, "key_") || len(id) != 28 {
			t.Fatalf("NewID() = %q", id)
		}
	}
	if p := DisplayPrefix("sk_live_abcdefgh"); p != "sk_live_abcd" {
		t.Errorf("DisplayPrefix = %q", p)
	}
}

func TestStatic(t *testing.T) {
	s, err := NewStatic([]StaticKey{
		{Key: "first-key-0123456789", Name: "first", Roles: []string{"admin"}},
		{Key: "second-key-0123456789", Name: "second", Roles: []string{"viewer"}, User: "bob", Teams: []string{"t"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token string
		wantSubject string
		wantErr     error
	}{
		{"first", "first-key-0123456789", "first", nil},
		{"second", "second-key-0123456789", "second", nil},
		{"prefix of a key", "first-key", "", auth.ErrUnknownCredential},
		{"key plus suffix", "first-key-0123456789x", "", auth.ErrUnknownCredential},
		{"empty", "", "", auth.ErrUnknownCredential},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Verify(context.Background(), tc.token)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if p.Subject != tc.wantSubject {
				t.Errorf("subject = %q, want %q", p.Subject, tc.wantSubject)
			}
		})
	}
	p, _ := s.Verify(context.Background(), "second-key-0123456789")
	if p.User != "bob" || p.CredentialID != "static:second" || p.Source != auth.SourceStaticKey {
		t.Errorf("principal = %+v", p)
	}
	if err := s.Recheck(context.Background(), p); err != nil {
		t.Errorf("Recheck = %v", err)
	}
}

func TestNewStaticRefuses(t *testing.T) {
	tests := []struct {
		name string
		keys []StaticKey
	}{
		// An empty key must never match an empty credential.
		{"empty key", []StaticKey{{Key: "", Name: "a"}}},
		{"blank key", []StaticKey{{Key: "   ", Name: "a"}}},
		{"no name", []StaticKey{{Key: "k-0123456789abcdef"}}},
		{"duplicate key", []StaticKey{{Key: "k-0123456789abcdef", Name: "a"}, {Key: "k-0123456789abcdef", Name: "b"}}},
		{"duplicate name", []StaticKey{{Key: "k-0123456789abcdef", Name: "a"}, {Key: "j-0123456789abcdef", Name: "a"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewStatic(tc.keys)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "0123456789abcdef") {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
}

func openDB(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestManaged(t *testing.T) {
	db := openDB(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	m := &Managed{Store: db, Now: func() time.Time { return now }}
	add := func(mutate func(*store.APIKey)) (string, store.APIKey) {
		plain := Generate()
		k := store.APIKey{ID: NewID(), Hash: Hash(plain), Prefix: DisplayPrefix(plain), Name: "k", Roles: []string{"analyst"}, CreatedAt: now}
		if mutate != nil {
			mutate(&k)
		}
		if err := db.CreateKey(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		return plain, k
	}
	valid, validKey := add(nil)
	disabled, _ := add(func(k *store.APIKey) { k.Disabled = true })
	expired, _ := add(func(k *store.APIKey) { k.ExpiresAt = now })
	future, _ := add(func(k *store.APIKey) { k.ExpiresAt = now.Add(time.Second) })
	revoked, _ := add(func(k *store.APIKey) { k.RevokedAt = now.Add(-time.Hour); k.Disabled = true })
	tests := []struct {
		name, token string
		wantErr     error
	}{
		{"valid", valid, nil},
		{"expires later", future, nil},
		{"disabled", disabled, auth.ErrDisabled},
		{"expired at exactly now", expired, auth.ErrExpired},
		{"revoked wins over disabled", revoked, auth.ErrRevoked},
		{"unknown", Generate(), auth.ErrUnknownCredential},
		{"not a managed key", "static-looking-key", auth.ErrUnknownCredential},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Verify(context.Background(), tc.token)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error = %v, want %v", err, tc.wantErr)
			}
		})
	}
	p, err := m.Verify(context.Background(), valid)
	if err != nil {
		t.Fatal(err)
	}
	if p.CredentialID != validKey.ID || p.Source != auth.SourceManagedKey || p.User != "k" {
		t.Errorf("principal = %+v", p)
	}
	if err := m.Recheck(context.Background(), p); err != nil {
		t.Errorf("Recheck(valid) = %v", err)
	}
	if err := m.Recheck(context.Background(), auth.Principal{Source: auth.SourceManagedKey, CredentialID: "key_gone"}); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("Recheck(deleted) = %v, want ErrRevoked", err)
	}
}

func TestBootstrapOnce(t *testing.T) {
	db := openDB(t)
	plain, k, created, err := Bootstrap(context.Background(), db, time.Now())
	if err != nil || !created || !strings.HasPrefix(plain, Prefix) {
		t.Fatalf("first Bootstrap = %v, %v", created, err)
	}
	got, err := db.KeyByHash(context.Background(), Hash(plain))
	if err != nil || got.ID != k.ID || got.Roles[0] != "admin" {
		t.Fatalf("bootstrap key not stored as admin: %+v, %v", got, err)
	}
	plain2, _, created, err := Bootstrap(context.Background(), db, time.Now())
	if err != nil || created || plain2 != "" {
		t.Fatalf("second Bootstrap = %q, %v, %v; want nothing", plain2, created, err)
	}
}
