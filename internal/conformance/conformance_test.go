package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollect checks the reading of the suite's output against the layout
// of version 0.1.16: a "=== Running scenario" line per scenario, a
// server-<scenario>-<time>/checks.json per scenario that did not throw.
func TestCollect(t *testing.T) {
	dir := t.TempDir()
	write := func(name, checks string) {
		t.Helper()
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "checks.json"), []byte(checks), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("server-ping-2026-01-02T03-04-05-678Z",
		`[{"id":"ping","name":"Ping","description":"d","status":"SUCCESS","timestamp":"t"}]`)
	write("server-tools-call-error-2026-01-02T03-04-05-999Z",
		`[{"id":"tools-call-error","name":"E","description":"Tool returns error","status":"FAILURE","errorMessage":"boom",`+
			`"specReferences":[{"id":"S","url":"https://example.com"}],"details":{"a":1}},`+
			`{"id":"x","name":"X","description":"w","status":"WARNING"}]`)
	output := "Running active suite (3 scenarios) against http://x/mcp\n\n" +
		"\n=== Running scenario: ping ===\nping output\n" +
		"\n=== Running scenario: tools-call-error ===\nerror output\n" +
		"\n=== Running scenario: crashed ===\nFailed to run scenario crashed: Error\n" +
		"\n\n=== SUMMARY ===\n✓ ping: 1 passed, 0 failed\n"

	run, err := collect(dir, serverResultDir, output)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range run.Results {
		names = append(names, r.Scenario)
	}
	if got := strings.Join(names, ","); got != "ping,tools-call-error,crashed" {
		t.Fatalf("scenarios %s", got)
	}
	ping, _ := run.Result("ping")
	if !ping.Passed() || !strings.Contains(ping.Output, "ping output") || strings.Contains(ping.Output, "error output") {
		t.Errorf("ping: passed %v, output %q", ping.Passed(), ping.Output)
	}
	errRes, _ := run.Result("tools-call-error")
	f := errRes.Failures()
	if errRes.Passed() || !strings.Contains(f, "boom") || !strings.Contains(f, `{"a":1}`) ||
		!strings.Contains(f, "https://example.com") || !strings.Contains(f, "WARNING [x]") {
		t.Errorf("tools-call-error: passed %v, failures:\n%s", errRes.Passed(), f)
	}
	crashed, _ := run.Result("crashed")
	if crashed.Passed() || strings.Contains(crashed.Output, "SUMMARY") || !strings.Contains(crashed.Output, "Failed to run") {
		t.Errorf("crashed: passed %v, output %q", crashed.Passed(), crashed.Output)
	}
	if !run.failed() {
		t.Error("run.failed() = false")
	}

	// Results for a scenario the output never announced mean the format
	// changed.
	write("server-other-2026-01-02T03-04-05-000Z", `[]`)
	if _, err := collect(dir, serverResultDir, output); err == nil {
		t.Error("collect accepted results of an unannounced scenario")
	}
}

// TestAuthorizationResultDir checks the name 0.2.0 gives an authorization
// server scenario's results directory.
func TestAuthorizationResultDir(t *testing.T) {
	m := authorizationResultDir.FindStringSubmatch("authorization-server-authorization-code-grant-2026-01-02T03-04-05-678Z")
	if m == nil || m[1] != "authorization-code-grant" {
		t.Fatalf("match %v", m)
	}
	if serverResultDir.MatchString("authorization-server-authorization-code-grant-2026-01-02T03-04-05-678Z") {
		t.Error("an authorization result directory read as a server one")
	}
}
