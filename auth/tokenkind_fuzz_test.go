package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// FuzzTokenKind checks the routing of a Bearer token: whatever the input,
// detection never panics, a token classed as a JWT is never shown to an API
// key verifier, and one that is not is never shown to the token verifiers.
func FuzzTokenKind(f *testing.F) {
	for _, seed := range []string{
		"sk_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdeABCD",
		"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlIiwic3ViIjoieCJ9.c2ln",
		"eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlIn0.",
		"eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
		"eyJ0eXAiOiJKV1QifQ.e30.c2ln", // no alg: not a JWT
		"a.b.c", "..", ".", "eyJhbGciOm51bGx9.e30.x",
		"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjQyfQ.c2ln",     // iss not a string
		"eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",        // payload not JSON
		"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIifQ.c2ln",     // empty iss
		"eyJhbGciOiJSUzI1NiJ9.e30.c2ln.ZXh0cmE.bW9yZQ", // five parts (JWE shape)
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		jwt := LooksLikeJWT(token)
		if jwt && strings.Count(token, ".") != 2 {
			t.Fatalf("LooksLikeJWT(%q) with %d dots", token, strings.Count(token, "."))
		}
		if iss, err := UnverifiedIssuer(token); err == nil && iss == "" {
			t.Fatalf("UnverifiedIssuer(%q) returned no issuer and no error", token)
		}
		keys := &recordingVerifier{}
		tokens := &recordingVerifier{}
		a := &Authenticator{Tokens: Issuers{"https://idp.example": tokens}, Keys: []Verifier{keys}}
		_, err := a.Authenticate(context.Background(), token)
		if token == "" {
			return
		}
		if jwt && keys.calls > 0 {
			t.Fatalf("JWT-shaped %q was tried as an API key", token)
		}
		if !jwt && tokens.calls > 0 {
			t.Fatalf("%q, not a JWT, reached the token verifier", token)
		}
		if jwt && tokens.calls == 0 && !errors.Is(err, ErrUnknownIssuer) && !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("JWT-shaped %q refused with %v, want ErrUnknownIssuer or ErrInvalidToken", token, err)
		}
	})
}

// recordingVerifier refuses everything and counts what it was shown.
type recordingVerifier struct{ calls int }

func (v *recordingVerifier) Verify(context.Context, string) (Principal, error) {
	v.calls++
	return Principal{}, ErrUnknownCredential
}

func (v *recordingVerifier) Recheck(context.Context, Principal) (Principal, error) {
	return Principal{}, ErrUnknownCredential
}
