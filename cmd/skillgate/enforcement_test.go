package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// listSkillIDs calls list_skills with key and returns the ids it lists.
func listSkillIDs(t *testing.T, ts *testServer, key string) []string {
	t.Helper()
	c := connect(t, ts, streamableModern, key)
	res, err := callTool(t, c, "list_skills", nil)
	if err != nil || res.IsError {
		t.Fatalf("list_skills: %v %v", err, res)
	}
	var ids []string
	for _, part := range strings.Split(resultText(res), `"id":"`)[1:] {
		ids = append(ids, part[:strings.Index(part, `"`)])
	}
	return ids
}

func callBody(tool, skill string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":%q,"arguments":{"skill_id":%q,"script":"scripts/greet.sh"}}}`, tool, skill)
}

func TestScopeRefusedWith403(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	readOnly := ts.createManagedKey(t, func(k *storeKey) { k.Scopes = []string{"skills:read"} })
	c := connect(t, ts, streamableModern, readOnly)
	if got := toolNames(t, c); slices.Contains(got, "run_skill_script") {
		t.Errorf("tools/list = %v: lists a tool the key lacks the scope for", got)
	}
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", readOnly, "", callBody("run_skill_script", "shared/hello-world"))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status = %d, want 403", resp.StatusCode)
	}
	want := `Bearer error="insufficient_scope", scope="skills:read skills:execute", resource_metadata="` + ts.baseURL + `/.well-known/oauth-protected-resource/mcp"`
	if got := resp.Header.Get("WWW-Authenticate"); got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}
	assertErrorBody(t, body, "insufficient_scope")
}

func TestAllowedSkillsNarrowThePersona(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	narrow := ts.createManagedKey(t, func(k *storeKey) { k.AllowedSkillIDs = []string{"shared/code-review"} })
	none := ts.createManagedKey(t, func(k *storeKey) { k.AllowedSkillIDs = []string{} })
	if got := listSkillIDs(t, ts, narrow); !slices.Equal(got, []string{"shared/code-review"}) {
		t.Errorf("list_skills = %v, want only the allowed skill", got)
	}
	if got := listSkillIDs(t, ts, none); len(got) != 0 {
		t.Errorf("list_skills with an empty allow list = %v, want nothing", got)
	}
	c := connect(t, ts, streamableModern, narrow)
	res, err := callTool(t, c, "run_skill_script", map[string]any{"skill_id": "shared/hello-world", "script": "scripts/greet.sh"})
	if err != nil || !res.IsError || !strings.Contains(resultText(res), "Skill not found") {
		t.Errorf("running a skill outside the key's list = %v %v, want not found", err, res)
	}
}

func TestRateLimit(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	key := ts.createManagedKey(t, func(k *storeKey) { k.RateLimitPerMinute = 3 })
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	for i := range 3 {
		resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", key, "", body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit-Limit") != "3" || resp.Header.Get("RateLimit-Remaining") != fmt.Sprint(2-i) {
			t.Fatalf("request %d: %d, RateLimit-Limit %q, Remaining %q", i+1, resp.StatusCode,
				resp.Header.Get("RateLimit-Limit"), resp.Header.Get("RateLimit-Remaining"))
		}
	}
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", key, "", body)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	assertErrorBody(t, got, "rate_limited")
	// A request refused for its scope spends no rate: another key with
	// the same limit but no skills:execute is refused with 403 every time,
	// never 429.
	scoped := ts.createManagedKey(t, func(k *storeKey) { k.RateLimitPerMinute = 1; k.Scopes = []string{"skills:read"} })
	for range 3 {
		resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", scoped, "", callBody("run_skill_script", "shared/hello-world"))
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status = %d, want 403 (a refused call must not spend the rate)", resp.StatusCode)
		}
	}
}

func TestToolCallsAreAudited(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	key := ts.createManagedKey(t, nil)
	c := connect(t, ts, streamableModern, key)
	if _, err := callTool(t, c, "get_skill", map[string]any{"skill_id": "shared/hello-world"}); err != nil {
		t.Fatal(err)
	}
	_ = initializeStatus(t, ts.baseURL, apikey.Generate(apikey.DefaultPrefix))
	db := openTestDB(t, ts.dataDir)
	deadline := time.Now().Add(10 * time.Second)
	for {
		calls, err := db.ListAudit(context.Background(), store.AuditFilter{Action: "tool.call"})
		if err != nil {
			t.Fatal(err)
		}
		failures, err := db.ListAudit(context.Background(), store.AuditFilter{Action: "auth.failure"})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) > 0 && len(failures) > 0 {
			e := calls[0]
			if e.Target != "get_skill" || e.Result != "ok" || e.KeyID == "" || e.Detail != "skill shared/hello-world" || e.ClientAddr == "" {
				t.Errorf("tool call event = %+v", e)
			}
			if failures[0].Detail != "Unknown API key" {
				t.Errorf("auth failure event = %+v", failures[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit rows not written within 10s: %d calls, %d failures", len(calls), len(failures))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRefusedRunSpendsNoQuota: a run the runner would refuse (not a
// script, unknown file) spends nothing, so the one execution of the quota
// is still there for a real run.
func TestRefusedRunSpendsNoQuota(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	key := ts.createManagedKey(t, func(k *storeKey) { k.MonthlyQuota = 1 })
	c := connect(t, ts, streamableModern, key)
	for _, script := range []string{"SKILL.md", "scripts/missing.sh"} {
		res, err := callTool(t, c, "run_skill_script", map[string]any{"skill_id": "shared/hello-world", "script": script})
		if err != nil || !res.IsError || strings.Contains(resultText(res), "quota") {
			t.Fatalf("run %s = %v %v, want a refusal that is not about the quota", script, err, res)
		}
	}
	if text, isErr := runGreet(t, ts.baseURL, key); isErr {
		t.Fatalf("the one execution of the quota is gone: %s", text)
	}
}
