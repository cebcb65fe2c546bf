package dashboard

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

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
