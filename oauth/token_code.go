package oauth

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/skillgate/skillgate/store"
)

// exchangeCode redeems an authorization code (RFC 6749 section 4.1.3 with
// PKCE, RFC 7636 section 4.6). The code is spent by the first attempt,
// successful or not; a second redemption revokes what the first issued.
func (s *Server) exchangeCode(r *http.Request) (*tokenResponse, *oauthError) {
	ctx := r.Context()
	client, oerr := s.requestClient(r)
	if oerr != nil {
		return nil, oerr
	}
	code := r.PostForm.Get("code")
	if code == "" {
		return nil, newError(http.StatusBadRequest, errInvalidRequest, "code is missing", "")
	}
	c, grant, err := s.opts.Store.RedeemCode(ctx, hashOf(code), s.now())
	switch {
	case errors.Is(err, store.ErrRedeemed):
		s.audit(ctx, store.AuditEvent{KeyID: managedKeyOf(grant.Identity), Action: "oauth.code_replay", Target: c.ClientID,
			Result: store.ResultDenied, ClientAddr: r.RemoteAddr, Detail: "grant " + c.GrantID + " revoked"})
		return nil, newError(http.StatusBadRequest, errInvalidGrant, "the code was already used; the tokens issued for it are revoked", "Start the authorization again.")
	case errors.Is(err, store.ErrNotFound):
		return nil, newError(http.StatusBadRequest, errInvalidGrant, "the code is unknown or expired", "Codes live 60 seconds and work once; start the authorization again.")
	case err != nil:
		s.opts.Logger.ErrorContext(ctx, "redeeming a code", "err", err)
		return nil, unavailable()
	}
	// From here on every refusal also revokes the grant: the code is
	// spent, and whoever presented it wrongly may have stolen it.
	refuse := func(e *oauthError) (*tokenResponse, *oauthError) {
		if err := s.opts.Store.RevokeGrant(ctx, grant.ID, "code presented with "+e.Code, s.now()); err != nil {
			s.opts.Logger.WarnContext(ctx, "revoking a refused code's grant", "err", err)
		}
		return nil, e
	}
	switch {
	case !grant.RevokedAt.IsZero():
		// The client was deleted, or its grants revoked, since the code
		// was issued.
		return nil, newError(http.StatusBadRequest, errInvalidGrant, "the code's grant was revoked", "Start the authorization again.")
	case c.ClientID != client.ID:
		return refuse(newError(http.StatusBadRequest, errInvalidGrant, "the code was issued to another client", ""))
	case !redirectMatches(client, r.PostForm, c.RedirectURI):
		return refuse(newError(http.StatusBadRequest, errInvalidGrant, "redirect_uri must be the one of the authorization request", ""))
	}
	verifier := r.PostForm.Get("code_verifier")
	switch {
	case c.CodeChallenge == "":
		// Every code of ours has a challenge; a verifier for one without
		// would be a downgrade.
		return refuse(newError(http.StatusBadRequest, errInvalidGrant, "the code has no PKCE challenge", ""))
	case verifier == "":
		return refuse(newError(http.StatusBadRequest, errInvalidGrant, "code_verifier is missing (PKCE)", ""))
	case !validVerifier(verifier) || !verifierMatches(verifier, c.CodeChallenge):
		return refuse(newError(http.StatusBadRequest, errInvalidGrant, "code_verifier does not match the code_challenge", ""))
	}
	if oerr := s.resourceParam(r, c.Resource); oerr != nil {
		return refuse(oerr)
	}
	p, oerr := s.checkedPrincipal(ctx, grant)
	if oerr != nil {
		return nil, oerr
	}
	scopes := s.grantable(p, grant.Scopes)
	var refresh string
	if hasGrantType(client, "refresh_token") || client.TokenEndpointAuthMethod == "none" {
		if refresh, oerr = s.startRefresh(r, grant); oerr != nil {
			return nil, oerr
		}
	}
	s.audit(ctx, store.AuditEvent{KeyID: grant.Identity.CredentialID, Principal: p.Identity(), Action: "oauth.token",
		Target: client.ID, Result: store.ResultOK, ClientAddr: r.RemoteAddr, Detail: "authorization_code " + grant.ID})
	return s.issue(ctx, grant, scopes, refresh)
}

// redirectMatches checks the token request's redirect_uri against the one
// the code was issued for (RFC 6749 section 4.1.3). It may be left out only
// when the authorization request could leave it out too: the client
// registered exactly that one URI.
func redirectMatches(client store.OAuthClient, form url.Values, issuedFor string) bool {
	if got, sent := form["redirect_uri"]; sent {
		return len(got) == 1 && got[0] == issuedFor
	}
	return len(client.RedirectURIs) == 1 && client.RedirectURIs[0] == issuedFor
}
