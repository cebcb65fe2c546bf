package oauth

import (
	"net/http"
	"net/url"

	"github.com/skillgate/skillgate/store"
)

// clientCredentials is how a request to /token or /revoke said who the
// client is.
type clientCredentials struct {
	id, secret string
	method     string // "client_secret_basic", "client_secret_post" or "none"
}

// presentedClient reads the client's credentials from HTTP Basic (whose
// parts RFC 6749 section 2.3.1 form-urlencodes; many clients send them raw,
// so both are accepted) or the form. Using both at once is an error.
func presentedClient(r *http.Request) (clientCredentials, *oauthError) {
	id, secret, basic := r.BasicAuth()
	formID, formSecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	switch {
	case basic && formSecret != "":
		return clientCredentials{}, newError(http.StatusBadRequest, errInvalidRequest, "send the client secret in one place: HTTP Basic or the form, not both", "")
	case basic:
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if formID != "" && formID != id {
			return clientCredentials{}, newError(http.StatusBadRequest, errInvalidRequest, "client_id in the form differs from HTTP Basic", "")
		}
		return clientCredentials{id: id, secret: secret, method: "client_secret_basic"}, nil
	case formSecret != "":
		return clientCredentials{id: formID, secret: formSecret, method: "client_secret_post"}, nil
	case formID != "":
		return clientCredentials{id: formID, method: "none"}, nil
	}
	return clientCredentials{}, newError(http.StatusUnauthorized, errInvalidClient, "client authentication is missing: send client_id (and its secret, if it has one)", "")
}

// authenticateClient checks presented credentials against the registered
// client: the method it registered, and its secret in constant time.
func (s *Server) authenticateClient(r *http.Request, cc clientCredentials) (store.OAuthClient, *oauthError) {
	client, oerr := s.client(r.Context(), cc.id)
	if oerr != nil {
		return store.OAuthClient{}, oerr
	}
	bad := newError(http.StatusUnauthorized, errInvalidClient, "client authentication failed", "")
	if client.TokenEndpointAuthMethod == "none" {
		if cc.method != "none" {
			return store.OAuthClient{}, bad
		}
		return client, nil
	}
	// The method registered is the only one accepted (RFC 7591 section
	// 2): a secret meant for the Authorization header is refused in the
	// body, where it is likelier to be logged.
	if cc.method != client.TokenEndpointAuthMethod || len(client.SecretHash) == 0 {
		return store.OAuthClient{}, bad
	}
	if equalHash(client.SecretHash, hashOf(cc.secret)) {
		return client, nil
	}
	// HTTP Basic secrets are form-urlencoded by the book, raw by many
	// clients: a secret of ours has no characters that differ, but a
	// client may escape anyway.
	if u, err := url.QueryUnescape(cc.secret); err == nil && equalHash(client.SecretHash, hashOf(u)) {
		return client, nil
	}
	return store.OAuthClient{}, bad
}

// requestClient authenticates the client of a /token or /revoke request.
func (s *Server) requestClient(r *http.Request) (store.OAuthClient, *oauthError) {
	cc, oerr := presentedClient(r)
	if oerr != nil {
		return store.OAuthClient{}, oerr
	}
	return s.authenticateClient(r, cc)
}
