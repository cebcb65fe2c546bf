package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// testKeys are the static keys of the test configuration, by role.
var testKeys = map[string]string{
	"admin":   "sk_live_test_admin_0123456789abcdefghij",
	"analyst": "sk_live_test_analyst_0123456789abcdefgh",
	"viewer":  "sk_live_test_viewer_0123456789abcdefghi",
	"nobody":  "sk_live_test_nobody_0123456789abcdefghi",
}

const testConfig = `
server:
  session_idle_ttl: 5m
%[4]sauth:
%[1]s  api_keys:
    enabled: true
    keys:
      - key: ${KEY_ADMIN}
        name: admin-service
        roles: [admin]
      - key: ${KEY_ANALYST}
        name: analyst-service
        roles: [analyst]
        teams: [analytics]
      - key: ${KEY_VIEWER}
        name: readonly
        roles: [viewer]
      - key: ${KEY_NOBODY}
        name: nobody
        roles: [guest]
personas:
  definitions:
    admin:
      roles: [admin]
      priority: 100
      tools: {allow: ["*"]}
      skills: {allow: ["*"]}
      scopes: [admin]
    analyst:
      roles: [analyst]
      priority: 50
      tools: {allow: ["*"]}
      skills: {allow: ["*"], deny: ["shared/commit-*"]}
      scopes: [skills:read, skills:execute, "keys:*"]
    viewer:
      roles: [viewer]
      priority: 10
      tools: {allow: ["*"], deny: ["run_*"]}
      skills: {allow: ["*"]}
skills:
  script_timeout: %[2]s
%[3]s%[5]s`

// testServer is a real skillgate started in process on 127.0.0.1.
type testServer struct {
	baseURL string
	dataDir string
	logs    *syncBuffer
}

type testServerOptions struct {
	scriptTimeout string // default 10s
	skillsDir     string // default bundled
	dataDir       string // default a new temp dir
	// auth holds extra lines for the auth section, indented by two spaces
	// (an oidc block, say).
	auth string
	// addr is the listen address; default 127.0.0.1:0.
	addr string
	// server holds extra lines for the server section, indented by two
	// spaces; storage replaces the storage section (SQLite in dataDir).
	server, storage string
}

func newTestServer(t *testing.T, opts testServerOptions) *testServer {
	t.Helper()
	if opts.scriptTimeout == "" {
		opts.scriptTimeout = "10s"
	}
	if opts.dataDir == "" {
		opts.dataDir = t.TempDir()
	}
	extra := ""
	if opts.skillsDir != "" {
		extra = "  dir: " + opts.skillsDir + "\n"
	}
	cfgPath := filepath.Join(t.TempDir(), "platform.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, testConfig, opts.auth, opts.scriptTimeout, extra, opts.server, opts.storage), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"KEY_ADMIN": testKeys["admin"], "KEY_ANALYST": testKeys["analyst"],
		"KEY_VIEWER": testKeys["viewer"], "KEY_NOBODY": testKeys["nobody"],
	}
	ts := &testServer{dataDir: opts.dataDir, logs: &syncBuffer{}}
	if opts.addr == "" {
		opts.addr = "127.0.0.1:0"
	}
	ts.baseURL, _ = startApp(t, ts.logs, env, "serve", "--config", cfgPath, "--addr", opts.addr, "--data", opts.dataDir)
	return ts
}

// startApp runs the skillgate command in process until the test ends (or
// stop is called) and returns the base URL it listens on.
func startApp(t *testing.T, logs *syncBuffer, env map[string]string, args ...string) (baseURL string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan string, 1)
	a := &app{
		stdout: logs, stderr: logs,
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		onListen:  func(addr string) { listening <- addr },
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, args) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("server exited with %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("server did not stop within 15s")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case addr := <-listening:
		return "http://" + addr, stop
	case err := <-done:
		once.Do(func() {})
		t.Fatalf("server exited before listening: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not listen within 30s\n%s", logs)
	}
	return "", stop
}

// createManagedKey stores a managed key directly in the server's database,
// through a second connection as another process would, and returns the
// plain key.
func (ts *testServer) createManagedKey(t *testing.T, mutate func(k *storeKey)) string {
	t.Helper()
	db := openTestDB(t, ts.dataDir)
	plain := apikey.Generate(apikey.DefaultPrefix)
	k := storeKey{
		ID: apikey.NewID(), Name: "managed-" + plain[len(plain)-6:], User: "managed",
		Roles: []string{"analyst"}, CreatedAt: time.Now().UTC(),
	}
	if mutate != nil {
		mutate(&k)
	}
	sec := store.Secret{Hash: apikey.Hash(plain), KeyID: k.ID, Prefix: apikey.DisplayPrefix(plain, apikey.DefaultPrefix), CreatedAt: k.CreatedAt}
	if err := db.CreateKey(context.Background(), k, sec, nil); err != nil {
		t.Fatalf("create managed key: %v", err)
	}
	return plain
}

// assertNoSecretsLogged fails if any key appears in what the server wrote.
func (ts *testServer) assertNoSecretsLogged(t *testing.T, secrets ...string) {
	t.Helper()
	logs := ts.logs.String()
	for _, s := range append(secrets, values(testKeys)...) {
		if strings.Contains(logs, s) {
			t.Errorf("a key appears in the server's output")
		}
	}
}

func values(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a server.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
