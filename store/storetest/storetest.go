package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// Run runs the conformance suite against the stores newStore returns. Each
// subtest calls newStore once and expects a new, empty store; Run closes it
// when the subtest ends, so newStore must not.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"Ping", testPing},
		{"KeyRoundTrip", testKeyRoundTrip},
		{"KeyNotFound", testKeyNotFound},
		{"KeyExists", testKeyExists},
		{"KeyInvalid", testKeyInvalid},
		{"ListKeys", testListKeys},
		{"CreateKeyConcurrent", testCreateKeyConcurrent},
		{"BootstrapOnce", testBootstrapOnce},
		{"BootstrapFailureKeepsBootstrapOpen", testBootstrapFailure},
		{"BootstrapInvalid", testBootstrapInvalid},
		{"BootstrapConcurrent", testBootstrapConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, s)
		})
	}
}

func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// NewKey returns a valid key with a random ID and Hash, created now, and no
// other fields set. Backend tests can use it to fill a store.
func NewKey(t testing.TB) store.APIKey {
	t.Helper()
	plain := "sk_live_" + randomHex(t, 24)
	return store.APIKey{
		ID:        "key_" + randomHex(t, 12),
		Hash:      sha256.Sum256([]byte(plain)),
		Prefix:    plain[:12],
		CreatedAt: time.Now().UTC(),
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("rand: %v", err)
	}
	return hex.EncodeToString(b)
}

// checkKey reports every field where got differs from want, after applying
// the contract's normalisation to want: times in UTC to the microsecond,
// empty lists as nil.
func checkKey(t *testing.T, got, want store.APIKey) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("ID: got %q, want %q", got.ID, want.ID)
	}
	if got.Hash != want.Hash {
		t.Errorf("Hash: got %x, want %x", got.Hash, want.Hash)
	}
	for _, f := range []struct{ name, got, want string }{
		{"Prefix", got.Prefix, want.Prefix},
		{"Name", got.Name, want.Name},
		{"User", got.User, want.User},
	} {
		if f.got != f.want {
			t.Errorf("%s: got %q, want %q", f.name, f.got, f.want)
		}
	}
	for _, f := range []struct {
		name      string
		got, want []string
	}{
		{"Teams", got.Teams, want.Teams},
		{"Roles", got.Roles, want.Roles},
		{"Scopes", got.Scopes, want.Scopes},
	} {
		if len(f.want) == 0 {
			if f.got != nil {
				t.Errorf("%s: got %#v, want nil", f.name, f.got)
			}
		} else if !slices.Equal(f.got, f.want) {
			t.Errorf("%s: got %q, want %q", f.name, f.got, f.want)
		}
	}
	for _, f := range []struct {
		name      string
		got, want time.Time
	}{
		{"CreatedAt", got.CreatedAt, want.CreatedAt},
		{"ExpiresAt", got.ExpiresAt, want.ExpiresAt},
		{"RevokedAt", got.RevokedAt, want.RevokedAt},
	} {
		checkTime(t, f.name, f.got, f.want)
	}
	if got.Disabled != want.Disabled {
		t.Errorf("Disabled: got %v, want %v", got.Disabled, want.Disabled)
	}
}

func checkTime(t *testing.T, name string, got, want time.Time) {
	t.Helper()
	if want.IsZero() {
		if !got.IsZero() {
			t.Errorf("%s: got %v, want the zero time", name, got)
		}
		return
	}
	if w := want.Truncate(time.Microsecond); !got.Equal(w) {
		t.Errorf("%s: got %v, want %v", name, got, w.UTC())
	}
	if got.Location() != time.UTC {
		t.Errorf("%s: got location %v, want UTC", name, got.Location())
	}
}
