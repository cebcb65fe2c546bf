package oauth

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// callback sends the browser back to the client's redirect URI. Every
// response carries iss (RFC 9207) so that a client talking to several
// authorization servers can tell which one answered, and state unchanged.
type callback struct {
	uri    string
	state  string
	issuer string
}

// redirect sends params to the client with status, which is 302 after a
// GET and 303 after a POST: never 307, which would make the browser
// re-post the form, API key included, to the client.
func (c callback) redirect(w http.ResponseWriter, r *http.Request, status int, params url.Values) {
	if c.state != "" {
		params.Set("state", c.state)
	}
	params.Set("iss", c.issuer)
	target := c.uri
	if u, err := url.Parse(c.uri); err == nil {
		// Our parameters replace any of the same name in the registered
		// URI's query, so a client cannot be sent a forged iss or state
		// ahead of the real ones.
		q := u.Query()
		for name, values := range params {
			q[name] = values
		}
		u.RawQuery = q.Encode()
		target = u.String()
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, status)
}

func (c callback) redirectError(w http.ResponseWriter, r *http.Request, status int, e *oauthError) {
	params := url.Values{"error": {e.Code}}
	if e.Description != "" {
		params.Set("error_description", e.Description)
	}
	c.redirect(w, r, status, params)
}

// browserCookieName is the cookie binding forms to the browser that began
// the request; with https it gets the __Host- prefix, which browsers accept
// only from the origin itself, over TLS, for path /.
func browserCookieName(issuer string) string {
	if strings.HasPrefix(issuer, "https://") {
		return "__Host-skillgate_authz"
	}
	return "skillgate_authz"
}

// browserBinding returns the browser's binding secret, setting a new
// cookie if it has none. One value serves every request the browser makes,
// so two sign-ins in two tabs do not undo each other.
func browserBinding(w http.ResponseWriter, r *http.Request, issuer string, ttl time.Duration) string {
	name := browserCookieName(issuer)
	if c, err := r.Cookie(name); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	value := randomToken("", 32)
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/",
		MaxAge: int(ttl.Seconds()), HttpOnly: true,
		Secure: strings.HasPrefix(issuer, "https://"), SameSite: http.SameSiteLaxMode,
	})
	return value
}

// equalHash compares two stored hashes in constant time.
func equalHash(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}
