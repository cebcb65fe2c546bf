package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func newRequest(t testing.TB, created time.Time) store.OAuthRequest {
	t.Helper()
	return store.OAuthRequest{
		ID:            "req_" + randomHex(t, 16),
		BrowserHash:   randomHash(t),
		ClientID:      "cli_" + randomHex(t, 12),
		RedirectURI:   "https://claude.ai/api/mcp/auth_callback",
		State:         "xyz",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		Resource:      "https://mcp.example.com/mcp",
		Scopes:        []string{"skills:read", "skills:write"},
		CreatedAt:     created,
		ExpiresAt:     created.Add(10 * time.Minute),
	}
}

func storedRequest(r store.OAuthRequest) store.OAuthRequest {
	r.CreatedAt, r.ExpiresAt = micro(r.CreatedAt), micro(r.ExpiresAt)
	r.BrowserHash = nilIfEmpty(r.BrowserHash)
	r.Scopes = nilIfEmpty(r.Scopes)
	if r.Identity != nil {
		id := storedIdentity(*r.Identity)
		r.Identity = &id
	}
	return r
}

func checkRequest(t *testing.T, s store.OAuth, id string, now time.Time, want store.OAuthRequest) {
	t.Helper()
	got, err := s.Request(t.Context(), id, now)
	if err != nil {
		t.Fatalf("Request %s: %v", id, err)
	}
	if w := storedRequest(want); !reflect.DeepEqual(got, w) {
		t.Errorf("request %s:\n got %#v\nwant %#v", id, got, w)
	}
}

func testOAuthRequest(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newRequest(t, oauthT0.Add(123456789*time.Nanosecond))
	if err := s.CreateRequest(ctx, r); err != nil {
		t.Fatalf("CreateRequest: %v", err)
	}
	checkRequest(t, s, r.ID, oauthT0, r)

	// Signing in records the identity; empty lists read as nil.
	id := store.OAuthIdentity{
		Source: "oidc", Subject: "248289761001", Issuer: "https://idp.example",
		User: "alice@example.com", Org: "acme", Teams: []string{"platform"}, Roles: []string{},
	}
	if err := s.SetRequestIdentity(ctx, r.ID, id, oauthT0.Add(time.Minute)); err != nil {
		t.Fatalf("SetRequestIdentity: %v", err)
	}
	r.Identity = &id
	checkRequest(t, s, r.ID, oauthT0.Add(time.Minute), r)

	expiry := r.ExpiresAt
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"request a microsecond before expiry", func() error {
			_, err := s.Request(ctx, r.ID, expiry.Add(-time.Microsecond))
			return err
		}, nil},
		{"request at expiry", func() error { _, err := s.Request(ctx, r.ID, expiry); return err }, store.ErrNotFound},
		{"identity at expiry", func() error {
			return s.SetRequestIdentity(ctx, r.ID, id, expiry)
		}, store.ErrNotFound},
		{"unknown", func() error { _, err := s.Request(ctx, "req_unknown", oauthT0); return err }, store.ErrNotFound},
		{"identity of unknown", func() error {
			return s.SetRequestIdentity(ctx, "req_unknown", id, oauthT0)
		}, store.ErrNotFound},
		{"taken id", func() error {
			dup := newRequest(t, oauthT0)
			dup.ID = r.ID
			return s.CreateRequest(ctx, dup)
		}, store.ErrExists},
		{"empty id", func() error {
			bad := newRequest(t, oauthT0)
			bad.ID = ""
			return s.CreateRequest(ctx, bad)
		}, store.ErrInvalid},
		{"zero expiry", func() error {
			bad := newRequest(t, oauthT0)
			bad.ExpiresAt = time.Time{}
			return s.CreateRequest(ctx, bad)
		}, store.ErrInvalid},
		{"zero created", func() error {
			bad := newRequest(t, oauthT0)
			bad.CreatedAt = time.Time{}
			return s.CreateRequest(ctx, bad)
		}, store.ErrInvalid},
	}
	for _, tc := range tests {
		if err := tc.do(); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}

	// A request created with its identity already known, and no lists.
	bare := store.OAuthRequest{ID: "req_" + randomHex(t, 16), Identity: &store.OAuthIdentity{},
		CreatedAt: oauthT0, ExpiresAt: oauthT0.Add(time.Minute)}
	if err := s.CreateRequest(ctx, bare); err != nil {
		t.Fatalf("CreateRequest of bare request: %v", err)
	}
	checkRequest(t, s, bare.ID, oauthT0, bare)

	for i := range 2 {
		if err := s.DeleteRequest(ctx, r.ID); err != nil {
			t.Errorf("DeleteRequest %d: %v", i, err)
		}
	}
	if _, err := s.Request(ctx, r.ID, oauthT0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Request after DeleteRequest: got %v, want ErrNotFound", err)
	}
	checkRequest(t, s, bare.ID, oauthT0, bare)
}

