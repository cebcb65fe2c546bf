package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/skillgate/skillgate/auth"
)

// loginScopes are asked of the provider at sign-in: the ID token, and the
// claims the mapping usually reads.
var loginScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// LoginName returns the label of the provider's sign-in button, or "" when
// the provider is not configured for sign-in.
func (p *Provider) LoginName() string {
	if p.cfg.Login == nil {
		return ""
	}
	if p.cfg.Login.Name != "" {
		return p.cfg.Login.Name
	}
	if u, err := url.Parse(p.cfg.Issuer); err == nil && u.Host != "" {
		return u.Host
	}
	return p.cfg.Issuer
}

// LoginURL returns where to send a browser to sign in at the provider:
// the authorization code flow with PKCE S256 (challenge) and a nonce bound
// into the ID token.
func (p *Provider) LoginURL(ctx context.Context, redirectURI, state, nonce, challenge string) (string, error) {
	conf, _, err := p.loginConfig(ctx, redirectURI)
	if err != nil {
		return "", err
	}
	return conf.AuthCodeURL(state, oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("code_challenge", challenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256")), nil
}

// CompleteLogin redeems the provider's code and returns the principal of
// the ID token it gives, checked (signature, issuer, audience = our client,
// expiry, nonce) and mapped like any token of the provider.
func (p *Provider) CompleteLogin(ctx context.Context, redirectURI, code, verifier, nonce string) (auth.Principal, error) {
	conf, verify, err := p.loginConfig(ctx, redirectURI)
	if err != nil {
		return auth.Principal{}, err
	}
	ctx = oidc.ClientContext(ctx, p.opts.HTTPClient)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return auth.Principal{}, fmt.Errorf("%w: the provider refused the sign-in code", auth.ErrInvalidToken)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return auth.Principal{}, fmt.Errorf("%w: the provider returned no ID token", auth.ErrInvalidToken)
	}
	idt, err := verify.Verify(ctx, raw)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("%w: the provider's ID token does not verify", auth.ErrInvalidToken)
	}
	if idt.Nonce != nonce {
		return auth.Principal{}, fmt.Errorf("%w: the ID token's nonce does not match this sign-in", auth.ErrInvalidToken)
	}
	claims, err := payloadClaims(raw)
	if err != nil {
		return auth.Principal{}, err
	}
	return p.claims.principal(claims)
}

// loginConfig returns the OAuth client configuration and the ID token
// verifier for sign-in, discovering the provider first if needed.
func (p *Provider) loginConfig(ctx context.Context, redirectURI string) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	if p.cfg.Login == nil {
		return nil, nil, errors.New("oidc: sign-in is not configured for " + p.cfg.Issuer)
	}
	d, err := p.discovered(ctx)
	if err != nil {
		return nil, nil, err
	}
	conf := &oauth2.Config{
		ClientID: p.cfg.Login.ClientID, ClientSecret: p.cfg.Login.ClientSecret,
		Endpoint: d.endpoint, RedirectURL: redirectURI, Scopes: loginScopes,
	}
	verify := oidc.NewVerifier(p.cfg.Issuer, d.keys, &oidc.Config{
		ClientID: p.cfg.Login.ClientID, SupportedSigningAlgs: p.cfg.Algorithms, Now: p.opts.Now,
	})
	return conf, verify, nil
}
