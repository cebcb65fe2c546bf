package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// serveConsent shows the consent page (GET, after signing in) and takes
// the decision (POST). A consent given before for the same client, identity
// and scopes is not asked again: the browser goes straight back.
func (s *Server) serveConsent(w http.ResponseWriter, r *http.Request) {
	var csrf *string
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		form := r.PostFormValue("csrf_token")
		csrf = &form
	default:
		w.Header().Set("Allow", "GET, POST")
		s.errorPage(w, http.StatusMethodNotAllowed, "Use the consent form.")
		return
	}
	id := r.FormValue("request")
	req, token, err := s.loadRequest(r, id, csrf)
	if err != nil {
		s.formError(w, r, err)
		return
	}
	if req.Identity == nil {
		s.errorPage(w, http.StatusBadRequest, "Sign in first.")
		return
	}
	back := callback{uri: req.RedirectURI, state: req.State, issuer: s.opts.Issuer}
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	p, err := s.principalOf(r.Context(), *req.Identity)
	if err != nil {
		s.errorPage(w, http.StatusForbidden, "The key you signed in with is no longer valid; start again.")
		return
	}
	scopes := s.grantable(p, req.Scopes)
	if len(scopes) == 0 {
		s.finish(r.Context(), req.ID)
		back.redirectError(w, r, status, newError(http.StatusBadRequest, errInvalidScope, "the signed-in key holds none of the requested scopes", ""))
		return
	}
	identityKey := req.Identity.Key()
	switch {
	case r.Method == http.MethodGet && s.consented(r.Context(), req.ClientID, identityKey, scopes):
	case r.Method == http.MethodGet:
		client, oerr := s.client(r.Context(), req.ClientID)
		if oerr != nil {
			s.errorPage(w, http.StatusBadRequest, "The application is no longer registered.")
			return
		}
		who := p.Subject // a key's name
		if p.Source == auth.SourceOIDC {
			who = p.User // a verified email, or issuer#subject
		}
		s.renderConsent(w, client, req, token, scopes, who)
		return
	case r.PostFormValue("decision") == "approve":
		err := s.opts.Store.SaveConsent(r.Context(), store.OAuthConsent{ClientID: req.ClientID, IdentityKey: identityKey, Scopes: scopes, GrantedAt: s.now()})
		if err != nil {
			s.formError(w, r, err)
			return
		}
	default:
		s.finish(r.Context(), req.ID)
		s.audit(r.Context(), store.AuditEvent{KeyID: p.CredentialID, Principal: p.Identity(), Action: "oauth.consent",
			Target: req.ClientID, Result: store.ResultDenied, ClientAddr: r.RemoteAddr, Detail: "denied by the user"})
		back.redirectError(w, r, status, newError(http.StatusForbidden, errAccessDenied, "the user denied the request", ""))
		return
	}
	code, err := s.issueCode(r.Context(), req, scopes)
	if err != nil {
		s.opts.Logger.ErrorContext(r.Context(), "issuing an authorization code", "err", err)
		back.redirectError(w, r, status, newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", ""))
		return
	}
	s.finish(r.Context(), req.ID)
	s.audit(r.Context(), store.AuditEvent{KeyID: p.CredentialID, Principal: p.Identity(), Action: "oauth.consent",
		Target: req.ClientID, Result: store.ResultOK, ClientAddr: r.RemoteAddr, Detail: joinScopes(scopes)})
	back.redirect(w, r, status, url.Values{"code": {code}})
}

// consented reports whether identityKey approved clientID for scopes
// before.
func (s *Server) consented(ctx context.Context, clientID, identityKey string, scopes []string) bool {
	c, err := s.opts.Store.Consent(ctx, clientID, identityKey)
	return err == nil && subset(scopes, c.Scopes)
}

// issueCode makes an authorization code and the grant it starts.
func (s *Server) issueCode(ctx context.Context, req store.OAuthRequest, scopes []string) (string, error) {
	now := s.now()
	life := s.opts.RefreshTTL
	if req.Identity.Source == string(auth.SourceOIDC) {
		life = min(life, s.opts.UpstreamSessionTTL)
	}
	grant := store.OAuthGrant{
		ID: randomToken("grt_", 18), ClientID: req.ClientID, Identity: *req.Identity,
		Resource: req.Resource, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(life),
	}
	code := randomToken("sgc_", 32)
	err := s.opts.Store.CreateCode(ctx, store.OAuthCode{
		Hash: hashOf(code), ClientID: req.ClientID, RedirectURI: req.RedirectURI,
		CodeChallenge: req.CodeChallenge, Resource: req.Resource, Scopes: scopes,
		GrantID: grant.ID, ExpiresAt: now.Add(s.opts.CodeTTL),
	}, grant)
	if err != nil {
		return "", err
	}
	return code, nil
}

// finish forgets a decided request; a failure only leaves a row that
// expires by itself.
func (s *Server) finish(ctx context.Context, id string) {
	if err := s.opts.Store.DeleteRequest(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opts.Logger.WarnContext(ctx, "deleting a decided authorization request", "err", err)
	}
}
