package oidc_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/auth/oidc"
	"github.com/skillgate/skillgate/internal/testidp"
)

// BenchmarkVerify measures verifying an RS256 token with the issuer's keys
// already held: "full" is the first time a token is seen (signature,
// claims, mapping), "cached" every later request with it.
// BenchmarkRSAFloor is the bare RSA signature check of the same token,
// taken in the same run: the ratio of "full" to it is the price of
// everything else (parsing, claims, mapping).
func BenchmarkVerify(b *testing.B) {
	for _, tc := range []struct {
		name      string
		cacheSize int
	}{{"full", -1}, {"cached", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			is := testidp.NewIssuer(b)
			p := oidc.New(oidc.Config{Issuer: is.URL(), Audience: audience,
				Claims: oidc.Claims{Roles: "realm_access.roles", Teams: "groups"}}, oidc.Options{TokenCacheSize: tc.cacheSize})
			ctx := context.Background()
			if err := p.Discover(ctx); err != nil {
				b.Fatal(err)
			}
			token := benchToken(b, is)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Verify(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRSAFloor(b *testing.B) {
	is := testidp.NewIssuer(b)
	token := benchToken(b, is)
	pub := fetchRSAKey(b, is)
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		digest := sha256.Sum256([]byte(token[:i]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

func benchToken(b *testing.B, is *testidp.Issuer) string {
	claims := is.Claims("bench-user", audience)
	claims["realm_access"] = map[string]any{"roles": []any{"analyst"}}
	claims["groups"] = []any{"data", "ml"}
	claims["email"] = "bench@example.test"
	return is.Sign(b, claims)
}

// fetchRSAKey reads the issuer's one key from its JWKS.
func fetchRSAKey(b *testing.B, is *testidp.Issuer) *rsa.PublicKey {
	resp, err := http.Get(is.URL() + "/jwks")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct{ N, E string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) != 1 {
		b.Fatalf("jwks: %v", err)
	}
	n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	e, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].E)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}
