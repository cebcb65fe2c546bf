package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/tokencache"
)

// Verify checks token (signature, algorithm, issuer, audience, authorized
// party, validity times) and returns the Principal its claims describe.
func (p *Provider) Verify(ctx context.Context, token string) (auth.Principal, error) {
	d, err := p.discovered(ctx)
	if err != nil {
		return auth.Principal{}, err
	}
	if p.tokens == nil {
		return p.verify(ctx, d, token)
	}
	// Read before verifying: keys that change during the verification
	// make the entry stale rather than the cache wrong.
	generation := d.keys.version()
	k := tokencache.Key(token)
	if pr, ok := p.tokens.Get(k, generation, p.opts.Now()); ok {
		return pr, nil
	}
	pr, err := p.verify(ctx, d, token)
	if err != nil {
		return auth.Principal{}, err
	}
	p.tokens.Put(k, generation, pr)
	return pr, nil
}

// verify checks a token fully: signature, issuer and claims, then maps the
// claims to a principal.
func (p *Provider) verify(ctx context.Context, d *discovered, token string) (auth.Principal, error) {
	if _, err := d.verifier.Verify(ctx, token); err != nil {
		return auth.Principal{}, p.explain(ctx, d, token, err)
	}
	// The signature is good: go-oidc returned no error. Read the payload
	// again as a generic object, numbers kept exact, for the claim mapping.
	claims, err := payloadClaims(token)
	if err != nil {
		return auth.Principal{}, err
	}
	if err := p.checkClaims(claims); err != nil {
		return auth.Principal{}, err
	}
	return p.claims.principal(claims)
}

// Recheck reports whether p, which this provider verified earlier, is still
// valid: its token has not expired.
func (p *Provider) Recheck(_ context.Context, pr auth.Principal) (auth.Principal, error) {
	if pr.Source != auth.SourceOIDC || pr.Issuer != p.cfg.Issuer {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	if !pr.ExpiresAt.IsZero() && p.opts.Now().After(pr.ExpiresAt.Add(p.cfg.ClockSkew)) {
		return auth.Principal{}, auth.ErrTokenExpired
	}
	return pr, nil
}

// explain turns a go-oidc refusal into an auth error worded for the caller.
// go-oidc flattens the key set's errors into text, so the key set is asked
// again for its own, typed verdict; that costs a parse and no network (the
// refresh interval has just been spent, or the keys are held).
func (p *Provider) explain(ctx context.Context, d *discovered, token string, err error) error {
	if _, kerr := d.keys.VerifySignature(ctx, token); kerr != nil {
		if errors.Is(kerr, auth.ErrIssuerUnavailable) {
			return fmt.Errorf("%w: %s", auth.ErrIssuerUnavailable, p.cfg.Issuer)
		}
		return kerr
	}
	// The signature is fine, so go-oidc objected to the claims: the only
	// checks left to it are the issuer's and the standard claims' types.
	p.opts.Logger.DebugContext(ctx, "token refused by go-oidc", "issuer", p.cfg.Issuer, "err", err)
	return fmt.Errorf("%w: the token's standard claims (iss, aud, exp, iat) are malformed", auth.ErrInvalidToken)
}

// checkClaims enforces audience, authorized party and validity times.
func (p *Provider) checkClaims(c map[string]any) error {
	if !slices.Contains(valuesOf(c["aud"]), p.cfg.Audience) {
		return fmt.Errorf("%w: the token's audience (aud) does not include %q", auth.ErrInvalidToken, p.cfg.Audience)
	}
	if p.cfg.ClientID != "" {
		party, ok := c["azp"]
		if !ok {
			party = c["client_id"]
		}
		if party != p.cfg.ClientID {
			return fmt.Errorf("%w: the token was not issued to client %q (azp / client_id)", auth.ErrInvalidToken, p.cfg.ClientID)
		}
	}
	now, skew := p.opts.Now(), p.cfg.ClockSkew
	exp, ok, err := numericDate(c, "exp")
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%w: the token has no expiry (exp)", auth.ErrInvalidToken)
	case now.After(exp.Add(skew)):
		return auth.ErrTokenExpired
	}
	if nbf, ok, err := numericDate(c, "nbf"); err != nil {
		return err
	} else if ok && now.Add(skew).Before(nbf) {
		return fmt.Errorf("%w: the token is not valid yet (nbf is in the future)", auth.ErrInvalidToken)
	}
	if iat, ok, err := numericDate(c, "iat"); err != nil {
		return err
	} else if ok && now.Add(skew).Before(iat) {
		return fmt.Errorf("%w: the token was issued in the future (iat); check the clocks", auth.ErrInvalidToken)
	}
	return nil
}

// payloadClaims decodes the payload of a compact JWS, already verified.
func payloadClaims(token string) (map[string]any, error) {
	raw, err := payloadOf(token)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, fmt.Errorf("%w: the payload is not a JSON object", auth.ErrInvalidToken)
	}
	return claims, nil
}

// numericDate reads a NumericDate claim (seconds since the epoch, RFC 7519
// section 2), reporting whether it is present.
func numericDate(c map[string]any, name string) (time.Time, bool, error) {
	v, ok := c[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, false, fmt.Errorf("%w: the %s claim is not a number", auth.ErrInvalidToken, name)
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > maxNumericDate {
		return time.Time{}, false, fmt.Errorf("%w: the %s claim is out of range", auth.ErrInvalidToken, name)
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true, nil
}

// maxNumericDate is the year 9999; later dates are refused as nonsense
// rather than overflowing time arithmetic.
const maxNumericDate = 253402300799
