package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/tokencache"
	"github.com/skillgate/skillgate/store"
)

// tokenLeeway is the clock skew allowed between replicas on exp, nbf and
// iat of skillgate's own tokens.
const tokenLeeway = 30 * time.Second

// Verifier returns the auth.Verifier for skillgate's own access tokens,
// registered in auth.Issuers under the issuer.
func (s *Server) Verifier() auth.Verifier { return tokenVerifier{s} }

type tokenVerifier struct{ s *Server }

// Verify checks an access token: signature (ES256, a key of ours), typ,
// issuer, audience (one of this server's resources), times; then its grant
// (not revoked), then the credential linked to the grant, as it stands now.
// The principal is the credential's, narrowed to the token's scopes.
//
// With Options.Versions, a token verified once is served from a cache until
// the keys version changes (any grant revoked, any key changed) or the
// principal expires.
func (v tokenVerifier) Verify(ctx context.Context, token string) (auth.Principal, error) {
	s := v.s
	if s.tokens == nil {
		return v.verify(ctx, token)
	}
	version, err := s.opts.Versions.KeysVersion(ctx)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("verify access token: keys version: %w", err)
	}
	h := tokencache.Key(token)
	if p, ok := s.tokens.Get(h, version, s.now()); ok {
		return p, nil
	}
	p, err := v.verify(ctx, token)
	if err != nil {
		return auth.Principal{}, err
	}
	s.tokens.Put(h, version, p)
	return p, nil
}

// verify checks a token fully, without the cache.
func (v tokenVerifier) verify(ctx context.Context, token string) (auth.Principal, error) {
	s := v.s
	c, err := s.parseAccessToken(ctx, token, true)
	if errors.Is(err, errKeyStore) {
		// The keys could not be read: a server failure (503), not the
		// caller's fault.
		return auth.Principal{}, fmt.Errorf("verify access token: %w", err)
	}
	if err != nil {
		return auth.Principal{}, explainJWT(err)
	}
	if !slices.ContainsFunc(c.Audience, func(aud string) bool { _, ok := s.resource(aud); return ok }) {
		return auth.Principal{}, fmt.Errorf("%w: the token is for another resource (aud)", auth.ErrInvalidToken)
	}
	p, err := v.grantPrincipal(ctx, c.GrantID, parseScope(c.Scope))
	if err != nil {
		return auth.Principal{}, err
	}
	if exp := c.ExpiresAt.Time; p.ExpiresAt.IsZero() || exp.Before(p.ExpiresAt) {
		p.ExpiresAt = exp
	}
	return p, nil
}

// Recheck checks p, which Verify returned earlier, against its grant and
// credential as they stand now.
func (v tokenVerifier) Recheck(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	if p.Source != auth.SourceOAuth || p.Issuer != v.s.opts.Issuer || p.GrantID == "" {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	if !p.ExpiresAt.IsZero() && v.s.now().After(p.ExpiresAt.Add(tokenLeeway)) {
		return auth.Principal{}, auth.ErrTokenExpired
	}
	fresh, err := v.grantPrincipal(ctx, p.GrantID, p.Scopes)
	if err != nil {
		return auth.Principal{}, err
	}
	fresh.ExpiresAt = p.ExpiresAt
	return fresh, nil
}

// grantPrincipal loads a grant and its linked credential and returns the
// principal a token of the grant with the given scopes stands for.
func (v tokenVerifier) grantPrincipal(ctx context.Context, grantID string, scopes []string) (auth.Principal, error) {
	s := v.s
	g, err := s.opts.Store.Grant(ctx, grantID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return auth.Principal{}, fmt.Errorf("%w: the token's grant does not exist", auth.ErrInvalidToken)
	case err != nil:
		return auth.Principal{}, fmt.Errorf("load grant: %w", err)
	case !g.RevokedAt.IsZero():
		return auth.Principal{}, fmt.Errorf("%w: the token's grant was revoked (%s)", auth.ErrInvalidToken, g.RevokeReason)
	case !g.ExpiresAt.IsZero() && !s.now().Before(g.ExpiresAt.Add(tokenLeeway)):
		return auth.Principal{}, auth.ErrTokenExpired
	}
	p, err := s.principalOf(ctx, g.Identity)
	if err != nil {
		if auth.Refused(err) {
			return auth.Principal{}, &auth.CredentialError{CredentialID: g.Identity.CredentialID,
				Err: fmt.Errorf("%w: the API key this token was issued from is no longer valid (%s)", auth.ErrInvalidToken, auth.ErrorResponse(err, "").Message)}
		}
		return auth.Principal{}, err
	}
	p.Scopes = narrowTo(scopes, p.Scopes)
	if p.CredentialID == "" {
		// Someone who signed in at an identity provider: their subject
		// is only unique within that provider's issuer.
		p.Subject = g.Identity.Issuer + "#" + g.Identity.Subject
	}
	p.Linked = p.Source
	p.Source, p.Issuer, p.GrantID = auth.SourceOAuth, s.opts.Issuer, g.ID
	return p, nil
}

// parseAccessToken checks an access token's signature (ES256, a key of
// ours, typ at+jwt) and, when validate is set, its issuer and times, and
// returns its claims. Without validate it serves revocation, which must
// accept expired tokens, but never unsigned claims.
func (s *Server) parseAccessToken(ctx context.Context, token string, validate bool) (accessClaims, error) {
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{signingAlg})}
	if validate {
		opts = append(opts, jwt.WithIssuer(s.opts.Issuer), jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(), jwt.WithLeeway(tokenLeeway), jwt.WithTimeFunc(s.opts.Now))
	} else {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	var c accessClaims
	_, err := jwt.NewParser(opts...).ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != "at+jwt" {
			return nil, errors.New("not an access token (typ)")
		}
		kid, _ := t.Header["kid"].(string)
		return s.signer.PublicKey(ctx, kid)
	})
	if err != nil {
		return accessClaims{}, err
	}
	return c, nil
}

// narrowTo keeps the token's scopes that the credential still holds; a
// credential without its own scopes (nil) leaves the persona to decide.
func narrowTo(token, held []string) []string {
	out := []string{}
	for _, sc := range token {
		if held == nil || auth.Grants(held, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// explainJWT words a golang-jwt refusal for the caller.
func explainJWT(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return auth.ErrTokenExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fmt.Errorf("%w: the token is not valid yet", auth.ErrInvalidToken)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fmt.Errorf("%w: the token is not from this server (iss)", auth.ErrInvalidToken)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, errUnknownKey):
		return fmt.Errorf("%w: the signature does not verify with this server's keys", auth.ErrInvalidToken)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return fmt.Errorf("%w: the token is not one of this server's access tokens", auth.ErrInvalidToken)
	default:
		return fmt.Errorf("%w: the token is malformed", auth.ErrInvalidToken)
	}
}
