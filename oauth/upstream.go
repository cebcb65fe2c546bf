package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// UpstreamLogin is an identity provider people may sign in with on the
// sign-in page instead of pasting a key; *oidc.Provider is one.
type UpstreamLogin interface {
	// LoginName labels the sign-in button.
	LoginName() string
	// Issuer is the provider's issuer, which its answers name in iss
	// (RFC 9207).
	Issuer() string
	// LoginURL is where the browser goes to sign in at the provider.
	LoginURL(ctx context.Context, redirectURI, state, nonce, challenge string) (string, error)
	// CompleteLogin redeems the provider's code for the person's
	// principal.
	CompleteLogin(ctx context.Context, redirectURI, code, verifier, nonce string) (auth.Principal, error)
}

// DefaultUpstreamSessionTTL bounds grants made by signing in at an identity
// provider: there is no key to check again on every request, so a person
// removed at the provider loses access when the grant ends.
const DefaultUpstreamSessionTTL = 24 * time.Hour

// upstreamCallbackPath is where identity providers send the browser back.
const upstreamCallbackPath = "/authorize/callback"

// serveUpstream sends the browser of a pending authorization request to
// the identity provider it chose.
func (s *Server) serveUpstream(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.errorPage(w, http.StatusMethodNotAllowed, "Use the sign-in page's button.")
		return
	}
	req, _, err := s.loadRequest(r, r.URL.Query().Get("request"), nil)
	if err != nil {
		s.formError(w, r, err)
		return
	}
	i, err := strconv.Atoi(r.URL.Query().Get("provider"))
	if err != nil || i < 0 || i >= len(s.opts.Upstream) {
		s.errorPage(w, http.StatusBadRequest, "Unknown identity provider.")
		return
	}
	secrets, err := s.upstreamSecrets(r.Context(), req.ID, i)
	if err != nil {
		s.formError(w, r, err)
		return
	}
	target, err := s.opts.Upstream[i].LoginURL(r.Context(), s.opts.Issuer+upstreamCallbackPath,
		req.ID+"."+strconv.Itoa(i), secrets.nonce, secrets.challenge)
	if err != nil {
		s.opts.Logger.WarnContext(r.Context(), "identity provider sign-in", "err", err)
		s.errorPage(w, http.StatusServiceUnavailable, "The identity provider cannot be reached; try again shortly, or sign in with an API key.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// serveUpstreamCallback takes the browser back from the identity provider,
// redeems its code and records who signed in.
func (s *Server) serveUpstreamCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id, idx, ok := strings.Cut(q.Get("state"), ".")
	i, err := strconv.Atoi(idx)
	if !ok || err != nil || i < 0 || i >= len(s.opts.Upstream) {
		s.errorPage(w, http.StatusBadRequest, "This sign-in is not one skillgate started.")
		return
	}
	req, _, err := s.loadRequest(r, id, nil)
	if err != nil {
		s.formError(w, r, err)
		return
	}
	if iss := q.Get("iss"); iss != "" && iss != s.opts.Upstream[i].Issuer() {
		// Mix-up defence: the answer comes from another provider than
		// the one this sign-in went to.
		s.errorPage(w, http.StatusBadRequest, "The sign-in answer names another identity provider than the one you chose.")
		return
	}
	if q.Get("error") != "" {
		s.errorPage(w, http.StatusForbidden, "The identity provider did not sign you in ("+q.Get("error")+").")
		return
	}
	secrets, err := s.upstreamSecrets(r.Context(), req.ID, i)
	if err != nil {
		s.formError(w, r, err)
		return
	}
	p, err := s.opts.Upstream[i].CompleteLogin(r.Context(), s.opts.Issuer+upstreamCallbackPath, q.Get("code"), secrets.verifier, secrets.nonce)
	if err != nil {
		s.opts.Logger.InfoContext(r.Context(), "identity provider sign-in refused", "err", err)
		s.audit(r.Context(), store.AuditEvent{Action: "oauth.signin", Target: req.ClientID, Result: store.ResultDenied,
			ClientAddr: r.RemoteAddr, Detail: auth.ErrorResponse(err, "").Message})
		s.errorPage(w, http.StatusForbidden, "The identity provider's answer could not be verified: "+auth.ErrorResponse(err, "").Message+".")
		return
	}
	if err := s.opts.Store.SetRequestIdentity(r.Context(), req.ID, auth.IdentityOf(p), s.now()); err != nil {
		s.formError(w, r, err)
		return
	}
	s.audit(r.Context(), store.AuditEvent{Principal: p.Identity(), Action: "oauth.signin", Target: req.ClientID,
		Result: store.ResultOK, ClientAddr: r.RemoteAddr, Detail: "identity provider " + p.Issuer})
	http.Redirect(w, r, "/authorize/consent?request="+req.ID, http.StatusSeeOther)
}

// upstreamSecret are the PKCE verifier, its challenge and the nonce of one
// request's sign-in at one provider. They are derived under a server
// secret from the request id, so nothing needs storing, and only skillgate
// can compute them.
type upstreamSecret struct {
	verifier, challenge, nonce string
}

func (s *Server) upstreamSecrets(ctx context.Context, requestID string, provider int) (upstreamSecret, error) {
	key, err := s.opts.Store.ServerSecret(ctx, "upstream", newSecret)
	if err != nil {
		return upstreamSecret{}, err
	}
	derive := func(label string) string {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(label + "\x00" + requestID + "\x00" + strconv.Itoa(provider)))
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	verifier := derive("pkce")
	sum := sha256.Sum256([]byte(verifier))
	return upstreamSecret{verifier: verifier, challenge: base64.RawURLEncoding.EncodeToString(sum[:]), nonce: derive("nonce")}, nil
}
