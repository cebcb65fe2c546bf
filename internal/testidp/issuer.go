package testidp

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Issuer is an in-process OpenID provider for tests that need tokens no
// real provider would issue: unsigned, badly signed, expired, for the wrong
// audience. It serves a discovery document and a JWKS on 127.0.0.1 and signs
// whatever it is asked to with RS256.
type Issuer struct {
	srv *httptest.Server

	mu   sync.Mutex
	keys []signingKey // keys[0] signs; all are published
	down bool

	discoveryFetches atomic.Int64
	jwksFetches      atomic.Int64
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// NewIssuer starts an issuer with one RSA key, stopped when t ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	is, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(is.Close)
	return is
}

// Start starts an issuer with one RSA key on 127.0.0.1, for programs that
// are not tests (the load tool); Close stops it.
func Start() (*Issuer, error) {
	k, err := generateKey("key-1")
	if err != nil {
		return nil, err
	}
	is := &Issuer{keys: []signingKey{k}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", is.serveDiscovery)
	mux.HandleFunc("GET /jwks", is.serveJWKS)
	is.srv = httptest.NewServer(mux)
	return is, nil
}

// Close stops the issuer's server.
func (is *Issuer) Close() { is.srv.Close() }

func newKey(t testing.TB, kid string) signingKey {
	t.Helper()
	k, err := generateKey(kid)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func generateKey(kid string) (signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return signingKey{}, fmt.Errorf("generate RSA key: %w", err)
	}
	return signingKey{kid: kid, priv: priv}, nil
}

// URL is the issuer identifier, as its tokens' iss claim holds it.
func (is *Issuer) URL() string { return is.srv.URL }

// SetDown makes the issuer answer every request with 503 (down) or serve
// again.
func (is *Issuer) SetDown(down bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.down = down
}

// Rotate replaces the signing key with a new one, with a new kid, and stops
// publishing the old one. It returns the new kid.
func (is *Issuer) Rotate(t testing.TB) string {
	t.Helper()
	is.mu.Lock()
	defer is.mu.Unlock()
	k := newKey(t, fmt.Sprintf("key-%d", time.Now().UnixNano()))
	is.keys = []signingKey{k}
	return k.kid
}

// KeyID returns the kid of the current signing key.
func (is *Issuer) KeyID() string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[0].kid
}

// JWKSFetches counts requests for the key set.
func (is *Issuer) JWKSFetches() int64 { return is.jwksFetches.Load() }

// DiscoveryFetches counts requests for the discovery document.
func (is *Issuer) DiscoveryFetches() int64 { return is.discoveryFetches.Load() }

// Claims returns a valid claim set for sub and aud, good for five minutes.
func (is *Issuer) Claims(sub, aud string) map[string]any {
	now := time.Now().Unix()
	return map[string]any{
		"iss": is.URL(), "sub": sub, "aud": aud,
		"iat": now, "exp": now + 300,
	}
}

// Sign returns claims as a JWT signed with RS256 by the current key.
func (is *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return is.SignHeader(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": is.KeyID()}, claims)
}

// SignRS256 is Sign for programs that are not tests.
func (is *Issuer) SignRS256(claims map[string]any) (string, error) {
	return is.signHeader(map[string]any{"alg": "RS256", "typ": "JWT", "kid": is.KeyID()}, claims)
}

// SignHeader signs claims with RS256 by the current key under header,
// whatever header says: it may name another kid, or omit it.
func (is *Issuer) SignHeader(t testing.TB, header, claims map[string]any) string {
	t.Helper()
	token, err := is.signHeader(header, claims)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func (is *Issuer) signHeader(header, claims map[string]any) (string, error) {
	is.mu.Lock()
	priv := is.keys[0].priv
	is.mu.Unlock()
	h, err := segment(header)
	if err != nil {
		return "", err
	}
	c, err := segment(claims)
	if err != nil {
		return "", err
	}
	input := h + "." + c
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// SignPSS returns claims as a JWT signed with PS256 by the current key,
// which the JWKS publishes for RS256 only.
func (is *Issuer) SignPSS(t testing.TB, claims map[string]any) string {
	t.Helper()
	is.mu.Lock()
	k := is.keys[0]
	is.mu.Unlock()
	input := encodeSegment(t, map[string]any{"alg": "PS256", "typ": "JWT", "kid": k.kid}) + "." + encodeSegment(t, claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, k.priv, crypto.SHA256, digest[:], nil)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Unsigned returns claims as a JWT with "alg": "none" and no signature.
func (is *Issuer) Unsigned(t testing.TB, claims map[string]any) string {
	t.Helper()
	return encodeSegment(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + encodeSegment(t, claims) + "."
}

// HMACWithPublicKey returns claims signed with HS256 using the issuer's
// public key (as PKIX DER) as the HMAC secret: the classic algorithm
// confusion attack against verifiers that let the token pick the
// algorithm.
func (is *Issuer) HMACWithPublicKey(t testing.TB, claims map[string]any) string {
	t.Helper()
	is.mu.Lock()
	k := is.keys[0]
	is.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		t.Fatalf("marshal public key: %v", err)
	}
	input := encodeSegment(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": k.kid}) + "." + encodeSegment(t, claims)
	mac := hmac.New(sha256.New, der)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func encodeSegment(t testing.TB, v any) string {
	t.Helper()
	seg, err := segment(v)
	if err != nil {
		t.Fatal(err)
	}
	return seg
}

func segment(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal JWT segment: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

func (is *Issuer) isDown(w http.ResponseWriter) bool {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.down {
		http.Error(w, "down for the test", http.StatusServiceUnavailable)
	}
	return is.down
}

func (is *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	is.discoveryFetches.Add(1)
	if is.isDown(w) {
		return
	}
	writeJSON(w, map[string]any{
		"issuer":                                is.URL(),
		"jwks_uri":                              is.URL() + "/jwks",
		"authorization_endpoint":                is.URL() + "/authorize",
		"token_endpoint":                        is.URL() + "/token",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (is *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	is.jwksFetches.Add(1)
	if is.isDown(w) {
		return
	}
	is.mu.Lock()
	keys := make([]map[string]string, 0, len(is.keys))
	for _, k := range is.keys {
		pub := k.priv.PublicKey
		keys = append(keys, map[string]string{
			"kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.kid,
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	is.mu.Unlock()
	writeJSON(w, map[string]any{"keys": keys})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
