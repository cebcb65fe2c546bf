package oidc_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/oidc"
	"github.com/skillgate/skillgate/internal/testidp"
)

const audience = "https://skillgate.test"

// clock is real time plus an offset the test moves forward, so refresh
// intervals can pass without sleeping while tokens stay in date.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *clock) options() oidc.Options   { return oidc.Options{Now: c.Now} }
func newClock() *clock                   { return &clock{} }

// newProvider returns a discovered provider for is, with cfg's empty
// Issuer and Audience filled in.
func newProvider(t *testing.T, is *testidp.Issuer, cfg oidc.Config, c *clock) *oidc.Provider {
	t.Helper()
	if cfg.Issuer == "" {
		cfg.Issuer = is.URL()
	}
	if cfg.Audience == "" {
		cfg.Audience = audience
	}
	p := oidc.New(cfg, c.options())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Discover(ctx); err != nil {
		t.Fatalf("Discover: %v", err)
	}
	return p
}

func verify(t *testing.T, p *oidc.Provider, token string) (auth.Principal, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Verify(ctx, token)
}

// wantRefused checks that err is a refusal of the given kind whose text
// contains want.
func wantRefused(t *testing.T, err, kind error, want string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q, want it to mention %q", err, want)
	}
}

func TestVerifyValidToken(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	claims := is.Claims("user-123", audience)
	claims["email"] = "alice@example.test"
	claims["email_verified"] = true
	claims["roles"] = []any{"analyst"}
	got, err := verify(t, p, is.Sign(t, claims))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := auth.Principal{Subject: "user-123", User: "alice@example.test", Roles: []string{"analyst"},
		Source: auth.SourceOIDC, Issuer: is.URL()}
	if got.Subject != want.Subject || got.User != want.User || fmt.Sprint(got.Roles) != fmt.Sprint(want.Roles) ||
		got.Source != want.Source || got.Issuer != want.Issuer || got.Scopes != nil || got.Claims["email"] != "alice@example.test" {
		t.Fatalf("Principal = %+v, want %+v", got, want)
	}
	if exp := time.Unix(claims["exp"].(int64), 0); !got.ExpiresAt.Equal(exp) {
		t.Fatalf("ExpiresAt = %v, want %v", got.ExpiresAt, exp)
	}
}

func TestVerifyRefusesAlgNone(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	_, err := verify(t, p, is.Unsigned(t, is.Claims("mallory", audience)))
	wantRefused(t, err, auth.ErrInvalidToken, "accepted algorithm")
}

func TestVerifyRefusesHMACWithPublicKey(t *testing.T) {
	is := testidp.NewIssuer(t)
	// Even a provider told to accept every algorithm it can never accepts
	// HS256: the list holds asymmetric algorithms only.
	p := newProvider(t, is, oidc.Config{Algorithms: oidc.AsymmetricAlgorithms}, newClock())
	_, err := verify(t, p, is.HMACWithPublicKey(t, is.Claims("mallory", audience)))
	wantRefused(t, err, auth.ErrInvalidToken, "accepted algorithm")
}

func TestVerifyRefusesExpired(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{ClockSkew: 30 * time.Second}, newClock())
	claims := is.Claims("u", audience)
	claims["exp"] = time.Now().Add(-31 * time.Second).Unix()
	_, err := verify(t, p, is.Sign(t, claims))
	if !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("err = %v, want ErrTokenExpired", err)
	}
	// Within the skew, the same token is still good.
	claims["exp"] = time.Now().Add(-20 * time.Second).Unix()
	if _, err := verify(t, p, is.Sign(t, claims)); err != nil {
		t.Fatalf("token 20s past exp with 30s skew: %v", err)
	}
}

func TestVerifyRefusesNotYetValid(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{ClockSkew: 30 * time.Second}, newClock())
	tests := []struct {
		claim string
		want  string
	}{
		{"nbf", "not valid yet"},
		{"iat", "issued in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.claim, func(t *testing.T) {
			claims := is.Claims("u", audience)
			claims[tt.claim] = time.Now().Add(2 * time.Minute).Unix()
			_, err := verify(t, p, is.Sign(t, claims))
			wantRefused(t, err, auth.ErrInvalidToken, tt.want)
			claims[tt.claim] = time.Now().Add(20 * time.Second).Unix()
			if _, err := verify(t, p, is.Sign(t, claims)); err != nil {
				t.Fatalf("%s 20s ahead with 30s skew: %v", tt.claim, err)
			}
		})
	}
}

func TestVerifyRefusesWrongIssuer(t *testing.T) {
	is, other := testidp.NewIssuer(t), testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	// Signed by the right key but claiming another issuer.
	claims := is.Claims("u", audience)
	claims["iss"] = other.URL()
	_, err := verify(t, p, is.Sign(t, claims))
	wantRefused(t, err, auth.ErrInvalidToken, "iss")
	// Routed by issuer, a token of an issuer that is not configured never
	// reaches a verifier.
	issuers := auth.Issuers{is.URL(): p}
	_, err = issuers.Verify(context.Background(), other.Sign(t, other.Claims("u", audience)))
	if !errors.Is(err, auth.ErrUnknownIssuer) {
		t.Fatalf("unconfigured issuer: err = %v, want ErrUnknownIssuer", err)
	}
}

