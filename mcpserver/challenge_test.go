package mcpserver

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/skills"
)

// challengeBase is the public origin the challenges must name, whatever
// host the test client connects to.
const challengeBase = "https://skills.example.com"

const (
	mcpMeta = `resource_metadata="` + challengeBase + `/.well-known/oauth-protected-resource/mcp"`
	sseMeta = `resource_metadata="` + challengeBase + `/.well-known/oauth-protected-resource/sse"`
	// The 401 challenges, exactly.
	mcpChallenge = `Bearer ` + mcpMeta + `, scope="skills:read skills:execute"`
	sseChallenge = `Bearer ` + sseMeta + `, scope="skills:read skills:execute"`
	invalidToken = `, error="invalid_token"`
	// readKey authenticates a caller holding skills:read only.
	readKey = "sk_test_reader"
)

type challengeAuth struct{}

func (challengeAuth) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	if token == readKey {
		return auth.Principal{Subject: "reader", CredentialID: "static:reader", Roles: []string{"user"},
			Scopes: []string{auth.ScopeSkillsRead}, Source: auth.SourceStaticKey}, nil
	}
	return auth.Principal{}, auth.ErrUnknownCredential
}

func (challengeAuth) Recheck(_ context.Context, p auth.Principal) (auth.Principal, error) {
	return p, nil
}

