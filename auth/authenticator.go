package auth

import (
	"context"
	"errors"
)

// Verifier checks one kind of credential.
type Verifier interface {
	// Verify returns the Principal the token stands for. It MUST return an
	// error wrapping ErrUnknownCredential when the token is not one of its
	// own, so the next verifier can be tried, and MUST compare secrets in
	// constant time.
	Verify(ctx context.Context, token string) (Principal, error)
	// Recheck reports whether p, earlier returned by this verifier, is
	// still valid now (not revoked, disabled or expired), and returns it as
	// it stands now (its limits may have changed). It returns an error
	// wrapping ErrUnknownCredential for principals that are not its own.
	Recheck(ctx context.Context, p Principal) (Principal, error)
}

// Authenticator verifies a credential by trying its verifiers in the order
// seed documents describe: a token that looks like a JWT goes to Tokens
// alone; anything else is tried against each of Keys in turn.
type Authenticator struct {
	// Tokens verifies JWTs (OIDC, skillgate's own OAuth tokens). Nil means
	// JWTs are refused with ErrTokenNotAccepted.
	Tokens Verifier
	// Keys verify API keys, first match wins.
	Keys []Verifier
}

// Authenticate returns the Principal for token.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrNoCredential
	}
	if LooksLikeJWT(token) {
		if a.Tokens == nil {
			return Principal{}, ErrTokenNotAccepted
		}
		p, err := a.Tokens.Verify(ctx, token)
		if err != nil {
			return Principal{}, err
		}
		return p, nil
	}
	for _, v := range a.Keys {
		p, err := v.Verify(ctx, token)
		switch {
		case errors.Is(err, ErrUnknownCredential):
			continue
		case err != nil:
			return Principal{}, err
		}
		return p, nil
	}
	return Principal{}, ErrUnknownCredential
}

// Recheck reports whether p is still valid, asking the verifier that
// issued it, and returns p as it stands now.
func (a *Authenticator) Recheck(ctx context.Context, p Principal) (Principal, error) {
	verifiers := a.Keys
	if a.Tokens != nil {
		verifiers = append([]Verifier{a.Tokens}, verifiers...)
	}
	for _, v := range verifiers {
		fresh, err := v.Recheck(ctx, p)
		if errors.Is(err, ErrUnknownCredential) {
			continue
		}
		return fresh, err
	}
	return Principal{}, ErrUnknownCredential
}
