package dashboard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// Cookie names. The session cookie holds a random token whose SHA-256 is
// the stored session; the sign-in cookie binds the sign-in form to the
// browser that loaded it (login CSRF).
const (
	sessionCookie = "skillgate_session"
	signInCookie  = "skillgate_signin"
)

// signInFormTTL is how long a loaded sign-in form can be submitted.
const signInFormTTL = 15 * time.Minute

// visitor is a signed-in person on one request.
type visitor struct {
	actor apikey.Actor
	// csrf is the anti-forgery token of the session's forms.
	csrf string
	// hash identifies the session, for sign-out.
	hash []byte
}

// admin reports whether the visitor holds the admin scope.
func (v visitor) admin() bool { return auth.Grants(v.actor.Scopes, auth.ScopeAdmin) }

// newToken returns 32 random bytes, base64url.
func newToken() string {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error (Go 1.24+).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// formToken derives the anti-forgery token of a cookie's forms. Knowing it
// (it is in every page) does not reveal the cookie, and a page of another
// site cannot read the cookie to derive it.
func formToken(cookie, purpose string) string {
	mac := hmac.New(sha256.New, []byte(cookie))
	mac.Write([]byte("skillgate dashboard " + purpose))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// sameToken compares two tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// cookie returns a cookie of the dashboard with the attributes all of them
// share: HttpOnly, SameSite=Lax, Secure over HTTPS, scoped to Path.
func (h *Handler) cookie(r *http.Request, name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: name, Value: value, Path: Path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.secure || r.TLS != nil, MaxAge: int(maxAge / time.Second),
	}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

// errSignedOut means the request carries no usable session; the visitor
// is sent to the sign-in page with the reason, one of signOutReasons.
type errSignedOut struct{ reason string }

func (e *errSignedOut) Error() string { return "signed out: " + e.reason }

// signOutReasons are what the sign-in page can say about why it is shown.
// A link names one by its code, so that no one can make the page say
// anything else.
var signOutReasons = map[string]string{
	"ended":   "Your session has ended. Sign in again.",
	"revoked": "The key you signed in with no longer works. Sign in with another.",
	"scope":   "The key you signed in with no longer holds keys:read.",
	"out":     "You have signed out.",
}

// visitorOf returns the signed-in visitor of r: the session must exist and
// be unexpired, its credential must still be valid now (a revoked or
// disabled key ends its sessions at once) and still hold keys:read.
func (h *Handler) visitorOf(r *http.Request) (visitor, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return visitor{}, &errSignedOut{""}
	}
	hash := tokenHash(c.Value)
	s, err := h.opts.Sessions.WebSession(r.Context(), hash, h.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return visitor{}, &errSignedOut{"ended"}
	case err != nil:
		return visitor{}, fmt.Errorf("load dashboard session: %w", err)
	}
	p, err := auth.Recheck(r.Context(), h.opts.Credentials, s.Identity)
	if err != nil {
		if !auth.Refused(err) {
			// The key could not be checked (database, cancelled
			// request): no reason to sign anyone out.
			return visitor{}, fmt.Errorf("check the session's key: %w", err)
		}
		h.endSession(r, hash)
		return visitor{}, &errSignedOut{"revoked"}
	}
	scopes := h.opts.Scopes(p)
	if !auth.Grants(scopes, auth.ScopeKeysRead) {
		h.endSession(r, hash)
		return visitor{}, &errSignedOut{"scope"}
	}
	return visitor{
		actor: apikey.Actor{Principal: p, Scopes: scopes, ClientAddr: r.RemoteAddr},
		csrf:  formToken(c.Value, "csrf"), hash: hash,
	}, nil
}

// endSession deletes a session that must not be used again.
func (h *Handler) endSession(r *http.Request, hash []byte) {
	if err := h.opts.Sessions.DeleteWebSession(r.Context(), hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.opts.Logger.ErrorContext(r.Context(), "ending a dashboard session", "err", err)
	}
}

// startSession stores a session for p and sets its cookie. Sessions are
// only made here, so deleting the expired ones here too bounds how many
// are kept without a background job.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	token := newToken()
	now := h.now()
	if _, err := h.opts.Sessions.PruneWebSessions(r.Context(), now); err != nil {
		h.opts.Logger.WarnContext(r.Context(), "deleting expired dashboard sessions", "err", err)
	}
	err := h.opts.Sessions.CreateWebSession(r.Context(), store.WebSession{
		Hash: tokenHash(token), Identity: auth.IdentityOf(p),
		CreatedAt: now, ExpiresAt: now.Add(h.opts.SessionTTL),
	})
	if err != nil {
		return fmt.Errorf("store dashboard session: %w", err)
	}
	http.SetCookie(w, h.cookie(r, sessionCookie, token, h.opts.SessionTTL))
	return nil
}
