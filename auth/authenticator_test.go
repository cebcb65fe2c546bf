package auth

import (
	"context"
	"errors"
	"testing"
)

// keyVerifier accepts exactly one token; it is a real Verifier, not a mock:
// the chain's ordering is what is under test.
type keyVerifier struct {
	token string
	p     Principal
	err   error
}

func (v keyVerifier) Verify(_ context.Context, token string) (Principal, error) {
	if token != v.token {
		return Principal{}, ErrUnknownCredential
	}
	return v.p, v.err
}

func (v keyVerifier) Recheck(_ context.Context, p Principal) (Principal, error) {
	if p.CredentialID != v.p.CredentialID {
		return Principal{}, ErrUnknownCredential
	}
	return v.p, v.err
}

func TestAuthenticatorOrder(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	a := &Authenticator{Keys: []Verifier{
		keyVerifier{token: "first", p: Principal{CredentialID: "1"}},
		keyVerifier{token: "second", p: Principal{CredentialID: "2"}},
		keyVerifier{token: "disabled", p: Principal{CredentialID: "3"}, err: ErrDisabled},
		// A JWT-shaped static key must never be consulted.
		keyVerifier{token: jwt, p: Principal{CredentialID: "jwt-as-key"}},
	}}
	tests := []struct {
		name    string
		token   string
		wantID  string
		wantErr error
	}{
		{"first verifier", "first", "1", nil},
		{"second verifier", "second", "2", nil},
		{"verifier error stops the chain", "disabled", "", ErrDisabled},
		{"unknown", "nope", "", ErrUnknownCredential},
		{"empty", "", "", ErrNoCredential},
		{"jwt never tried as key", jwt, "", ErrTokenNotAccepted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := a.Authenticate(context.Background(), tc.token)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if p.CredentialID != tc.wantID {
				t.Errorf("credential = %q, want %q", p.CredentialID, tc.wantID)
			}
		})
	}
	if _, err := a.Recheck(context.Background(), Principal{CredentialID: "2"}); err != nil {
		t.Errorf("Recheck(valid) = %v", err)
	}
	if _, err := a.Recheck(context.Background(), Principal{CredentialID: "gone"}); !errors.Is(err, ErrUnknownCredential) {
		t.Errorf("Recheck(unknown) = %v, want ErrUnknownCredential", err)
	}
}
