package mcpserver

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/internal/loopback"
)

// originPolicy decides which browser origins may call the MCP endpoints.
// The MCP transport specification requires servers to check Origin: a page
// on another site that reaches the server (through DNS rebinding, or a
// user's browser on the same network) must be refused. Requests without
// Origin come from programs, not browsers, and are not affected.
type originPolicy struct {
	any     bool
	allowed map[string]bool // canonical origins
}

// newOriginPolicy allows the server's own origin, loopback origins (local
// tools such as the MCP Inspector) and the configured ones; "*" allows all.
func newOriginPolicy(baseURL string, configured []string) originPolicy {
	p := originPolicy{allowed: map[string]bool{}}
	for _, o := range append([]string{baseURL}, configured...) {
		if o == "*" {
			p.any = true
			continue
		}
		if c, ok := canonicalOrigin(o); ok {
			p.allowed[c] = true
		}
	}
	return p
}

// allows reports whether a request with this Origin header may proceed.
func (p originPolicy) allows(origin string) bool {
	if origin == "" || p.any {
		return true
	}
	c, ok := canonicalOrigin(origin)
	if !ok {
		return false
	}
	if p.allowed[c] {
		return true
	}
	u, _ := url.Parse(c)
	return u.Scheme == "http" && loopback.HostPort(u.Host)
}

// canonicalOrigin lowercases an origin's scheme and host and checks it is
// one: scheme://host[:port] and nothing else. "null" (a sandboxed page, a
// file) is not an origin anyone can allow.
func canonicalOrigin(o string) (string, bool) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	// Browsers leave the default port out of Origin.
	host = strings.TrimSuffix(host, map[string]string{"https": ":443", "http": ":80"}[scheme])
	return scheme + "://" + host, true
}

// isMCPPath reports whether path is one of the MCP transport endpoints.
func isMCPPath(path string) bool {
	return path == mcpPath || strings.HasPrefix(path, mcpPath+"/") || path == ssePath || path == messagePath
}

// originCheck refuses MCP requests from origins the policy does not allow,
// before anything else (preflights included) runs.
func (s *Server) originCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isMCPPath(r.URL.Path) && !s.origins.allows(r.Header.Get("Origin")) {
			apierror.Write(w, apierror.New(http.StatusForbidden, apierror.CodeForbidden,
				"Origin not allowed",
				"Browser clients must be served from an origin listed in server.allowed_origins (the server's own and loopback origins are allowed)."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CORS for the endpoints browser-based clients (the MCP Inspector, web
// apps) call across origins. No credentials mode: tokens travel in the
// Authorization header, never in cookies, so "*" exposes nothing.
const (
	corsMethods = "GET, POST, DELETE, OPTIONS"
	corsHeaders = "Authorization, Content-Type, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID"
	corsExposed = "WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version"
	corsMaxAge  = "86400"
)

// isCORSPath reports whether path is served to browsers of any origin: the
// discovery documents, registration, token, revocation and MCP. The
// sign-in and consent pages are not: they must never be fetched across
// origins.
func isCORSPath(path string) bool {
	switch {
	case strings.HasPrefix(path, "/.well-known/"), path == "/register", strings.HasPrefix(path, "/register/"),
		path == "/token", path == "/revoke":
		return true
	}
	return isMCPPath(path)
}

// cors adds the CORS headers and answers preflight requests with 204
// before authentication, which a preflight never carries.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isCORSPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", corsExposed)
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
