package metrics

import "testing"

func TestRoute(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"/mcp", RouteMCP},
		{"/mcp/", RouteMCP},
		{"/mcpx", RouteOther},
		{"/sse", RouteSSE},
		{"/sse/x", RouteOther},
		{"/message", RouteMessage},
		{"/v1/api-keys", RouteAPI},
		{"/v1/api-keys/key_123/rotate", RouteAPI},
		{"/v1beta", RouteOther},
		{"/authorize", RouteOAuth},
		{"/authorize/signin", RouteOAuth},
		{"/authorize/callback", RouteOAuth},
		{"/token", RouteOAuth},
		{"/register", RouteOAuth},
		{"/register/client_abc", RouteOAuth},
		{"/revoke", RouteOAuth},
		{"/.well-known/oauth-protected-resource/mcp", RouteWellKnown},
		{"/.well-known/jwks.json", RouteWellKnown},
		{"/metrics", RouteMetrics},
		{"/healthz", RouteHealth},
		{"/", RouteOther},
		{"", RouteOther},
		// A key pasted into a path must never become a label value.
		{"/sk_live_0123456789abcdefghij", RouteOther},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if got := Route(tc.path); got != tc.want {
				t.Errorf("Route(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}
