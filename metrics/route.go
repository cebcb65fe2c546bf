package metrics

import "strings"

// Routes a request is counted under. A label holds one of these, never the
// raw path, which a client chooses and could make into unbounded series.
const (
	RouteMCP       = "mcp"
	RouteSSE       = "sse"
	RouteMessage   = "message"
	RouteAPI       = "api"
	RouteOAuth     = "oauth"
	RouteWellKnown = "well_known"
	RouteMetrics   = "metrics"
	RouteHealth    = "health"
	RouteOther     = other
)

// Route classifies a request path into one of the Route constants.
func Route(path string) string {
	switch {
	case under(path, "/mcp"):
		return RouteMCP
	case path == "/sse":
		return RouteSSE
	case path == "/message":
		return RouteMessage
	case under(path, "/v1"):
		return RouteAPI
	case under(path, "/authorize"), path == "/token", under(path, "/register"), path == "/revoke":
		return RouteOAuth
	case under(path, "/.well-known"):
		// The JWKS document is served under /.well-known/ too.
		return RouteWellKnown
	case path == "/metrics":
		return RouteMetrics
	case path == "/healthz":
		return RouteHealth
	}
	return RouteOther
}

// under reports whether path is prefix or a path below it: "/v1/keys" is
// under "/v1", "/v1beta" is not.
func under(path, prefix string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	return ok && (rest == "" || rest[0] == '/')
}
