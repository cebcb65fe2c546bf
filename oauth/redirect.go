package oauth

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/skillgate/skillgate/internal/loopback"
)

// maxRedirectURILength bounds a registered redirect URI: browsers and
// proxies handle URLs of about 2000 bytes everywhere, and the code and
// state are appended to it.
const maxRedirectURILength = 2000

// checkRedirectURI reports whether uri may be registered as a redirect URI
// (OAuth 2.1 section 2.3.1, RFC 8252 sections 7.1 and 7.3): an absolute
// URI without fragment or userinfo that is https, http on a loopback host
// (a native app's local listener), or a private-use scheme with a dot in it
// (reverse domain name of the app, e.g. com.example.app:/callback). The
// error says which rule uri breaks.
func checkRedirectURI(uri string) error {
	if uri == "" {
		return errors.New("a redirect URI must not be empty")
	}
	if len(uri) > maxRedirectURILength {
		return fmt.Errorf("a redirect URI must not be longer than %d bytes", maxRedirectURILength)
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("redirect URI %q contains a space or control character; percent-encode it", uri)
		}
	}
	// url.Parse drops an empty fragment ("...#"), which must be refused
	// too: the authorization server appends to the URI.
	if strings.Contains(uri, "#") {
		return fmt.Errorf("redirect URI %q must not contain a fragment (#)", uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("redirect URI %q must be an absolute URI, like https://app.example.com/callback or http://127.0.0.1/callback", uri)
	}
	if u.User != nil {
		return fmt.Errorf("redirect URI %q must not contain userinfo (user@)", uri)
	}
	for _, name := range []string{"code", "state", "iss", "error", "error_description"} {
		if u.Query().Has(name) {
			return fmt.Errorf("redirect URI %q must not carry the %s parameter: the authorization server sets it", uri, name)
		}
	}
	switch {
	case u.Scheme == "https":
		if u.Host == "" || u.Hostname() == "" {
			return fmt.Errorf("redirect URI %q has no host", uri)
		}
		return nil
	case u.Scheme == "http":
		if !loopback.Host(u.Hostname()) {
			return fmt.Errorf("redirect URI %q must use https; plain http is allowed only on a loopback host (127.0.0.1, [::1] or localhost)", uri)
		}
		return nil
	case strings.Contains(u.Scheme, "."):
		// A private-use scheme (RFC 8252 section 7.1), named after a
		// domain the app controls.
		if u.Opaque == "" && u.Path == "" && u.Host == "" {
			return fmt.Errorf("redirect URI %q has nothing after its scheme; use a path like %s:/callback", uri, u.Scheme)
		}
		return nil
	default:
		return fmt.Errorf("redirect URI %q must use https, http on a loopback host, or a private-use scheme with a dot like com.example.app:/callback", uri)
	}
}

// CheckRedirectURI reports whether uri may be registered as a redirect URI,
// for validating platform.yaml; see checkRedirectURI.
func CheckRedirectURI(uri string) error { return checkRedirectURI(uri) }

// matchRedirectURI reports whether got is one of the registered redirect
// URIs. Comparison is by exact string, except that an http redirect URI on
// a loopback host matches whatever its port (RFC 8252 section 7.3): native
// apps listen on a port the system picks at the time of the request. The
// scheme, host, path and query must match exactly all the same, and
// localhost and 127.0.0.1 are different hosts.
func matchRedirectURI(registered []string, got string) bool {
	if got == "" {
		return false
	}
	for _, r := range registered {
		if r == got {
			return true
		}
	}
	bare, ok := withoutLoopbackPort(got)
	if !ok {
		return false
	}
	for _, r := range registered {
		if rb, ok := withoutLoopbackPort(r); ok && rb == bare {
			return true
		}
	}
	return false
}

// withoutLoopbackPort returns uri without its port when uri is an http URI
// on a loopback host with a valid (or no) port, and false otherwise. It
// works on the string, so that nothing but the port is normalised.
func withoutLoopbackPort(uri string) (string, bool) {
	const prefix = "http://"
	if !strings.HasPrefix(uri, prefix) || strings.Contains(uri, "#") {
		return "", false
	}
	rest := uri[len(prefix):]
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	if strings.Contains(authority, "@") {
		return "", false
	}
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		i := strings.IndexByte(authority, ']')
		if i < 0 {
			return "", false
		}
		host, port = authority[:i+1], authority[i+1:]
		if !loopback.Host(host[1 : len(host)-1]) {
			return "", false
		}
	} else {
		if i := strings.IndexByte(authority, ':'); i >= 0 {
			host, port = authority[:i], authority[i:]
		}
		if !loopback.Host(host) || strings.Contains(host, ":") {
			return "", false
		}
	}
	if port != "" {
		digits := port[1:]
		if port[0] != ':' || digits == "" || len(digits) > 5 {
			return "", false
		}
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				return "", false
			}
		}
		if n, err := strconv.Atoi(digits); err != nil || n > 65535 {
			return "", false
		}
	}
	return prefix + host + tail, true
}
