package dashboard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/skillgate/skillgate/ratelimit"
)

// routes registers every page.
func (h *Handler) routes() {
	h.mux.Handle("GET "+Path+"/static/", staticFiles())
	h.mux.HandleFunc("GET "+Path+"/signin", h.serveSignIn)
	h.mux.HandleFunc("POST "+Path+"/signin", h.signIn)
	h.mux.HandleFunc("GET "+Path+"/signin/provider/{i}", h.startLogin)
	h.mux.HandleFunc("GET "+CallbackPath, h.finishLogin)
	h.mux.HandleFunc("GET "+Path+"/{$}", h.redirectHome)
	h.mux.HandleFunc("GET "+Path, h.redirectHome)

	h.page("POST "+Path+"/signout", h.signOut)
	h.page("GET "+Path+"/keys", h.listKeys)
	h.page("GET "+Path+"/keys/new", h.newKey)
	h.page("POST "+Path+"/keys", h.createKey)
	h.page("GET "+Path+"/keys/{id}", h.showKey)
	h.page("POST "+Path+"/keys/{id}/update", h.updateKey)
	h.page("POST "+Path+"/keys/{id}/enable", h.enableKey(true))
	h.page("POST "+Path+"/keys/{id}/disable", h.enableKey(false))
	h.page("POST "+Path+"/keys/{id}/rotate", h.rotateKey)
	h.page("GET "+Path+"/keys/{id}/revoke", h.confirmRevoke)
	h.page("POST "+Path+"/keys/{id}/revoke", h.revokeKey)
	h.page("GET "+Path+"/clients", h.listClients)
	h.page("POST "+Path+"/clients/{id}/revoke-grants", h.revokeClientGrants)
	h.page("GET "+Path+"/clients/{id}/delete", h.confirmDeleteClient)
	h.page("POST "+Path+"/clients/{id}/delete", h.deleteClient)
	h.page("GET "+Path+"/audit", h.listAudit)
	h.mux.HandleFunc(Path+"/", h.notFound)
}

// pageHandler serves one page to a signed-in visitor. An error it returns
// is rendered by fail; it has written nothing then.
type pageHandler func(w http.ResponseWriter, r *http.Request, v visitor) error

// page registers fn at pattern behind the session check, and for a POST
// behind the anti-forgery check too.
func (h *Handler) page(pattern string, fn pageHandler) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		v, err := h.visitorOf(r)
		if out, ok := errors.AsType[*errSignedOut](err); ok {
			h.toSignIn(w, r, out.reason)
			return
		}
		if err != nil {
			h.fail(w, r, visitor{}, err)
			return
		}
		if r.Method == http.MethodPost && !h.formAllowed(r, v.csrf) {
			h.forbidden(w, r, v)
			return
		}
		if !h.allow(w, r, v) {
			return
		}
		if err := fn(w, r, v); err != nil {
			h.fail(w, r, v, err)
		}
	})
}

// formAllowed checks a form post: it comes from a page of this server
// (Origin, when the browser sends it) and carries the session's
// anti-forgery token.
func (h *Handler) formAllowed(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" && !h.sameOrigin(r, o) {
		return false
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	return sameToken(r.PostFormValue("csrf"), want)
}

// allow applies the visitor's credential's rate limit, in the budget its
// API and MCP requests spend too, and answers the request itself when it
// is refused.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, v visitor) bool {
	p := v.actor.Principal
	if h.opts.Limiter == nil || p.RateLimitPerMinute <= 0 {
		return true
	}
	d, err := h.opts.Limiter.Allow(r.Context(), p.Identity(), p.RateLimitPerMinute)
	if err != nil {
		// Fail closed, as the API and MCP do: a limit that cannot be
		// counted is not waived.
		h.opts.Logger.ErrorContext(r.Context(), "rate limiter failed", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		l := h.frame(v, "Unavailable", nil)
		l.Problem = "Rate limiting is temporarily unavailable. Try again in a few seconds."
		h.render(w, r, http.StatusServiceUnavailable, "error", l)
		return false
	}
	ratelimit.SetHeaders(w.Header(), d)
	if !d.Allowed {
		retry := ratelimit.SetRetryAfter(w.Header(), d)
		l := h.frame(v, "Slow down", nil)
		l.Problem = fmt.Sprintf("Your key allows %d requests a minute, and they are used up. Try again in %d s.", p.RateLimitPerMinute, retry)
		h.render(w, r, http.StatusTooManyRequests, "error", l)
		return false
	}
	return true
}

// maxFormBytes caps a form body; the largest form is a few hundred bytes.
const maxFormBytes = 64 << 10

// sameOrigin reports whether origin is this server's: its public origin,
// or the origin the request itself was sent to.
func (h *Handler) sameOrigin(r *http.Request, origin string) bool {
	got, ok := canonicalOrigin(origin)
	if !ok {
		return false
	}
	if want, ok := canonicalOrigin(h.opts.BaseURL); ok && got == want {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	want, ok := canonicalOrigin(scheme + "://" + r.Host)
	return ok && got == want
}

// canonicalOrigin returns scheme://host[:port] lower-cased and without the
// scheme's default port, so that equal origins compare equal.
func canonicalOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return u.Scheme + "://" + host, true
}

// forbidden answers a form post that failed the anti-forgery check.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request, v visitor) {
	l := h.frame(v, "Refused", nil)
	l.Problem = "This form was not sent from a page of this dashboard, or it is older than your session. Nothing was changed. Reload the page and try again."
	h.render(w, r, http.StatusForbidden, "error", l)
}

// toSignIn sends a visitor without a session to the sign-in page, saying
// why, and back to the page asked for after signing in.
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, reason string) {
	q := url.Values{}
	if reason != "" {
		q.Set("reason", reason)
	}
	if r.Method == http.MethodGet {
		q.Set("next", r.URL.Path)
	}
	target := Path + "/signin"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) redirectHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Path+"/keys", http.StatusSeeOther)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	l := layout{Title: "Not found", Problem: "There is no such page in the dashboard."}
	h.render(w, r, http.StatusNotFound, "error", l)
}
