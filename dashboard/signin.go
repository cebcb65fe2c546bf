package dashboard

import (
	"errors"
	"net/http"
	"strings"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

type signInPage struct {
	CSRF, Next string
	// Providers are the identity providers offered besides a key.
	Providers []provider
}

// serveSignIn shows the sign-in form, binding it to this browser with a
// cookie of its own.
func (h *Handler) serveSignIn(w http.ResponseWriter, r *http.Request) {
	h.renderSignIn(w, r, http.StatusOK, signOutReasons[r.URL.Query().Get("reason")], "", localNext(r.URL.Query().Get("next")))
}

func (h *Handler) renderSignIn(w http.ResponseWriter, r *http.Request, status int, notice, problem, next string) {
	token := newToken()
	http.SetCookie(w, h.cookie(r, signInCookie, token, signInFormTTL))
	h.render(w, r, status, "signin", layout{
		Title: "Sign in", Notice: notice, Problem: problem,
		Data: signInPage{CSRF: formToken(token, "signin"), Next: next, Providers: h.providers()},
	})
}

// signIn checks the key typed into the form and starts a session. Only API
// keys sign in here (a token would end long before the session did), and
// only those holding keys:read.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	next := localNext(r.PostFormValue("next"))
	c, err := r.Cookie(signInCookie)
	origin := r.Header.Get("Origin")
	if err != nil || c.Value == "" || !sameToken(r.PostFormValue("csrf"), formToken(c.Value, "signin")) || (origin != "" && !h.sameOrigin(r, origin)) {
		h.renderSignIn(w, r, http.StatusForbidden, "", "This sign-in form expired or was not sent from this dashboard. Nothing was done; sign in again.", next)
		return
	}
	if !h.allowSignIn(r) {
		h.renderSignIn(w, r, http.StatusTooManyRequests, "", "Too many sign-in attempts from your address; wait a minute and try again.", next)
		return
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	if key == "" {
		h.renderSignIn(w, r, http.StatusBadRequest, "", "Enter an API key.", next)
		return
	}
	if auth.LooksLikeJWT(key) {
		h.renderSignIn(w, r, http.StatusBadRequest, "", "Sign in with an API key, not a token.", next)
		return
	}
	p, err := h.opts.Credentials.Authenticate(r.Context(), key)
	switch {
	case err != nil && !auth.Refused(err):
		h.opts.Logger.ErrorContext(r.Context(), "dashboard sign-in could not check the key", "err", err)
		h.renderSignIn(w, r, http.StatusServiceUnavailable, "", "The key could not be checked right now. Try again in a few seconds.", next)
		return
	case err != nil:
		h.opts.Logger.InfoContext(r.Context(), "dashboard sign-in refused", "remote", r.RemoteAddr, "err", err)
		h.record(r, auth.Principal{}, store.AuditEvent{KeyID: auth.CredentialIDOf(err), Action: "dashboard.signin",
			Result: store.ResultDenied, Detail: auth.ErrorResponse(err, "").Message})
		h.renderSignIn(w, r, http.StatusUnauthorized, "", "That key was not accepted: it is unknown, revoked, disabled or expired.", next)
		return
	}
	h.completeSignIn(w, r, p, next)
}

// completeSignIn starts a session for p, who proved who they are with a
// key or at an identity provider, if p may use the dashboard.
func (h *Handler) completeSignIn(w http.ResponseWriter, r *http.Request, p auth.Principal, next string) {
	if !auth.Grants(h.opts.Scopes(p), auth.ScopeKeysRead) {
		h.record(r, p, store.AuditEvent{Action: "dashboard.signin", Result: store.ResultDenied, Detail: "missing scope keys:read"})
		h.renderSignIn(w, r, http.StatusForbidden, "", "You do not hold keys:read or admin, which the dashboard needs.", next)
		return
	}
	if err := h.startSession(w, r, p); err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "dashboard sign-in failed", "err", err)
		h.renderSignIn(w, r, http.StatusServiceUnavailable, "", "Signing in failed on the server. Try again in a few seconds.", next)
		return
	}
	h.record(r, p, store.AuditEvent{Action: "dashboard.signin", Result: store.ResultOK})
	http.SetCookie(w, h.cookie(r, signInCookie, "", -1))
	if next == "" {
		next = Path + "/keys"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut ends the session and its cookie.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, v visitor) error {
	if err := h.opts.Sessions.DeleteWebSession(r.Context(), v.hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	h.record(r, v.actor.Principal, store.AuditEvent{Action: "dashboard.signout", Result: store.ResultOK})
	http.SetCookie(w, h.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, Path+"/signin?reason=out", http.StatusSeeOther)
	return nil
}

// localNext returns next if it is a page of the dashboard, else "": a
// sign-in link must not be able to send the visitor anywhere else.
func localNext(next string) string {
	if !strings.HasPrefix(next, Path+"/") || strings.ContainsAny(next, "\\?#%") || strings.Contains(next, "//") ||
		strings.Contains(next, "/..") || strings.HasPrefix(next, Path+"/signin") {
		return ""
	}
	return next
}

// record writes an audit event of the dashboard's own, by the principal p
// (zero when none was established).
func (h *Handler) record(r *http.Request, p auth.Principal, e store.AuditEvent) {
	if h.opts.AuditLog == nil {
		return
	}
	e.Time, e.ClientAddr = h.now(), r.RemoteAddr
	if p.Source != "" {
		e.KeyID, e.Principal = p.ManagedKeyID(), p.Identity()
	}
	h.opts.AuditLog.Record(r.Context(), e)
}
