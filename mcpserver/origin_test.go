package mcpserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOriginPolicy(t *testing.T) {
	p := newOriginPolicy("https://skills.example.com", []string{"https://inspector.example.com", "not an origin"})
	tests := []struct {
		origin string
		want   bool
	}{
		{"", true}, // programs send no Origin
		{"https://skills.example.com", true},
		{"https://skills.example.com:443", true},
		{"HTTPS://SKILLS.EXAMPLE.COM", true},
		{"https://inspector.example.com", true},
		{"http://localhost:6274", true}, // the MCP Inspector, locally
		{"http://127.0.0.1:5173", true},
		{"http://[::1]:3000", true},
		{"https://evil.example", false},
		{"http://skills.example.com", false}, // another scheme is another origin
		{"https://skills.example.com.evil.example", false},
		{"null", false},
		{"https://localhost:6274", false}, // loopback is allowed over http only
		{"not an origin", false},
	}
	for _, tt := range tests {
		if got := p.allows(tt.origin); got != tt.want {
			t.Errorf("allows(%q) = %v, want %v", tt.origin, got, tt.want)
		}
	}
	if !newOriginPolicy("https://skills.example.com", []string{"*"}).allows("https://anything.example") {
		t.Error(`"*" does not allow every origin`)
	}
}

// TestOriginAndCORS runs the checks through the real handler: a foreign
// origin is refused on the MCP endpoints before authentication, preflights
// are answered before authentication, and the sign-in pages get no CORS.
func TestOriginAndCORS(t *testing.T) {
	s := newServerForTest(t)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	do := func(method, path string, header ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	tests := []struct {
		name, method, path string
		header             []string
		status             int
		cors               bool
	}{
		{"foreign origin on /mcp", http.MethodPost, "/mcp", []string{"Origin", "https://evil.example"}, http.StatusForbidden, false},
		{"foreign origin on /sse", http.MethodGet, "/sse", []string{"Origin", "https://evil.example"}, http.StatusForbidden, false},
		{"foreign origin preflight", http.MethodOptions, "/mcp", []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "POST"}, http.StatusForbidden, false},
		{"own origin reaches auth", http.MethodPost, "/mcp", []string{"Origin", "http://127.0.0.1:8080"}, http.StatusUnauthorized, true},
		{"no origin reaches auth", http.MethodPost, "/mcp", nil, http.StatusUnauthorized, true},
		{"loopback preflight before auth", http.MethodOptions, "/mcp", []string{"Origin", "http://localhost:6274", "Access-Control-Request-Method", "POST"}, http.StatusNoContent, true},
		{"preflight of /token", http.MethodOptions, "/token", []string{"Origin", "https://app.example", "Access-Control-Request-Method", "POST"}, http.StatusNoContent, true},
		{"POST /sse", http.MethodPost, "/sse", nil, http.StatusMethodNotAllowed, true},
		{"mcp with a slash is served, not redirected", http.MethodPost, "/mcp/", nil, http.StatusUnauthorized, true},
		{"sign-in page gets no CORS", http.MethodOptions, "/authorize", []string{"Origin", "https://app.example", "Access-Control-Request-Method", "POST"}, http.StatusNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(tt.method, tt.path, tt.header...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if tt.cors != (acao == "*") {
				t.Fatalf("Access-Control-Allow-Origin = %q, want CORS %v", acao, tt.cors)
			}
			if tt.cors && !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
				t.Errorf("exposed headers = %q", resp.Header.Get("Access-Control-Expose-Headers"))
			}
			if resp.StatusCode == http.StatusNoContent {
				for _, h := range []string{"Authorization", "Mcp-Protocol-Version", "Mcp-Session-Id", "Last-Event-ID"} {
					if !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), h) {
						t.Errorf("preflight does not allow %s: %q", h, resp.Header.Get("Access-Control-Allow-Headers"))
					}
				}
				if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
					t.Error("preflight allows credentials")
				}
			}
		})
	}
}
