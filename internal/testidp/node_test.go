package testidp

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	testResource    = "https://skillgate.test"
	testRedirectURI = "http://127.0.0.1:1/callback"
	analystSecret   = "analyst-secret-0123456789abcdef0123456789"
)

func startTestNode(t *testing.T) *Node {
	t.Helper()
	return StartNode(t, NodeConfig{
		Resource:       testResource,
		AccessTokenTTL: 5 * time.Minute,
		Clients: []NodeClient{
			{
				ID: "svc-analyst", Secret: analystSecret,
				GrantTypes: []string{"client_credentials"},
				Claims: map[string]any{
					"realm_access": map[string]any{"roles": []string{"skill-analyst"}},
					"groups":       []string{"data"},
				},
			},
			{
				ID: "cli-app", Public: true,
				GrantTypes:   []string{"authorization_code", "refresh_token"},
				RedirectURIs: []string{testRedirectURI},
			},
		},
		Accounts: map[string]map[string]any{
			"alice": {
				"email":        "alice@example.test",
				"realm_access": map[string]any{"roles": []string{"skill-admin"}},
				"groups":       []string{"data", "ml"},
			},
		},
	})
}

func TestNodeClientCredentials(t *testing.T) {
	t.Parallel()
	start := time.Now()
	idp := startTestNode(t)
	t.Logf("provider started in %v at %s", time.Since(start), idp.Issuer())

	token := idp.ClientCredentials(t, "svc-analyst", analystSecret, "skills:read")
	verifyRS256(t, idp, token)
	claims := mustClaims(t, token)

	checkClaim(t, claims, "iss", idp.Issuer())
	checkClaim(t, claims, "aud", testResource)
	checkClaim(t, claims, "sub", "svc-analyst")
	checkClaim(t, claims, "client_id", "svc-analyst")
	checkClaim(t, claims, "scope", "skills:read")
	checkLifetime(t, claims, 5*time.Minute)
	checkRoles(t, claims, "skill-analyst")
	checkStrings(t, claims, "groups", "data")
}

func TestNodeAuthorizationCode(t *testing.T) {
	t.Parallel()
	idp := startTestNode(t)

	tokens := idp.AuthorizationCode(t, "cli-app", testRedirectURI, "alice")
	if tokens.RefreshToken == "" {
		t.Fatal("no refresh token")
	}

	verifyRS256(t, idp, tokens.IDToken)
	id := mustClaims(t, tokens.IDToken)
	checkClaim(t, id, "iss", idp.Issuer())
	checkClaim(t, id, "aud", "cli-app")
	checkClaim(t, id, "sub", "alice")
	checkClaim(t, id, "email", "alice@example.test")
	checkRoles(t, id, "skill-admin")

	checkUserAccessToken(t, idp, tokens.AccessToken)

	refreshed := idp.Refresh(t, "cli-app", tokens.RefreshToken)
	if refreshed.AccessToken == tokens.AccessToken {
		t.Error("refresh returned the same access token")
	}
	checkUserAccessToken(t, idp, refreshed.AccessToken)
}

func checkUserAccessToken(t *testing.T, idp *Node, token string) {
	t.Helper()
	verifyRS256(t, idp, token)
	claims := mustClaims(t, token)
	checkClaim(t, claims, "iss", idp.Issuer())
	checkClaim(t, claims, "aud", testResource)
	checkClaim(t, claims, "sub", "alice")
	checkClaim(t, claims, "client_id", "cli-app")
	checkClaim(t, claims, "email", "alice@example.test")
	checkLifetime(t, claims, 5*time.Minute)
	checkRoles(t, claims, "skill-admin")
	checkStrings(t, claims, "groups", "data", "ml")
	if scope, _ := claims["scope"].(string); !strings.Contains(scope, "skills:read") {
		t.Errorf("scope = %q, want it to contain skills:read", scope)
	}
}

func mustClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	claims, err := jwtClaims(token)
	if err != nil {
		t.Fatal(err)
	}
	return claims
}

func checkClaim(t *testing.T, claims map[string]any, name, want string) {
	t.Helper()
	if got := claims[name]; got != want {
		t.Errorf("claim %s = %v, want %q", name, got, want)
	}
}

func checkLifetime(t *testing.T, claims map[string]any, ttl time.Duration) {
	t.Helper()
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	if iat == 0 || time.Duration(exp-iat)*time.Second != ttl {
		t.Errorf("iat = %v, exp = %v, want exp - iat = %v", claims["iat"], claims["exp"], ttl)
	}
}

func checkRoles(t *testing.T, claims map[string]any, want ...string) {
	t.Helper()
	realm, _ := claims["realm_access"].(map[string]any)
	checkStrings(t, realm, "roles", want...)
}

func checkStrings(t *testing.T, claims map[string]any, name string, want ...string) {
	t.Helper()
	list, _ := claims[name].([]any)
	var got []string
	for _, v := range list {
		s, _ := v.(string)
		got = append(got, s)
	}
	if !slices.Equal(got, want) {
		t.Errorf("claim %s = %v, want %v", name, claims[name], want)
	}
}

// verifyRS256 checks the token's signature with the provider's published
// key, independently of any JOSE library.
func verifyRS256(t *testing.T, idp *Node, token string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	var header struct{ Alg, Kid string }
	decodeSegment(t, parts[0], &header)
	if header.Alg != "RS256" {
		t.Fatalf("alg = %q, want RS256", header.Alg)
	}
	key := fetchKey(t, idp.JWKSURI(), header.Kid)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("decode signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
}

func fetchKey(t *testing.T, jwksURI, kid string) *rsa.PublicKey {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURI, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("fetch JWKS: %v", err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct{ Kty, Kid, N, E string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatalf("decode JWKS: %v", err)
	}
	for _, k := range jwks.Keys {
		if k.Kid == kid && k.Kty == "RSA" {
			return &rsa.PublicKey{N: decodeBigInt(t, k.N), E: int(decodeBigInt(t, k.E).Int64())}
		}
	}
	t.Fatalf("no RSA key %q in JWKS", kid)
	return nil
}

func decodeBigInt(t *testing.T, s string) *big.Int {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode JWK number: %v", err)
	}
	return new(big.Int).SetBytes(b)
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decode JWT segment: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode JWT segment: %v", err)
	}
}
