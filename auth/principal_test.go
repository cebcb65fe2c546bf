package auth

import "testing"

// SameIdentity agrees with comparing Identity strings, which it replaces
// on the hot path.
func TestSameIdentity(t *testing.T) {
	key := Principal{Source: SourceManagedKey, CredentialID: "key_1", Subject: "ci"}
	token := Principal{Source: SourceOIDC, Issuer: "https://idp", Subject: "alice"}
	tests := []struct {
		name string
		a, b Principal
		want bool
	}{
		{"same key", key, key, true},
		{"same key, other name", key, Principal{Source: SourceManagedKey, CredentialID: "key_1", Subject: "renamed"}, true},
		{"other key", key, Principal{Source: SourceManagedKey, CredentialID: "key_2", Subject: "ci"}, false},
		{"same id, other source", key, Principal{Source: SourceStaticKey, CredentialID: "key_1"}, false},
		{"same token subject", token, Principal{Source: SourceOIDC, Issuer: "https://idp", Subject: "alice", Roles: []string{"x"}}, true},
		{"other subject", token, Principal{Source: SourceOIDC, Issuer: "https://idp", Subject: "bob"}, false},
		{"other issuer", token, Principal{Source: SourceOIDC, Issuer: "https://other", Subject: "alice"}, false},
		{"token against key", token, key, false},
		{"both empty", Principal{}, Principal{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.SameIdentity(tc.b); got != tc.want {
				t.Errorf("SameIdentity = %v, want %v", got, tc.want)
			}
			if got := tc.b.SameIdentity(tc.a); got != tc.want {
				t.Errorf("SameIdentity reversed = %v, want %v", got, tc.want)
			}
			if byString := tc.a.Identity() == tc.b.Identity(); byString != tc.want {
				t.Errorf("Identity strings equal = %v, want %v", byString, tc.want)
			}
		})
	}
}
