package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/pgtest"
)

// TestDatabaseLossAndRecovery takes PostgreSQL away from a running server
// and gives it back: while it is away, requests that need it get a
// structured 503 and change nothing; once it is back, the server serves
// again without a restart.
func TestDatabaseLossAndRecovery(t *testing.T) {
	proxy, dsn := pgtest.NewProxy(t, pgtest.Schema(t))
	ts := newTestServer(t, testServerOptions{storage: "storage:\n  driver: postgres\n  dsn: " + dsn + "\n"})
	_, secret := createKeyOverREST(t, ts, `{"name":"before","user":"alice","roles":["viewer"]}`)
	if got := initializeStatus(t, ts.baseURL, secret); got != http.StatusOK {
		t.Fatalf("before the loss: %d", got)
	}

	proxy.Cut()
	// Past the max age, the keys version must be read from the database.
	time.Sleep(revocationBound)
	t.Run("a managed key gets 503", func(t *testing.T) {
		resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", secret, "",
			`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
		expectUnavailable(t, resp)
	})
	t.Run("a key creation gets 503 and stores nothing", func(t *testing.T) {
		resp := rawRequest(t, http.MethodPost, ts.baseURL+"/v1/api-keys", testKeys["admin"], "",
			`{"name":"during","user":"alice","roles":["viewer"]}`)
		expectUnavailable(t, resp)
	})

	proxy.Restore()
	recovered := false
	for range 300 { // 15 s at most
		if initializeStatus(t, ts.baseURL, secret) == http.StatusOK {
			recovered = true
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !recovered {
		t.Fatalf("the server did not recover within 15s of the database's return:\n%s", ts.logs)
	}
	var page struct {
		Keys []struct {
			Name string `json:"name"`
		} `json:"data"`
	}
	resp := rawRequest(t, http.MethodGet, ts.baseURL+"/v1/api-keys", testKeys["admin"], "", "")
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("list keys after recovery: %d %v", resp.StatusCode, err)
	}
	for _, k := range page.Keys {
		if k.Name == "during" {
			t.Fatalf("the key refused during the loss exists after it: %+v", page.Keys)
		}
	}
}

// expectUnavailable checks a 503 with a structured error body.
func expectUnavailable(t *testing.T, resp *http.Response) {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body struct {
		Error       string   `json:"error"`
		Message     string   `json:"message"`
		Suggestions []string `json:"suggestions"`
	}
	if resp.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(raw, &body) != nil ||
		body.Error == "" || body.Message == "" || len(body.Suggestions) == 0 {
		t.Fatalf("status %d, body %s; want 503 with error, message and suggestions", resp.StatusCode, raw)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After: %s", raw)
	}
}