func newChallengeServer(t *testing.T) string {
	t.Helper()
	cat, err := skills.Load(context.Background(), skills.Bundled())
	if err != nil {
		t.Fatal(err)
	}
	set, err := personas.NewSet([]personas.Persona{
		{Name: "user", Roles: []string{"user"}, Tools: personas.Rules{Allow: []string{"*"}}, Skills: personas.Rules{Allow: []string{"*"}},
			Scopes: []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{
		Auth: challengeAuth{}, Personas: set, Skills: cat,
		Runner: skills.NewRunner(skills.RunnerConfig{}), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL: challengeBase, QueryParams: []string{"api_key"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		_ = s.Close(context.Background())
	})
	return ts.URL
}

// openSSE opens GET /sse with key and returns the message endpoint it
// announces.
func openSSE(t *testing.T, base, key string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+ssePath, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sse: status %d", resp.StatusCode)
	}
	events := bufio.NewReader(resp.Body)
	for range 10 {
		line, err := events.ReadString('\n')
		if err != nil {
			t.Fatalf("read SSE stream: %v", err)
		}
		if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			return data
		}
	}
	t.Fatal("no endpoint event")
	return ""
}

const (
	initializeMessage = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	runScriptMessage  = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_skill_script","arguments":{"skill_id":"shared/hello-world","script":"hello.sh"}}}`
)

func TestChallenges(t *testing.T) {
	base := newChallengeServer(t)
	endpoint := openSSE(t, base, readKey)
	if !strings.HasPrefix(endpoint, messagePath+"?sessionId=") {
		t.Fatalf("endpoint = %q", endpoint)
	}
	tests := []struct {
		name          string
		method, path  string
		authorization string
		body          string
		wantStatus    int
		wantCode      string
		wantChallenge string
	}{
		// No credential: the challenge that starts authorization, no error.
		{"POST /mcp, none", http.MethodPost, "/mcp", "", initializeMessage, 401, "access_denied", mcpChallenge},
		{"GET /mcp, none", http.MethodGet, "/mcp", "", "", 401, "access_denied", mcpChallenge},
		{"DELETE /mcp, none", http.MethodDelete, "/mcp", "", "", 401, "access_denied", mcpChallenge},
		{"POST /mcp/, none", http.MethodPost, "/mcp/", "", initializeMessage, 401, "access_denied", mcpChallenge},
		{"GET /sse, none", http.MethodGet, "/sse", "", "", 401, "access_denied", sseChallenge},
		{"POST /message, none", http.MethodPost, "/message", "", initializeMessage, 401, "access_denied", sseChallenge},
		{"POST /message unknown session, none", http.MethodPost, "/message?sessionId=sg-nope", "", initializeMessage, 401, "access_denied", sseChallenge},

		// A credential sent and refused.
		{"POST /mcp, unknown key", http.MethodPost, "/mcp", "Bearer sk_test_nope", initializeMessage, 401, "invalid_token", mcpChallenge + invalidToken},
		{"GET /mcp, unknown key", http.MethodGet, "/mcp", "Bearer sk_test_nope", "", 401, "invalid_token", mcpChallenge + invalidToken},
		{"DELETE /mcp, unknown key", http.MethodDelete, "/mcp", "Bearer sk_test_nope", "", 401, "invalid_token", mcpChallenge + invalidToken},
		{"POST /mcp, basic scheme", http.MethodPost, "/mcp", "Basic dXNlcjpwYXNz", initializeMessage, 401, "invalid_token", mcpChallenge + invalidToken},
		{"POST /mcp, unknown key in query", http.MethodPost, "/mcp?api_key=sk_test_nope", "", initializeMessage, 401, "invalid_token", mcpChallenge + invalidToken},
		{"GET /sse, unknown key", http.MethodGet, "/sse", "Bearer sk_test_nope", "", 401, "invalid_token", sseChallenge + invalidToken},
		{"POST /message, unknown key", http.MethodPost, endpoint, "Bearer sk_test_nope", initializeMessage, 401, "invalid_token", sseChallenge + invalidToken},
		{"POST /message no session, unknown key", http.MethodPost, "/message", "Bearer sk_test_nope", initializeMessage, 401, "invalid_token", sseChallenge + invalidToken},

		// A valid credential without the scope needed.
		{"POST /mcp, no skills:execute", http.MethodPost, "/mcp", "Bearer " + readKey, runScriptMessage, 403, "insufficient_scope",
			`Bearer error="insufficient_scope", scope="skills:read skills:execute", ` + mcpMeta},
		{"POST /message, no skills:execute", http.MethodPost, endpoint, "Bearer " + readKey, runScriptMessage, 403, "insufficient_scope",
			`Bearer error="insufficient_scope", scope="skills:read skills:execute", ` + sseMeta},
		{"POST /message by session id, no skills:execute", http.MethodPost, endpoint, "", runScriptMessage, 403, "insufficient_scope",
			`Bearer error="insufficient_scope", scope="skills:read skills:execute", ` + sseMeta},

		// A valid credential is let through, and a session it does not own
		// is still not found.
		{"POST /mcp, valid", http.MethodPost, "/mcp", "Bearer " + readKey, initializeMessage, 200, "", ""},
		{"POST /message unknown session, valid", http.MethodPost, "/message?sessionId=sg-nope", "Bearer " + readKey, initializeMessage, 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			// The challenge names the configured origin, never the
			// request's.
			req.Header.Set("X-Forwarded-Host", "evil.example")
			req.Header.Set("X-Forwarded-Proto", "http")
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tc.authorization != "" {
				req.Header.Set("Authorization", tc.authorization)
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
			got := resp.Header.Values("WWW-Authenticate")
			if tc.wantChallenge == "" {
				if len(got) != 0 {
					t.Errorf("WWW-Authenticate = %q, want none", got)
				}
			} else if len(got) != 1 || got[0] != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want exactly %q", got, tc.wantChallenge)
			}
			if tc.wantCode == "" {
				return
			}
			var e struct {
				Error, Message string
				Suggestions    []string
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error != tc.wantCode || e.Message == "" || len(e.Suggestions) == 0 {
				t.Errorf("body = %s, want a structured %s error", body, tc.wantCode)
			}
		})
	}
}

func TestNewRejectsBadBaseURL(t *testing.T) {
	for _, base := range []string{"http://127.0.0.1:8080/", "https://skills.example.com/mcp", "skills.example.com"} {
		_, err := New(Options{
			Auth: challengeAuth{}, Personas: &personas.Set{}, Skills: &skills.Catalog{},
			Runner: skills.NewRunner(skills.RunnerConfig{}), Logger: slog.New(slog.DiscardHandler),
			BaseURL: base,
		})
		if err == nil || !strings.Contains(err.Error(), "BaseURL") {
			t.Errorf("New with BaseURL %q = %v, want an error", base, err)
		}
	}
}