func TestVerifyRefusesWrongAudience(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	// A string aud is one value (RFC 7519 section 4.1.3), never split.
	for _, aud := range []any{"https://other.test", []any{"account", "https://other.test"}, nil, "other " + audience} {
		claims := is.Claims("u", "")
		claims["aud"] = aud
		_, err := verify(t, p, is.Sign(t, claims))
		wantRefused(t, err, auth.ErrInvalidToken, "audience")
	}
	claims := is.Claims("u", "")
	claims["aud"] = []any{"account", audience}
	if _, err := verify(t, p, is.Sign(t, claims)); err != nil {
		t.Fatalf("audience in a list: %v", err)
	}
}

func TestVerifyChecksAuthorizedParty(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{ClientID: "skillgate-cli"}, newClock())
	tests := []struct {
		name   string
		claims map[string]any
		ok     bool
	}{
		{"azp matches", map[string]any{"azp": "skillgate-cli"}, true},
		{"client_id matches", map[string]any{"client_id": "skillgate-cli"}, true},
		{"azp differs", map[string]any{"azp": "other-app"}, false},
		{"azp differs, client_id matches", map[string]any{"azp": "other-app", "client_id": "skillgate-cli"}, false},
		{"azp not a string", map[string]any{"azp": []any{"skillgate-cli"}, "client_id": "skillgate-cli"}, false},
		{"neither", map[string]any{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := is.Claims("u", audience)
			for k, v := range tt.claims {
				claims[k] = v
			}
			_, err := verify(t, p, is.Sign(t, claims))
			if tt.ok && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tt.ok {
				wantRefused(t, err, auth.ErrInvalidToken, "skillgate-cli")
			}
		})
	}
}

func TestVerifyRefusesTamperedPayload(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	claims := is.Claims("user", audience)
	claims["roles"] = []any{"viewer"}
	token := is.Sign(t, claims)
	claims["roles"] = []any{"admin"}
	forged := is.Sign(t, claims)
	// The header and signature of the genuine token with the payload of
	// another: what an attacker who edits a token produces.
	parts, forgedParts := strings.Split(token, "."), strings.Split(forged, ".")
	tampered := parts[0] + "." + forgedParts[1] + "." + parts[2]
	_, err := verify(t, p, tampered)
	wantRefused(t, err, auth.ErrInvalidToken, "signature does not verify")
}

