package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
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
		{"Secrets", testSecrets},
		{"ListKeys", testListKeys},
		{"ListKeysFilters", testListKeysFilters},
		{"ListKeysPages", testListKeysPages},
		{"ListKeysPagesConcurrentInserts", testListKeysPagesConcurrentInserts},
		{"CreateKeyConcurrent", testCreateKeyConcurrent},
		{"CreateChild", testCreateChild},
		{"CreateChildConcurrentBudget", testCreateChildConcurrent},
		{"Lineage", testLineage},
		{"UpdateKey", testUpdateKey},
		{"RevokeKey", testRevokeKey},
		{"RotateKey", testRotateKey},
		{"SpendExecution", testSpend},
		{"SpendExecutionConcurrent", testSpendConcurrent},
		{"SpendExecutionParentQuota", testSpendParentQuota},
		{"TouchKey", testTouchKey},
		{"KeysVersion", testKeysVersion},
		{"Audit", testAudit},
		{"AuditPages", testAuditPages},
		{"AuditLargeBatch", testAuditLargeBatch},
		{"AuditByDay", testAuditByDay},
		{"BootstrapOnce", testBootstrapOnce},
		{"BootstrapFailureKeepsBootstrapOpen", testBootstrapFailure},
		{"BootstrapInvalid", testBootstrapInvalid},
		{"BootstrapConcurrent", testBootstrapConcurrent},
		{"OAuthClientRoundTrip", testOAuthClientRoundTrip},
		{"OAuthListClientsOrder", testOAuthListClientsOrder},
		{"OAuthClientErrors", testOAuthClientErrors},
		{"OAuthUpdateClient", testOAuthUpdateClient},
		{"OAuthDeleteClient", testOAuthDeleteClient},
		{"OAuthTouchClient", testOAuthTouchClient},
		{"OAuthRequest", testOAuthRequest},
		{"OAuthConsent", testOAuthConsent},
		{"OAuthGrantRoundTrip", testOAuthGrantRoundTrip},
		{"OAuthGrantErrors", testOAuthGrantErrors},
		{"OAuthCodeRoundTrip", testOAuthCodeRoundTrip},
		{"OAuthRedeemTwice", testOAuthRedeemTwice},
		{"OAuthRedeemNotFound", testOAuthRedeemNotFound},
		{"OAuthRedeemConcurrent", testOAuthRedeemConcurrent},
		{"OAuthRevokeGrant", testOAuthRevokeGrant},
		{"OAuthRevokeClientGrants", testOAuthRevokeClientGrants},
		{"OAuthAddRefresh", testOAuthAddRefresh},
		{"OAuthRotateRefresh", testOAuthRotateRefresh},
		{"OAuthRotateRefreshErrors", testOAuthRotateRefreshErrors},
		{"OAuthRotateRefreshConcurrent", testOAuthRotateRefreshConcurrent},
		{"OAuthSigningKeys", testOAuthSigningKeys},
		{"OAuthServerSecret", testOAuthServerSecret},
		{"WebSession", testWebSession},
		{"WebSessionInvalid", testWebSessionInvalid},
		{"WebSessionsOf", testWebSessionsOf},
		{"WebSessionPrune", testWebSessionPrune},
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

// NewKey returns a valid key with a random ID, created now, and no other
// fields set, with its first secret (random hash). Backend tests can use it
// to fill a store.
func NewKey(t testing.TB) (store.APIKey, store.Secret) {
	t.Helper()
	k := store.APIKey{
		ID:        "key_" + randomHex(t, 12),
		CreatedAt: time.Now().UTC(),
	}
	return k, NewSecret(t, k.ID, k.CreatedAt)
}

// NewSecret returns a current secret of the key keyID, with a random hash,
// created at created.
func NewSecret(t testing.TB, keyID string, created time.Time) store.Secret {
	t.Helper()
	plain := "sk_live_" + randomHex(t, 24)
	return store.Secret{
		Hash:      sha256.Sum256([]byte(plain)),
		KeyID:     keyID,
		Prefix:    plain[:12],
		CreatedAt: created,
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

// stored returns k as the contract says a backend returns it: times in UTC
// to the microsecond, empty Teams, Roles and Claims as nil, Usage as given
// (CreateKey ignores it; pass the expected one).
func stored(k store.APIKey, u store.Usage) store.APIKey {
	for _, p := range []*time.Time{&k.CreatedAt, &k.ExpiresAt, &k.RevokedAt, &k.LastUsedAt} {
		*p = micro(*p)
	}
	if len(k.Teams) == 0 {
		k.Teams = nil
	}
	if len(k.Roles) == 0 {
		k.Roles = nil
	}
	if len(k.Claims) == 0 {
		k.Claims = nil
	}
	k.Usage = u
	return k
}

func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}

// checkKey fails t unless got is want as stored (see stored), with zero
// usage. Times must be in UTC, not merely equal.
func checkKey(t *testing.T, got, want store.APIKey) {
	t.Helper()
	checkKeyUsage(t, got, want, store.Usage{})
}

func checkKeyUsage(t *testing.T, got, want store.APIKey, u store.Usage) {
	t.Helper()
	if w := stored(want, u); !reflect.DeepEqual(got, w) {
		t.Errorf("key %s:\n got %#v\nwant %#v", want.ID, got, w)
	}
}

func checkSecret(t *testing.T, got, want store.Secret) {
	t.Helper()
	want.CreatedAt, want.ExpiresAt = micro(want.CreatedAt), micro(want.ExpiresAt)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("secret of key %s:\n got %+v\nwant %+v", want.KeyID, got, want)
	}
}

// create stores k and s with no check, failing t on error.
func create(t *testing.T, s store.Keys, k store.APIKey, sec store.Secret) {
	t.Helper()
	if err := s.CreateKey(t.Context(), k, sec, nil); err != nil {
		t.Fatalf("CreateKey %s: %v", k.ID, err)
	}
}

// newChild returns a new key whose parent is parent.
func newChild(t *testing.T, parent string) (store.APIKey, store.Secret) {
	t.Helper()
	k, sec := NewKey(t)
	k.ParentID = parent
	return k, sec
}

func ids(keys []store.APIKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.ID)
	}
	return out
}
