package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/config"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/oauth/discovery"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// authorizationServer builds the OAuth authorization server and its
// discovery documents. keys are the API key verifiers: people sign in with
// a key, and client credentials exchange one.
func authorizationServer(ctx context.Context, cfg *config.Config, db store.Store, keys []auth.Verifier, upstream []oauth.UpstreamLogin, set *personas.Set,
	auditLog *audit.Log, limiter *ratelimit.Limiter, logger *slog.Logger, baseURL string) (*oauth.Server, *discovery.Handler, error) {
	oc := cfg.Auth.OAuth
	opts := oauth.Options{
		Store:           db,
		Versions:        db,
		Issuer:          baseURL,
		Credentials:     &auth.Authenticator{Keys: keys},
		Scopes:          effectiveScopes(set),
		SupportedScopes: auth.KnownScopes(),
		Registration:    oc.Registration,
		Upstream:        upstream,
		Limiter:         limiter,
		AccessTokenTTL:  oc.AccessTokenTTL.Std(),
		RefreshTTL:      oc.RefreshTokenTTL.Std(),
		RefreshGrace:    oc.RefreshGrace.Std(),
		KeyRotation:     oc.SigningKeyRotation.Std(),
		Audit:           auditLog,
		Logger:          logger,
	}
	opts.ClientMetadataDocuments = oc.ClientMetadataDocuments == nil || *oc.ClientMetadataDocuments
	pinned := config.DefaultPinnedClients()
	if oc.PinnedClients != nil {
		pinned = *oc.PinnedClients
	}
	for _, p := range pinned {
		opts.PinnedClients = append(opts.PinnedClients, oauth.PinnedClient{ClientID: p.ClientID, Name: p.Name, RedirectURIs: p.RedirectURIs})
	}
	if oc.InitialAccessToken != "" {
		sum := sha256.Sum256([]byte(oc.InitialAccessToken))
		opts.InitialAccessTokenHash = sum[:]
	}
	srv, err := oauth.New(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("auth.oauth: %w", err)
	}
	if err := srv.Signer().Ready(ctx); err != nil {
		return nil, nil, fmt.Errorf("auth.oauth: %w", err)
	}
	if err := srv.SeedClients(ctx, configuredClients(oc.Clients)); err != nil {
		return nil, nil, fmt.Errorf("auth.oauth.clients: %w", err)
	}
	docs, err := discovery.New(discovery.Config{Issuer: baseURL, Scopes: auth.KnownScopes(), Keys: srv.Signer(),
		ClientIDMetadataDocuments: srv.SupportsClientMetadataDocuments()})
	if err != nil {
		return nil, nil, fmt.Errorf("auth.oauth: %w", err)
	}
	return srv, docs, nil
}

// configuredClients turns platform.yaml's clients into the server's, their
// secrets hashed.
func configuredClients(clients []config.OAuthClient) []oauth.ConfiguredClient {
	out := make([]oauth.ConfiguredClient, 0, len(clients))
	for _, c := range clients {
		cc := oauth.ConfiguredClient{ID: c.ClientID, Name: c.Name, RedirectURIs: c.RedirectURIs, GrantTypes: c.GrantTypes, Scope: c.Scope}
		if c.ClientSecret != "" {
			sum := sha256.Sum256([]byte(c.ClientSecret))
			cc.SecretSHA256 = sum[:]
		}
		if len(cc.GrantTypes) == 0 {
			cc.GrantTypes = []string{"authorization_code", "refresh_token"}
		}
		out = append(out, cc)
	}
	return out
}