func TestVerifyUnknownKidIsRefusedAndRateLimited(t *testing.T) {
	is := testidp.NewIssuer(t)
	c := newClock()
	p := newProvider(t, is, oidc.Config{}, c)
	before := is.JWKSFetches()
	// A flood of tokens naming made-up keys, from many goroutines at once.
	var wg sync.WaitGroup
	var refused atomic.Int64
	for i := range 200 {
		wg.Go(func() {
			header := map[string]any{"alg": "RS256", "kid": fmt.Sprintf("bogus-%d", i)}
			_, err := verify(t, p, is.SignHeader(t, header, is.Claims("u", audience)))
			if errors.Is(err, auth.ErrInvalidToken) && strings.Contains(err.Error(), "unknown kid") {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if refused.Load() != 200 {
		t.Fatalf("%d of 200 bogus-kid tokens refused as unknown kid", refused.Load())
	}
	if n := is.JWKSFetches() - before; n > 1 {
		t.Fatalf("200 bogus kids caused %d JWKS fetches within one refresh interval, want at most 1", n)
	}
	// After the interval, one more bogus kid may cause one more fetch.
	c.Advance(oidc.DefaultRefreshInterval)
	header := map[string]any{"alg": "RS256", "kid": "bogus-late"}
	if _, err := verify(t, p, is.SignHeader(t, header, is.Claims("u", audience))); err == nil {
		t.Fatal("bogus kid accepted")
	}
	if n := is.JWKSFetches() - before; n > 2 {
		t.Fatalf("JWKS fetched %d times, want at most 2", n)
	}
}

func TestVerifyFollowsKeyRotation(t *testing.T) {
	is := testidp.NewIssuer(t)
	c := newClock()
	p := newProvider(t, is, oidc.Config{}, c)
	old := is.Sign(t, is.Claims("u", audience))
	if _, err := verify(t, p, old); err != nil {
		t.Fatalf("token of the first key: %v", err)
	}
	is.Rotate(t)
	c.Advance(oidc.DefaultRefreshInterval)
	fresh := is.Sign(t, is.Claims("u", audience))
	if _, err := verify(t, p, fresh); err != nil {
		t.Fatalf("token of the new key, without restart: %v", err)
	}
	_, err := verify(t, p, old)
	wantRefused(t, err, auth.ErrInvalidToken, "unknown kid")
}

func TestVerifyDropsWithdrawnKeysAfterMaxAge(t *testing.T) {
	is := testidp.NewIssuer(t)
	c := newClock()
	p := newProvider(t, is, oidc.Config{}, c)
	old := is.Sign(t, is.Claims("u", audience))
	is.Rotate(t)
	// No token names the new key, but the held keys grow old: the next
	// token starts a refetch in the background, and once it lands the
	// withdrawn key no longer verifies.
	c.Advance(oidc.DefaultKeysMaxAge)
	before := is.JWKSFetches()
	_, _ = verify(t, p, old)
	deadline := time.Now().Add(10 * time.Second)
	for is.JWKSFetches() == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 100; i++ {
		// Until the refetched keys land, the old key still verifies the
		// signature and the token is refused only for its age, by the
		// advanced clock.
		if _, err := verify(t, p, old); err != nil && !errors.Is(err, auth.ErrTokenExpired) {
			wantRefused(t, err, auth.ErrInvalidToken, "unknown kid")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("a withdrawn key kept verifying after the key set's max age")
}

func TestProviderUnreachableAtStartup(t *testing.T) {
	is := testidp.NewIssuer(t)
	is.SetDown(true)
	c := newClock()
	p := oidc.New(oidc.Config{Issuer: is.URL(), Audience: audience}, c.options())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Discover(ctx); err == nil {
		t.Fatal("Discover succeeded against a provider that is down")
	}
	token := is.Sign(t, is.Claims("u", audience))
	_, err := verify(t, p, token)
	wantRefused(t, err, auth.ErrIssuerUnavailable, is.URL())
	// Tokens do not hammer a provider that is down: within the interval
	// they are refused without a request.
	before := is.DiscoveryFetches()
	for range 50 {
		_, _ = verify(t, p, token)
	}
	if n := is.DiscoveryFetches() - before; n != 0 {
		t.Fatalf("50 tokens within the refresh interval caused %d discovery requests, want 0", n)
	}
	// Back up: the next token after the interval finds it, no restart.
	is.SetDown(false)
	c.Advance(oidc.DefaultRefreshInterval)
	if _, err := verify(t, p, token); err != nil {
		t.Fatalf("after the provider came back: %v", err)
	}
}

func TestRunRetriesUntilReachable(t *testing.T) {
	is := testidp.NewIssuer(t)
	is.SetDown(true)
	p := oidc.New(oidc.Config{Issuer: is.URL(), Audience: audience}, oidc.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for is.DiscoveryFetches() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if is.DiscoveryFetches() < 2 {
		t.Fatalf("Run made %d attempts in 10s, want a retry", is.DiscoveryFetches())
	}
	is.SetDown(false)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not finish after the provider came back")
	}
	if _, err := verify(t, p, is.Sign(t, is.Claims("u", audience))); err != nil {
		t.Fatalf("Verify after Run: %v", err)
	}
}

func TestRecheckExpires(t *testing.T) {
	is := testidp.NewIssuer(t)
	c := newClock()
	p := newProvider(t, is, oidc.Config{}, c)
	pr, err := verify(t, p, is.Sign(t, is.Claims("u", audience)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Recheck(context.Background(), pr); err != nil {
		t.Fatalf("Recheck of a fresh principal: %v", err)
	}
	c.Advance(6 * time.Minute)
	if _, err := p.Recheck(context.Background(), pr); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("Recheck after exp: err = %v, want ErrTokenExpired", err)
	}
	other := pr
	other.Issuer = "https://elsewhere.test"
	if _, err := p.Recheck(context.Background(), other); !errors.Is(err, auth.ErrUnknownCredential) {
		t.Fatalf("Recheck of another issuer's principal: err = %v, want ErrUnknownCredential", err)
	}
}

func TestVerifyUsesKeyOnlyWithItsAlgorithm(t *testing.T) {
	is := testidp.NewIssuer(t)
	p := newProvider(t, is, oidc.Config{}, newClock())
	// The key is published for RS256; a PS256 signature by the same RSA
	// key is refused even though PS256 is an accepted algorithm.
	_, err := verify(t, p, is.SignPSS(t, is.Claims("u", audience)))
	wantRefused(t, err, auth.ErrInvalidToken, "signature does not verify")
}

func TestVerifyProviderDownAfterRotation(t *testing.T) {
	is := testidp.NewIssuer(t)
	c := newClock()
	p := newProvider(t, is, oidc.Config{}, c)
	is.Rotate(t)
	is.SetDown(true)
	c.Advance(oidc.DefaultRefreshInterval)
	// The new key cannot be fetched: the provider is at fault, not the
	// token.
	_, err := verify(t, p, is.Sign(t, is.Claims("u", audience)))
	wantRefused(t, err, auth.ErrIssuerUnavailable, is.URL())
}
