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
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	// RunTimeout bounds one run of a script.
	RunTimeout     = 60 * time.Second
	installTimeout = 5 * time.Minute
	// sdkPackage is installed by npm ci; its package.json marks the install.
	sdkPackage = "@modelcontextprotocol/sdk"
)

// Run installs the npm dependencies if needed, runs the script (a file name
// in this directory, such as "sdk-oauth.mjs") with env added to the
// environment, and returns the last line of its stdout: the script's JSON
// results. It fails the test if Node.js is missing, if the script exits
// with an error or does not finish within RunTimeout; the script's stderr
// is logged then, and also at the end of a test that fails later.
func Run(t testing.TB, script string, env map[string]string) string {
	t.Helper()
	dir := Dir(t)
	ensureDependencies(t, dir)

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

// ensureDependencies runs npm ci unless the SDK is already installed. Test
// binaries of several packages may run at once, so the install is
// serialised with a file lock and the check repeated once the lock is held.
func ensureDependencies(t testing.TB, dir string) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("testclients: %q not found on PATH: the tests run real MCP clients on Node.js; "+
				"install Node.js 20 or newer (https://nodejs.org/en/download, or e.g. `apt-get install nodejs npm`, "+
				"`brew install node`) and run the tests again", tool)
		}
	}
	marker := filepath.Join(dir, "node_modules", filepath.FromSlash(sdkPackage), "package.json")
	if fileExists(marker) {
		return
	}

	unlock, err := lockFile(filepath.Join(os.TempDir(), "skillgate-testclients-npm.lock"))
	if err != nil {
		t.Fatalf("testclients: %v", err)
	}
	defer unlock()
	if fileExists(marker) {
		return // another test binary installed it while we waited
	}

	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testclients: npm ci in %s: %v\n%s", dir, err, out)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// lockFile takes an exclusive flock on path and returns its release.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
