package oauth

import (
	"errors"
	"net/http"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// signInRate caps sign-in attempts per network address per minute, so the
// form cannot be used to guess keys.
const signInRate = 10

// serveSignIn takes the sign-in form: the API key is verified like any
// request's, linked to the authorization request, and the person is sent to
// the consent page, or straight back to the client when they approved it
// before for these scopes.
func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.errorPage(w, http.StatusMethodNotAllowed, "Sign in through the form of the authorization page.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	form := r.PostFormValue("csrf_token")
	req, csrf, err := s.loadRequest(r, r.PostFormValue("request"), &form)
	if err != nil {
		s.formError(w, r, err)
		return
	}
	if d, err := s.opts.Limiter.Allow(r.Context(), "signin:"+ratelimit.Address(r), signInRate); err == nil && !d.Allowed {
		s.renderSignIn(w, signInPage{Client: s.clientLabel(r, req.ClientID), Request: req.ID, CSRF: csrf,
			Error: "Too many sign-in attempts from your address; wait a minute and try again."})
		return
	}
	p, err := s.opts.Credentials.Authenticate(r.Context(), r.PostFormValue("api_key"))
	if err == nil && p.Source != auth.SourceManagedKey && p.Source != auth.SourceStaticKey {
		err = errNotAKey
	}
	if err != nil {
		s.audit(r.Context(), store.AuditEvent{KeyID: auth.CredentialIDOf(err), Action: "oauth.signin", Target: req.ClientID,
			Result: store.ResultDenied, ClientAddr: r.RemoteAddr, Detail: auth.ErrorResponse(err, "").Message})
		s.renderSignIn(w, signInPage{Client: s.clientLabel(r, req.ClientID), Request: req.ID, CSRF: csrf,
			Error: signInError(err)})
		return
	}
	if err := s.opts.Store.SetRequestIdentity(r.Context(), req.ID, auth.IdentityOf(p), s.now()); err != nil {
		s.formError(w, r, err)
		return
	}
	s.audit(r.Context(), store.AuditEvent{KeyID: p.CredentialID, Principal: p.Identity(), Action: "oauth.signin",
		Target: req.ClientID, Result: store.ResultOK, ClientAddr: r.RemoteAddr})
	// Post/Redirect/Get: the consent page is fetched with GET, so that a
	// reload never re-posts the key.
	http.Redirect(w, r, "/authorize/consent?request="+req.ID, http.StatusSeeOther)
}

var errNotAKey = errors.New("not an API key")

// signInError says why a key was refused, in words for a person.
func signInError(err error) string {
	if errors.Is(err, errNotAKey) {
		return "Sign in with an API key (sk_live_...), not a token."
	}
	if errors.Is(err, auth.ErrNoCredential) {
		return "Enter your API key."
	}
	return auth.ErrorResponse(err, "").Message + "."
}

// formError answers a form that does not belong to a live authorization
// request of this browser.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, http.StatusBadRequest, "This sign-in has expired or was already used.")
	case errors.Is(err, errBadForm):
		s.errorPage(w, http.StatusForbidden, "This form does not belong to a sign-in started in this browser.")
	default:
		s.opts.Logger.ErrorContext(r.Context(), "authorization request", "err", err)
		s.errorPage(w, http.StatusServiceUnavailable, "The authorization server is temporarily unavailable; try again shortly.")
	}
}

// clientLabel names a request's client for a page.
func (s *Server) clientLabel(r *http.Request, clientID string) string {
	c, err := s.client(r.Context(), clientID)
	if err != nil {
		return clientID
	}
	return clientName(c)
}

// maxFormBytes bounds the sign-in and consent forms.
const maxFormBytes = 16 << 10
