package oauth

import (
	"errors"
	"net/http"
	"strings"

	"github.com/skillgate/skillgate/store"
)

// serveRevoke is RFC 7009 token revocation. Revoking either token of a
// grant revokes the grant, which stops its access and refresh tokens
// together. An unknown or foreign token gets 200 too (section 2.2), so the
// endpoint tells nobody which tokens exist.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if oerr := s.parseTokenForm(w, r); oerr != nil {
		writeError(w, r, oerr)
		return
	}
	client, oerr := s.requestClient(r)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeError(w, r, newError(http.StatusBadRequest, errInvalidRequest, "token is missing", ""))
		return
	}
	grantID, err := s.grantOfToken(r, token)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.opts.Logger.ErrorContext(r.Context(), "revocation lookup", "err", err)
			writeError(w, r, unavailable())
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return
	}
	g, err := s.opts.Store.Grant(r.Context(), grantID)
	if err == nil && g.ClientID == client.ID {
		err = s.opts.Store.RevokeGrant(r.Context(), g.ID, "revoked by the client", s.now())
		if err == nil {
			s.audit(r.Context(), store.AuditEvent{KeyID: g.Identity.CredentialID, Action: "oauth.revoke", Target: client.ID,
				Result: store.ResultOK, ClientAddr: r.RemoteAddr, Detail: "grant " + g.ID})
		}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opts.Logger.ErrorContext(r.Context(), "revoking a grant", "err", err)
		writeError(w, r, unavailable())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// grantOfToken finds the grant a refresh token or access token belongs to;
// store.ErrNotFound when it is neither.
func (s *Server) grantOfToken(r *http.Request, token string) (string, error) {
	if strings.HasPrefix(token, refreshPrefix) {
		g, _, err := s.opts.Store.GrantByRefresh(r.Context(), hashOf(token))
		return g.ID, err
	}
	c, err := s.parseAccessToken(r.Context(), token, false)
	if err != nil || c.GrantID == "" {
		return "", store.ErrNotFound
	}
	return c.GrantID, nil
}
