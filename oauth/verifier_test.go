package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
)

// claimsOf returns the claims and kid of one of the server's access tokens.
func claimsOf(t testing.TB, ts *testServer, token string) (accessClaims, string) {
	t.Helper()
	c, err := ts.parseAccessToken(context.Background(), token, false)
	if err != nil {
		t.Fatalf("parse access token: %v", err)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(token, &accessClaims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := parsed.Header["kid"].(string)
	if kid == "" {
		t.Fatal("access token without kid")
	}
	return c, kid
}

// signWith signs claims with key, with the given kid and typ headers.
func signWith(t testing.TB, key *ecdsa.PrivateKey, claims jwt.Claims, kid, typ string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = kid
	if typ == "" {
		delete(tok.Header, "typ")
	} else {
		tok.Header["typ"] = typ
	}
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestVerifyAccessToken: a good access token stands for the linked key's
// principal, as an OAuth principal of this issuer and grant, with the
// token's scopes.
func TestVerifyAccessToken(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	tokens := ts.redeem(t, c, ts.login(t, login{Client: c, Edit: func(q url.Values) {
		q.Set("scope", auth.ScopeSkillsRead)
	}}))
	p := ts.mustVerify(t, tokens.AccessToken)
	claims, _ := claimsOf(t, ts, tokens.AccessToken)
	switch {
	case p.Source != auth.SourceOAuth:
		t.Errorf("Source = %q, want oauth", p.Source)
	case p.Issuer != testIssuer:
		t.Errorf("Issuer = %q, want %q", p.Issuer, testIssuer)
	case p.GrantID == "" || p.GrantID != claims.GrantID:
		t.Errorf("GrantID = %q, token's sid %q", p.GrantID, claims.GrantID)
	case !slices.Equal(p.Scopes, []string{auth.ScopeSkillsRead}) || claims.Scope != auth.ScopeSkillsRead:
		t.Errorf("Scopes = %q, token's scope %q; want skills:read", p.Scopes, claims.Scope)
	case p.CredentialID != "static:"+testKeyName || p.Linked != auth.SourceStaticKey:
		t.Errorf("CredentialID = %q, Linked = %q; want the static key", p.CredentialID, p.Linked)
	case p.ExpiresAt.IsZero() || !p.ExpiresAt.Equal(claims.ExpiresAt.Time):
		t.Errorf("ExpiresAt = %v, token's exp %v", p.ExpiresAt, claims.ExpiresAt)
	}
}

// TestVerifyOtherAudience: a token signed by the server for another
// resource is refused; the same claims for this resource verify.
func TestVerifyOtherAudience(t *testing.T) {
	ts := newTestServer(t)
	_, tokens := loggedIn(t, ts, login{})
	claims, _ := claimsOf(t, ts, tokens.AccessToken)
	ctx := context.Background()

	claims.Audience = jwt.ClaimStrings{testIssuer + "/mcp"}
	control, err := ts.signer.Sign(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	ts.mustVerify(t, control)

	for _, aud := range []string{"https://other.example/mcp", testIssuer + "/other", testIssuer + "/mcp/"} {
		t.Run(aud, func(t *testing.T) {
			claims.Audience = jwt.ClaimStrings{aud}
			token, err := ts.signer.Sign(ctx, claims)
			if err != nil {
				t.Fatal(err)
			}
			if err := ts.mustRefuse(t, token, "aud "+aud); err != nil && !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

// TestVerifyExpired: past its exp plus the leeway, a token is
// ErrTokenExpired; within the leeway it still verifies.
func TestVerifyExpired(t *testing.T) {
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock))
	_, tokens := loggedIn(t, ts, login{})
	clock.Advance(DefaultAccessTokenTTL + tokenLeeway/2)
	ts.mustVerify(t, tokens.AccessToken)
	clock.Advance(tokenLeeway)
	if _, err := ts.verify(tokens.AccessToken); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("err = %v, want ErrTokenExpired", err)
	}
}

// TestVerifyForeignKeySameKid: a token signed by another ES256 key that
// names the server's kid is refused.
func TestVerifyForeignKeySameKid(t *testing.T) {
	ts := newTestServer(t)
	_, tokens := loggedIn(t, ts, login{})
	claims, kid := claimsOf(t, ts, tokens.AccessToken)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	forged := signWith(t, other, claims, kid, "at+jwt")
	if err := ts.mustRefuse(t, forged, "signed by another key"); err != nil && !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("err = %v, want ErrInvalidToken", err)
	}
}

// TestVerifyWrongTyp: a token signed with the server's own key but whose
// typ is not at+jwt is refused (RFC 9068 section 4).
func TestVerifyWrongTyp(t *testing.T) {
	ts := newTestServer(t)
	_, tokens := loggedIn(t, ts, login{})
	claims, _ := claimsOf(t, ts, tokens.AccessToken)
	k, err := ts.signer.current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The control: the same token with typ at+jwt verifies.
	ts.mustVerify(t, signWith(t, k.priv, claims, k.id, "at+jwt"))
	for _, typ := range []string{"JWT", "", "application/at+jwt"} {
		t.Run("typ="+typ, func(t *testing.T) {
			token := signWith(t, k.priv, claims, k.id, typ)
			ts.mustRefuse(t, token, "typ "+typ)
		})
	}
}

// TestVerifyLinkedKeyRevoked: revoking the managed key a grant was made
// with stops its access and refresh tokens.
func TestVerifyLinkedKeyRevoked(t *testing.T) {
	var mk managedKeys
	ts := newTestServer(t, withManagedKeys(&mk, nil))
	id, secret := mk.create(t, "oauth-linked")
	c, tokens := loggedIn(t, ts, login{APIKey: secret})
	p := ts.mustVerify(t, tokens.AccessToken)
	if p.CredentialID != id || p.Linked != auth.SourceManagedKey {
		t.Fatalf("CredentialID = %q, Linked = %q; want managed key %s", p.CredentialID, p.Linked, id)
	}
	mk.revoke(t, id)
	ts.mustRefuse(t, tokens.AccessToken, "after the linked key's revocation")
	if _, err := ts.Verifier().Recheck(context.Background(), p); err == nil {
		t.Error("Recheck accepts a principal whose key is revoked")
	}
	resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestRecheckAfterGrantRevoked: Recheck refuses a principal whose grant
// was revoked since Verify.
func TestRecheckAfterGrantRevoked(t *testing.T) {
	ts := newTestServer(t)
	_, tokens := loggedIn(t, ts, login{})
	p := ts.mustVerify(t, tokens.AccessToken)
	ctx := context.Background()
	if _, err := ts.Verifier().Recheck(ctx, p); err != nil {
		t.Fatalf("Recheck before revocation: %v", err)
	}
	if err := ts.DB.RevokeGrant(ctx, p.GrantID, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Verifier().Recheck(ctx, p); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("Recheck after revocation: err = %v, want ErrInvalidToken", err)
	}
}

// TestVerifyGrantExpired: an access token does not outlive its grant. A
// refresh just before the grant's end (RefreshTTL) gives an access token;
// once the grant has ended (plus the leeway), that token is refused, as
// the refresh token is.
func TestVerifyGrantExpired(t *testing.T) {
	clock := newTestClock()
	const life = 2 * time.Hour
	ts := newTestServer(t, withClock(clock), func(o *Options) { o.RefreshTTL = life })
	c, tokens := loggedIn(t, ts, login{})
	clock.Advance(life - time.Minute)
	resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
	last := checkTokens(t, resp, body)
	ts.mustVerify(t, last.AccessToken)
	clock.Advance(time.Minute + tokenLeeway + time.Second)
	resp, body = ts.refresh(t, c, last.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
	ts.mustRefuse(t, last.AccessToken, "after its grant ended")
}

// TestVerifyCacheOutlivesNothing verifies a token twice (the second from
// the cache), then changes what it depends on: a revoked grant and an
// expired token are refused at once, as without the cache.
func TestVerifyCacheOutlivesNothing(t *testing.T) {
	t.Run("grant revoked", func(t *testing.T) {
		ts := newTestServer(t)
		_, tokens := loggedIn(t, ts, login{})
		p := ts.mustVerify(t, tokens.AccessToken)
		ts.mustVerify(t, tokens.AccessToken)
		if err := ts.DB.RevokeGrant(context.Background(), p.GrantID, "test", time.Now()); err != nil {
			t.Fatal(err)
		}
		ts.mustRefuse(t, tokens.AccessToken, "after its grant's revocation")
	})
	t.Run("token expired", func(t *testing.T) {
		clock := newTestClock()
		ts := newTestServer(t, func(o *Options) { o.Now = clock.Now })
		_, tokens := loggedIn(t, ts, login{})
		ts.mustVerify(t, tokens.AccessToken)
		ts.mustVerify(t, tokens.AccessToken)
		clock.Advance(DefaultAccessTokenTTL + tokenLeeway + time.Second)
		ts.mustRefuse(t, tokens.AccessToken, "after it expired")
	})
}

// TestVerifyCacheEndsWithRotationGrace: a token issued from a key's secret
// that a rotation gives a grace period stops when the grace ends, also
// after it was cached (the end of a grace changes nothing in the store).
func TestVerifyCacheEndsWithRotationGrace(t *testing.T) {
	clock := newTestClock()
	var mk managedKeys
	ts := newTestServer(t, func(o *Options) { o.Now = clock.Now }, withManagedKeys(&mk, clock.Now))
	id, secret := mk.create(t, "rotated")
	_, tokens := loggedIn(t, ts, login{APIKey: secret})
	grace := 5 * time.Minute
	if _, err := mk.mgr.Rotate(context.Background(), apikey.CLIActor("test"), id, &grace); err != nil {
		t.Fatal(err)
	}
	ts.mustVerify(t, tokens.AccessToken) // cached, within the grace
	ts.mustVerify(t, tokens.AccessToken)
	clock.Advance(grace + time.Second)
	ts.mustRefuse(t, tokens.AccessToken, "after the rotation's grace")
}
