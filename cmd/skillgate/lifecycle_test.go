package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store/sqlite"
)

// writeProcessConfig writes keysTestConfig to a file and returns its path.
func writeProcessConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "platform.yaml")
	if err := os.WriteFile(path, []byte(keysTestConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runGreet runs the bundled hello-world script with key and returns the
// tool's text and whether it was an error.
func runGreet(t *testing.T, baseURL, key string) (string, bool) {
	t.Helper()
	c := connect(t, &testServer{baseURL: baseURL}, streamableModern, key)
	res, err := callTool(t, c, "run_skill_script", map[string]any{"skill_id": "shared/hello-world", "script": "scripts/greet.sh"})
	if err != nil {
		t.Fatalf("run_skill_script: %v", err)
	}
	return resultText(res), res.IsError
}

// initializeStatus sends an initialize with key and returns the status.
func initializeStatus(t *testing.T, baseURL, key string) int {
	t.Helper()
	resp := rawRequest(t, http.MethodPost, baseURL+"/mcp", key, "",
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestKeyLifecycleAcrossProcesses follows a key through its life with the
// server and the CLI as separate processes on one database: create, use,
// children, quota boundary, rotation, a crash, and revocation.
func TestKeyLifecycleAcrossProcesses(t *testing.T) {
	data, cfg := t.TempDir(), writeProcessConfig(t)
	srv := startServerProcess(t, "--config", cfg, "--data", data)
	with := func(args ...string) []string { return append(args, "--config", cfg, "--data", data) }

	var parent, child apikey.Created
	cliJSON(t, &parent, with("keys", "create", "--name", "agent", "--user", "alice", "--role", "dev", "--quota", "5")...)
	cliJSON(t, &child, with("keys", "create", "--name", "sub-agent", "--parent", parent.Key.ID, "--quota", "2")...)
	secrets := []string{parent.Secret, child.Secret}

	// The child spends its own budget, which also counts on the parent's.
	for i := range 2 {
		if text, isErr := runGreet(t, srv.baseURL, child.Secret); isErr {
			t.Fatalf("child run %d refused: %s", i+1, text)
		}
	}
	if text, isErr := runGreet(t, srv.baseURL, child.Secret); !isErr || !strings.Contains(text, "quota_exceeded") {
		t.Fatalf("child's 3rd run = %q, want quota_exceeded", text)
	}
	for i := range 3 {
		if text, isErr := runGreet(t, srv.baseURL, parent.Secret); isErr {
			t.Fatalf("parent run %d refused: %s", i+1, text)
		}
	}
	text, isErr := runGreet(t, srv.baseURL, parent.Secret)
	if !isErr || !strings.Contains(text, "quota_exceeded") || !strings.Contains(text, "(5)") || !strings.Contains(text, "resets at") {
		t.Fatalf("parent's 6th execution in all = %q, want quota_exceeded with the limit and the reset", text)
	}
	// Reading still works once the quota is spent.
	c := connect(t, &testServer{baseURL: srv.baseURL}, streamableModern, parent.Secret)
	if res, err := callTool(t, c, "list_skills", nil); err != nil || res.IsError {
		t.Fatalf("list_skills after the quota: %v %v", err, res)
	}

	// Rotation: both secrets work during the grace period, and the new one
	// shares the old one's spent quota.
	var rotated apikey.Created
	cliJSON(t, &rotated, with("keys", "rotate", parent.Key.ID, "--grace", "1h")...)
	secrets = append(secrets, rotated.Secret)
	for _, s := range []string{parent.Secret, rotated.Secret} {
		if code := initializeStatus(t, srv.baseURL, s); code != http.StatusOK {
			t.Fatalf("initialize during grace = %d", code)
		}
	}
	if text, isErr := runGreet(t, srv.baseURL, rotated.Secret); !isErr || !strings.Contains(text, "quota_exceeded") {
		t.Fatalf("the rotated secret got a fresh quota: %q", text)
	}

	// A crash loses no usage.
	srv.kill(t)
	srv = startServerProcess(t, "--config", cfg, "--data", data)
	var shown apikey.View
	cliJSON(t, &shown, with("keys", "show", parent.Key.ID)...)
	if shown.CurrentMonthUsage != 5 || len(shown.Secrets) != 2 {
		t.Fatalf("after kill -9: usage %d, %d secrets; want 5 and 2", shown.CurrentMonthUsage, len(shown.Secrets))
	}

	// Revoking the parent stops every secret of it and of its child, within
	// a second on a server that is another process.
	for _, s := range secrets {
		if code := initializeStatus(t, srv.baseURL, s); code != http.StatusOK {
			t.Fatalf("initialize before revocation = %d", code)
		}
	}
	cli(t, "", with("keys", "revoke", parent.Key.ID)...)
	// The server sees a change made by another process within the keys
	// version's max age.
	time.Sleep(sqlite.DefaultVersionMaxAge)
	for i, s := range secrets {
		if code := initializeStatus(t, srv.baseURL, s); code != http.StatusUnauthorized {
			t.Errorf("secret %d after revocation: initialize = %d, want 401", i, code)
		}
	}
	// Revoking again succeeds and changes nothing.
	cli(t, "", with("keys", "revoke", parent.Key.ID)...)

	assertFilesHoldNoSecret(t, data, secrets...)
	for _, s := range secrets {
		if strings.Contains(srv.logs.String(), s) {
			t.Error("a key appears in the server's log")
		}
	}
}

// TestQuotaBoundaryUnderConcurrency runs many executions at once on a key
// with a small quota: exactly the quota succeeds.
func TestQuotaBoundaryUnderConcurrency(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	const quota, callers = 4, 12
	var key apikey.Created
	cliJSON(t, &key, "keys", "create", "--data", ts.dataDir, "--name", "bounded", "--user", "bob", "--role", "analyst", "--quota", fmt.Sprint(quota))
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			c := connect(t, ts, streamableModern, key.Secret)
			res, err := callTool(t, c, "run_skill_script", map[string]any{"skill_id": "shared/hello-world", "script": "scripts/greet.sh"})
			switch {
			case err != nil:
				t.Errorf("call: %v", err)
			case !res.IsError:
				ok.Add(1)
			case strings.Contains(resultText(res), "quota_exceeded"):
				refused.Add(1)
			default:
				t.Errorf("unexpected result %s", resultText(res))
			}
		})
	}
	wg.Wait()
	if ok.Load() != quota || refused.Load() != callers-quota {
		t.Fatalf("%d succeeded and %d were refused; want %d and %d", ok.Load(), refused.Load(), quota, callers-quota)
	}
}

// assertFilesHoldNoSecret fails if any file under dir (the database, its
// WAL and shared memory) contains one of the plain keys.
func assertFilesHoldNoSecret(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a plain key", filepath.Base(path))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
