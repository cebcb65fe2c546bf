package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// A caller of the stateless protocol must not be able to cancel another
// caller's request by guessing its JSON-RPC id (mcp-go keys the in-flight
// requests of every sessionless caller alike).
func TestStatelessCancellationCannotReachOtherCallers(t *testing.T) {
	dir := writeSkillDir(t, "nap", "Sleeps a second, then says done.", "#!/bin/sh\nsleep 1\necho done\n")
	ts := newTestServer(t, testServerOptions{skillsDir: dir})
	alice := connect(t, ts, streamableModern, testKeys["analyst"])

	var wg sync.WaitGroup
	wg.Add(1)
	var res *mcp.CallToolResult
	var callErr error
	go func() {
		defer wg.Done()
		res, callErr = callTool(t, alice, "run_skill_script", map[string]any{"skill_id": "shared/nap", "script": "scripts/nap.sh"})
	}()
	time.Sleep(300 * time.Millisecond)
	for i := range 64 {
		id := i / 2
		body, _ := json.Marshal(map[string]any{
			"jsonrpc": "2.0", "method": "notifications/cancelled",
			"params": map[string]any{
				"requestId": id, "reason": "not yours",
				"_meta": map[string]any{mcp.MetaKeyProtocolVersion: mcp.ProtocolVersion20260728},
			},
		})
		if i%2 == 1 {
			// The same method spelled with a JSON escape.
			body = []byte(strings.Replace(string(body), "notifications/cancelled", `notifications\/cancelled`, 1))
		}
		req, _ := http.NewRequest(http.MethodPost, ts.baseURL+"/mcp", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+testKeys["admin"])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", mcp.ProtocolVersion20260728)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("cancellation %d: status %d, want 202", id, resp.StatusCode)
		}
	}
	wg.Wait()
	if callErr != nil {
		t.Fatal(callErr)
	}
	if text := resultText(res); res.IsError || !strings.Contains(text, "done") {
		t.Errorf("another caller's cancellation reached the call: %s", text)
	}
}
