package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/auth/oidc"
	"github.com/skillgate/skillgate/config"
	"github.com/skillgate/skillgate/mcpserver"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/postgres"
	"github.com/skillgate/skillgate/store/sqlite"
)

// openStore opens the database the configuration names. The server and
// every CLI command that works on keys use the same database.
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (store.Store, error) {
	if cfg.Storage.Driver == config.DriverPostgres {
		ctx, cancel := context.WithTimeout(ctx, storeOpenTimeout)
		defer cancel()
		opts := []postgres.Option{postgres.WithLogger(logger)}
		if cfg.Storage.MaxConns > 0 {
			opts = append(opts, postgres.WithMaxConns(cfg.Storage.MaxConns))
		}
		db, err := postgres.Open(ctx, cfg.Storage.DSN, opts...)
		if err != nil {
			return nil, fmt.Errorf("open database (storage.dsn): %w", err)
		}
		return db, nil
	}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.Storage.DataDir, databaseFile))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// credentialLimiter is the limiter of credentials' per-minute rate limits:
// kept in PostgreSQL when the replicas share it, so that a limit holds for
// their sum, else in this process's memory.
func credentialLimiter(db store.Store) mcpserver.RateLimiter {
	if pg, ok := db.(*postgres.DB); ok {
		return pg.RateLimiter()
	}
	return ratelimit.New()
}

// newPersonaSet builds the configured personas.
func newPersonaSet(cfg *config.Config) (*personas.Set, error) {
	set, err := personas.NewSet(personaList(cfg.Personas), cfg.Personas.DefaultPersona)
	if err != nil {
		return nil, fmt.Errorf("personas: %w", err)
	}
	return set, nil
}

// keyPolicy is the configured policy for managed keys.
func keyPolicy(cfg *config.Config, set *personas.Set) apikey.Policy {
	mk := cfg.Auth.ManagedKeys
	p := apikey.Policy{
		Prefix:           mk.Prefix,
		MaxLifetime:      mk.MaxLifetime.Std(),
		MaxRotationGrace: mk.MaxRotationGrace.Std(),
		RoleScopes:       set.RoleScopes,
	}
	if mk.RotationGrace != nil {
		p.RotationGrace = mk.RotationGrace.Std()
	}
	return p
}

// effectiveScopes returns what a principal may do: its own scopes within
// those of its persona.
func effectiveScopes(set *personas.Set) func(auth.Principal) []string {
	return func(p auth.Principal) []string {
		return auth.Effective(p.Scopes, set.RoleScopes(p.Roles))
	}
}

// identityProviders returns a verifier for each configured OIDC provider
// and starts discovering each in the background until ctx ends: a provider
// that is down at startup delays nothing, and its tokens are refused as
// unreachable until it answers.
func identityProviders(ctx context.Context, cfg *config.Config, logger *slog.Logger) []*oidc.Provider {
	var providers []*oidc.Provider
	for _, pc := range cfg.Auth.OIDC.Providers {
		p := oidc.New(oidcConfig(pc), oidc.Options{Logger: logger})
		providers = append(providers, p)
		go p.Run(ctx)
	}
	return providers
}

// tokenIssuers routes JWTs to the providers by issuer.
func tokenIssuers(providers []*oidc.Provider) auth.Issuers {
	issuers := auth.Issuers{}
	for _, p := range providers {
		issuers[p.Issuer()] = p
		for _, alias := range p.Aliases() {
			issuers[alias] = p
		}
	}
	return issuers
}

// upstreamLogins are the providers offered on the OAuth sign-in page.
func upstreamLogins(providers []*oidc.Provider) []oauth.UpstreamLogin {
	var logins []oauth.UpstreamLogin
	for _, p := range providers {
		if p.LoginName() != "" {
			logins = append(logins, p)
		}
	}
	return logins
}

// oidcConfig turns a provider's configuration into the verifier's.
func oidcConfig(pc config.OIDCProvider) oidc.Config {
	c := oidc.Config{
		Issuer:     pc.Issuer,
		Audience:   pc.Audience,
		ClientID:   pc.ClientID,
		Claims:     oidc.Claims(pc.Claims),
		RoleMap:    pc.RoleMap,
		Algorithms: pc.Algorithms,
	}
	if pc.ClockSkew != nil {
		c.ClockSkew = pc.ClockSkew.Std()
	}
	if pc.Login != nil {
		c.Login = &oidc.Login{ClientID: pc.Login.ClientID, ClientSecret: pc.Login.ClientSecret, Name: pc.Login.Name}
	}
	return c
}
