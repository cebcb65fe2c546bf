package storetest

import (
	"crypto/sha256"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// oauthT0 is the time the OAuth tests start from.
var oauthT0 = time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)

// randomHash returns the SHA-256 of a random string: a code, refresh token
// or client secret as the store sees it.
func randomHash(t testing.TB) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(randomHex(t, 16)))
	return h[:]
}

func newClient(t testing.TB, created time.Time) store.OAuthClient {
	t.Helper()
	return store.OAuthClient{
		ID:                      "cli_" + randomHex(t, 12),
		Name:                    "Claude",
		RedirectURIs:            []string{"https://claude.ai/api/mcp/auth_callback"},
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
		TokenEndpointAuthMethod: "none",
		CreatedAt:               created,
	}
}

func createClient(t *testing.T, s store.OAuth, c store.OAuthClient) {
	t.Helper()
	if err := s.CreateClient(t.Context(), c); err != nil {
		t.Fatalf("CreateClient %s: %v", c.ID, err)
	}
}

// newGrant returns a live grant of clientID for a managed key, created at
// created.
func newGrant(t testing.TB, clientID string, created time.Time) store.OAuthGrant {
	t.Helper()
	return store.OAuthGrant{
		ID:       "grt_" + randomHex(t, 16),
		ClientID: clientID,
		Identity: store.OAuthIdentity{
			Source:       "managed_key",
			CredentialID: "key_" + randomHex(t, 10),
			SecretID:     randomHex(t, 32),
		},
		Resource:  "https://mcp.example.com/mcp",
		Scopes:    []string{"skills:read"},
		CreatedAt: created,
	}
}

func createGrant(t *testing.T, s store.OAuth, g store.OAuthGrant) {
	t.Helper()
	if err := s.CreateGrant(t.Context(), g); err != nil {
		t.Fatalf("CreateGrant %s: %v", g.ID, err)
	}
}

// newCode returns a code starting g, expiring at expires.
func newCode(t testing.TB, g store.OAuthGrant, expires time.Time) store.OAuthCode {
	t.Helper()
	return store.OAuthCode{
		Hash:          randomHash(t),
		ClientID:      g.ClientID,
		RedirectURI:   "https://claude.ai/api/mcp/auth_callback",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		Resource:      g.Resource,
		Scopes:        g.Scopes,
		GrantID:       g.ID,
		ExpiresAt:     expires,
	}
}

func getGrant(t *testing.T, s store.OAuth, id string) store.OAuthGrant {
	t.Helper()
	g, err := s.Grant(t.Context(), id)
	if err != nil {
		t.Fatalf("Grant %s: %v", id, err)
	}
	return g
}

// checkGrant fails t unless got is want as stored: times in UTC to the
// microsecond, empty lists as nil.
func checkGrant(t *testing.T, got, want store.OAuthGrant) {
	t.Helper()
	for _, p := range []*time.Time{&want.CreatedAt, &want.RevokedAt, &want.RotatedAt, &want.ExpiresAt} {
		*p = micro(*p)
	}
	want.Scopes = nilIfEmpty(want.Scopes)
	want.Identity = storedIdentity(want.Identity)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grant %s:\n got %#v\nwant %#v", want.ID, got, want)
	}
}

// checkRevoked fails t unless the grant id is revoked at at for reason.
func checkRevoked(t *testing.T, s store.OAuth, id string, at time.Time, reason string) {
	t.Helper()
	g := getGrant(t, s, id)
	if !g.RevokedAt.Equal(micro(at)) || g.RevokeReason != reason {
		t.Errorf("grant %s: revoked at %v for %q, want %v for %q", id, g.RevokedAt, g.RevokeReason, micro(at), reason)
	}
}

func checkLive(t *testing.T, s store.OAuth, id string) {
	t.Helper()
	if g := getGrant(t, s, id); !g.RevokedAt.IsZero() || g.RevokeReason != "" {
		t.Errorf("grant %s: revoked at %v for %q, want live", id, g.RevokedAt, g.RevokeReason)
	}
}

func storedIdentity(id store.OAuthIdentity) store.OAuthIdentity {
	id.Teams, id.Roles = nilIfEmpty(id.Teams), nilIfEmpty(id.Roles)
	return id
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func keysVersion(t *testing.T, s store.Keys) uint64 {
	t.Helper()
	v, err := s.KeysVersion(t.Context())
	if err != nil {
		t.Fatalf("KeysVersion: %v", err)
	}
	return v
}

// checkVersion fails t unless KeysVersion changed from before (changed) or
// did not (!changed) after what.
func checkVersion(t *testing.T, s store.Keys, before uint64, changed bool, what string) {
	t.Helper()
	after := keysVersion(t, s)
	if changed && after == before {
		t.Errorf("KeysVersion after %s: still %d, want a change", what, after)
	}
	if !changed && after != before {
		t.Errorf("KeysVersion after %s: %d, want %d unchanged", what, after, before)
	}
}

// race calls fn(0) to fn(n-1) in n goroutines released at once, and waits
// for them.
func race(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}
