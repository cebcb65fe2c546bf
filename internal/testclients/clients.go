// Package testclients runs real MCP client programs from npm against a
// server, for tests.
//
// The programs are the .mjs scripts in this directory. They use the official
// TypeScript MCP SDK (@modelcontextprotocol/sdk), pinned by package.json and
// package-lock.json, so the server is tested against what an actual client
// sends rather than against our own idea of the protocol. Each script prints
// exactly one JSON line of results as the last line of its stdout, and
// traces what it does on stderr.
package testclients

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/npmtest"
)

// RunTimeout bounds one run of a script.
const RunTimeout = 60 * time.Second

// Run installs the npm dependencies if needed, runs the script (a file name
// in this directory, such as "sdk-oauth.mjs") with env added to the
// environment, and returns the last line of its stdout: the script's JSON
// results. It fails the test if Node.js is missing, if the script exits
// with an error or does not finish within RunTimeout; the script's stderr
// is logged then, and also at the end of a test that fails later.
func Run(t testing.TB, script string, env map[string]string) string {
	t.Helper()
	dir := Dir(t)
	npmtest.Install(t, dir)

	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Pipes held open by a stray child must not outlive the timeout.
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	err := cmd.Run()
	line := lastLine(stdout.String())
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		t.Logf("testclients: stderr of node %s:\n%s", script, stderr.String())
		t.Fatalf("testclients: node %s did not finish within %v; stdout:\n%s", script, RunTimeout, stdout.String())
	case err != nil:
		t.Logf("testclients: stderr of node %s:\n%s", script, stderr.String())
		t.Fatalf("testclients: node %s: %v after %v; results: %s", script, err, time.Since(start).Round(time.Millisecond), line)
	case line == "" || !strings.HasPrefix(line, "{"):
		t.Logf("testclients: stderr of node %s:\n%s", script, stderr.String())
		t.Fatalf("testclients: node %s printed no JSON line of results; stdout:\n%s", script, stdout.String())
	}
	// The script ran, but the test may still find its results wrong: the
	// trace of what the client sent and got then goes with the failure.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testclients: stderr of node %s:\n%s", script, stderr.String())
		}
	})
	return line
}

// Dir returns this package's directory, where the scripts and package.json
// are, so tests work from any working directory.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testclients: cannot locate the source file of package testclients")
	}
	return filepath.Dir(file)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\r\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
