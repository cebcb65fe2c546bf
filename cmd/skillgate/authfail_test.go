package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
)

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

func TestAuthFailures(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	disabled := ts.createManagedKey(t, func(k *storeKey) { k.Disabled = true })
	expired := ts.createManagedKey(t, func(k *storeKey) { k.ExpiresAt = time.Now().Add(-time.Hour).UTC() })
	revoked := ts.createManagedKey(t, func(k *storeKey) { k.RevokedAt = time.Now().UTC() })
	valid := ts.createManagedKey(t, func(k *storeKey) { k.ExpiresAt = time.Now().Add(time.Hour).UTC() })
	const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

	tests := []struct {
		name       string
		method     string
		path       string
		header     string // the whole Authorization header; empty for none
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"missing on POST /mcp", http.MethodPost, "/mcp", "", 401, "access_denied", "API key required"},
		{"missing on GET /mcp", http.MethodGet, "/mcp", "", 401, "access_denied", "API key required"},
		{"missing on DELETE /mcp", http.MethodDelete, "/mcp", "", 401, "access_denied", "API key required"},
		{"missing on /sse", http.MethodGet, "/sse", "", 401, "access_denied", "API key required"},
		{"basic scheme", http.MethodPost, "/mcp", "Basic dXNlcjpwYXNz", 401, "invalid_token", "Malformed"},
		{"bare key without scheme", http.MethodPost, "/mcp", testKeys["admin"], 401, "invalid_token", "Malformed"},
		{"empty bearer", http.MethodPost, "/mcp", "Bearer ", 401, "invalid_token", "empty"},
		{"bad characters", http.MethodPost, "/mcp", "Bearer sk_live_\"x\"", 401, "invalid_token", "not allowed"},
		{"unknown key", http.MethodPost, "/mcp", "Bearer " + apikey.Generate(apikey.DefaultPrefix), 401, "invalid_token", "Unknown API key"},
		{"mistyped key", http.MethodPost, "/mcp", "Bearer sk_live_nope_nope_nope_nope_nope_nope", 401, "invalid_token", "checksum does not match"},
		{"unknown non-prefixed key", http.MethodPost, "/mcp", "Bearer abcdef0123456789", 401, "invalid_token", "Unknown API key"},
		{"disabled key", http.MethodPost, "/mcp", "Bearer " + disabled, 401, "invalid_token", "disabled"},
		{"expired key", http.MethodPost, "/mcp", "Bearer " + expired, 401, "invalid_token", "expired"},
		{"revoked key", http.MethodPost, "/mcp", "Bearer " + revoked, 401, "invalid_token", "revoked"},
		{"jwt of no known issuer", http.MethodPost, "/mcp", "Bearer " + jwt, 401, "invalid_token", "iss"},
		{"header and query", http.MethodPost, "/mcp?api_key=" + testKeys["admin"], "Bearer " + testKeys["admin"], 401, "invalid_token", "more than once"},
		{"valid managed key", http.MethodPost, "/mcp", "Bearer " + valid, 200, "", ""},
		{"valid static key", http.MethodPost, "/mcp", "Bearer " + testKeys["viewer"], 200, "", ""},
		{"key in api_key query", http.MethodPost, "/mcp?api_key=" + testKeys["viewer"], "", 200, "", ""},
		{"POST /sse", http.MethodPost, "/sse", "Bearer " + testKeys["viewer"], 405, "method_not_allowed", "GET"},
		{"unknown path", http.MethodGet, "/nope", "", 404, "not_found", "No such endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, ts.baseURL+tc.path, strings.NewReader(initializeBody))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 8192))
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantCode == "" {
				return
			}
			got := assertErrorBody(t, body, tc.wantCode)
			if msg, _ := got["message"].(string); !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tc.wantMsg)
			}
			if s, _ := got["suggestions"].([]any); len(s) == 0 {
				t.Errorf("no suggestions in %s", body)
			}
			if tc.wantStatus == http.StatusUnauthorized {
				resource := "/mcp"
				if strings.HasPrefix(tc.path, "/sse") {
					resource = "/sse"
				}
				assertChallenge(t, resp, ts.unauthorizedChallenge(resource, tc.wantCode == "invalid_token"))
			}
		})
	}
	ts.assertNoSecretsLogged(t, disabled, expired, revoked, valid)
}

