package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// scrapeMetrics GETs url with key ("" for none) and returns the status,
// the body and the WWW-Authenticate header.
func scrapeMetrics(t *testing.T, url, key string) (status int, body, challenge string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("WWW-Authenticate")
}

// errorCode returns the "error" field of a structured error body.
func errorCode(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body is not a structured error: %v\n%s", err, body)
	}
	return e.Error
}

// TestMetricsOnMainListener counts a tool call and a refused key, then
// scrapes /metrics on the main listener, which only admins may do.
func TestMetricsOnMainListener(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})

	c := connect(t, ts, sseHeader, testKeys["analyst"])
	if res, err := callTool(t, c, "list_skills", nil); err != nil || res.IsError {
		t.Fatalf("list_skills: %v %v", err, res)
	}
	if status, _, _ := scrapeMetrics(t, ts.baseURL+"/mcp", "sk_live_not_a_real_key_0123456789abcdef"); status != http.StatusUnauthorized {
		t.Fatalf("bad key on /mcp: got status %d, want 401", status)
	}

	tests := []struct {
		name      string
		key       string
		status    int
		errorCode string // of a refusal
		challenge string // a prefix of WWW-Authenticate
	}{
		{name: "admin", key: testKeys["admin"], status: http.StatusOK},
		{name: "viewer lacks admin scope", key: testKeys["viewer"], status: http.StatusForbidden,
			errorCode: "insufficient_scope", challenge: `Bearer error="insufficient_scope"`},
		{name: "analyst lacks admin scope", key: testKeys["analyst"], status: http.StatusForbidden,
			errorCode: "insufficient_scope", challenge: `Bearer error="insufficient_scope"`},
		// A key whose roles match no persona holds no scope at all.
		{name: "no persona", key: testKeys["nobody"], status: http.StatusForbidden, errorCode: "insufficient_scope"},
		{name: "no key", status: http.StatusUnauthorized, errorCode: "access_denied", challenge: "Bearer "},
		{name: "unknown key", key: "sk_live_not_a_real_key_0123456789abcdef", status: http.StatusUnauthorized,
			errorCode: "invalid_token", challenge: "Bearer "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, challenge := scrapeMetrics(t, ts.baseURL+"/metrics", tc.key)
			if status != tc.status {
				t.Fatalf("got status %d, want %d\n%s", status, tc.status, body)
			}
			if tc.errorCode != "" {
				if got := errorCode(t, body); got != tc.errorCode {
					t.Errorf("got error %q, want %q", got, tc.errorCode)
				}
			}
			if !strings.HasPrefix(challenge, tc.challenge) {
				t.Errorf("got WWW-Authenticate %q, want it to start with %q", challenge, tc.challenge)
			}
		})
	}

	_, body, _ := scrapeMetrics(t, ts.baseURL+"/metrics", testKeys["admin"])
	for _, want := range []string{
		`skillgate_tool_calls_total{persona="analyst",result="ok",tool="list_skills"} 1`,
		`skillgate_auth_decisions_total{result="denied",source="unknown"}`,
		`skillgate_auth_decisions_total{result="ok",source="static_key"}`,
		`skillgate_http_requests_total{code="401",route="mcp"} 1`,
		// The analyst's SSE stream is still open.
		`skillgate_active_sessions{transport="sse"} 1`,
		`skillgate_active_sessions{transport="streamable"} `,
		`skillgate_audit_queue_depth `,
		`skillgate_audit_events_written_total `,
		`skillgate_audit_events_dropped_total `,
		`process_start_time_seconds `,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape has no line %q", want)
		}
	}
	for role, key := range testKeys {
		if strings.Contains(body, key) {
			t.Errorf("the %s key appears in the scrape", role)
		}
	}
	if strings.Contains(body, "sk_live_") {
		t.Error("something like a key appears in the scrape")
	}
	ts.assertNoSecretsLogged(t)
}

// TestMetricsOnOwnListener serves metrics on server.metrics_addr, without
// authentication, and nowhere on the main listener.
func TestMetricsOnOwnListener(t *testing.T) {
	addr := freeAddr(t)
	ts := newTestServer(t, testServerOptions{server: "  metrics_addr: " + addr + "\n"})

	c := connect(t, ts, streamableLegacy, testKeys["analyst"])
	if res, err := callTool(t, c, "list_skills", nil); err != nil || res.IsError {
		t.Fatalf("list_skills: %v %v", err, res)
	}

	tests := []struct {
		name, url, key string
		status         int
		contains       string
	}{
		{name: "own listener without a key", url: "http://" + addr + "/metrics", status: http.StatusOK,
			contains: `skillgate_tool_calls_total{persona="analyst",result="ok",tool="list_skills"} 1`},
		{name: "own listener serves nothing else", url: "http://" + addr + "/mcp", status: http.StatusNotFound},
		{name: "main listener without a key", url: ts.baseURL + "/metrics", status: http.StatusNotFound},
		// Even an admin finds nothing there: metrics moved.
		{name: "main listener with the admin key", url: ts.baseURL + "/metrics", key: testKeys["admin"], status: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := scrapeMetrics(t, tc.url, tc.key)
			if status != tc.status {
				t.Fatalf("got status %d, want %d\n%s", status, tc.status, body)
			}
			if !strings.Contains(body, tc.contains) {
				t.Errorf("body has no %q", tc.contains)
			}
		})
	}
}
