package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Issuers routes each JWT to the verifier of the issuer its iss claim names:
// one entry per configured identity provider and, with the built-in
// authorization server, one for skillgate itself. A token naming any other
// issuer is refused with ErrUnknownIssuer. The claim is read before the
// signature is checked only to pick the verifier, which then checks
// everything, the issuer included.
type Issuers map[string]Verifier

// Verify hands token to the verifier of its issuer.
func (is Issuers) Verify(ctx context.Context, token string) (Principal, error) {
	iss, err := UnverifiedIssuer(token)
	if err != nil {
		return Principal{}, err
	}
	v, ok := is[iss]
	if !ok {
		// Naming the issuer lets an administrator spot the usual mistake,
		// a configured issuer that differs from the tokens' by a trailing
		// slash or a path. It is the caller's own claim, quoted and cut
		// short, so it tells the caller nothing new.
		return Principal{}, fmt.Errorf("%w: %s", ErrUnknownIssuer, quoteShort(iss, maxIssuerEcho))
	}
	return v.Verify(ctx, token)
}

// Recheck asks the verifier of p's issuer whether p is still valid.
func (is Issuers) Recheck(ctx context.Context, p Principal) (Principal, error) {
	if p.Source != SourceOIDC && p.Source != SourceOAuth {
		return Principal{}, ErrUnknownCredential
	}
	v, ok := is[p.Issuer]
	if !ok {
		return Principal{}, ErrUnknownIssuer
	}
	return v.Recheck(ctx, p)
}

// UnverifiedIssuer returns the iss claim of a JWS compact token without
// checking anything else about it. Its only use is to choose who verifies
// the token; never trust the result on its own.
func UnverifiedIssuer(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: a JWT has three dot-separated parts", ErrInvalidToken)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("%w: the payload is not base64url", ErrInvalidToken)
	}
	var claims struct {
		Iss any `json:"iss"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", fmt.Errorf("%w: the payload is not a JSON object", ErrInvalidToken)
	}
	iss, ok := claims.Iss.(string)
	if !ok || iss == "" {
		return "", fmt.Errorf("%w: the token has no iss claim naming its issuer", ErrInvalidToken)
	}
	return iss, nil
}

// maxIssuerEcho is how much of an unaccepted issuer an error repeats.
const maxIssuerEcho = 100

// quoteShort quotes s as a Go string, cut to at most n bytes first.
func quoteShort(s string, n int) string {
	if len(s) > n {
		return strconv.Quote(s[:n]) + "..."
	}
	return strconv.Quote(s)
}
