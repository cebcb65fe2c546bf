package oauth

import (
	"errors"
	"net/http"

	"github.com/skillgate/skillgate/store"
)

// serveClientConfiguration is the client configuration endpoint of RFC
// 7592 at /register/{client_id}: a dynamically registered client reads
// (GET), replaces (PUT) or deletes (DELETE) its registration with the
// registration access token it was given. A missing or wrong token and an
// unknown client get the same 401, so the endpoint says nothing about which
// clients exist; clients from platform.yaml have no token and cannot be
// managed here.
func (s *Server) serveClientConfiguration(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		writeError(w, r, newError(http.StatusMethodNotAllowed, errInvalidRequest,
			"the client configuration endpoint takes GET, PUT or DELETE (RFC 7592)", ""))
		return
	}
	ctx := r.Context()
	token, presented := bearerCredential(r)
	if !presented {
		writeBearerError(w, false, "managing a client needs its registration access token (Authorization: Bearer <registration_access_token>)",
			"Use the registration_access_token returned when the client registered.")
		return
	}
	presentedHash := hashOf(token) // hashed before the lookup, whatever it finds
	c, err := s.opts.Store.Client(ctx, r.PathValue("client_id"))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opts.Logger.ErrorContext(ctx, "loading a client", "err", err)
		writeError(w, r, newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", "Retry shortly."))
		return
	}
	if err != nil || c.RegistrationTokenHash == nil || !equalHash(c.RegistrationTokenHash, presentedHash) {
		writeInvalidRegistrationToken(w)
		return
	}

	switch r.Method {
	case http.MethodGet:
		resp := s.clientResponse(c)
		resp.RegistrationAccessToken = token
		writeJSON(w, http.StatusOK, resp)
	case http.MethodPut:
		s.updateClient(w, r, c, token)
	case http.MethodDelete:
		err := s.opts.Store.DeleteClient(ctx, c.ID, s.now())
		switch {
		case errors.Is(err, store.ErrNotFound): // deleted meanwhile
			writeInvalidRegistrationToken(w)
			return
		case err != nil:
			s.opts.Logger.ErrorContext(ctx, "deleting a client", "err", err)
			writeError(w, r, newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", "Retry shortly."))
			return
		}
		s.audit(ctx, store.AuditEvent{Action: "oauth.client.delete", Target: c.ID, Result: store.ResultOK,
			ClientAddr: r.RemoteAddr, Detail: c.Name})
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	}
}

// updateClient replaces c's metadata with the request's (RFC 7592 section
// 2.2): omitted fields take their defaults. The client secret and the
// registration access token stay; switching between a public client and a
// confidential one is refused, since it would need a secret issued or
// dropped.
func (s *Server) updateClient(w http.ResponseWriter, r *http.Request, c store.OAuthClient, token string) {
	ctx := r.Context()
	body, oerr := readJSONBody(w, r)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	m, oerr := s.parseClientMetadata(body)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	switch {
	case m.ClientID != c.ID:
		writeError(w, r, metadataError("client_id is required in an update and must be the client's own, %s", c.ID))
		return
	case m.ClientSecret != "" && (c.SecretHash == nil || !equalHash(c.SecretHash, hashOf(m.ClientSecret))):
		writeError(w, r, metadataError("client_secret does not match the client's current secret; omit it or send the one issued at registration"))
		return
	case isConfidential(m.TokenEndpointAuthMethod) != (c.SecretHash != nil):
		writeError(w, r, metadataError("token_endpoint_auth_method cannot change between none and a client secret method (it is %s); register a new client instead", c.TokenEndpointAuthMethod))
		return
	}
	c.Name = m.ClientName
	c.RedirectURIs = m.RedirectURIs
	c.GrantTypes = m.GrantTypes
	c.ResponseTypes = m.ResponseTypes
	c.TokenEndpointAuthMethod = m.TokenEndpointAuthMethod
	c.Scope = m.Scope
	c.Metadata = m.Info.encode()
	c.UpdatedAt = s.now()
	err := s.opts.Store.UpdateClient(ctx, c)
	switch {
	case errors.Is(err, store.ErrNotFound): // deleted meanwhile
		writeInvalidRegistrationToken(w)
		return
	case err != nil:
		s.opts.Logger.ErrorContext(ctx, "updating a client", "err", err)
		writeError(w, r, newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", "Retry shortly."))
		return
	}
	s.audit(ctx, store.AuditEvent{Action: "oauth.client.update", Target: c.ID, Result: store.ResultOK,
		ClientAddr: r.RemoteAddr, Detail: c.Name})
	resp := s.clientResponse(c)
	resp.RegistrationAccessToken = token
	writeJSON(w, http.StatusOK, resp)
}

func writeInvalidRegistrationToken(w http.ResponseWriter) {
	writeBearerError(w, true, "the registration access token is not valid for this client",
		"Use the registration_access_token and registration_client_uri returned at registration; if the client was deleted, register again.")
}
