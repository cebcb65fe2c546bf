package auth

import (
	"context"
	"errors"
	"testing"

	"github.com/skillgate/skillgate/store"
)

// recheckFunc adapts a function to Rechecker.
type recheckFunc func(context.Context, Principal) (Principal, error)

func (f recheckFunc) Recheck(ctx context.Context, p Principal) (Principal, error) { return f(ctx, p) }

// Recheck asks the verifier about a kept key, and returns a person who
// signed in at an identity provider as kept, without asking.
func TestRecheck(t *testing.T) {
	revoked := recheckFunc(func(context.Context, Principal) (Principal, error) { return Principal{}, ErrRevoked })
	renamed := recheckFunc(func(_ context.Context, p Principal) (Principal, error) { p.Subject = "now"; return p, nil })
	tests := []struct {
		name        string
		id          store.OAuthIdentity
		r           Rechecker
		wantSubject string
		wantErr     error
	}{
		{"revoked key", store.OAuthIdentity{Source: string(SourceManagedKey), CredentialID: "key_1", Subject: "then"}, revoked, "", ErrRevoked},
		{"key as it stands now", store.OAuthIdentity{Source: string(SourceStaticKey), CredentialID: "static:a", Subject: "then"}, renamed, "now", nil},
		{"identity provider user, not asked", store.OAuthIdentity{Source: string(SourceOIDC), Issuer: "https://idp", Subject: "alice"}, revoked, "alice", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Recheck(context.Background(), tc.r, tc.id)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if p.Subject != tc.wantSubject {
				t.Errorf("subject %q, want %q", p.Subject, tc.wantSubject)
			}
		})
	}
}
