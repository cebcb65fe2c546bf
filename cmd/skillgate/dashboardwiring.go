package main

import (
	"fmt"
	"log/slog"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/auth/oidc"
	"github.com/skillgate/skillgate/dashboard"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/store"
)

// The OAuth server is what the dashboard's clients page drives.
var _ dashboard.ClientService = (*oauth.Server)(nil)

// newDashboard builds the web dashboard over the same services as the
// REST API: the key manager, the OAuth server's client administration
// (clients, nil without OAuth) and the audit reader.
func newDashboard(authn *auth.Authenticator, keys *apikey.Manager, clients dashboard.ClientService, providers []*oidc.Provider, db store.Store,
	limiter dashboard.RateLimiter, auditLog dashboard.Recorder, set *personas.Set, logger *slog.Logger, baseURL string) (*dashboard.Handler, error) {
	// The providers offering sign-in on the OAuth pages offer it here too.
	var logins []dashboard.IdentityProvider
	for _, p := range providers {
		if p.LoginName() != "" {
			logins = append(logins, p)
		}
	}
	h, err := dashboard.New(dashboard.Options{
		Credentials: authn,
		Keys:        keys,
		Clients:     clients,
		Audit:       audit.NewReader(db),
		Sessions:    db,
		Providers:   logins,
		Limiter:     limiter,
		AuditLog:    auditLog,
		Scopes:      effectiveScopes(set),
		BaseURL:     baseURL,
		Logger:      logger,
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return h, nil
}
