package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// principalOf checks a grant's identity again and returns the principal it
// stands for now: a revoked, expired or rotated-away key fails here, and
// changed limits apply.
func (s *Server) principalOf(ctx context.Context, id store.OAuthIdentity) (auth.Principal, error) {
	fresh, err := auth.Recheck(ctx, s.opts.Credentials, id)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("check the grant's credential: %w", err)
	}
	return fresh, nil
}

// randomToken returns n random bytes, base64url, with prefix.
func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never returns an error (Go 1.24+).
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashOf is the SHA-256 a secret is stored as.
func hashOf(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
