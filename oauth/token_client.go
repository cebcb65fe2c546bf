package oauth

import (
	"errors"
	"net/http"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// clientCredentialsRate caps client-credentials exchanges per address per
// minute.
const clientCredentialsRate = 60

// clientCredentials exchanges an API key for an access token (seed 000:
// "your API key is both the secret and the resulting access token"): the
// key is the client secret, under any client_id, and the token is linked
// to it, so it is refused as soon as the key is. A registered client's own
// secret does not work here: it stands for an application, not for anyone
// whose permissions a token could carry.
func (s *Server) clientCredentials(r *http.Request) (*tokenResponse, *oauthError) {
	ctx := r.Context()
	cc, oerr := presentedClient(r)
	if oerr != nil {
		return nil, oerr
	}
	// Each attempt verifies a key: an address gets a script's worth of
	// them, not a guessing rate.
	if d, err := s.opts.Limiter.Allow(ctx, "client_credentials:"+ratelimit.Address(r), clientCredentialsRate); err == nil && !d.Allowed {
		return nil, newError(http.StatusTooManyRequests, errUnavailable, "too many token requests from this address", "Retry in a minute; reuse an access token until it expires.")
	}
	if cc.secret == "" || cc.id == "" {
		return nil, newError(http.StatusUnauthorized, errInvalidClient, "client credentials need client_id and, as client_secret, an API key", "")
	}
	// A registered client's id is its own: a token naming it would look
	// like the client's, which could then revoke it and whose audit rows
	// it would fill. Keys take an id of their caller's choosing instead.
	switch _, err := s.opts.Store.Client(ctx, cc.id); {
	case err == nil:
		return nil, newError(http.StatusUnauthorized, errInvalidClient, "client_id "+cc.id+" is a registered client; exchange an API key under a client_id of your own choosing", "")
	case !errors.Is(err, store.ErrNotFound):
		s.opts.Logger.ErrorContext(ctx, "looking up a client", "err", err)
		return nil, unavailable()
	}
	p, err := s.opts.Credentials.Authenticate(ctx, cc.secret)
	if err != nil || (p.Source != auth.SourceManagedKey && p.Source != auth.SourceStaticKey) {
		if err == nil || auth.Refused(err) {
			return nil, newError(http.StatusUnauthorized, errInvalidClient, "client_secret must be a valid API key", "Use a key from \"skillgate keys create\".")
		}
		s.opts.Logger.ErrorContext(ctx, "checking a client-credentials key", "err", err)
		return nil, unavailable()
	}
	resource := s.resources[0]
	if raw := r.PostForm.Get("resource"); raw != "" {
		var ok bool
		if resource, ok = s.resource(raw); !ok {
			return nil, newError(http.StatusBadRequest, errInvalidTarget, "resource is not served by this authorization server", "")
		}
	}
	scopes := s.grantable(p, s.requestedScopes(r.PostForm.Get("scope")))
	if len(scopes) == 0 {
		return nil, newError(http.StatusBadRequest, errInvalidScope, "the key holds none of the requested scopes", "")
	}
	now := s.now()
	grant := store.OAuthGrant{
		ID: randomToken("grt_", 18), ClientID: cc.id, Identity: auth.IdentityOf(p), Resource: resource,
		Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(s.opts.AccessTokenTTL),
	}
	if err := s.opts.Store.CreateGrant(ctx, grant); err != nil {
		s.opts.Logger.ErrorContext(ctx, "storing a client-credentials grant", "err", err)
		return nil, unavailable()
	}
	s.audit(ctx, store.AuditEvent{KeyID: p.CredentialID, Principal: p.Identity(), Action: "oauth.token",
		Target: cc.id, Result: store.ResultOK, ClientAddr: r.RemoteAddr, Detail: "client_credentials " + grant.ID})
	return s.issue(ctx, grant, scopes, "")
}
