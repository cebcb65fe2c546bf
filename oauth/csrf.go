package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// csrfToken is the anti-forgery token of an authorization request's forms:
// an HMAC of the request id and the browser's binding under a server
// secret. It can be rendered on any page of the request (the consent page
// is reached by GET after the sign-in POST) without being kept anywhere,
// and a form forged on another site cannot know it.
func (s *Server) csrfToken(ctx context.Context, requestID, browser string) (string, error) {
	key, err := s.opts.Store.ServerSecret(ctx, "csrf", newSecret)
	if err != nil {
		return "", fmt.Errorf("csrf secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(requestID))
	mac.Write([]byte{0})
	mac.Write([]byte(browser))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

// newSecret makes a 256-bit server secret, for Store.ServerSecret.
func newSecret() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random secret: %w", err)
	}
	return b, nil
}