func testOAuthConsent(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := store.OAuthIdentity{Source: "managed_key", CredentialID: "key_alice"}.Key()
	bob := store.OAuthIdentity{Source: "oidc", Issuer: "https://idp", Subject: "bob"}.Key()
	if alice == bob {
		t.Fatalf("identity keys of different identities are equal: %q", alice)
	}
	if _, err := s.Consent(ctx, "cli_a", alice); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Consent before any: got %v, want ErrNotFound", err)
	}
	steps := []struct {
		name string
		save store.OAuthConsent
		// want is alice's consent to cli_a after the step.
		want []string
	}{
		{"first", store.OAuthConsent{ClientID: "cli_a", IdentityKey: alice,
			Scopes: []string{"skills:read", "skills:write"}, GrantedAt: oauthT0}, []string{"skills:read", "skills:write"}},
		{"widened", store.OAuthConsent{ClientID: "cli_a", IdentityKey: alice,
			Scopes: []string{"skills:write", "admin"}, GrantedAt: oauthT0.Add(time.Hour)}, []string{"skills:read", "skills:write", "admin"}},
		{"narrower keeps all", store.OAuthConsent{ClientID: "cli_a", IdentityKey: alice,
			Scopes: []string{"skills:read"}, GrantedAt: oauthT0.Add(2 * time.Hour)}, []string{"skills:read", "skills:write", "admin"}},
		{"other identity", store.OAuthConsent{ClientID: "cli_a", IdentityKey: bob,
			Scopes: []string{"other"}, GrantedAt: oauthT0}, []string{"skills:read", "skills:write", "admin"}},
		{"other client", store.OAuthConsent{ClientID: "cli_b", IdentityKey: alice,
			Scopes: []string{"other"}, GrantedAt: oauthT0}, []string{"skills:read", "skills:write", "admin"}},
	}
	for _, st := range steps {
		if err := s.SaveConsent(ctx, st.save); err != nil {
			t.Fatalf("%s: SaveConsent: %v", st.name, err)
		}
		got, err := s.Consent(ctx, "cli_a", alice)
		if err != nil {
			t.Fatalf("%s: Consent: %v", st.name, err)
		}
		if !sameSet(got.Scopes, st.want) {
			t.Errorf("%s: scopes %q, want %q in any order", st.name, got.Scopes, st.want)
		}
		if got.ClientID != "cli_a" || got.IdentityKey != alice {
			t.Errorf("%s: consent of %q to %q, want %q to cli_a", st.name, got.IdentityKey, got.ClientID, alice)
		}
	}
	if got, err := s.Consent(ctx, "cli_a", alice); err != nil || !got.GrantedAt.Equal(oauthT0.Add(2*time.Hour)) {
		t.Errorf("GrantedAt: got %v, %v; want the last save's %v", got.GrantedAt, err, oauthT0.Add(2*time.Hour))
	}
	got, err := s.Consent(ctx, "cli_a", bob)
	if want := (store.OAuthConsent{ClientID: "cli_a", IdentityKey: bob, Scopes: []string{"other"}, GrantedAt: oauthT0}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Consent of bob: got %+v, %v; want %+v", got, err, want)
	}
	if err := s.SaveConsent(ctx, store.OAuthConsent{ClientID: "cli_a", GrantedAt: oauthT0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveConsent without identity key: got %v, want ErrInvalid", err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s] == 0 {
			return false
		}
		seen[s]--
	}
	return true
}
