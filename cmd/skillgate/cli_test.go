package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var bootstrapKey = regexp.MustCompile(`sk_live_[A-Za-z0-9_-]{48}`)

func TestFirstStartPrintsAdminKeyOnce(t *testing.T) {
	dataDir := t.TempDir()
	logs := &syncBuffer{}
	baseURL, stop := startApp(t, logs, nil, "serve", "--addr", "127.0.0.1:0", "--data", dataDir)

	key := bootstrapKey.FindString(logs.String())
	if key == "" {
		t.Fatalf("first start printed no admin key:\n%s", logs)
	}
	for _, want := range []string{"claude mcp add --transport http skillgate " + baseURL + "/mcp", "curl -sS " + baseURL + "/mcp"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("first start output lacks %q", want)
		}
	}
	resp := rawRequest(t, http.MethodPost, baseURL+"/mcp", key, "", initializeBody)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the printed admin key does not work: status %d", resp.StatusCode)
	}
	stop()
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.HasPrefix(line, "time=") && strings.Contains(line, key) {
			t.Errorf("the admin key was logged: %s", line)
		}
	}

	second := &syncBuffer{}
	baseURL, _ = startApp(t, second, nil, "serve", "--addr", "127.0.0.1:0", "--data", dataDir)
	if strings.Contains(second.String(), "sk_live_") {
		t.Errorf("second start printed a key again:\n%s", second)
	}
	resp = rawRequest(t, http.MethodPost, baseURL+"/mcp", key, "", initializeBody)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the admin key stopped working after a restart: status %d", resp.StatusCode)
	}
}

func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unsetVar := write("unset.yaml", "auth:\n  api_keys:\n    enabled: true\n    keys:\n      - key: ${SKILLGATE_TEST_UNSET}\n        name: a\n        roles: [admin]\n")
	unknownField := write("unknown.yaml", "server:\n  adress: 127.0.0.1:1\n")
	wrongType := write("type.yaml", "personas:\n  definitions:\n    a:\n      roles: admin\n      priority: high\n")
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantInErr []string
	}{
		{"no command", nil, true, []string{"no command"}},
		{"unknown command", []string{"serv"}, true, []string{`unknown command "serv"`}},
		{"unknown flag", []string{"serve", "--port", "1"}, true, []string{"port"}},
		{"extra argument", []string{"serve", "now"}, true, []string{`unexpected argument "now"`}},
		{"bad address", []string{"serve", "--addr", "nowhere"}, true, []string{"server.addr"}},
		{"missing config", []string{"serve", "--config", filepath.Join(dir, "none.yaml")}, false, []string{"none.yaml"}},
		{"unset variable", []string{"serve", "--config", unsetVar}, false, []string{"unset.yaml:5", "auth.api_keys.keys[0].key", "SKILLGATE_TEST_UNSET"}},
		{"unknown field", []string{"serve", "--config", unknownField}, false, []string{"unknown.yaml:2", "adress"}},
		{"wrong types", []string{"serve", "--config", wrongType}, false, []string{"type.yaml:4", "roles", "type.yaml:5", "priority"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := &syncBuffer{}
			a := &app{stdout: out, stderr: out, lookupEnv: func(string) (string, bool) { return "", false }}
			err := a.run(context.Background(), tc.args)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, errUsage); got != tc.wantUsage {
				t.Errorf("usage error = %v, want %v (%v)", got, tc.wantUsage, err)
			}
			for _, want := range tc.wantInErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}
