package oauth

import (
	"context"
	"testing"
	"time"
)

// TestSigningKeyRotation: when the newest key is older than KeyRotation,
// the next token is signed by a new key; tokens of the old key still verify
// and its public key stays published until they have expired, then it is
// gone from the JWKS.
func TestSigningKeyRotation(t *testing.T) {
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock), func(o *Options) {
		o.KeyRotation = 10 * time.Minute
		o.AccessTokenTTL = time.Hour
	})
	ctx := context.Background()
	c := ts.publicClient(t)
	first := ts.redeem(t, c, ts.login(t, login{Client: c}))
	_, firstKid := claimsOf(t, ts, first.AccessToken)

	clock.Advance(11 * time.Minute)
	second := ts.redeem(t, c, ts.login(t, login{Client: c}))
	_, secondKid := claimsOf(t, ts, second.AccessToken)
	if firstKid == secondKid {
		t.Fatalf("both tokens signed by kid %v after the rotation period", firstKid)
	}
	ts.mustVerify(t, first.AccessToken)
	ts.mustVerify(t, second.AccessToken)
	set, err := ts.Signer().PublicKeys(ctx)
	if err != nil || len(set.Keys) != 2 {
		t.Fatalf("JWKS during the overlap: %d keys, %v; want 2", len(set.Keys), err)
	}

	// The old key retired at the second token; its tokens expire within
	// AccessTokenTTL, after which it is no longer published.
	clock.Advance(time.Hour + 2*time.Minute + keyReload)
	set, err = ts.Signer().PublicKeys(ctx)
	if err != nil || len(set.Keys) != 1 || set.Keys[0].KeyID != secondKid {
		t.Fatalf("JWKS after the old key's tokens expired: %+v, %v; want only %v", set.Keys, err, secondKid)
	}
}
