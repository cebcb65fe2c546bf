package dashboard

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// IdentityProvider is an OpenID provider people may sign in with instead
// of pasting a key; *oidc.Provider is one (the same that offers sign-in on
// the OAuth authorization page).
type IdentityProvider interface {
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

// CallbackPath is where identity providers send the browser back; register
// BaseURL+CallbackPath as a redirect URI of skillgate's client there.
const CallbackPath = Path + "/signin/callback"

// loginCookie binds a sign-in at a provider to the browser that started
// it: state, nonce and PKCE verifier are all derived from its random
// token, so nothing is stored and a callback from another browser fails.
const loginCookie = "skillgate_login"

// loginTTL is how long a person has to sign in at the provider.
const loginTTL = 10 * time.Minute

type provider struct {
	Name, URL string
}

// providers are the sign-in page's buttons.
func (h *Handler) providers() []provider {
	out := make([]provider, 0, len(h.opts.Providers))
	for i, p := range h.opts.Providers {
		out = append(out, provider{Name: p.LoginName(), URL: Path + "/signin/provider/" + strconv.Itoa(i)})
	}
	return out
}

// loginSecrets are the values a sign-in at a provider checks, derived from
// the login cookie's token.
type loginSecrets struct{ state, nonce, verifier, challenge string }

func deriveLogin(token string, idx int) loginSecrets {
	s := loginSecrets{
		state:    strconv.Itoa(idx) + "." + formToken(token, "state"),
		nonce:    formToken(token, "nonce"),
		verifier: formToken(token, "pkce"),
	}
	sum := sha256.Sum256([]byte(s.verifier))
	s.challenge = base64.RawURLEncoding.EncodeToString(sum[:])
	return s
}

// startLogin sends the browser to the provider it chose.
func (h *Handler) startLogin(w http.ResponseWriter, r *http.Request) {
	idx, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || idx < 0 || idx >= len(h.opts.Providers) {
		h.renderSignIn(w, r, http.StatusNotFound, "", "There is no such identity provider.", "")
		return
	}
	if !h.allowSignIn(r) {
		h.renderSignIn(w, r, http.StatusTooManyRequests, "", "Too many sign-in attempts from your address; wait a minute and try again.", "")
		return
	}
	token := newToken()
	s := deriveLogin(token, idx)
	target, err := h.opts.Providers[idx].LoginURL(r.Context(), h.opts.BaseURL+CallbackPath, s.state, s.nonce, s.challenge)
	if err != nil {
		h.opts.Logger.WarnContext(r.Context(), "dashboard sign-in at an identity provider", "err", err)
		h.renderSignIn(w, r, http.StatusServiceUnavailable, "", "The identity provider cannot be reached; try again shortly, or sign in with an API key.", "")
		return
	}
	http.SetCookie(w, h.cookie(r, loginCookie, token, loginTTL))
	http.Redirect(w, r, target, http.StatusFound)
}

// finishLogin takes the browser back from the provider: the state must be
// the one this browser's cookie derives, the code is redeemed with the
// PKCE verifier and the nonce checked, and the person must hold keys:read
// through the roles the provider gives them.
func (h *Handler) finishLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := r.Cookie(loginCookie)
	http.SetCookie(w, h.cookie(r, loginCookie, "", -1))
	idxText, _, _ := strings.Cut(q.Get("state"), ".")
	idx, perr := strconv.Atoi(idxText)
	if err != nil || c.Value == "" || perr != nil || idx < 0 || idx >= len(h.opts.Providers) {
		h.renderSignIn(w, r, http.StatusBadRequest, "", "This sign-in expired or was started in another browser. Nothing was done; sign in again.", "")
		return
	}
	s := deriveLogin(c.Value, idx)
	if !sameToken(q.Get("state"), s.state) {
		h.renderSignIn(w, r, http.StatusBadRequest, "", "This sign-in expired or was started in another browser. Nothing was done; sign in again.", "")
		return
	}
	if iss := q.Get("iss"); iss != "" && iss != h.opts.Providers[idx].Issuer() {
		// RFC 9207: an answer from another provider than the one this
		// browser was sent to (a mix-up attack) is refused.
		h.renderSignIn(w, r, http.StatusBadRequest, "", "The answer came from another identity provider than the one you chose. Nothing was done; sign in again.", "")
		return
	}
	if e := q.Get("error"); e != "" {
		h.record(r, auth.Principal{}, store.AuditEvent{Action: "dashboard.signin", Result: store.ResultDenied,
			Detail: "identity provider answered " + errorCode(e)})
		h.renderSignIn(w, r, http.StatusUnauthorized, "", "The identity provider did not sign you in.", "")
		return
	}
	p, err := h.opts.Providers[idx].CompleteLogin(r.Context(), h.opts.BaseURL+CallbackPath, q.Get("code"), s.verifier, s.nonce)
	if err != nil {
		h.opts.Logger.InfoContext(r.Context(), "dashboard sign-in at an identity provider refused", "remote", r.RemoteAddr, "err", err)
		h.record(r, auth.Principal{}, store.AuditEvent{Action: "dashboard.signin", Result: store.ResultDenied,
			Detail: "identity provider sign-in failed"})
		h.renderSignIn(w, r, http.StatusUnauthorized, "", "Signing in at the identity provider failed. Try again.", "")
		return
	}
	h.completeSignIn(w, r, p, "")
}

// errorCode is the error a provider answered, if it is an OAuth error
// code; anything else an outside party could put in the URL is not
// recorded.
func errorCode(e string) string {
	if len(e) > 64 || strings.IndexFunc(e, func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' }) >= 0 {
		return "(not an error code)"
	}
	return e
}
