package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/skillgate/skillgate/store"
)

// refreshPrefix starts every refresh token, so scanners can find leaked
// ones and nobody mistakes one for an API key.
const refreshPrefix = "sgr_"

// startRefresh issues the first refresh token of a grant.
func (s *Server) startRefresh(r *http.Request, g store.OAuthGrant) (string, *oauthError) {
	token := randomToken(refreshPrefix, 32)
	err := s.opts.Store.AddRefresh(r.Context(), g.ID, 1, hashOf(token), s.now())
	if errors.Is(err, store.ErrRevoked) {
		// Revoked since the code was redeemed: the same code presented
		// again at once (a replay revokes its grant), or an administrator.
		return "", newError(http.StatusBadRequest, errInvalidGrant, "the code's grant was revoked", "Start the authorization again.")
	}
	if err != nil {
		s.opts.Logger.ErrorContext(r.Context(), "storing a refresh token", "err", err)
		return "", unavailable()
	}
	return token, nil
}

// refresh exchanges a refresh token (RFC 6749 section 6), rotating it. The
// next token is derived from the presented one under a server secret, so a
// client that replays a just-rotated token within the grace window (two
// sessions refreshing at once, a retry after a lost response) gets the very
// same new token, while any other reuse revokes the grant.
func (s *Server) refresh(r *http.Request) (*tokenResponse, *oauthError) {
	ctx := r.Context()
	client, oerr := s.requestClient(r)
	if oerr != nil {
		return nil, oerr
	}
	presented := r.PostForm.Get("refresh_token")
	if presented == "" {
		return nil, newError(http.StatusBadRequest, errInvalidRequest, "refresh_token is missing", "")
	}
	dead := newError(http.StatusBadRequest, errInvalidGrant, "the refresh token is unknown, expired or revoked", "Sign in again.")
	grant, _, err := s.opts.Store.GrantByRefresh(ctx, hashOf(presented))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, dead
	case err != nil:
		s.opts.Logger.ErrorContext(ctx, "looking up a refresh token", "err", err)
		return nil, unavailable()
	case grant.ClientID != client.ID:
		return nil, newError(http.StatusBadRequest, errInvalidGrant, "the refresh token was issued to another client", "")
	}
	scopes, oerr := narrowScopes(r.PostForm.Get("scope"), grant.Scopes)
	if oerr != nil {
		return nil, oerr
	}
	if oerr := s.resourceParam(r, grant.Resource); oerr != nil {
		return nil, oerr
	}
	next, err := s.nextRefresh(ctx, presented)
	if err != nil {
		s.opts.Logger.ErrorContext(ctx, "deriving a refresh token", "err", err)
		return nil, unavailable()
	}
	grant, outcome, err := s.opts.Store.RotateRefresh(ctx, hashOf(presented), hashOf(next), s.now(), s.opts.RefreshGrace)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked):
		return nil, dead
	case err != nil:
		s.opts.Logger.ErrorContext(ctx, "rotating a refresh token", "err", err)
		return nil, unavailable()
	case outcome == store.RefreshReused:
		s.audit(ctx, store.AuditEvent{KeyID: managedKeyOf(grant.Identity), Action: "oauth.refresh_reuse", Target: client.ID,
			Result: store.ResultDenied, ClientAddr: r.RemoteAddr, Detail: "grant " + grant.ID + " revoked"})
		return nil, newError(http.StatusBadRequest, errInvalidGrant, "the refresh token was already used; every token of its grant is revoked", "Sign in again.")
	}
	if outcome == store.RefreshReplayed {
		// Within the grace window a replay is a client refreshing twice;
		// it may also be a thief a step ahead, so each one is recorded.
		s.audit(ctx, store.AuditEvent{KeyID: managedKeyOf(grant.Identity), Action: "oauth.refresh_replay", Target: client.ID,
			Result: store.ResultOK, ClientAddr: r.RemoteAddr, Detail: "grant " + grant.ID})
	}
	p, oerr := s.checkedPrincipal(ctx, grant)
	if oerr != nil {
		return nil, oerr
	}
	return s.issue(ctx, grant, s.grantable(p, scopes), next)
}

// nextRefresh derives the refresh token that follows presented.
func (s *Server) nextRefresh(ctx context.Context, presented string) (string, error) {
	key, err := s.opts.Store.ServerSecret(ctx, "refresh", newSecret)
	if err != nil {
		return "", fmt.Errorf("refresh secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(presented))
	return refreshPrefix + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}
