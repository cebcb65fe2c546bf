package oauth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// maxStateLength bounds the state parameter we store and echo.
const maxStateLength = 1024

// authorizeRate caps authorization requests per address per minute.
const authorizeRate = 30

// serveAuthorize validates an authorization request (GET, or POST with a
// form, RFC 6749 section 3.1) and shows the sign-in page. Until the client
// and redirect URI are known good, errors are shown on a page: redirecting
// to an unchecked URI would make skillgate an open redirector. After that,
// errors go back to the client with state and iss.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		s.errorPage(w, http.StatusMethodNotAllowed, "This address takes GET (or a POST form) authorization requests.")
		return
	}
	// Every request stores a row for minutes: an address gets a person's
	// worth of them, not a flood.
	if d, err := s.opts.Limiter.Allow(r.Context(), "authorize:"+ratelimit.Address(r), authorizeRate); err == nil && !d.Allowed {
		s.errorPage(w, http.StatusTooManyRequests, "Too many sign-ins started from your address; wait a minute and try again.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "The authorization request cannot be parsed.")
		return
	}
	q := r.Form
	if dup := repeated(q, "client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method", "scope", "resource"); dup != "" {
		s.errorPage(w, http.StatusBadRequest, "The parameter "+dup+" is given more than once.")
		return
	}
	client, oerr := s.client(r.Context(), q.Get("client_id"))
	if oerr != nil {
		if oerr.status >= 500 {
			s.errorPage(w, http.StatusServiceUnavailable, "The authorization server is temporarily unavailable; try again shortly.")
			return
		}
		msg := "Unknown client. The application must register again (its client_id is not known here)."
		if isMetadataURL(q.Get("client_id")) {
			msg = "The application's metadata document cannot be used: " + oerr.Description + "."
		}
		s.errorPage(w, http.StatusBadRequest, msg)
		return
	}
	redirectURI := q.Get("redirect_uri")
	switch {
	case redirectURI == "" && len(client.RedirectURIs) == 1:
		redirectURI = client.RedirectURIs[0]
	case redirectURI == "":
		s.errorPage(w, http.StatusBadRequest, "The request names no redirect_uri and the client has several.")
		return
	case !matchRedirectURI(client.RedirectURIs, redirectURI):
		s.errorPage(w, http.StatusBadRequest, "The redirect_uri is not one the client registered.")
		return
	}
	back := callback{uri: redirectURI, state: q.Get("state"), issuer: s.opts.Issuer}
	// 302 answers a GET; a POSTed request gets 303, so the browser does
	// not post its form again to the client.
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	req, oerr := s.validateAuthorization(client, q, redirectURI)
	if oerr != nil {
		back.redirectError(w, r, status, oerr)
		return
	}
	browser := browserBinding(w, r, s.opts.Issuer, s.opts.RequestTTL)
	req.ID = randomToken("req_", 24)
	csrf, err := s.csrfToken(r.Context(), req.ID, browser)
	if err != nil {
		s.opts.Logger.ErrorContext(r.Context(), "authorization request", "err", err)
		back.redirectError(w, r, status, newError(http.StatusServiceUnavailable, errUnavailable, "The authorization server is temporarily unavailable.", ""))
		return
	}
	req.BrowserHash = hashOf(browser)
	req.CreatedAt = s.now()
	req.ExpiresAt = req.CreatedAt.Add(s.opts.RequestTTL)
	if err := s.opts.Store.CreateRequest(r.Context(), req); err != nil {
		s.opts.Logger.ErrorContext(r.Context(), "storing an authorization request", "err", err)
		back.redirectError(w, r, status, newError(http.StatusServiceUnavailable, errUnavailable, "The authorization server is temporarily unavailable.", ""))
		return
	}
	s.renderSignIn(w, signInPage{Client: clientName(client), Request: req.ID, CSRF: csrf})
}

// validateAuthorization checks everything but the client and redirect URI,
// whose errors are reported to the client.
func (s *Server) validateAuthorization(client store.OAuthClient, q url.Values, redirectURI string) (store.OAuthRequest, *oauthError) {
	bad := func(code, msg string) (store.OAuthRequest, *oauthError) {
		return store.OAuthRequest{}, newError(http.StatusBadRequest, code, msg, "")
	}
	if q.Get("response_type") != "code" {
		return bad(errUnsupportedResponse, "response_type must be code")
	}
	if !slices.Contains(client.GrantTypes, "authorization_code") {
		return bad(errUnauthorizedClient, "the client is not registered for the authorization_code grant")
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "":
		return bad(errInvalidRequest, "code_challenge is required (PKCE with S256)")
	case method != "S256":
		// A missing method means plain (RFC 7636 section 4.3), which
		// protects nothing against a stolen code.
		return bad(errInvalidRequest, "code_challenge_method must be S256")
	case !validChallenge(challenge):
		return bad(errInvalidRequest, "code_challenge must be the base64url SHA-256 of the verifier (43 characters)")
	}
	if len(q.Get("state")) > maxStateLength {
		return bad(errInvalidRequest, "state is too long")
	}
	resource := s.resources[0]
	if raw := q.Get("resource"); raw != "" {
		var ok bool
		if resource, ok = s.resource(raw); !ok {
			return bad(errInvalidTarget, "resource is not served by this authorization server; use "+s.resources[0])
		}
	}
	return store.OAuthRequest{
		ClientID: client.ID, RedirectURI: redirectURI, State: q.Get("state"),
		CodeChallenge: challenge, Resource: resource, Scopes: s.requestedScopes(q.Get("scope")),
	}, nil
}

// repeated returns the first of names given more than once (RFC 6749
// section 3.1: parameters MUST NOT be included more than once).
func repeated(q url.Values, names ...string) string {
	for _, n := range names {
		if len(q[n]) > 1 {
			return n
		}
	}
	return ""
}

// loadRequest finds the authorization request id names and checks that it
// was begun by this browser and, for a form (csrf non-nil), that the form
// carries its CSRF token. It returns the request and its CSRF token.
func (s *Server) loadRequest(r *http.Request, id string, csrf *string) (store.OAuthRequest, string, error) {
	req, err := s.opts.Store.Request(r.Context(), id, s.now())
	if err != nil {
		return store.OAuthRequest{}, "", err
	}
	c, err := r.Cookie(browserCookieName(s.opts.Issuer))
	if err != nil || !equalHash(req.BrowserHash, hashOf(c.Value)) {
		return store.OAuthRequest{}, "", errBadForm
	}
	want, err := s.csrfToken(r.Context(), req.ID, c.Value)
	if err != nil {
		return store.OAuthRequest{}, "", err
	}
	if csrf != nil && !equalHash(hashOf(want), hashOf(*csrf)) {
		return store.OAuthRequest{}, "", errBadForm
	}
	return req, want, nil
}

var errBadForm = errors.New("the form does not belong to this browser's authorization request")
