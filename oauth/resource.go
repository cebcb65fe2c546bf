package oauth

import (
	"net/url"
	"strings"
)

// resource returns this server's resource identifier that raw names (RFC
// 8707), or false. Identifiers compare after canonicalisation: scheme and
// host are case-insensitive, and an origin may carry one trailing slash.
// Anything else (another path, a query, a fragment) is another resource.
func (s *Server) resource(raw string) (string, bool) {
	want, ok := canonicalResource(raw)
	if !ok {
		return "", false
	}
	for _, r := range s.resources {
		if c, _ := canonicalResource(r); c == want {
			return r, true
		}
	}
	return "", false
}

func canonicalResource(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return "", false
	}
	path := u.EscapedPath()
	if path == "/" {
		path = ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + path, true
}
