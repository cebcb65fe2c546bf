package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const legacyVersion = "2025-11-25"

// rawRequest sends one HTTP request with an optional key and session id.
func rawRequest(t *testing.T, method, url, key, session, body string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", legacyVersion)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

// initSession opens a legacy streamable HTTP session for key.
func initSession(t *testing.T, ts *testServer, key string) string {
	t.Helper()
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", key, "",
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"`+legacyVersion+`","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("initialize: status %d, session %q", resp.StatusCode, id)
	}
	resp = rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", key, id, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	resp.Body.Close()
	return id
}

const listTools = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

func TestStreamableSessionBoundToOwner(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	owner, other := testKeys["analyst"], testKeys["admin"]
	session := initSession(t, ts, owner)

	tests := []struct {
		name, method, key, session, body string
		wantStatus                       int
	}{
		{"owner posts", http.MethodPost, owner, session, listTools, http.StatusOK},
		{"other key posts", http.MethodPost, other, session, listTools, http.StatusNotFound},
		{"other key listens", http.MethodGet, other, session, "", http.StatusNotFound},
		{"other key deletes", http.MethodDelete, other, session, "", http.StatusNotFound},
		{"unknown session", http.MethodPost, owner, "sg-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", listTools, http.StatusNotFound},
		// mcp-go's own id format, which its default manager accepts unseen.
		{"forged mcp-go id", http.MethodPost, owner, "mcp-session-8f4c5b6e-2a1d-4c3b-9e8f-7a6b5c4d3e2f", listTools, http.StatusNotFound},
		{"forged id on GET", http.MethodGet, owner, "mcp-session-8f4c5b6e-2a1d-4c3b-9e8f-7a6b5c4d3e2f", "", http.StatusNotFound},
		{"GET without session", http.MethodGet, owner, "", "", http.StatusBadRequest},
		{"owner still posts after the attempts", http.MethodPost, owner, session, listTools, http.StatusOK},
		{"owner deletes", http.MethodDelete, owner, session, "", http.StatusOK},
		{"deleted session is gone", http.MethodPost, owner, session, listTools, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawRequest(t, tc.method, ts.baseURL+"/mcp", tc.key, tc.session, tc.body)
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus == http.StatusNotFound {
				assertErrorBody(t, body, "not_found")
			}
		})
	}
}

// sseStream opens GET /sse and returns the message endpoint it announces.
func sseStream(t *testing.T, ts *testServer, query string) (endpoint string, events *bufio.Reader) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.baseURL+"/sse?"+query, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /sse: status %d", resp.StatusCode)
	}
	events = bufio.NewReader(resp.Body)
	for range 10 {
		line, err := events.ReadString('\n')
		if err != nil {
			t.Fatalf("read SSE stream: %v", err)
		}
		if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			return data, events
		}
	}
	t.Fatal("no endpoint event in the first 10 lines")
	return "", nil
}

func TestSSESessionBoundToOwner(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	owner := testKeys["analyst"]
	endpoint, _ := sseStream(t, ts, "api_key="+owner)
	if strings.Contains(endpoint, owner) || strings.Contains(endpoint, "api_key") {
		t.Fatalf("the message endpoint %q carries the key", endpoint)
	}
	if !strings.HasPrefix(endpoint, "/message?sessionId=") {
		t.Fatalf("endpoint = %q, want a same-origin /message path", endpoint)
	}
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	tests := []struct {
		name, key, url string
		wantStatus     int
	}{
		{"other key", testKeys["admin"], endpoint, http.StatusNotFound},
		{"unknown key", "sk_live_unknown_unknown_unknown_unknown", endpoint, http.StatusUnauthorized},
		{"owner header", owner, endpoint, http.StatusAccepted},
		{"session id alone stands for its owner", "", endpoint, http.StatusAccepted},
		{"owner key in query", "", endpoint + "&apiKey=" + owner, http.StatusAccepted},
		{"unknown session", owner, "/message?sessionId=sg-nope", http.StatusNotFound},
		{"no session", owner, "/message", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawRequest(t, http.MethodPost, ts.baseURL+tc.url, tc.key, "", initialize)
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.wantStatus, body)
			}
		})
	}
	ts.assertNoSecretsLogged(t)
}

// assertErrorBody checks the structured error shape and its code.
func assertErrorBody(t *testing.T, body []byte, wantCode string) map[string]any {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	if got["error"] != wantCode {
		t.Errorf("error = %v, want %q (body %s)", got["error"], wantCode, body)
	}
	if msg, _ := got["message"].(string); msg == "" {
		t.Errorf("error body has no message: %s", body)
	}
	return got
}