// unauthorizedChallenge is the WWW-Authenticate of a 401 from the MCP
// transport at resource ("/mcp" or "/sse"), for a refused credential if
// invalidToken, else for a request that sent none.
func (ts *testServer) unauthorizedChallenge(resource string, invalidToken bool) string {
	c := `Bearer resource_metadata="` + ts.baseURL + `/.well-known/oauth-protected-resource` + resource + `", scope="skills:read skills:execute"`
	if invalidToken {
		c += `, error="invalid_token"`
	}
	return c
}

// assertChallenge checks that resp carries exactly one WWW-Authenticate,
// want.
func assertChallenge(t *testing.T, resp *http.Response, want string) {
	t.Helper()
	if got := resp.Header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != want {
		t.Errorf("WWW-Authenticate = %q, want exactly %q", got, want)
	}
}

// Every refusal on an MCP transport names the protected resource metadata
// of that transport, as the MCP authorization specification asks.
func TestAuthChallenges(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	readOnly := ts.createManagedKey(t, func(k *storeKey) { k.Scopes = []string{"skills:read"} })
	endpoint, _ := sseStream(t, ts, "api_key="+readOnly)
	const unknown = "sk_live_unknown_unknown_unknown_unknown"
	run := callBody("run_skill_script", "shared/hello-world")
	insufficient := func(resource string) string {
		return `Bearer error="insufficient_scope", scope="skills:read skills:execute", resource_metadata="` +
			ts.baseURL + `/.well-known/oauth-protected-resource` + resource + `"`
	}
	tests := []struct {
		name, method, path, key, body string
		wantStatus                    int
		wantCode                      string
		wantChallenge                 string
	}{
		{"GET /mcp, unknown key", http.MethodGet, "/mcp", unknown, "", 401, "invalid_token", ts.unauthorizedChallenge("/mcp", true)},
		{"DELETE /mcp, unknown key", http.MethodDelete, "/mcp", unknown, "", 401, "invalid_token", ts.unauthorizedChallenge("/mcp", true)},
		{"GET /sse, unknown key", http.MethodGet, "/sse", unknown, "", 401, "invalid_token", ts.unauthorizedChallenge("/sse", true)},
		{"POST /message, none", http.MethodPost, "/message", "", initializeBody, 401, "access_denied", ts.unauthorizedChallenge("/sse", false)},
		{"POST /message unknown session, none", http.MethodPost, "/message?sessionId=sg-nope", "", initializeBody, 401, "access_denied", ts.unauthorizedChallenge("/sse", false)},
		{"POST /message, unknown key", http.MethodPost, endpoint, unknown, initializeBody, 401, "invalid_token", ts.unauthorizedChallenge("/sse", true)},
		{"POST /mcp, scope missing", http.MethodPost, "/mcp", readOnly, run, 403, "insufficient_scope", insufficient("/mcp")},
		{"POST /message, scope missing", http.MethodPost, endpoint, readOnly, run, 403, "insufficient_scope", insufficient("/sse")},
		{"POST /message by session id, scope missing", http.MethodPost, endpoint, "", run, 403, "insufficient_scope", insufficient("/sse")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawRequest(t, tc.method, ts.baseURL+tc.path, tc.key, "", tc.body)
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 8192))
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			assertErrorBody(t, body, tc.wantCode)
			assertChallenge(t, resp, tc.wantChallenge)
		})
	}
	ts.assertNoSecretsLogged(t, readOnly)
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	resp, err := http.Get(ts.baseURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Errorf("GET /healthz = %d %s", resp.StatusCode, body)
	}
}

func TestForeignHostRefused(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	req, _ := http.NewRequest(http.MethodPost, ts.baseURL+"/mcp", strings.NewReader(initializeBody))
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer "+testKeys["admin"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403 for a rebound host name", resp.StatusCode)
	}
}

func TestOversizedBodyRefused(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	huge := `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"` + strings.Repeat("x", 5<<20) + `"}}`
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", testKeys["admin"], "", huge)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413; body %s", resp.StatusCode, body)
	}
	assertErrorBody(t, body, "invalid_request")
}
